//! Schema construction: Twenty's names and shapes for every active object
//! (`shared/reference/twenty-core-api.md` §1.2, §2, §3.1, §4.2, §5, §6, §7).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, Scalar, Schema, TypeRef,
};
use serde_json::Value as Json;
use tessera_metadata::{
    ColumnModel, CompositeType, FieldKind, FieldModel, ObjectModel, ScalarKind, WorkspaceModel,
};

use crate::resolve;

/// The schema could not be built (metadata that yields invalid GraphQL).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the GraphQL schema: {0}")]
pub struct SchemaError(pub String);

/// Maximum depth of a GraphQL document (fields nested in fields).
pub const MAX_QUERY_DEPTH: usize = 32;

/// Builds the `/graphql` schema of one workspace at one metadata version. Cheap enough to run
/// once per metadata change; callers cache the result by (workspace id, version).
///
/// Errors: names that collide or are not valid GraphQL names ([`SchemaError`]).
pub fn build_schema(model: Arc<WorkspaceModel>) -> Result<Schema, SchemaError> {
    let mut b = Builder {
        model: model.clone(),
        types: Vec::new(),
        enums: BTreeSet::new(),
    };
    b.statics();
    let mut query = Object::new("Query");
    let mut mutation = Object::new("Mutation");
    for object in &model.objects {
        b.object_types(object);
        query = resolve::query_fields(query, &model, object);
        mutation = resolve::mutation_fields(mutation, &model, object);
    }
    let mut schema = Schema::build("Query", Some("Mutation"), None)
        .register(query)
        .register(mutation)
        .limit_depth(MAX_QUERY_DEPTH);
    for ty in b.types {
        schema = schema.register(ty);
    }
    schema.finish().map_err(|e| SchemaError(e.to_string()))
}

struct Builder {
    model: Arc<WorkspaceModel>,
    types: Vec<async_graphql::dynamic::Type>,
    enums: BTreeSet<String>,
}

/// The GraphQL output type name of a column.
pub(crate) fn scalar_type(col: &ColumnModel) -> String {
    match col.kind {
        ScalarKind::Uuid => "UUID".into(),
        ScalarKind::Text => TypeRef::STRING.into(),
        ScalarKind::Float => TypeRef::FLOAT.into(),
        ScalarKind::Int => TypeRef::INT.into(),
        ScalarKind::Numeric => "BigFloat".into(),
        ScalarKind::Boolean => TypeRef::BOOLEAN.into(),
        ScalarKind::Date => "Date".into(),
        ScalarKind::DateTime => "DateTime".into(),
        ScalarKind::Position => "Position".into(),
        ScalarKind::Json => "JSON".into(),
        ScalarKind::TextArray => TypeRef::STRING.into(),
        ScalarKind::Enum | ScalarKind::EnumArray => col.enum_type_name.clone().unwrap_or_default(),
    }
}

fn output_type(col: &ColumnModel, non_null: bool) -> TypeRef {
    let name = scalar_type(col);
    match (col.kind, non_null) {
        (ScalarKind::TextArray | ScalarKind::EnumArray, true) => TypeRef::named_nn_list_nn(name),
        (ScalarKind::TextArray | ScalarKind::EnumArray, false) => TypeRef::named_nn_list(name),
        (_, true) => TypeRef::named_nn(name),
        (_, false) => TypeRef::named(name),
    }
}

fn input_type(col: &ColumnModel, non_null: bool) -> TypeRef {
    output_type(col, non_null)
}

/// The filter input type of a column.
fn filter_type(col: &ColumnModel) -> String {
    match col.kind {
        ScalarKind::Uuid => "UUIDFilter".into(),
        ScalarKind::Text => "StringFilter".into(),
        ScalarKind::Float | ScalarKind::Position => "FloatFilter".into(),
        ScalarKind::Int => "IntFilter".into(),
        ScalarKind::Numeric => "BigFloatFilter".into(),
        ScalarKind::Boolean => "BooleanFilter".into(),
        ScalarKind::Date => "DateFilter".into(),
        ScalarKind::DateTime => "DateTimeFilter".into(),
        ScalarKind::Json => "RawJsonFilter".into(),
        ScalarKind::TextArray => "ArrayFilter".into(),
        ScalarKind::Enum | ScalarKind::EnumArray => {
            format!("{}Filter", col.enum_type_name.clone().unwrap_or_default())
        }
    }
}

/// Whether a field is non-null in output and create input: not nullable and no default
/// (Twenty's `apply-type-options-for-output-type.util.ts`).
fn non_null(field: &FieldModel) -> bool {
    !field.meta.is_nullable && field.meta.default_value.is_none()
}

impl Builder {
    fn push(&mut self, ty: impl Into<async_graphql::dynamic::Type>) {
        self.types.push(ty.into());
    }

    fn statics(&mut self) {
        for name in [
            "UUID",
            "DateTime",
            "Date",
            "BigFloat",
            "Position",
            "JSON",
            "Cursor",
            "ConnectionCursor",
        ] {
            let desc = match name {
                "UUID" => "A UUID, lower-case hyphenated.",
                "DateTime" => "An ISO-8601 instant in UTC, e.g. 2024-01-31T09:00:00.000Z.",
                "Date" => "A calendar date, YYYY-MM-DD.",
                "BigFloat" => "An arbitrary-precision number (amounts in micros).",
                "Position" => "A sort position: a number, or \"first\" / \"last\" on input.",
                "JSON" => "Any JSON value.",
                _ => "An opaque pagination cursor.",
            };
            self.push(Scalar::new(name).description(desc));
        }
        self.push(Enum::new("OrderByDirection").items([
            "AscNullsFirst",
            "AscNullsLast",
            "DescNullsFirst",
            "DescNullsLast",
        ]));
        self.push(Enum::new("FilterIs").items(["NULL", "NOT_NULL"]));
        let cmp = |name: &str, ty: &str, extra: &[(&str, TypeRef)]| {
            let mut o = InputObject::new(name);
            for op in ["eq", "neq", "gt", "gte", "lt", "lte"] {
                o = o.field(InputValue::new(op, TypeRef::named(ty)));
            }
            o = o.field(InputValue::new("in", TypeRef::named_nn_list(ty)));
            o = o.field(InputValue::new("is", TypeRef::named("FilterIs")));
            for (n, t) in extra {
                o = o.field(InputValue::new(*n, t.clone()));
            }
            o
        };
        let s = || TypeRef::named(TypeRef::STRING);
        self.push(cmp("UUIDFilter", "UUID", &[]));
        self.push(cmp(
            "StringFilter",
            TypeRef::STRING,
            &[
                ("like", s()),
                ("ilike", s()),
                ("startsWith", s()),
                ("endsWith", s()),
            ],
        ));
        self.push(cmp("FloatFilter", TypeRef::FLOAT, &[]));
        self.push(cmp("IntFilter", TypeRef::INT, &[]));
        self.push(cmp("BigFloatFilter", "BigFloat", &[]));
        self.push(cmp("DateTimeFilter", "DateTime", &[]));
        self.push(cmp("DateFilter", "Date", &[]));
        self.push(
            InputObject::new("BooleanFilter")
                .field(InputValue::new("eq", TypeRef::named(TypeRef::BOOLEAN)))
                .field(InputValue::new("is", TypeRef::named("FilterIs"))),
        );
        self.push(
            InputObject::new("RawJsonFilter")
                .field(InputValue::new("is", TypeRef::named("FilterIs")))
                .field(InputValue::new("like", s()))
                .field(InputValue::new("ilike", s())),
        );
        self.push(
            InputObject::new("ArrayFilter")
                .field(InputValue::new("containsIlike", s()))
                .field(InputValue::new(
                    "containsAny",
                    TypeRef::named_nn_list(TypeRef::STRING),
                ))
                .field(InputValue::new("is", TypeRef::named("FilterIs")))
                .field(InputValue::new(
                    "isEmptyArray",
                    TypeRef::named(TypeRef::BOOLEAN),
                )),
        );
        self.push(
            Object::new("PageInfo")
                .field(json_field(
                    "startCursor",
                    TypeRef::named("ConnectionCursor"),
                    Lookup::Name,
                ))
                .field(json_field(
                    "endCursor",
                    TypeRef::named("ConnectionCursor"),
                    Lookup::Name,
                ))
                .field(json_field(
                    "hasNextPage",
                    TypeRef::named_nn(TypeRef::BOOLEAN),
                    Lookup::Name,
                ))
                .field(json_field(
                    "hasPreviousPage",
                    TypeRef::named_nn(TypeRef::BOOLEAN),
                    Lookup::Name,
                )),
        );
        for composite in CompositeType::all() {
            self.composite_types(composite);
        }
    }

    fn enum_types(&mut self, col: &ColumnModel) {
        let Some(name) = &col.enum_type_name else {
            return;
        };
        if !self.enums.insert(name.clone()) {
            return;
        }
        self.push(Enum::new(name.as_str()).items(col.enum_values.iter().map(String::as_str)));
        let filter = format!("{name}Filter");
        self.push(
            InputObject::new(filter.as_str())
                .field(InputValue::new("eq", TypeRef::named(name.as_str())))
                .field(InputValue::new("neq", TypeRef::named(name.as_str())))
                .field(InputValue::new("in", TypeRef::named_nn_list(name.as_str())))
                .field(InputValue::new(
                    "containsAny",
                    TypeRef::named_nn_list(name.as_str()),
                ))
                .field(InputValue::new("is", TypeRef::named("FilterIs")))
                .field(InputValue::new(
                    "isEmptyArray",
                    TypeRef::named(TypeRef::BOOLEAN),
                )),
        );
    }

    fn composite_types(&mut self, composite: &'static CompositeType) {
        // Sub-field columns of a composite are the same for every field of that type, except
        // for their column names; build them from a throwaway column model.
        let name = composite.type_name;
        let mut out = Object::new(name);
        let mut create = InputObject::new(format!("{name}CreateInput"));
        let mut update = InputObject::new(format!("{name}UpdateInput"));
        let mut filter = InputObject::new(format!("{name}FilterInput"));
        let mut order = InputObject::new(format!("{name}OrderByInput"));
        for sub in composite.sub_fields {
            let col = ColumnModel {
                name: sub.name.to_owned(),
                kind: sub.kind,
                nullable: true,
                enum_values: sub
                    .enum_values
                    .map(|(_, v)| v.iter().map(|s| (*s).to_owned()).collect())
                    .unwrap_or_default(),
                enum_type_name: sub.enum_values.map(|(n, _)| n.to_owned()),
                pg_enum_type: None,
                null_equivalent: sub.null_equivalent,
            };
            self.enum_types(&col);
            out = out.field(json_field(
                sub.name,
                output_type(&col, false),
                Lookup::Alias,
            ));
            if !sub.input_hidden {
                create = create.field(InputValue::new(sub.name, input_type(&col, false)));
                update = update.field(InputValue::new(sub.name, input_type(&col, false)));
            }
            filter = filter.field(InputValue::new(sub.name, TypeRef::named(filter_type(&col))));
            order = order.field(InputValue::new(
                sub.name,
                TypeRef::named("OrderByDirection"),
            ));
        }
        self.push(out);
        self.push(create);
        self.push(update);
        self.push(filter);
        self.push(order);
    }

    fn object_types(&mut self, object: &ObjectModel) {
        let x = &object.type_name;
        let mut out = Object::new(x.as_str());
        if let Some(d) = &object.meta.description {
            out = out.description(d.as_str());
        }
        let mut filter = InputObject::new(format!("{x}FilterInput"))
            .field(InputValue::new(
                "and",
                TypeRef::named_list(format!("{x}FilterInput")),
            ))
            .field(InputValue::new(
                "or",
                TypeRef::named_list(format!("{x}FilterInput")),
            ))
            .field(InputValue::new(
                "not",
                TypeRef::named(format!("{x}FilterInput")),
            ));
        let mut order = InputObject::new(format!("{x}OrderByInput"));
        let mut create = InputObject::new(format!("{x}CreateInput"));
        let mut update = InputObject::new(format!("{x}UpdateInput"));
        for field in &object.fields {
            let name = field.name();
            match &field.kind {
                FieldKind::Scalar(col) => {
                    self.enum_types(col);
                    out = out.field(described(
                        json_field(name, output_type(col, non_null(field)), Lookup::Alias),
                        field,
                    ));
                    filter = filter.field(InputValue::new(name, TypeRef::named(filter_type(col))));
                    if col.kind != ScalarKind::Json {
                        order =
                            order.field(InputValue::new(name, TypeRef::named("OrderByDirection")));
                    }
                    let create_ty = if name == "id" || col.kind == ScalarKind::Position {
                        input_type(col, false)
                    } else {
                        input_type(col, non_null(field))
                    };
                    create = create.field(InputValue::new(name, create_ty));
                    if name != "id" {
                        update = update.field(InputValue::new(name, input_type(col, false)));
                    }
                }
                FieldKind::Composite { composite, .. } => {
                    let t = composite.type_name;
                    let ty = if non_null(field) {
                        TypeRef::named_nn(t)
                    } else {
                        TypeRef::named(t)
                    };
                    out = out.field(described(json_field(name, ty, Lookup::Alias), field));
                    filter = filter.field(InputValue::new(
                        name,
                        TypeRef::named(format!("{t}FilterInput")),
                    ));
                    order = order.field(InputValue::new(
                        name,
                        TypeRef::named(format!("{t}OrderByInput")),
                    ));
                    create = create.field(InputValue::new(
                        name,
                        TypeRef::named(format!("{t}CreateInput")),
                    ));
                    update = update.field(InputValue::new(
                        name,
                        TypeRef::named(format!("{t}UpdateInput")),
                    ));
                }
                FieldKind::ManyToOne {
                    join_column,
                    target,
                    ..
                } => {
                    let Some(target) = self.model.object(target) else {
                        continue;
                    };
                    let t = target.type_name.clone();
                    out = out.field(described(
                        json_field(name, TypeRef::named(t.as_str()), Lookup::Alias),
                        field,
                    ));
                    out = out.field(json_field(
                        &join_column.name,
                        TypeRef::named("UUID"),
                        Lookup::Alias,
                    ));
                    filter = filter.field(InputValue::new(
                        &join_column.name,
                        TypeRef::named("UUIDFilter"),
                    ));
                    order = order.field(InputValue::new(
                        &join_column.name,
                        TypeRef::named("OrderByDirection"),
                    ));
                    create = create
                        .field(InputValue::new(&join_column.name, TypeRef::named("UUID")))
                        .field(InputValue::new(
                            name,
                            TypeRef::named(format!("{t}RelationInput")),
                        ));
                    update = update
                        .field(InputValue::new(&join_column.name, TypeRef::named("UUID")))
                        .field(InputValue::new(
                            name,
                            TypeRef::named(format!("{t}RelationInput")),
                        ));
                }
                FieldKind::OneToMany { target, .. } => {
                    let Some(target) = self.model.object(target) else {
                        continue;
                    };
                    let t = &target.type_name;
                    let f = json_field(
                        name,
                        TypeRef::named(format!("{t}Connection")),
                        Lookup::Alias,
                    );
                    out = out.field(described(connection_args(f, t), field));
                }
            }
        }
        {
            self.push(
                InputObject::new(format!("{x}WhereUniqueInput"))
                    .field(InputValue::new("id", TypeRef::named("UUID"))),
            );
            self.push(
                InputObject::new(format!("{x}ConnectInput")).field(InputValue::new(
                    "where",
                    TypeRef::named_nn(format!("{x}WhereUniqueInput")),
                )),
            );
            self.push(
                InputObject::new(format!("{x}RelationInput"))
                    .field(InputValue::new(
                        "connect",
                        TypeRef::named(format!("{x}ConnectInput")),
                    ))
                    .field(InputValue::new(
                        "disconnect",
                        TypeRef::named(TypeRef::BOOLEAN),
                    )),
            );
        }
        self.push(out);
        self.push(filter);
        self.push(order);
        self.push(create);
        self.push(update);
        self.push(
            Object::new(format!("{x}Edge"))
                .field(json_field(
                    "node",
                    TypeRef::named_nn(x.as_str()),
                    Lookup::Name,
                ))
                .field(json_field(
                    "cursor",
                    TypeRef::named_nn("Cursor"),
                    Lookup::Name,
                )),
        );
        self.push(
            Object::new(format!("{x}Connection"))
                .field(json_field(
                    "edges",
                    TypeRef::named_nn_list_nn(format!("{x}Edge")),
                    Lookup::Name,
                ))
                .field(json_field(
                    "pageInfo",
                    TypeRef::named_nn("PageInfo"),
                    Lookup::Name,
                ))
                .field(json_field(
                    "totalCount",
                    TypeRef::named(TypeRef::INT),
                    Lookup::Name,
                )),
        );
    }
}

fn described(f: Field, field: &FieldModel) -> Field {
    match &field.meta.description {
        Some(d) => f.description(d.as_str()),
        None => f,
    }
}

/// Adds the find-many arguments (`first, last, offset, before, after, filter, orderBy`).
pub(crate) fn connection_args(f: Field, type_name: &str) -> Field {
    f.argument(InputValue::new("first", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new("last", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new("offset", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new("before", TypeRef::named(TypeRef::STRING)))
        .argument(InputValue::new("after", TypeRef::named(TypeRef::STRING)))
        .argument(InputValue::new(
            "filter",
            TypeRef::named(format!("{type_name}FilterInput")),
        ))
        .argument(InputValue::new(
            "orderBy",
            TypeRef::named_list(format!("{type_name}OrderByInput")),
        ))
}

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
