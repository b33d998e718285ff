//! Field values: reading a field from its parent's JSON and handing it to async-graphql.

use async_graphql::dynamic::{Field, FieldFuture, FieldValue, TypeRef};
use serde_json::Value as Json;

/// How a field finds its value in the parent's JSON.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lookup {
    /// By response key (alias or name): record and composite fields, whose JSON the database
    /// built with the response keys.
    Alias,
    /// By field name: connection, edge and page-info fields, shaped by the server.
    Name,
}

/// A field of a scalar or enum type that reads its value from the parent JSON object.
pub(crate) fn json_field(name: &str, ty: TypeRef, lookup: Lookup) -> Field {
    field(name, ty, lookup, Shape::Scalar)
}

/// A field of an object type (or a list of objects) that reads its value from the parent JSON
/// object and passes it on as JSON to the object's own fields.
pub(crate) fn object_field(name: &str, ty: TypeRef, lookup: Lookup) -> Field {
    let shape = if is_list(&ty) {
        Shape::ObjectList
    } else {
        Shape::Object
    };
    field(name, ty, lookup, shape)
}

fn field(name: &str, ty: TypeRef, lookup: Lookup, shape: Shape) -> Field {
    Field::new(name, ty, move |ctx| {
        FieldFuture::new(async move {
            let Ok(parent) = ctx.parent_value.try_downcast_ref::<Json>() else {
                return Ok(None);
            };
            let key = match lookup {
                Lookup::Alias => ctx.field().alias().unwrap_or(ctx.field().name()),
                Lookup::Name => ctx.field().name(),
            };
            let value = parent.get(key).cloned().unwrap_or(Json::Null);
            Ok(to_field_value(value, shape))
        })
    })
}

/// How a value is handed to async-graphql: a scalar, an object, or a list of objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Scalar,
    Object,
    ObjectList,
}

fn is_list(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(_) => false,
        TypeRef::NonNull(inner) => is_list(inner),
        TypeRef::List(_) => true,
    }
}

pub(crate) fn to_field_value(value: Json, shape: Shape) -> Option<FieldValue<'static>> {
    if value.is_null() {
        return None;
    }
    match shape {
        Shape::Scalar => async_graphql::Value::from_json(value)
            .ok()
            .map(FieldValue::value),
        Shape::Object => Some(FieldValue::owned_any(value)),
        Shape::ObjectList => match value {
            Json::Array(items) => Some(FieldValue::list(
                items.into_iter().map(FieldValue::owned_any),
            )),
            _ => None,
        },
    }
}
