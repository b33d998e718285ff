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

/// A field that reads its value from the parent JSON object. Object-typed values are passed
/// on as JSON for their own fields; scalars and enums are converted to GraphQL values.
pub(crate) fn json_field(name: &str, ty: TypeRef, lookup: Lookup) -> Field {
    let object_kind = type_shape(&ty);
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
            Ok(to_field_value(value, object_kind))
        })
    })
}

/// Whether a type is a scalar, an object, or a list of objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Scalar,
    Object,
    ObjectList,
}

fn type_shape(ty: &TypeRef) -> Shape {
    fn base(ty: &TypeRef) -> (&str, bool) {
        match ty {
            TypeRef::Named(n) => (n.as_ref(), false),
            TypeRef::NonNull(inner) => base(inner),
            TypeRef::List(inner) => (base(inner).0, true),
        }
    }
    let (name, list) = base(ty);
    let builtin = matches!(name, "String" | "Int" | "Float" | "Boolean" | "ID");
    let scalar = builtin
        || matches!(
            name,
            "UUID"
                | "DateTime"
                | "Date"
                | "BigFloat"
                | "Position"
                | "JSON"
                | "Cursor"
                | "ConnectionCursor"
        )
        || name.ends_with("Enum");
    match (scalar, list) {
        (true, _) => Shape::Scalar,
        (false, false) => Shape::Object,
        (false, true) => Shape::ObjectList,
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
