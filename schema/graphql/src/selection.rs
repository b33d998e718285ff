//! Selection sets (look-ahead) and arguments to the query IR.

use async_graphql::{Name, SelectionField, Value as GqlValue};
use serde_json::{Map, Value as Json};
use tessera_metadata::{FieldKind, ObjectModel, WorkspaceModel};
use tessera_query::{
    ConnectionQuery, ConnectionSelection, Page, QueryError, RecordSelection, Selected,
    SelectedField,
};

use crate::args::{parse_filter, parse_order_by};

pub(crate) fn object_of<'m>(
    model: &'m WorkspaceModel,
    name: &str,
) -> Result<&'m ObjectModel, QueryError> {
    model
        .object(name)
        .ok_or_else(|| QueryError::bad(format!("Object \"{name}\" does not exist")))
}

pub(crate) fn to_json(v: GqlValue) -> Json {
    v.into_json().unwrap_or(Json::Null)
}

/// The field's arguments as JSON (variables substituted, enums as strings).
pub(crate) fn arguments(field: &SelectionField<'_>) -> Result<Map<String, Json>, QueryError> {
    let args = field.arguments().map_err(|e| QueryError::bad(e.message))?;
    Ok(args
        .into_iter()
        .map(|(k, v): (Name, GqlValue)| (k.to_string(), to_json(v)))
        .collect())
}

/// Evaluates `@skip(if:)` / `@include(if:)`.
pub(crate) fn included(field: &SelectionField<'_>) -> bool {
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

pub(crate) fn children<'b>(field: &SelectionField<'b>) -> impl Iterator<Item = SelectionField<'b>> {
    field
        .selection_set()
        .filter(|f| f.name() != "__typename" && included(f))
}

pub(crate) fn key_of(field: &SelectionField<'_>) -> String {
    field.alias().unwrap_or(field.name()).to_owned()
}

/// The record selection below `field`.
pub(crate) fn record_selection(
    model: &WorkspaceModel,
    object: &ObjectModel,
    field: &SelectionField<'_>,
    depth: usize,
) -> Result<RecordSelection, QueryError> {
    let mut sel = RecordSelection::default();
    add_record_fields(model, object, field, depth, &mut sel)?;
    Ok(sel)
}

pub(crate) fn add_record_fields(
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
pub(crate) fn merge(sel: &mut RecordSelection, new: SelectedField) {
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
pub(crate) fn connection_query(
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
        Some(v) => parse_filter(model, object, v)?,
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
