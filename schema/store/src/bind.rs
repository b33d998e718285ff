//! Binding JSON cell values to typed SQL parameters per column [`ScalarKind`] (bulk loads).
//!
//! PostgreSQL gets native types (uuid, double, boolean, date, timestamptz, jsonb, text[]);
//! `numeric` and enum columns are bound as text and cast in SQL. SQLite gets the store's text
//! encodings (lower-case UUIDs, `YYYY-MM-DDTHH:MM:SS.sssZ`, JSON text for arrays and JSON).

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{ArrayType, Value};
use serde_json::Value as Json;
use tessera_metadata::{ColumnModel, ScalarKind};
use tessera_query::Dialect;

use crate::sql::qualified;
use crate::sys::sqlite_timestamp;

/// Binds values for one dialect (and, on PostgreSQL, one workspace schema for enum casts).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Binder<'a> {
    pub(crate) dialect: Dialect,
    pub(crate) schema: Option<&'a str>,
}

impl Binder<'_> {
    fn pg(&self) -> bool {
        self.dialect == Dialect::Postgres
    }

    /// The SQL expression for a parameter bound to `col` (a cast where PostgreSQL needs one).
    pub(crate) fn expr(&self, col: &ColumnModel, placeholder: &str) -> String {
        if !self.pg() {
            return placeholder.to_owned();
        }
        let enum_type = || {
            col.pg_enum_type
                .as_deref()
                .map(|t| qualified(self.schema, t))
        };
        match (col.kind, enum_type()) {
            (ScalarKind::Numeric, _) => format!("CAST({placeholder} AS numeric)"),
            (ScalarKind::Enum, Some(t)) => format!("CAST({placeholder} AS {t})"),
            (ScalarKind::EnumArray, Some(t)) => format!("CAST({placeholder} AS {t}[])"),
            _ => placeholder.to_owned(),
        }
    }

    /// The parameter for `value` in `col`. Errors (as text): a value of the wrong JSON type,
    /// an unparsable UUID / date / number, an enum value that is not an option.
    pub(crate) fn value(&self, col: &ColumnModel, value: &Json) -> Result<Value, String> {
        if value.is_null() {
            return Ok(self.null(col.kind));
        }
        let pg = self.pg();
        Ok(match col.kind {
            ScalarKind::Uuid => {
                let id = uuid::Uuid::parse_str(str_of(value)?)
                    .map_err(|_| format!("{value} is not a UUID"))?;
                if pg {
                    Value::Uuid(Some(id))
                } else {
                    Value::String(Some(id.hyphenated().to_string()))
                }
            }
            ScalarKind::Text => Value::String(Some(str_of(value)?.to_owned())),
            ScalarKind::Float | ScalarKind::Int | ScalarKind::Position => {
                Value::Double(Some(number_of(value)?))
            }
            ScalarKind::Numeric => {
                let n = number_of(value)?;
                match value {
                    // PostgreSQL: the exact text, cast to numeric in SQL (no float rounding).
                    Json::Number(num) if pg => Value::String(Some(num.to_string())),
                    Json::String(text) if pg => Value::String(Some(text.trim().to_owned())),
                    Json::Number(num) if num.is_i64() => Value::BigInt(num.as_i64()),
                    _ => Value::Double(Some(n)),
                }
            }
            ScalarKind::Boolean => {
                let b = match value {
                    Json::Bool(b) => *b,
                    other => return Err(format!("{other} is not a boolean")),
                };
                if pg {
                    Value::Bool(Some(b))
                } else {
                    Value::BigInt(Some(i64::from(b)))
                }
            }
            ScalarKind::Date => {
                let s = str_of(value)?;
                let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| format!("\"{s}\" is not a date (YYYY-MM-DD)"))?;
                if pg {
                    Value::ChronoDate(Some(date))
                } else {
                    Value::String(Some(date.to_string()))
                }
            }
            ScalarKind::DateTime => {
                let s = str_of(value)?;
                let t = DateTime::parse_from_rfc3339(s)
                    .map_err(|_| format!("\"{s}\" is not an ISO-8601 date-time"))?
                    .with_timezone(&Utc);
                if pg {
                    Value::ChronoDateTimeUtc(Some(t))
                } else {
                    Value::String(Some(sqlite_timestamp(t)))
                }
            }
            ScalarKind::Json => {
                if pg {
                    Value::Json(Some(Box::new(value.clone())))
                } else {
                    Value::String(Some(value.to_string()))
                }
            }
            ScalarKind::Enum => {
                let s = str_of(value)?;
                check_option(col, s)?;
                Value::String(Some(s.to_owned()))
            }
            ScalarKind::TextArray | ScalarKind::EnumArray => {
                let items = value
                    .as_array()
                    .ok_or_else(|| format!("{value} is not an array"))?
                    .iter()
                    .map(|v| str_of(v).map(str::to_owned))
                    .collect::<Result<Vec<_>, _>>()?;
                if col.kind == ScalarKind::EnumArray {
                    for item in &items {
                        check_option(col, item)?;
                    }
                }
                if pg {
                    Value::Array(
                        ArrayType::String,
                        Some(Box::new(
                            items.into_iter().map(|s| Value::String(Some(s))).collect(),
                        )),
                    )
                } else {
                    Value::String(Some(Json::from(items).to_string()))
                }
            }
        })
    }

    /// A typed NULL for a column of `kind`.
    fn null(&self, kind: ScalarKind) -> Value {
        if !self.pg() {
            return match kind {
                ScalarKind::Float | ScalarKind::Int | ScalarKind::Position => Value::Double(None),
                ScalarKind::Boolean => Value::BigInt(None),
                _ => Value::String(None),
            };
        }
        match kind {
            ScalarKind::Uuid => Value::Uuid(None),
            ScalarKind::Float | ScalarKind::Int | ScalarKind::Position => Value::Double(None),
            ScalarKind::Boolean => Value::Bool(None),
            ScalarKind::Date => Value::ChronoDate(None),
            ScalarKind::DateTime => Value::ChronoDateTimeUtc(None),
            ScalarKind::Json => Value::Json(None),
            ScalarKind::TextArray | ScalarKind::EnumArray => Value::Array(ArrayType::String, None),
            ScalarKind::Text | ScalarKind::Numeric | ScalarKind::Enum => Value::String(None),
        }
    }
}

fn str_of(value: &Json) -> Result<&str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("{value} is not a string"))
}

fn number_of(value: &Json) -> Result<f64, String> {
    let n = match value {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    n.filter(|n| n.is_finite())
        .ok_or_else(|| format!("{value} is not a number"))
}

fn check_option(col: &ColumnModel, value: &str) -> Result<(), String> {
    if col.enum_values.iter().any(|v| v == value) {
        Ok(())
    } else {
        Err(format!("\"{value}\" is not one of the options"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn col(kind: ScalarKind) -> ColumnModel {
        ColumnModel {
            name: "c".into(),
            kind,
            nullable: true,
            enum_values: vec!["A".into(), "B".into()],
            enum_type_name: None,
            pg_enum_type: Some("t_c_enum".into()),
            null_equivalent: false,
        }
    }

    #[test]
    fn sqlite_encodings() {
        let b = Binder {
            dialect: Dialect::Sqlite,
            schema: None,
        };
        assert_eq!(
            b.value(&col(ScalarKind::DateTime), &json!("2027-01-01T00:00:00Z")),
            Ok(Value::String(Some("2027-01-01T00:00:00.000Z".into())))
        );
        assert_eq!(
            b.value(
                &col(ScalarKind::Uuid),
                &json!("20202020-A305-41E7-8C72-BA44072A4C58")
            ),
            Ok(Value::String(Some(
                "20202020-a305-41e7-8c72-ba44072a4c58".into()
            )))
        );
        assert_eq!(
            b.value(&col(ScalarKind::Boolean), &json!(true)),
            Ok(Value::BigInt(Some(1)))
        );
        assert_eq!(
            b.value(&col(ScalarKind::EnumArray), &json!(["A"])),
            Ok(Value::String(Some("[\"A\"]".into())))
        );
        assert!(b.value(&col(ScalarKind::Enum), &json!("C")).is_err());
        assert!(b.value(&col(ScalarKind::Uuid), &json!("nope")).is_err());
        assert!(b.value(&col(ScalarKind::Float), &json!("x")).is_err());
        assert_eq!(
            b.value(&col(ScalarKind::Numeric), &json!(2500000000000_i64)),
            Ok(Value::BigInt(Some(2500000000000)))
        );
    }

    #[test]
    fn postgres_casts() {
        let b = Binder {
            dialect: Dialect::Postgres,
            schema: Some("ws"),
        };
        assert_eq!(
            b.expr(&col(ScalarKind::Enum), "$1"),
            "CAST($1 AS \"ws\".\"t_c_enum\")"
        );
        assert_eq!(
            b.expr(&col(ScalarKind::EnumArray), "$2"),
            "CAST($2 AS \"ws\".\"t_c_enum\"[])"
        );
        assert_eq!(
            b.expr(&col(ScalarKind::Numeric), "$3"),
            "CAST($3 AS numeric)"
        );
        assert_eq!(b.expr(&col(ScalarKind::Text), "$4"), "$4");
        assert_eq!(
            b.value(&col(ScalarKind::Numeric), &json!(12)),
            Ok(Value::String(Some("12".into())))
        );
    }
}
