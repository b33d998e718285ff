//! Column defaults from `FieldMetadata::default_value`, in Twenty's notation:
//! a JSON string `"'NEW'"` is the SQL string `'NEW'`, `"uuid"` a generated UUID, `"now"` the
//! current time; numbers and booleans are literals; composites give one entry per sub-field
//! (`{"source": "'MANUAL'", "name": "'System'"}`).

use serde_json::Value;
use tessera_metadata::{ColumnModel, ScalarKind};
use tessera_query::Dialect;

use crate::StoreError;
use crate::sql::{literal, qualified};

/// SQLite expression for a random (v4) UUID as lower-case hyphenated text.
pub(crate) const SQLITE_UUID: &str = "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) \
     || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' \
     || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) \
     || '-' || lower(hex(randomblob(6)))";

/// The SQL expression for "now" in a column of `kind`.
pub(crate) fn now_sql(dialect: Dialect, kind: ScalarKind) -> &'static str {
    match (dialect, kind) {
        (Dialect::Postgres, ScalarKind::Date) => "CURRENT_DATE",
        (Dialect::Postgres, _) => "now()",
        (Dialect::Sqlite, ScalarKind::Date) => "date('now')",
        (Dialect::Sqlite, _) => tessera_migrations::SQLITE_NOW,
    }
}

/// The SQL expression for a generated UUID.
pub(crate) fn uuid_sql(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "gen_random_uuid()",
        Dialect::Sqlite => SQLITE_UUID,
    }
}

/// Context for one column's default: dialect and workspace schema (for enum casts).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DefaultCtx<'a> {
    pub(crate) dialect: Dialect,
    pub(crate) schema: Option<&'a str>,
}

impl DefaultCtx<'_> {
    fn enum_type(&self, col: &ColumnModel) -> Option<String> {
        col.pg_enum_type
            .as_deref()
            .map(|t| qualified(self.schema, t))
    }

    /// The SQL expression of `value` as `col`'s default, or `None` for no default.
    /// Errors: a value that does not fit the column's kind.
    pub(crate) fn sql(
        &self,
        col: &ColumnModel,
        value: &Value,
    ) -> Result<Option<String>, StoreError> {
        let invalid = |reason: &str| StoreError::InvalidDefault {
            column: col.name.clone(),
            reason: reason.to_owned(),
        };
        let expr = match value {
            Value::Null => return Ok(None),
            Value::String(s) if s == "uuid" => match col.kind {
                ScalarKind::Uuid | ScalarKind::Text => uuid_sql(self.dialect).to_owned(),
                _ => return Err(invalid("\"uuid\" needs a UUID or TEXT column")),
            },
            Value::String(s) if s == "now" => match col.kind {
                ScalarKind::Date | ScalarKind::DateTime => {
                    now_sql(self.dialect, col.kind).to_owned()
                }
                _ => return Err(invalid("\"now\" needs a DATE or DATE_TIME column")),
            },
            Value::String(s) => self.string(col, &unquote(s)).map_err(|r| invalid(&r))?,
            Value::Bool(b) => match col.kind {
                ScalarKind::Boolean | ScalarKind::Json => bool_sql(self.dialect, col.kind, *b),
                _ => return Err(invalid("a boolean default needs a BOOLEAN column")),
            },
            Value::Number(n) => match col.kind {
                ScalarKind::Float
                | ScalarKind::Int
                | ScalarKind::Position
                | ScalarKind::Numeric => n.to_string(),
                ScalarKind::Text => literal(&n.to_string()),
                ScalarKind::Json => self.json(value),
                _ => return Err(invalid("a numeric default needs a number column")),
            },
            Value::Array(items) => match col.kind {
                ScalarKind::TextArray | ScalarKind::EnumArray => {
                    let items = items
                        .iter()
                        .map(|v| v.as_str().map(unquote))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| invalid("array defaults hold strings only"))?;
                    self.array(col, &items)
                }
                ScalarKind::Json => self.json(value),
                _ => return Err(invalid("an array default needs an array column")),
            },
            Value::Object(_) if col.kind == ScalarKind::Json => self.json(value),
            Value::Object(_) => return Err(invalid("an object default needs a JSON column")),
        };
        Ok(Some(expr))
    }

    fn string(&self, col: &ColumnModel, s: &str) -> Result<String, String> {
        let pg = self.dialect == Dialect::Postgres;
        Ok(match col.kind {
            ScalarKind::Enum => {
                if !col.enum_values.iter().any(|v| v == s) {
                    return Err(format!("\"{s}\" is not one of the options"));
                }
                match (pg, self.enum_type(col)) {
                    (true, Some(t)) => format!("{}::{t}", literal(s)),
                    _ => literal(s),
                }
            }
            ScalarKind::TextArray | ScalarKind::EnumArray => {
                if s.trim() == "{}" || s.trim() == "[]" {
                    self.array(col, &[])
                } else {
                    return Err("array defaults must be a JSON array".to_owned());
                }
            }
            ScalarKind::Boolean => match s {
                "true" => bool_sql(self.dialect, col.kind, true),
                "false" => bool_sql(self.dialect, col.kind, false),
                _ => return Err(format!("\"{s}\" is not a boolean")),
            },
            ScalarKind::Float | ScalarKind::Int | ScalarKind::Position | ScalarKind::Numeric => {
                let n: f64 = s.parse().map_err(|_| format!("\"{s}\" is not a number"))?;
                if !n.is_finite() {
                    return Err(format!("\"{s}\" is not a finite number"));
                }
                s.trim().to_owned()
            }
            ScalarKind::Json => {
                let parsed: Value =
                    serde_json::from_str(s).map_err(|e| format!("invalid JSON: {e}"))?;
                self.json(&parsed)
            }
            ScalarKind::Uuid => {
                let id = uuid::Uuid::parse_str(s).map_err(|_| format!("\"{s}\" is not a UUID"))?;
                let text = literal(&id.hyphenated().to_string());
                if pg { format!("{text}::uuid") } else { text }
            }
            ScalarKind::Text | ScalarKind::Date | ScalarKind::DateTime => literal(s),
        })
    }

    fn json(&self, value: &Value) -> String {
        let text = literal(&value.to_string());
        match self.dialect {
            Dialect::Postgres => format!("{text}::jsonb"),
            Dialect::Sqlite => text,
        }
    }

    fn array(&self, col: &ColumnModel, items: &[String]) -> String {
        match self.dialect {
            Dialect::Sqlite => literal(&Value::from(items.to_vec()).to_string()),
            Dialect::Postgres => {
                let ty = match (col.kind, self.enum_type(col)) {
                    (ScalarKind::EnumArray, Some(t)) => format!("{t}[]"),
                    _ => "text[]".to_owned(),
                };
                if items.is_empty() {
                    format!("'{{}}'::{ty}")
                } else {
                    let list: Vec<String> = items.iter().map(|i| literal(i)).collect();
                    format!("ARRAY[{}]::{ty}", list.join(", "))
                }
            }
        }
    }
}

fn bool_sql(dialect: Dialect, kind: ScalarKind, b: bool) -> String {
    match (dialect, kind, b) {
        (Dialect::Postgres, ScalarKind::Json, b) => format!("'{b}'::jsonb"),
        (Dialect::Sqlite, ScalarKind::Json, b) => format!("'{b}'"),
        (Dialect::Postgres, _, b) => b.to_string(),
        (Dialect::Sqlite, _, true) => "1".to_owned(),
        (Dialect::Sqlite, _, false) => "0".to_owned(),
    }
}

/// Twenty's quoted literal `'NEW'` → `NEW` (with `''` unescaped); other strings unchanged.
fn unquote(s: &str) -> String {
    match s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        Some(inner) if s.len() >= 2 => inner.replace("''", "'"),
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn col(name: &str, kind: ScalarKind) -> ColumnModel {
        ColumnModel {
            name: name.to_owned(),
            kind,
            nullable: true,
            enum_values: vec!["NEW".into(), "DONE".into()],
            enum_type_name: None,
            pg_enum_type: Some("t_c_enum".into()),
            null_equivalent: false,
        }
    }

    #[test]
    fn twenty_notation() {
        let pg = DefaultCtx {
            dialect: Dialect::Postgres,
            schema: Some("ws"),
        };
        let lite = DefaultCtx {
            dialect: Dialect::Sqlite,
            schema: None,
        };
        let e = col("stage", ScalarKind::Enum);
        assert_eq!(
            pg.sql(&e, &json!("'NEW'")).ok().flatten().as_deref(),
            Some("'NEW'::\"ws\".\"t_c_enum\"")
        );
        assert_eq!(
            lite.sql(&e, &json!("'NEW'")).ok().flatten().as_deref(),
            Some("'NEW'")
        );
        assert!(pg.sql(&e, &json!("'NOPE'")).is_err());
        let b = col("flag", ScalarKind::Boolean);
        assert_eq!(
            lite.sql(&b, &json!(false)).ok().flatten().as_deref(),
            Some("0")
        );
        assert_eq!(
            pg.sql(&b, &json!(true)).ok().flatten().as_deref(),
            Some("true")
        );
        let p = col("position", ScalarKind::Position);
        assert_eq!(pg.sql(&p, &json!(0)).ok().flatten().as_deref(), Some("0"));
        let id = col("id", ScalarKind::Uuid);
        assert_eq!(
            pg.sql(&id, &json!("uuid")).ok().flatten().as_deref(),
            Some("gen_random_uuid()")
        );
        let ts = col("createdAt", ScalarKind::DateTime);
        assert_eq!(
            pg.sql(&ts, &json!("now")).ok().flatten().as_deref(),
            Some("now()")
        );
        let arr = col("tags", ScalarKind::EnumArray);
        assert_eq!(
            pg.sql(&arr, &json!(["'NEW'"])).ok().flatten().as_deref(),
            Some("ARRAY['NEW']::\"ws\".\"t_c_enum\"[]")
        );
        assert_eq!(
            lite.sql(&arr, &json!([])).ok().flatten().as_deref(),
            Some("'[]'")
        );
        let j = col("props", ScalarKind::Json);
        assert_eq!(
            pg.sql(&j, &json!({"a": 1})).ok().flatten().as_deref(),
            Some("'{\"a\":1}'::jsonb")
        );
        assert_eq!(pg.sql(&j, &Value::Null).ok().flatten(), None);
        assert!(pg.sql(&p, &json!("now")).is_err());
        assert!(lite.sql(&b, &json!("uuid")).is_err());
    }
}
