//! Root fields: each resolver turns its arguments and selection (look-ahead) into the query IR
//! and runs it as ONE statement through the request's runner.

use std::sync::Arc;

use async_graphql::SelectionField;
use async_graphql::dynamic::{Field, FieldFuture, InputValue, Object, ResolverContext, TypeRef};
use serde_json::Value as Json;
use tessera_metadata::{ObjectModel, WorkspaceModel};
use tessera_query::{Operation, QueryError, RecordInput, Target};

use crate::args::parse_filter;
use crate::build::connection_args;
use crate::selection::{arguments, connection_query, object_of, record_selection};
use crate::value::{Shape, to_field_value};
use crate::{RequestContext, error_extensions};

fn gql_error(e: &QueryError) -> async_graphql::Error {
    use tessera_core::CodedError;
    if !e.is_user_facing() {
        tracing::error!(error = %e, "query failed");
    }
    async_graphql::Error {
        message: if e.is_user_facing() {
            e.to_string()
        } else {
            "Internal server error".to_owned()
        },
        source: None,
        extensions: Some(error_extensions(e)),
    }
}

/// Adds `people(...)` and `person(filter:)` for one object.
pub(crate) fn query_fields(
    query: Object,
    model: &Arc<WorkspaceModel>,
    object: &ObjectModel,
) -> Object {
    let x = object.type_name.clone();
    let singular = object.singular().to_owned();
    let many = Field::new(object.plural(), TypeRef::named(format!("{x}Connection")), {
        let singular = singular.clone();
        let model = model.clone();
        move |ctx| {
            let singular = singular.clone();
            let model = model.clone();
            FieldFuture::new(async move {
                run(&ctx, &model, Shape::Object, |model, field| {
                    let object = object_of(model, &singular)?;
                    Ok(Operation::FindMany(connection_query(
                        model, object, field, 0,
                    )?))
                })
                .await
            })
        }
    });
    let one = Field::new(singular.as_str(), TypeRef::named(x.as_str()), {
        let singular = singular.clone();
        let model = model.clone();
        move |ctx| {
            let singular = singular.clone();
            let model = model.clone();
            FieldFuture::new(async move {
                run(&ctx, &model, Shape::Object, |model, field| {
                    let object = object_of(model, &singular)?;
                    let args = arguments(field)?;
                    let filter =
                        parse_filter(model, object, args.get("filter").unwrap_or(&Json::Null))?
                            .ok_or_else(|| QueryError::bad("Missing filter argument"))?;
                    Ok(Operation::FindOne {
                        object: singular.clone(),
                        filter,
                        selection: record_selection(model, object, field, 0)?,
                    })
                })
                .await
            })
        }
    })
    .argument(InputValue::new(
        "filter",
        TypeRef::named_nn(format!("{x}FilterInput")),
    ));
    query.field(connection_args(many, &x)).field(one)
}

/// Adds create/update/delete/restore/destroy (one and many) for one object.
pub(crate) fn mutation_fields(
    mut mutation: Object,
    model: &Arc<WorkspaceModel>,
    object: &ObjectModel,
) -> Object {
    let x = object.type_name.clone();
    let xs = object.plural_pascal();
    let singular = object.singular().to_owned();
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Create,
        Update,
        Delete,
        Restore,
        Destroy,
    }
    for (kind, verb) in [
        (Kind::Create, "create"),
        (Kind::Update, "update"),
        (Kind::Delete, "delete"),
        (Kind::Restore, "restore"),
        (Kind::Destroy, "destroy"),
    ] {
        for many in [false, true] {
            let name = format!("{verb}{}", if many { &xs } else { &x });
            let ty = if many {
                TypeRef::named_nn_list(x.as_str())
            } else {
                TypeRef::named(x.as_str())
            };
            let shape = if many {
                Shape::ObjectList
            } else {
                Shape::Object
            };
            let singular = singular.clone();
            let model = model.clone();
            let mut field = Field::new(name, ty, move |ctx| {
                let singular = singular.clone();
                let model = model.clone();
                FieldFuture::new(async move {
                    run(&ctx, &model, shape, |model, field| {
                        let object = object_of(model, &singular)?;
                        let args = arguments(field)?;
                        let selection = record_selection(model, object, field, 0)?;
                        let target = || -> Result<Target, QueryError> {
                            if many {
                                let filter = parse_filter(
                                    model,
                                    object,
                                    args.get("filter").unwrap_or(&Json::Null),
                                )?
                                .ok_or_else(|| QueryError::bad("A non-empty filter is required"))?;
                                Ok(Target::Filter(filter))
                            } else {
                                match args.get("id") {
                                    Some(Json::String(id)) => Ok(Target::Id(id.clone())),
                                    Some(other) => {
                                        Err(QueryError::bad(format!("Invalid UUID {other}")))
                                    }
                                    None => Err(QueryError::bad("Missing id argument")),
                                }
                            }
                        };
                        let record = |v: Option<&Json>| -> Result<RecordInput, QueryError> {
                            match v {
                                Some(Json::Object(m)) => Ok(RecordInput(m.clone())),
                                _ => Err(QueryError::bad("Missing data argument")),
                            }
                        };
                        let object_name = singular.clone();
                        Ok(match kind {
                            Kind::Create => {
                                let records = if many {
                                    match args.get("data") {
                                        Some(Json::Array(items)) => items
                                            .iter()
                                            .map(|i| record(Some(i)))
                                            .collect::<Result<Vec<_>, _>>()?,
                                        _ => return Err(QueryError::bad("Missing data argument")),
                                    }
                                } else {
                                    vec![record(args.get("data"))?]
                                };
                                Operation::Create {
                                    object: object_name,
                                    records,
                                    upsert: args
                                        .get("upsert")
                                        .and_then(Json::as_bool)
                                        .unwrap_or(false),
                                    selection,
                                    many,
                                }
                            }
                            Kind::Update => Operation::Update {
                                object: object_name,
                                target: target()?,
                                data: record(args.get("data"))?,
                                selection,
                            },
                            Kind::Delete => Operation::Delete {
                                object: object_name,
                                target: target()?,
                                selection,
                            },
                            Kind::Restore => Operation::Restore {
                                object: object_name,
                                target: target()?,
                                selection,
                            },
                            Kind::Destroy => Operation::Destroy {
                                object: object_name,
                                target: target()?,
                                selection,
                            },
                        })
                    })
                    .await
                })
            });
            field = match (kind, many) {
                (Kind::Create, false) => field
                    .argument(InputValue::new(
                        "data",
                        TypeRef::named_nn(format!("{x}CreateInput")),
                    ))
                    .argument(InputValue::new("upsert", TypeRef::named(TypeRef::BOOLEAN))),
                (Kind::Create, true) => field
                    .argument(InputValue::new(
                        "data",
                        TypeRef::named_nn_list_nn(format!("{x}CreateInput")),
                    ))
                    .argument(InputValue::new("upsert", TypeRef::named(TypeRef::BOOLEAN))),
                (Kind::Update, false) => field
                    .argument(InputValue::new("id", TypeRef::named_nn("UUID")))
                    .argument(InputValue::new(
                        "data",
                        TypeRef::named_nn(format!("{x}UpdateInput")),
                    )),
                (Kind::Update, true) => field
                    .argument(InputValue::new(
                        "data",
                        TypeRef::named_nn(format!("{x}UpdateInput")),
                    ))
                    .argument(InputValue::new(
                        "filter",
                        TypeRef::named_nn(format!("{x}FilterInput")),
                    )),
                (_, false) => field.argument(InputValue::new("id", TypeRef::named_nn("UUID"))),
                (_, true) => field.argument(InputValue::new(
                    "filter",
                    TypeRef::named_nn(format!("{x}FilterInput")),
                )),
            };
            mutation = mutation.field(field);
        }
    }
    mutation
}

/// Builds the operation from the request and runs it.
async fn run<'a>(
    ctx: &ResolverContext<'a>,
    model: &WorkspaceModel,
    shape: Shape,
    build: impl FnOnce(&WorkspaceModel, &SelectionField<'_>) -> Result<Operation, QueryError>,
) -> async_graphql::Result<Option<async_graphql::dynamic::FieldValue<'static>>> {
    let rc = ctx.data::<RequestContext>()?;
    let operation = {
        let field = ctx.field();
        build(model, &field).map_err(|e| gql_error(&e))?
    };
    let result = tessera_query::execute(rc.runner.as_ref(), model, &rc.session, &operation)
        .await
        .map_err(|e| gql_error(&e))?;
    Ok(to_field_value(result, shape))
}
