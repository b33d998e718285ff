//! Input values: checking and normalising a JSON value for a column (dialect-free), and turning
//! a normalised value into a bound SQL operand (per dialect).

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::Value as Json;
use tessera_metadata::{ColumnModel, FieldKind, ObjectModel, ScalarKind};

use crate::sql::SqlWriter;
use crate::{QueryError, RecordInput};

/// Whether a record input is for a create or an update (affects which keys are allowed and
/// the input type named in errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteKind {
    Create,
    Update,
}

/// The current instant in the stored format, `YYYY-MM-DDTHH:MM:SS.sssZ`.
pub(crate) fn now_string() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn type_error(name: &str, expected: &str, got: &Json) -> QueryError {
    QueryError::bad_with(
        "INVALID_ARGS_DATA",
        format!("Invalid value for field \"{name}\": expected {expected}, got {got}"),
    )
}

/// Parses an ISO-8601 instant (RFC 3339, a naive date-time taken as UTC, or a bare date at
/// midnight UTC) into the stored format.
pub(crate) fn parse_datetime(s: &str) -> Option<String> {
    let utc = if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        dt.with_timezone(&Utc)
    } else if let Ok(dt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        dt.and_utc()
    } else if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0)?.and_utc()
    } else {
        return None;
    };
    Some(utc.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// Checks `value` against the column's kind and returns it normalised: UUIDs lower-case,
/// instants as `YYYY-MM-DDTHH:MM:SS.sssZ`, dates as `YYYY-MM-DD`, enums checked against their
/// values. `name` is the API name used in error messages. NULL passes (nullability is the
/// database's job).
pub(crate) fn normalize(col: &ColumnModel, value: &Json, name: &str) -> Result<Json, QueryError> {
    if value.is_null() {
        return Ok(Json::Null);
    }
    let as_str = |expected: &str| {
        value
            .as_str()
            .ok_or_else(|| type_error(name, expected, value))
    };
    Ok(match col.kind {
        ScalarKind::Uuid => {
            let s = value.as_str().ok_or_else(|| {
                QueryError::bad(format!("UUID must be a string (field \"{name}\")"))
            })?;
            let id = uuid::Uuid::parse_str(s).map_err(|_| {
                QueryError::bad(format!("Invalid UUID \"{s}\" for field \"{name}\""))
            })?;
            Json::String(id.hyphenated().to_string())
        }
        ScalarKind::Text => Json::String(as_str("a string")?.to_owned()),
        ScalarKind::Float | ScalarKind::Position => {
            if col.kind == ScalarKind::Position
                && let Some(s) = value.as_str()
                && (s == "first" || s == "last")
            {
                return Ok(value.clone());
            }
            let n = value
                .as_f64()
                .ok_or_else(|| type_error(name, "a number", value))?;
            if !n.is_finite() {
                return Err(type_error(name, "a finite number", value));
            }
            value.clone()
        }
        ScalarKind::Int => {
            let n = value
                .as_f64()
                .ok_or_else(|| type_error(name, "an integer", value))?;
            if n.fract() != 0.0 || !n.is_finite() {
                return Err(type_error(name, "an integer", value));
            }
            value.clone()
        }
        ScalarKind::Numeric => match value {
            Json::Number(_) => value.clone(),
            Json::String(s) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
                serde_json::from_str::<Json>(s.trim())
                    .ok()
                    .filter(Json::is_number)
                    .unwrap_or_else(|| Json::String(s.trim().to_owned()))
            }
            _ => return Err(type_error(name, "a number", value)),
        },
        ScalarKind::Boolean => Json::Bool(
            value
                .as_bool()
                .ok_or_else(|| type_error(name, "a boolean", value))?,
        ),
        ScalarKind::Date => {
            let s = as_str("a date (YYYY-MM-DD)")?;
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .or_else(|_| {
                    parse_datetime(s)
                        .and_then(|dt| NaiveDate::parse_from_str(&dt[..10], "%Y-%m-%d").ok())
                        .ok_or(())
                })
                .map_err(|_| type_error(name, "a date (YYYY-MM-DD)", value))?;
            Json::String(d.format("%Y-%m-%d").to_string())
        }
        ScalarKind::DateTime => {
            let s = as_str("an ISO-8601 date-time")?;
            Json::String(
                parse_datetime(s)
                    .ok_or_else(|| type_error(name, "an ISO-8601 date-time", value))?,
            )
        }
        ScalarKind::Json => value.clone(),
        ScalarKind::TextArray => {
            let items = value
                .as_array()
                .ok_or_else(|| type_error(name, "a list of strings", value))?;
            if items.iter().any(|i| !i.is_string()) {
                return Err(type_error(name, "a list of strings", value));
            }
            value.clone()
        }
        ScalarKind::Enum => Json::String(check_enum(col, as_str("an enum value")?, name)?),
        ScalarKind::EnumArray => {
            let items = value
                .as_array()
                .ok_or_else(|| type_error(name, "a list of enum values", value))?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let s = item
                    .as_str()
                    .ok_or_else(|| type_error(name, "a list of enum values", value))?;
                out.push(Json::String(check_enum(col, s, name)?));
            }
            Json::Array(out)
        }
    })
}

fn check_enum(col: &ColumnModel, s: &str, name: &str) -> Result<String, QueryError> {
    if col.enum_values.iter().any(|v| v == s) {
        Ok(s.to_owned())
    } else {
        Err(QueryError::bad(format!(
            "Value \"{s}\" does not exist in \"{}\" enum (field \"{name}\").",
            col.enum_type_name.as_deref().unwrap_or("enum")
        )))
    }
}

/// A value ready to be written into SQL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    /// SQL NULL.
    Null,
    /// A bound parameter, with its PostgreSQL cast.
    Bound(sea_query::Value, Option<String>),
    /// A PostgreSQL array built from a bound JSON array, with the element type to cast to.
    PgArray(String, Option<String>),
    /// A raw SQL expression with no parameters (e.g. a position sub-query).
    Raw(String),
}

impl Operand {
    pub(crate) fn emit(&self, w: &mut SqlWriter) {
        match self {
            Operand::Null => {
                w.push("NULL");
            }
            Operand::Bound(v, cast) => {
                w.param_cast(v.clone(), cast.as_deref());
            }
            Operand::PgArray(json, elem) => {
                if elem.is_some() {
                    w.push("CAST(");
                }
                w.push("ARRAY(SELECT jsonb_array_elements_text(CAST(");
                w.param(sea_query::Value::String(Some(json.clone())));
                w.push(" AS jsonb)))");
                if let Some(elem) = elem {
                    w.push(" AS ").push(elem).push("[])");
                }
            }
            Operand::Raw(sql) => {
                w.push(sql);
            }
        }
    }
}

fn string(s: &str) -> sea_query::Value {
    sea_query::Value::String(Some(s.to_owned()))
}

/// Turns a normalised value into an operand for `w`'s dialect. `for_filter` compares enums as
/// text on PostgreSQL (no cast to the enum type).
pub(crate) fn operand(w: &SqlWriter, col: &ColumnModel, value: &Json, for_filter: bool) -> Operand {
    use sea_query::Value as V;
    if value.is_null() {
        return Operand::Null;
    }
    let pg = w.is_pg();
    let text = |v: &Json| match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    match col.kind {
        ScalarKind::Uuid => Operand::Bound(string(&text(value)), pg.then(|| "uuid".to_owned())),
        ScalarKind::Text => Operand::Bound(string(&text(value)), None),
        ScalarKind::Float | ScalarKind::Int | ScalarKind::Position => {
            Operand::Bound(V::Double(value.as_f64()), None)
        }
        ScalarKind::Numeric => {
            if pg {
                Operand::Bound(string(&text(value)), Some("numeric".to_owned()))
            } else if let Some(i) = value.as_i64() {
                Operand::Bound(V::BigInt(Some(i)), None)
            } else {
                Operand::Bound(
                    V::Double(value.as_f64().or_else(|| text(value).parse().ok())),
                    None,
                )
            }
        }
        ScalarKind::Boolean => Operand::Bound(V::Bool(value.as_bool()), None),
        ScalarKind::Date => Operand::Bound(string(&text(value)), pg.then(|| "date".to_owned())),
        ScalarKind::DateTime => {
            Operand::Bound(string(&text(value)), pg.then(|| "timestamptz".to_owned()))
        }
        ScalarKind::Json => {
            Operand::Bound(string(&value.to_string()), pg.then(|| "jsonb".to_owned()))
        }
        ScalarKind::TextArray => {
            if pg {
                Operand::PgArray(value.to_string(), None)
            } else {
                Operand::Bound(string(&value.to_string()), None)
            }
        }
        ScalarKind::Enum => {
            let cast = (pg && !for_filter)
                .then(|| col.pg_enum_type.as_deref().map(|t| w.qualified_type(t)))
                .flatten();
            Operand::Bound(string(&text(value)), cast)
        }
        ScalarKind::EnumArray => {
            if pg {
                let elem = (!for_filter)
                    .then(|| col.pg_enum_type.as_deref().map(|t| w.qualified_type(t)))
                    .flatten();
                Operand::PgArray(value.to_string(), elem)
            } else {
                Operand::Bound(string(&value.to_string()), None)
            }
        }
    }
}

/// One column of a write, with its normalised value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColumnValue<'a> {
    pub(crate) column: &'a ColumnModel,
    pub(crate) value: Json,
}

/// Maps a GraphQL-shaped record input onto columns, checking every key and value.
pub(crate) fn record_columns<'a>(
    object: &'a ObjectModel,
    record: &RecordInput,
    kind: WriteKind,
) -> Result<Vec<ColumnValue<'a>>, QueryError> {
    let input_type = format!(
        "{}{}Input",
        object.type_name,
        if kind == WriteKind::Create {
            "Create"
        } else {
            "Update"
        }
    );
    let unknown = |key: &str| {
        QueryError::bad_with(
            "INVALID_ARGS_DATA",
            format!("Field \"{key}\" is not defined by type \"{input_type}\"."),
        )
    };
    let mut out = Vec::with_capacity(record.0.len());
    for (key, value) in &record.0 {
        if let Some(field) = object.field(key) {
            match &field.kind {
                FieldKind::Scalar(col) => {
                    if kind == WriteKind::Update && key == "id" {
                        return Err(QueryError::bad_with(
                            "INVALID_ARGS_DATA",
                            "Field \"id\" cannot be updated",
                        ));
                    }
                    out.push(ColumnValue {
                        column: col,
                        value: normalize(col, value, key)?,
                    });
                }
                FieldKind::Composite { sub_fields, .. } => {
                    let sub_type = format!(
                        "{}{}Input",
                        field.kind_type_name(),
                        if kind == WriteKind::Create {
                            "Create"
                        } else {
                            "Update"
                        }
                    );
                    match value {
                        Json::Null => {
                            for sub in sub_fields.iter().filter(|s| !s.def.input_hidden) {
                                out.push(ColumnValue {
                                    column: &sub.column,
                                    value: Json::Null,
                                });
                            }
                        }
                        Json::Object(map) => {
                            for (sk, sv) in map {
                                let sub = sub_fields
                                    .iter()
                                    .find(|s| s.def.name == sk && !s.def.input_hidden)
                                    .ok_or_else(|| {
                                        QueryError::bad_with(
                                            "INVALID_ARGS_DATA",
                                            format!("Field \"{sk}\" is not defined by type \"{sub_type}\"."),
                                        )
                                    })?;
                                out.push(ColumnValue {
                                    column: &sub.column,
                                    value: normalize(&sub.column, sv, &format!("{key}.{sk}"))?,
                                });
                            }
                        }
                        other => return Err(type_error(key, "an object", other)),
                    }
                }
                FieldKind::ManyToOne { join_column, .. } => {
                    if record.0.contains_key(&join_column.name) {
                        return Err(QueryError::bad_with(
                            "INVALID_ARGS_DATA",
                            format!("{key} and {} cannot be both provided.", join_column.name),
                        ));
                    }
                    out.push(ColumnValue {
                        column: join_column,
                        value: relation_input(key, join_column, value)?,
                    });
                }
                FieldKind::OneToMany { .. } => return Err(unknown(key)),
            }
        } else if let Some(field) = object.field_by_join_column(key) {
            let FieldKind::ManyToOne { join_column, .. } = &field.kind else {
                return Err(unknown(key));
            };
            out.push(ColumnValue {
                column: join_column,
                value: normalize(join_column, value, key)?,
            });
        } else {
            return Err(unknown(key));
        }
    }
    Ok(out)
}

/// `company: { connect: { where: { id: "…" } } }` or `company: { disconnect: true }`.
fn relation_input(key: &str, join: &ColumnModel, value: &Json) -> Result<Json, QueryError> {
    let obj = value
        .as_object()
        .ok_or_else(|| type_error(key, "a relation input object", value))?;
    let connect = obj.get("connect").filter(|v| !v.is_null());
    let disconnect = obj
        .get("disconnect")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    match (connect, disconnect) {
        (Some(_), true) => Err(QueryError::bad_with(
            "INVALID_ARGS_DATA",
            format!("Cannot have both connect and disconnect for the same field on {key}."),
        )),
        (None, true) => Ok(Json::Null),
        (Some(c), false) => {
            let id = c
                .get("where")
                .and_then(|w| w.get("id"))
                .filter(|_| c.get("where").and_then(Json::as_object).is_some_and(|m| m.len() == 1))
                .ok_or_else(|| {
                    QueryError::bad_with(
                        "INVALID_ARGS_DATA",
                        format!("Connecting \"{key}\" is supported by id only: {{connect: {{where: {{id: \"…\"}}}}}}"),
                    )
                })?;
            normalize(join, id, key)
        }
        (None, false) => Err(QueryError::bad_with(
            "INVALID_ARGS_DATA",
            format!("Relation input for \"{key}\" needs connect or disconnect"),
        )),
    }
}

trait KindTypeName {
    fn kind_type_name(&self) -> &'static str;
}

impl KindTypeName for tessera_metadata::FieldModel {
    fn kind_type_name(&self) -> &'static str {
        match &self.kind {
            FieldKind::Composite { composite, .. } => composite.type_name,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_normalise_to_utc_millis() {
        assert_eq!(
            parse_datetime("2024-01-02T03:04:05+02:00").as_deref(),
            Some("2024-01-02T01:04:05.000Z")
        );
        assert_eq!(
            parse_datetime("2024-01-02").as_deref(),
            Some("2024-01-02T00:00:00.000Z")
        );
        assert_eq!(
            parse_datetime("2024-01-02T03:04:05.123456Z").as_deref(),
            Some("2024-01-02T03:04:05.123Z")
        );
        assert_eq!(parse_datetime("yesterday"), None);
    }
}
