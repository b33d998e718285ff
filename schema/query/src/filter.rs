//! Filter trees to SQL `WHERE` fragments (Twenty's operator semantics,
//! `shared/reference/twenty-core-api.md` §4.3, including null-equivalence of `''` and `[]`).

use serde_json::Value as Json;
use tessera_metadata::{ColumnModel, FieldKind, ObjectModel, ScalarKind, WorkspaceModel};

use crate::sql::SqlWriter;
use crate::values::{normalize, operand};
use crate::{FieldRef, Filter, FilterOp, QueryError};

/// Resolves a column reference to its column and a display name for errors.
pub(crate) fn resolve<'a>(
    object: &'a ObjectModel,
    target: &FieldRef,
) -> Result<(&'a ColumnModel, String), QueryError> {
    let not_defined = |name: &str| {
        QueryError::bad(format!(
            "Field \"{name}\" is not defined by type \"{}\"",
            object.type_name
        ))
    };
    match target {
        FieldRef::Field { field, sub_field } => {
            let f = object.field(field).ok_or_else(|| not_defined(field))?;
            match (&f.kind, sub_field) {
                (FieldKind::Scalar(c), None) => Ok((c, field.clone())),
                (FieldKind::Composite { .. }, Some(sub)) => f
                    .sub_field(sub)
                    .map(|s| (&s.column, format!("{field}.{sub}")))
                    .ok_or_else(|| not_defined(&format!("{field}.{sub}"))),
                (FieldKind::Composite { .. }, None) => Err(QueryError::bad(format!(
                    "Field \"{field}\" is composite: name one of its sub-fields"
                ))),
                _ => Err(not_defined(field)),
            }
        }
        FieldRef::JoinColumn { field } => match object.field(field).map(|f| &f.kind) {
            Some(FieldKind::ManyToOne { join_column, .. }) => {
                Ok((join_column, join_column.name.clone()))
            }
            _ => Err(not_defined(&format!("{field}Id"))),
        },
    }
}

/// Emits `filter` as a boolean SQL expression over `alias`.
pub(crate) fn emit_filter(
    w: &mut SqlWriter,
    model: &WorkspaceModel,
    object: &ObjectModel,
    alias: &str,
    filter: &Filter,
) -> Result<(), QueryError> {
    match filter {
        Filter::And(items) | Filter::Or(items) if items.is_empty() => {
            w.true_();
        }
        Filter::And(items) | Filter::Or(items) => {
            let joiner = if matches!(filter, Filter::And(_)) {
                " AND "
            } else {
                " OR "
            };
            w.push("(");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    w.push(joiner);
                }
                emit_filter(w, model, object, alias, item)?;
            }
            w.push(")");
        }
        Filter::Not(inner) => {
            w.push("(NOT ");
            emit_filter(w, model, object, alias, inner)?;
            w.push(")");
        }
        Filter::Condition { target, op, value } => {
            let (col, name) = resolve(object, target)?;
            emit_condition(w, alias, col, &name, *op, value)?;
        }
        Filter::Relation { field, filter } => {
            let (join_column, target) = match object.field(field).map(|f| &f.kind) {
                Some(FieldKind::ManyToOne {
                    join_column,
                    target,
                    ..
                }) => (join_column, target),
                _ => {
                    return Err(QueryError::bad(format!(
                        "Field \"{field}\" is not a many-to-one relation of \"{}\"",
                        object.type_name
                    )));
                }
            };
            let target = model
                .object(target)
                .ok_or_else(|| QueryError::bad(format!("Object \"{target}\" does not exist")))?;
            let a = w.alias();
            w.push("EXISTS (SELECT 1 FROM ")
                .table(&target.table)
                .push(" AS ")
                .push(&a);
            w.push(" WHERE ")
                .col(&a, "id")
                .push(" = ")
                .col(alias, &join_column.name)
                .push(" AND ");
            emit_filter(w, model, target, &a, filter)?;
            if !filter.mentions_deleted_at() && target.field("deletedAt").is_some() {
                w.push(" AND ").col(&a, "deletedAt").push(" IS NULL");
            }
            w.push(")");
        }
    }
    Ok(())
}

fn unsupported(op: FilterOp, name: &str) -> QueryError {
    QueryError::bad_with(
        "UNSUPPORTED_OPERATOR",
        format!(
            "Operator \"{}\" is not supported for field \"{name}\"",
            op_name(op)
        ),
    )
}

fn op_name(op: FilterOp) -> &'static str {
    match op {
        FilterOp::Eq => "eq",
        FilterOp::Neq => "neq",
        FilterOp::In => "in",
        FilterOp::Gt => "gt",
        FilterOp::Gte => "gte",
        FilterOp::Lt => "lt",
        FilterOp::Lte => "lte",
        FilterOp::Is => "is",
        FilterOp::Like => "like",
        FilterOp::ILike => "ilike",
        FilterOp::StartsWith => "startsWith",
        FilterOp::EndsWith => "endsWith",
        FilterOp::ContainsAny => "containsAny",
        FilterOp::ContainsIlike => "containsIlike",
        FilterOp::IsEmptyArray => "isEmptyArray",
    }
}

/// The column as an SQL expression; on PostgreSQL enums compare as text.
fn col_expr(w: &SqlWriter, alias: &str, col: &ColumnModel, as_text: bool) -> String {
    let base = format!("{alias}.{}", crate::sql::quote(&col.name));
    if w.is_pg() && (as_text || col.kind == ScalarKind::Enum) && col.kind != ScalarKind::Text {
        format!("{base}::text")
    } else if !w.is_pg() && as_text && col.kind != ScalarKind::Text {
        format!("CAST({base} AS TEXT)")
    } else {
        base
    }
}

fn is_array(col: &ColumnModel) -> bool {
    matches!(col.kind, ScalarKind::TextArray | ScalarKind::EnumArray)
}

/// `(col IS NULL OR col is empty)` for null-equivalent columns, plain `col IS NULL` otherwise.
fn emit_is_null(w: &mut SqlWriter, alias: &str, col: &ColumnModel) {
    let c = format!("{alias}.{}", crate::sql::quote(&col.name));
    let empty = match (col.kind, w.is_pg()) {
        _ if !col.null_equivalent => None,
        (ScalarKind::Text, _) => Some(format!("{c} = ''")),
        (ScalarKind::TextArray | ScalarKind::EnumArray, true) => {
            Some(format!("cardinality({c}) = 0"))
        }
        (ScalarKind::TextArray | ScalarKind::EnumArray, false) => {
            Some(format!("json_array_length({c}) = 0"))
        }
        (ScalarKind::Json, true) => Some(format!(
            "{c} IN ('null'::jsonb, '[]'::jsonb, '{{}}'::jsonb)"
        )),
        (ScalarKind::Json, false) => Some(format!("json({c}) IN ('null', '[]', '{{}}')")),
        _ => None,
    };
    match empty {
        Some(e) => w.push(&format!("({c} IS NULL OR {e})")),
        None => w.push(&format!("{c} IS NULL")),
    };
}

fn text_operand(value: &Json, name: &str) -> Result<String, QueryError> {
    value.as_str().map(str::to_owned).ok_or_else(|| {
        QueryError::bad(format!(
            "Invalid filter value for field \"{name}\": expected a string"
        ))
    })
}

/// Translates a LIKE pattern (`%`, `_`, backslash escapes) into a case-sensitive SQLite GLOB.
fn like_to_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => out.push('*'),
            '_' => out.push('?'),
            '\\' => match chars.next() {
                Some(next) => push_glob_literal(&mut out, next),
                None => push_glob_literal(&mut out, '\\'),
            },
            other => push_glob_literal(&mut out, other),
        }
    }
    out
}

fn push_glob_literal(out: &mut String, c: char) {
    match c {
        '*' | '?' | '[' => {
            out.push('[');
            out.push(c);
            out.push(']');
        }
        other => out.push(other),
    }
}

fn emit_condition(
    w: &mut SqlWriter,
    alias: &str,
    col: &ColumnModel,
    name: &str,
    op: FilterOp,
    value: &Json,
) -> Result<(), QueryError> {
    let string = |s: String| sea_query::Value::String(Some(s));
    let null_equiv_empty = col.null_equivalent && value.as_str() == Some("");
    match op {
        FilterOp::Is => {
            let not = match value.as_str() {
                Some("NULL") => false,
                Some("NOT_NULL") => true,
                _ => {
                    return Err(QueryError::bad(format!(
                        "Invalid filter value for field \"{name}\": \"is\" takes NULL or NOT_NULL"
                    )));
                }
            };
            if not {
                w.push("(NOT ");
            }
            emit_is_null(w, alias, col);
            if not {
                w.push(")");
            }
        }
        FilterOp::IsEmptyArray => {
            let want = value.as_bool().ok_or_else(|| {
                QueryError::bad(format!(
                    "Invalid filter value for field \"{name}\": isEmptyArray takes a boolean"
                ))
            })?;
            if !is_array(col) && col.kind != ScalarKind::Json {
                return Err(unsupported(op, name));
            }
            let c = format!("{alias}.{}", crate::sql::quote(&col.name));
            let empty = match (col.kind, w.is_pg()) {
                (ScalarKind::Json, true) => format!("({c} IS NULL OR {c} = '[]'::jsonb)"),
                (_, true) => format!("({c} IS NULL OR cardinality({c}) = 0)"),
                (_, false) => format!("({c} IS NULL OR json_array_length({c}) = 0)"),
            };
            if want {
                w.push(&empty);
            } else {
                w.push("(NOT ").push(&empty).push(")");
            }
        }
        FilterOp::Eq
        | FilterOp::Neq
        | FilterOp::Gt
        | FilterOp::Gte
        | FilterOp::Lt
        | FilterOp::Lte => {
            if is_array(col) || col.kind == ScalarKind::Json {
                return Err(unsupported(op, name));
            }
            if col.kind == ScalarKind::Enum && !matches!(op, FilterOp::Eq | FilterOp::Neq) {
                return Err(unsupported(op, name));
            }
            if col.kind == ScalarKind::Boolean && !matches!(op, FilterOp::Eq | FilterOp::Neq) {
                return Err(unsupported(op, name));
            }
            let v = normalize(col, value, name)?;
            if v.is_null() {
                return Err(QueryError::bad(format!(
                    "Invalid filter value for field \"{name}\": use \"is: NULL\" to match empty values"
                )));
            }
            let c = col_expr(w, alias, col, false);
            if null_equiv_empty {
                match op {
                    FilterOp::Eq => {
                        emit_is_null(w, alias, col);
                        return Ok(());
                    }
                    FilterOp::Neq => {
                        w.push("(NOT ");
                        emit_is_null(w, alias, col);
                        w.push(")");
                        return Ok(());
                    }
                    _ => {}
                }
            }
            let sql_op = match op {
                FilterOp::Eq => " = ",
                FilterOp::Neq => " <> ",
                FilterOp::Gt => " > ",
                FilterOp::Gte => " >= ",
                FilterOp::Lt => " < ",
                _ => " <= ",
            };
            w.push("(").push(&c).push(sql_op);
            operand(w, col, &v, true).emit(w);
            w.push(")");
        }
        FilterOp::In | FilterOp::ContainsAny if !is_array(col) => {
            if col.kind == ScalarKind::Json {
                return Err(unsupported(op, name));
            }
            let items = value.as_array().ok_or_else(|| {
                QueryError::bad(format!(
                    "Invalid filter value for field \"{name}\": expected a list"
                ))
            })?;
            if items.is_empty() {
                w.false_();
                return Ok(());
            }
            let c = col_expr(w, alias, col, false);
            w.push("(").push(&c).push(" IN (");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                let v = normalize(col, item, name)?;
                operand(w, col, &v, true).emit(w);
            }
            w.push("))");
        }
        FilterOp::In => return Err(unsupported(op, name)),
        FilterOp::ContainsAny => {
            let items = value.as_array().ok_or_else(|| {
                QueryError::bad(format!(
                    "Invalid filter value for field \"{name}\": expected a list"
                ))
            })?;
            let v = normalize(col, &Json::Array(items.clone()), name)?;
            let c = format!("{alias}.{}", crate::sql::quote(&col.name));
            if w.is_pg() {
                w.push("(")
                    .push(&c)
                    .push("::text[] && ARRAY(SELECT jsonb_array_elements_text(CAST(");
                w.param(string(v.to_string()));
                w.push(" AS jsonb))))");
            } else {
                w.push("EXISTS (SELECT 1 FROM json_each(").push(&c);
                w.push(") AS e WHERE e.value IN (SELECT value FROM json_each(");
                w.param(string(v.to_string()));
                w.push(")))");
            }
        }
        FilterOp::ContainsIlike => {
            if col.kind != ScalarKind::TextArray {
                return Err(unsupported(op, name));
            }
            let pattern = text_operand(value, name)?;
            let c = format!("{alias}.{}", crate::sql::quote(&col.name));
            if w.is_pg() {
                w.push("EXISTS (SELECT 1 FROM unnest(")
                    .push(&c)
                    .push(") AS e(v) WHERE e.v ILIKE ");
                w.param(string(pattern));
                w.push(")");
            } else {
                w.push("EXISTS (SELECT 1 FROM json_each(").push(&c);
                w.push(") AS e WHERE e.value LIKE ");
                w.param(string(pattern));
                w.push(" ESCAPE '\\')");
            }
        }
        FilterOp::Like | FilterOp::ILike | FilterOp::StartsWith | FilterOp::EndsWith => {
            let text_like = matches!(
                col.kind,
                ScalarKind::Text | ScalarKind::Json | ScalarKind::Uuid
            );
            let enum_like =
                col.kind == ScalarKind::Enum && matches!(op, FilterOp::Like | FilterOp::ILike);
            if !text_like && !enum_like {
                return Err(unsupported(op, name));
            }
            if col.kind == ScalarKind::Json && !matches!(op, FilterOp::Like | FilterOp::ILike) {
                return Err(unsupported(op, name));
            }
            let pattern = text_operand(value, name)?;
            let c = col_expr(w, alias, col, true);
            let pg = w.is_pg();
            match op {
                FilterOp::Like if pg => {
                    w.push("(").push(&c).push(" LIKE ");
                    w.param(string(pattern));
                    w.push(")");
                }
                FilterOp::Like => {
                    w.push("(").push(&c).push(" GLOB ");
                    w.param(string(like_to_glob(&pattern)));
                    w.push(")");
                }
                FilterOp::ILike if pg => {
                    w.push("(").push(&c).push(" ILIKE ");
                    w.param(string(pattern));
                    w.push(")");
                }
                FilterOp::ILike => {
                    w.push("(").push(&c).push(" LIKE ");
                    w.param(string(pattern));
                    w.push(" ESCAPE '\\')");
                }
                FilterOp::StartsWith if pg => {
                    w.push("starts_with(").push(&c).push(", ");
                    w.param(string(pattern));
                    w.push(")");
                }
                FilterOp::StartsWith => {
                    w.push("(instr(").push(&c).push(", ");
                    w.param(string(pattern));
                    w.push(") = 1)");
                }
                _ if pattern.is_empty() => {
                    w.push("(").push(&c).push(" IS NOT NULL)");
                }
                _ => {
                    let len = i32::try_from(pattern.chars().count()).unwrap_or(i32::MAX);
                    if pg {
                        w.push("(right(").push(&c).push(", ");
                    } else {
                        w.push("(substr(").push(&c).push(", -");
                    }
                    w.param(sea_query::Value::Int(Some(len)));
                    w.push(") = ");
                    w.param(string(pattern));
                    w.push(")");
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::like_to_glob;

    #[test]
    fn like_patterns_become_globs() {
        assert_eq!(like_to_glob("%es%"), "*es*");
        assert_eq!(like_to_glob("a_c"), "a?c");
        assert_eq!(like_to_glob("50\\%*"), "50%[*]");
        assert_eq!(like_to_glob("[x]?"), "[[]x][?]");
    }
}
