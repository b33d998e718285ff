//! Dialect-aware helpers for statements on the system tables: table names, placeholders,
//! bound values and typed reads. PostgreSQL uses native types in schema `core`; SQLite stores
//! UUIDs and timestamps as text, booleans as 0/1 and JSON as text.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{DbBackend, QueryResult, Statement};
use sea_query::Value;
use tessera_migrations::CORE_SCHEMA;
use tessera_query::Dialect;
use uuid::Uuid;

use crate::StoreError;
use crate::sql::{ident, placeholder};

/// Formats an instant the way the SQLite store keeps it: `YYYY-MM-DDTHH:MM:SS.sssZ`.
pub(crate) fn sqlite_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Statement helpers for one dialect.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sys {
    pub(crate) dialect: Dialect,
}

impl Sys {
    pub(crate) fn backend(self) -> DbBackend {
        match self.dialect {
            Dialect::Postgres => DbBackend::Postgres,
            Dialect::Sqlite => DbBackend::Sqlite,
        }
    }

    fn pg(self) -> bool {
        self.dialect == Dialect::Postgres
    }

    /// A system table name: `"core"."name"` or `"name"`.
    pub(crate) fn table(self, name: &str) -> String {
        if self.pg() {
            format!("{}.{}", ident(CORE_SCHEMA), ident(name))
        } else {
            ident(name)
        }
    }

    /// The `n`-th placeholder.
    pub(crate) fn p(self, n: usize) -> String {
        placeholder(self.dialect, n)
    }

    /// `count` consecutive placeholders from `start`, comma-separated, in parentheses.
    pub(crate) fn tuple(self, start: usize, count: usize) -> String {
        let list: Vec<String> = (start..start + count).map(|n| self.p(n)).collect();
        format!("({})", list.join(", "))
    }

    /// The SQL expression for "now".
    pub(crate) fn now(self) -> &'static str {
        if self.pg() {
            "now()"
        } else {
            tessera_migrations::SQLITE_NOW
        }
    }

    /// A statement with bound values.
    pub(crate) fn stmt(self, sql: String, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.backend(), sql, values)
    }

    pub(crate) fn uuid(self, id: Uuid) -> Value {
        self.opt_uuid(Some(id))
    }

    pub(crate) fn opt_uuid(self, id: Option<Uuid>) -> Value {
        if self.pg() {
            Value::Uuid(id)
        } else {
            Value::String(id.map(|id| id.hyphenated().to_string()))
        }
    }

    pub(crate) fn text(self, s: impl Into<String>) -> Value {
        Value::String(Some(s.into()))
    }

    pub(crate) fn opt_text(self, s: Option<&str>) -> Value {
        Value::String(s.map(str::to_owned))
    }

    pub(crate) fn boolean(self, b: bool) -> Value {
        if self.pg() {
            Value::Bool(Some(b))
        } else {
            Value::BigInt(Some(i64::from(b)))
        }
    }

    pub(crate) fn opt_boolean(self, b: Option<bool>) -> Value {
        if self.pg() {
            Value::Bool(b)
        } else {
            Value::BigInt(b.map(i64::from))
        }
    }

    pub(crate) fn int(self, n: i64) -> Value {
        Value::BigInt(Some(n))
    }

    pub(crate) fn json(self, v: Option<&serde_json::Value>) -> Value {
        if self.pg() {
            Value::Json(v.map(|v| Box::new(v.clone())))
        } else {
            Value::String(v.map(|v| v.to_string()))
        }
    }

    pub(crate) fn ts(self, t: DateTime<Utc>) -> Value {
        self.opt_ts(Some(t))
    }

    pub(crate) fn opt_ts(self, t: Option<DateTime<Utc>>) -> Value {
        if self.pg() {
            Value::ChronoDateTimeUtc(t)
        } else {
            Value::String(t.map(sqlite_timestamp))
        }
    }

    // ---- reads ----

    pub(crate) fn get_uuid(self, row: &QueryResult, col: &str) -> Result<Uuid, StoreError> {
        self.get_opt_uuid(row, col)?
            .ok_or_else(|| StoreError::corrupt(format!("{col} is null")))
    }

    pub(crate) fn get_opt_uuid(
        self,
        row: &QueryResult,
        col: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        if self.pg() {
            Ok(row.try_get::<Option<Uuid>>("", col)?)
        } else {
            row.try_get::<Option<String>>("", col)?
                .map(|s| {
                    Uuid::parse_str(&s).map_err(|e| StoreError::corrupt(format!("{col}: {e}")))
                })
                .transpose()
        }
    }

    pub(crate) fn get_text(self, row: &QueryResult, col: &str) -> Result<String, StoreError> {
        Ok(row.try_get::<String>("", col)?)
    }

    pub(crate) fn get_opt_text(
        self,
        row: &QueryResult,
        col: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(row.try_get::<Option<String>>("", col)?)
    }

    pub(crate) fn get_bool(self, row: &QueryResult, col: &str) -> Result<bool, StoreError> {
        if self.pg() {
            Ok(row.try_get::<bool>("", col)?)
        } else {
            Ok(row.try_get::<i64>("", col)? != 0)
        }
    }

    pub(crate) fn get_opt_bool(
        self,
        row: &QueryResult,
        col: &str,
    ) -> Result<Option<bool>, StoreError> {
        if self.pg() {
            Ok(row.try_get::<Option<bool>>("", col)?)
        } else {
            Ok(row.try_get::<Option<i64>>("", col)?.map(|n| n != 0))
        }
    }

    pub(crate) fn get_int(self, row: &QueryResult, col: &str) -> Result<i64, StoreError> {
        Ok(row.try_get::<i64>("", col)?)
    }

    pub(crate) fn get_json(
        self,
        row: &QueryResult,
        col: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        if self.pg() {
            Ok(row.try_get::<Option<serde_json::Value>>("", col)?)
        } else {
            row.try_get::<Option<String>>("", col)?
                .map(|s| {
                    serde_json::from_str(&s).map_err(|e| StoreError::corrupt(format!("{col}: {e}")))
                })
                .transpose()
        }
    }

    pub(crate) fn get_ts(self, row: &QueryResult, col: &str) -> Result<DateTime<Utc>, StoreError> {
        self.get_opt_ts(row, col)?
            .ok_or_else(|| StoreError::corrupt(format!("{col} is null")))
    }

    pub(crate) fn get_opt_ts(
        self,
        row: &QueryResult,
        col: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        if self.pg() {
            Ok(row.try_get::<Option<DateTime<Utc>>>("", col)?)
        } else {
            row.try_get::<Option<String>>("", col)?
                .map(|s| {
                    DateTime::parse_from_rfc3339(&s)
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(|e| StoreError::corrupt(format!("{col}: {e}")))
                })
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sqlite_timestamps_have_milliseconds_and_z() {
        let t = Utc
            .with_ymd_and_hms(2027, 1, 2, 3, 4, 5)
            .single()
            .expect("valid");
        assert_eq!(sqlite_timestamp(t), "2027-01-02T03:04:05.000Z");
    }
}
