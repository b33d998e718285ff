//! Filter and order-by arguments to the query IR.

use serde_json::Value as Json;
use tessera_metadata::{FieldKind, ObjectModel, WorkspaceModel};
use tessera_query::{FieldRef, Filter, FilterOp, OrderDirection, OrderTerm, QueryError};

/// `XFilterInput` JSON → filter tree (`None` for a null filter).
pub(crate) fn parse_filter(
    model: &WorkspaceModel,
    object: &ObjectModel,
    v: &Json,
) -> Result<Option<Filter>, QueryError> {
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
                                parse_filter(model, object, i)
                                    .map(|f| f.unwrap_or(Filter::And(vec![])))
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        items.push(if key == "and" {
                            Filter::And(parsed)
                        } else {
                            Filter::Or(parsed)
                        });
                    }
                    "not" => {
                        if let Some(f) = parse_filter(model, object, value)? {
                            items.push(Filter::Not(Box::new(f)));
                        }
                    }
                    _ => items.extend(field_filter(model, object, key, value)?),
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

fn field_filter(
    model: &WorkspaceModel,
    object: &ObjectModel,
    key: &str,
    value: &Json,
) -> Result<Vec<Filter>, QueryError> {
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
            FieldKind::ManyToOne { target, .. } => {
                let target = model.object(target).ok_or_else(|| {
                    QueryError::bad(format!("Object \"{target}\" does not exist"))
                })?;
                Ok(parse_filter(model, target, value)?
                    .map(|f| Filter::Relation {
                        field: key.to_owned(),
                        filter: Box::new(f),
                    })
                    .into_iter()
                    .collect())
            }
            FieldKind::OneToMany { .. } => Err(QueryError::bad(format!(
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
