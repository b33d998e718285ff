//! Paging arguments, effective ordering and cursor paths (Twenty's rules, `twenty-core-api.md` §3).

use serde_json::{Map, Value as Json};
use tessera_metadata::{FieldKind, ObjectModel};

use crate::cursor;
use crate::{FieldRef, OrderDirection, OrderTerm, Page, QueryError};

/// Validated paging.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageMeta {
    pub(crate) limit: u64,
    pub(crate) backward: bool,
    pub(crate) cursor: Option<Map<String, Json>>,
    pub(crate) has_after: bool,
    pub(crate) has_before: bool,
    pub(crate) offset: Option<u64>,
}

/// Checks paging arguments (Twenty's rules plus a maximum page size) and decodes cursors.
/// `last` without `before` pages backwards from the end, as in the Relay spec.
pub(crate) fn page_meta(page: &Page) -> Result<PageMeta, QueryError> {
    let conflict = |m: &str| QueryError::bad_with("ARGS_CONFLICT", m.to_owned());
    if page.first.is_some() && page.last.is_some() {
        return Err(conflict("Cannot provide both first and last"));
    }
    if page.before.is_some() && page.after.is_some() {
        return Err(conflict("Cannot provide both before and after"));
    }
    if page.before.is_some() && page.first.is_some() {
        return Err(conflict("Cannot provide both before and first"));
    }
    if page.after.is_some() && page.last.is_some() {
        return Err(conflict("Cannot provide both after and last"));
    }
    let check = |n: i64, arg: &str, code: &'static str| -> Result<u64, QueryError> {
        if n < 0 {
            return Err(QueryError::bad_with(
                code,
                format!("{arg} argument must be non-negative"),
            ));
        }
        let n = n.unsigned_abs();
        if n > crate::MAX_PAGE_SIZE {
            return Err(QueryError::bad_with(
                code,
                format!(
                    "{arg} argument must not be greater than {}",
                    crate::MAX_PAGE_SIZE
                ),
            ));
        }
        Ok(n)
    };
    let limit = match (page.first, page.last) {
        (Some(n), _) => check(n, "First", "INVALID_ARGS_FIRST")?,
        (_, Some(n)) => check(n, "Last", "INVALID_ARGS_LAST")?,
        _ => crate::DEFAULT_PAGE_SIZE,
    };
    let offset = match page.offset {
        Some(n) if n < 0 => return Err(QueryError::bad("Offset argument must be non-negative")),
        Some(n) => Some(n.unsigned_abs()),
        None => None,
    };
    let backward = page.before.is_some() || (page.last.is_some() && page.after.is_none());
    let cursor = match (&page.after, &page.before) {
        (Some(c), _) | (_, Some(c)) => Some(cursor::decode(c)?),
        _ => None,
    };
    Ok(PageMeta {
        limit,
        backward,
        cursor,
        has_after: page.after.is_some(),
        has_before: page.before.is_some(),
        offset,
    })
}

/// The effective ordering: the user's terms, then `id` ascending as the tie-breaker.
pub(crate) fn effective_order(order_by: &[OrderTerm]) -> Vec<OrderTerm> {
    let mut terms = order_by.to_vec();
    let id = FieldRef::Field {
        field: "id".to_owned(),
        sub_field: None,
    };
    if !terms.iter().any(|t| t.target == id) {
        terms.push(OrderTerm {
            target: id,
            direction: OrderDirection::AscNullsFirst,
        });
    }
    terms
}

/// The path of a term's value inside a cursor object.
pub(crate) fn cursor_path(object: &ObjectModel, term: &OrderTerm) -> Vec<String> {
    match &term.target {
        FieldRef::Field {
            field,
            sub_field: None,
        } => vec![field.clone()],
        FieldRef::Field {
            field,
            sub_field: Some(s),
        } => vec![field.clone(), s.clone()],
        FieldRef::JoinColumn { field } => match object.field(field).map(|f| &f.kind) {
            Some(FieldKind::ManyToOne { join_column, .. }) => vec![join_column.name.clone()],
            _ => vec![format!("{field}Id")],
        },
    }
}
