//! Root fields: each resolver turns its arguments and selection (look-ahead) into the query IR
//! and runs it as ONE statement through the request's runner.

use std::sync::Arc;

use async_graphql::dynamic::{Field, FieldFuture, InputValue, Object, ResolverContext, TypeRef};
use async_graphql::{Name, SelectionField, Value as GqlValue};
use serde_json::{Map, Value as Json};
use tessera_metadata::{FieldKind, ObjectModel, WorkspaceModel};
use tessera_query::{
    ConnectionQuery, ConnectionSelection, FieldRef, Filter, FilterOp, Operation, OrderDirection,
    OrderTerm, Page, QueryError, RecordInput, RecordSelection, Selected, SelectedField, Target,
};

use crate::build::{Shape, connection_args, to_field_value};
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
                    let filter = parse_filter(object, args.get("filter").unwrap_or(&Json::Null))?
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

fn object_of<'m>(model: &'m WorkspaceModel, name: &str) -> Result<&'m ObjectModel, QueryError> {
    model
        .object(name)
        .ok_or_else(|| QueryError::bad(format!("Object \"{name}\" does not exist")))
}

fn to_json(v: GqlValue) -> Json {
    v.into_json().unwrap_or(Json::Null)
}

/// The field's arguments as JSON (variables substituted, enums as strings).
fn arguments(field: &SelectionField<'_>) -> Result<Map<String, Json>, QueryError> {
    let args = field.arguments().map_err(|e| QueryError::bad(e.message))?;
    Ok(args
        .into_iter()
        .map(|(k, v): (Name, GqlValue)| (k.to_string(), to_json(v)))
        .collect())
}

/// Evaluates `@skip(if:)` / `@include(if:)`.
fn included(field: &SelectionField<'_>) -> bool {
    let Ok(directives) = field.directives() else {
        return true;
    };
    for d in directives {
        let cond = d
            .arguments
            .iter()
            .find(|(n, _)| n.node.as_str() == "if")
            .map(|(_, v)| matches!(v.node, GqlValue::Boolean(true)));
        match (d.name.node.as_str(), cond) {
            ("skip", Some(true)) | ("include", Some(false)) => return false,
            _ => {}
        }
    }
    true
}

fn children<'b>(field: &SelectionField<'b>) -> impl Iterator<Item = SelectionField<'b>> {
    field
        .selection_set()
        .filter(|f| f.name() != "__typename" && included(f))
}

fn key_of(field: &SelectionField<'_>) -> String {
    field.alias().unwrap_or(field.name()).to_owned()
}

/// The record selection below `field`.
fn record_selection(
    model: &WorkspaceModel,
    object: &ObjectModel,
    field: &SelectionField<'_>,
    depth: usize,
) -> Result<RecordSelection, QueryError> {
    let mut sel = RecordSelection::default();
    add_record_fields(model, object, field, depth, &mut sel)?;
    Ok(sel)
}

fn add_record_fields(
    model: &WorkspaceModel,
    object: &ObjectModel,
    parent: &SelectionField<'_>,
    depth: usize,
    sel: &mut RecordSelection,
) -> Result<(), QueryError> {
    for child in children(parent) {
        let key = key_of(&child);
        let name = child.name();
        let selected = if let Some(f) = object.field(name) {
            match &f.kind {
                FieldKind::Scalar(_) => Selected::Column,
                FieldKind::Composite { .. } => Selected::Composite(
                    children(&child)
                        .map(|c| (key_of(&c), c.name().to_owned()))
                        .collect(),
                ),
                FieldKind::ManyToOne { target, .. } => {
                    let target = object_of(model, target)?;
                    Selected::ManyToOne(record_selection(model, target, &child, depth + 1)?)
                }
                FieldKind::OneToMany { target, .. } => {
                    let target = object_of(model, target)?;
                    Selected::OneToMany(Box::new(connection_query(
                        model,
                        target,
                        &child,
                        depth + 1,
                    )?))
                }
            }
        } else if let Some(f) = object.field_by_join_column(name) {
            merge(
                sel,
                SelectedField {
                    key,
                    field: f.name().to_owned(),
                    selected: Selected::JoinColumn,
                },
            );
            continue;
        } else {
            return Err(QueryError::bad(format!(
                "Field \"{name}\" is not defined by type \"{}\"",
                object.type_name
            )));
        };
        merge(
            sel,
            SelectedField {
                key,
                field: name.to_owned(),
                selected,
            },
        );
    }
    Ok(())
}

/// Adds a field, merging with an earlier selection of the same response key (fragments often
/// repeat fields).
fn merge(sel: &mut RecordSelection, new: SelectedField) {
    let Some(existing) = sel.fields.iter_mut().find(|f| f.key == new.key) else {
        sel.fields.push(new);
        return;
    };
    match (&mut existing.selected, new.selected) {
        (Selected::Composite(a), Selected::Composite(b)) => {
            for s in b {
                if !a.contains(&s) {
                    a.push(s);
                }
            }
        }
        (Selected::ManyToOne(a), Selected::ManyToOne(b)) => {
            for f in b.fields {
                merge(a, f);
            }
        }
        (Selected::OneToMany(a), Selected::OneToMany(b)) => {
            a.selection.edges |= b.selection.edges;
            a.selection.page_info |= b.selection.page_info;
            a.selection.total_count |= b.selection.total_count;
            for f in b.selection.node.fields {
                merge(&mut a.selection.node, f);
            }
        }
        _ => {}
    }
}

/// A connection query from a connection field's arguments and selection.
fn connection_query(
    model: &WorkspaceModel,
    object: &ObjectModel,
    field: &SelectionField<'_>,
    depth: usize,
) -> Result<ConnectionQuery, QueryError> {
    let args = arguments(field)?;
    let int = |k: &str| args.get(k).and_then(Json::as_i64);
    let string = |k: &str| args.get(k).and_then(Json::as_str).map(str::to_owned);
    let page = Page {
        first: int("first"),
        last: int("last"),
        before: string("before"),
        after: string("after"),
        offset: int("offset"),
    };
    let filter = match args.get("filter") {
        Some(v) => parse_filter(object, v)?,
        None => None,
    };
    let order_by = parse_order_by(object, args.get("orderBy").unwrap_or(&Json::Null))?;
    let mut selection = ConnectionSelection::default();
    for child in children(field) {
        match child.name() {
            "edges" => {
                selection.edges = true;
                for e in children(&child) {
                    if e.name() == "node" {
                        add_record_fields(model, object, &e, depth, &mut selection.node)?;
                    }
                }
            }
            "pageInfo" => selection.page_info = true,
            "totalCount" => selection.total_count = true,
            _ => {}
        }
    }
    Ok(ConnectionQuery {
        object: object.singular().to_owned(),
        filter,
        order_by,
        page,
        selection,
    })
}

/// `XFilterInput` JSON → filter tree (`None` for a null filter).
pub(crate) fn parse_filter(object: &ObjectModel, v: &Json) -> Result<Option<Filter>, QueryError> {
    match v {
        Json::Null => Ok(None),
        Json::Object(map) => {
            let mut items = Vec::new();
            for (key, value) in map {
                match key.as_str() {
                    "and" | "or" => {
                        let list = match value {
                            Json::Array(l) => l.clone(),
                            Json::Null => continue,
                            single => vec![single.clone()],
                        };
                        let parsed = list
                            .iter()
                            .map(|i| {
                                parse_filter(object, i).map(|f| f.unwrap_or(Filter::And(vec![])))
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        items.push(if key == "and" {
                            Filter::And(parsed)
                        } else {
                            Filter::Or(parsed)
                        });
                    }
                    "not" => {
                        if let Some(f) = parse_filter(object, value)? {
                            items.push(Filter::Not(Box::new(f)));
                        }
                    }
                    _ => items.extend(field_filter(object, key, value)?),
                }
            }
            Ok(Some(if items.len() == 1 {
                items.remove(0)
            } else {
                Filter::And(items)
            }))
        }
        other => Err(QueryError::bad(format!(
            "Invalid filter: expected an object, got {other}"
        ))),
    }
}

fn ops(target: &FieldRef, v: &Json, name: &str) -> Result<Vec<Filter>, QueryError> {
    let Json::Object(map) = v else {
        if v.is_null() {
            return Ok(vec![]);
        }
        return Err(QueryError::bad(format!(
            "Invalid filter for field \"{name}\": expected an object"
        )));
    };
    map.iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(op, value)| {
            let op = FilterOp::parse(op).ok_or_else(|| {
                QueryError::bad_with(
                    "UNSUPPORTED_OPERATOR",
                    format!("Operator \"{op}\" is not supported"),
                )
            })?;
            Ok(Filter::Condition {
                target: target.clone(),
                op,
                value: value.clone(),
            })
        })
        .collect()
}

fn field_filter(object: &ObjectModel, key: &str, value: &Json) -> Result<Vec<Filter>, QueryError> {
    if let Some(f) = object.field(key) {
        match &f.kind {
            FieldKind::Scalar(_) => ops(
                &FieldRef::Field {
                    field: key.to_owned(),
                    sub_field: None,
                },
                value,
                key,
            ),
            FieldKind::Composite { .. } => {
                let Json::Object(subs) = value else {
                    return if value.is_null() {
                        Ok(vec![])
                    } else {
                        Err(QueryError::bad(format!(
                            "Invalid filter for field \"{key}\": expected an object"
                        )))
                    };
                };
                let mut out = Vec::new();
                for (sub, v) in subs {
                    if f.sub_field(sub).is_none() {
                        return Err(QueryError::bad(format!(
                            "Field \"{key}.{sub}\" is not defined"
                        )));
                    }
                    let target = FieldRef::Field {
                        field: key.to_owned(),
                        sub_field: Some(sub.clone()),
                    };
                    out.extend(ops(&target, v, &format!("{key}.{sub}"))?);
                }
                Ok(out)
            }
            _ => Err(QueryError::bad(format!(
                "Field \"{key}\" is not defined by type \"{}FilterInput\"",
                object.type_name
            ))),
        }
    } else if let Some(f) = object.field_by_join_column(key) {
        ops(
            &FieldRef::JoinColumn {
                field: f.name().to_owned(),
            },
            value,
            key,
        )
    } else {
        Err(QueryError::bad(format!(
            "Field \"{key}\" is not defined by type \"{}FilterInput\"",
            object.type_name
        )))
    }
}

/// `[XOrderByInput]` JSON → ordering terms (keys in the order given).
pub(crate) fn parse_order_by(object: &ObjectModel, v: &Json) -> Result<Vec<OrderTerm>, QueryError> {
    let items = match v {
        Json::Null => return Ok(vec![]),
        Json::Array(items) => items.clone(),
        single @ Json::Object(_) => vec![single.clone()],
        other => return Err(QueryError::bad(format!("Invalid orderBy: {other}"))),
    };
    let dir = |v: &Json, name: &str| {
        v.as_str().and_then(OrderDirection::parse).ok_or_else(|| {
            QueryError::bad(format!("Invalid order direction for field \"{name}\": {v}"))
        })
    };
    let mut terms = Vec::new();
    for item in items {
        let Json::Object(map) = item else { continue };
        for (key, value) in map {
            if value.is_null() {
                continue;
            }
            if let Some(f) = object.field(&key) {
                match (&f.kind, &value) {
                    (FieldKind::Composite { .. }, Json::Object(subs)) => {
                        for (sub, d) in subs {
                            if d.is_null() {
                                continue;
                            }
                            terms.push(OrderTerm {
                                target: FieldRef::Field {
                                    field: key.clone(),
                                    sub_field: Some(sub.clone()),
                                },
                                direction: dir(d, &format!("{key}.{sub}"))?,
                            });
                        }
                    }
                    (FieldKind::Scalar(_), _) => terms.push(OrderTerm {
                        target: FieldRef::Field {
                            field: key.clone(),
                            sub_field: None,
                        },
                        direction: dir(&value, &key)?,
                    }),
                    _ => {
                        return Err(QueryError::bad(format!(
                            "Field \"{key}\" cannot be used for ordering"
                        )));
                    }
                }
            } else if let Some(f) = object.field_by_join_column(&key) {
                terms.push(OrderTerm {
                    target: FieldRef::JoinColumn {
                        field: f.name().to_owned(),
                    },
                    direction: dir(&value, &key)?,
                });
            } else {
                return Err(QueryError::bad(format!(
                    "Field \"{key}\" is not defined by type \"{}OrderByInput\"",
                    object.type_name
                )));
            }
        }
    }
    Ok(terms)
}
