//! Turns the JSON the database built into the GraphQL response shape: connections become
//! `{edges: [{node, cursor}], pageInfo, totalCount}` (the extra fetched row decides
//! `hasNextPage`/`hasPreviousPage`, backward pages are re-reversed, cursors are encoded), and
//! integral floats become integers so both stores answer byte-identically.

use serde_json::{Map, Value as Json, json};
use tessera_metadata::{FieldKind, ObjectModel, ScalarKind, WorkspaceModel};

use crate::page::{cursor_path, effective_order, page_meta};
use crate::plan::object_of;
use crate::{ConnectionQuery, QueryError, RecordSelection, Selected, cursor};

fn internal(what: &str) -> QueryError {
    QueryError::Internal(format!("unexpected result shape: {what}"))
}

/// Shapes a connection from `{"rows": [[node, [cursor values]], ...], "total": n}`.
pub(crate) fn connection(
    model: &WorkspaceModel,
    conn: &ConnectionQuery,
    raw: Json,
) -> Result<Json, QueryError> {
    let object = object_of(model, &conn.object)?;
    let meta = page_meta(&conn.page)?;
    let terms = effective_order(&conn.order_by);
    let mut raw = match raw {
        Json::Object(m) => m,
        _ => return Err(internal("connection is not an object")),
    };
    let mut rows = match raw.remove("rows") {
        Some(Json::Array(rows)) => rows,
        Some(Json::Null) | None => Vec::new(),
        Some(_) => return Err(internal("rows is not an array")),
    };
    let limit = usize::try_from(meta.limit).unwrap_or(usize::MAX);
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    if meta.backward {
        rows.reverse();
    }
    let mut edges = Vec::with_capacity(rows.len());
    for row in rows {
        let Json::Array(mut pair) = row else {
            return Err(internal("row is not a pair"));
        };
        let values = pair.pop().unwrap_or(Json::Null);
        let node = pair.pop().unwrap_or(Json::Null);
        let mut cursor_values = Map::new();
        if let Json::Array(values) = values {
            for (term, value) in terms.iter().zip(values) {
                let path = cursor_path(object, term);
                let value = normalize_number(value);
                if let [field, sub] = path.as_slice() {
                    let entry = cursor_values
                        .entry(field.clone())
                        .or_insert_with(|| Json::Object(Map::new()));
                    if let Json::Object(m) = entry {
                        m.insert(sub.clone(), value);
                    }
                } else if let Some(field) = path.first() {
                    cursor_values.insert(field.clone(), value);
                }
            }
        }
        let node = if conn.selection.edges {
            record(model, object, &conn.selection.node, node)?
        } else {
            Json::Null
        };
        edges.push(json!({"node": node, "cursor": cursor::encode(&cursor_values)}));
    }
    let start = edges
        .first()
        .and_then(|e| e.get("cursor"))
        .cloned()
        .unwrap_or(Json::Null);
    let end = edges
        .last()
        .and_then(|e| e.get("cursor"))
        .cloned()
        .unwrap_or(Json::Null);
    let (has_next, has_previous) = if meta.backward {
        (meta.has_before, has_more)
    } else {
        (has_more, meta.has_after)
    };
    let mut out = Map::new();
    out.insert("edges".into(), Json::Array(edges));
    out.insert(
        "pageInfo".into(),
        json!({"startCursor": start, "endCursor": end, "hasNextPage": has_next, "hasPreviousPage": has_previous}),
    );
    out.insert(
        "totalCount".into(),
        raw.remove("total").unwrap_or(Json::Null),
    );
    Ok(Json::Object(out))
}

/// Shapes one record: nested connections and relations recursively; numbers normalised.
pub(crate) fn record(
    model: &WorkspaceModel,
    object: &ObjectModel,
    sel: &RecordSelection,
    node: Json,
) -> Result<Json, QueryError> {
    let mut node = match node {
        Json::Object(m) => m,
        Json::Null => return Ok(Json::Null),
        _ => return Err(internal("record is not an object")),
    };
    for f in &sel.fields {
        let Some(value) = node.get_mut(&f.key) else {
            continue;
        };
        let field = object.field(&f.field);
        match (&f.selected, field.map(|f| &f.kind)) {
            (Selected::Column, Some(FieldKind::Scalar(col))) if is_number(col.kind) => {
                *value = normalize_number(value.take());
            }
            (Selected::Composite(subs), Some(FieldKind::Composite { .. })) => {
                if let (Json::Object(m), Some(field)) = (value, field) {
                    for (key, sub) in subs {
                        if let (Some(v), Some(sf)) = (m.get_mut(key), field.sub_field(sub))
                            && is_number(sf.column.kind)
                        {
                            *v = normalize_number(v.take());
                        }
                    }
                }
            }
            (Selected::ManyToOne(sub), Some(FieldKind::ManyToOne { target, .. })) => {
                let target = object_of(model, target)?;
                *value = record(model, target, sub, value.take())?;
            }
            (Selected::OneToMany(conn), Some(FieldKind::OneToMany { .. })) => {
                *value = connection(model, conn, value.take())?;
            }
            _ => {}
        }
    }
    Ok(Json::Object(node))
}

fn is_number(kind: ScalarKind) -> bool {
    matches!(
        kind,
        ScalarKind::Float | ScalarKind::Int | ScalarKind::Numeric | ScalarKind::Position
    )
}

/// `5.0` → `5` (what JavaScript prints), so SQLite's REAL and PostgreSQL's numbers agree.
fn normalize_number(v: Json) -> Json {
    match &v {
        Json::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => json!(f as i64),
            _ => v,
        },
        _ => v,
    }
}
