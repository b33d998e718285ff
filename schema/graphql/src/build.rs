//! Schema construction: Twenty's names and shapes for every active object
//! (`shared/reference/twenty-core-api.md` §1.2, §2, §3.1, §4.2, §5, §6, §7).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_graphql::dynamic::{Field, InputObject, InputValue, Object, Schema, TypeRef};
use tessera_metadata::{FieldKind, FieldModel, ObjectModel, ScalarKind, WorkspaceModel};

use crate::resolve;
use crate::types::{filter_type, input_type, non_null, output_type};
use crate::value::{Lookup, json_field, object_field};

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
    let subscription = crate::subscription::subscription_types(&mut b.types, model.clone());
    let mut schema = Schema::build("Query", Some("Mutation"), Some("Subscription"))
        .register(query)
        .register(mutation)
        .register(subscription)
        .limit_depth(MAX_QUERY_DEPTH);
    for ty in b.types {
        schema = schema.register(ty);
    }
    schema.finish().map_err(|e| SchemaError(e.to_string()))
}

pub(crate) struct Builder {
    pub(crate) model: Arc<WorkspaceModel>,
    pub(crate) types: Vec<async_graphql::dynamic::Type>,
    pub(crate) enums: BTreeSet<String>,
}

impl Builder {
    pub(crate) fn push(&mut self, ty: impl Into<async_graphql::dynamic::Type>) {
        self.types.push(ty.into());
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
                    out = out.field(described(object_field(name, ty, Lookup::Alias), field));
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
                        object_field(name, TypeRef::named(t.as_str()), Lookup::Alias),
                        field,
                    ));
                    out = out.field(json_field(
                        &join_column.name,
                        TypeRef::named("UUID"),
                        Lookup::Alias,
                    ));
                    filter = filter
                        .field(InputValue::new(
                            &join_column.name,
                            TypeRef::named("UUIDFilter"),
                        ))
                        .field(InputValue::new(
                            name,
                            TypeRef::named(format!("{t}FilterInput")),
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
                    let f = object_field(
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
                .field(object_field(
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
                .field(object_field(
                    "edges",
                    TypeRef::named_nn_list_nn(format!("{x}Edge")),
                    Lookup::Name,
                ))
                .field(object_field(
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
