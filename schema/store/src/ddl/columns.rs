//! Tables, columns and enum types.

use serde_json::Value;
use tessera_metadata::{ColumnModel, FieldKind, FieldModel, ObjectModel, ScalarKind};
use tessera_query::Dialect;

use super::Ddl;
use super::defaults::{DefaultCtx, now_sql, uuid_sql};
use super::indexes::on_delete_sql;
use crate::StoreError;
use crate::sql::{ident, literal, qualified};

/// The stored default of one of `field`'s columns: the field's `defaultValue` for scalars,
/// its entry for the sub-field of a composite, none for join columns. JSON `null` is none.
pub(crate) fn column_default<'f>(field: &'f FieldModel, column: &str) -> Option<&'f Value> {
    let value = match &field.kind {
        FieldKind::Scalar(_) => field.meta.default_value.as_ref(),
        FieldKind::Composite { .. } => {
            let sub = field.sub_field_of_column(column)?;
            field.meta.default_value.as_ref()?.get(sub)
        }
        FieldKind::ManyToOne { .. } | FieldKind::OneToMany { .. } => None,
    };
    value.filter(|v| !v.is_null())
}

/// Whether a stored default is a constant (SQLite's `ADD COLUMN` refuses `now`/`uuid`).
pub(crate) fn is_constant_default(value: Option<&Value>) -> bool {
    !matches!(value, Some(Value::String(s)) if s == "now" || s == "uuid")
}

impl Ddl<'_> {
    /// The (qualified) name of a PostgreSQL enum type.
    pub(crate) fn enum_type(&self, name: &str) -> String {
        qualified(self.schema, name)
    }

    /// `CREATE TYPE … AS ENUM (…)` for an enum column (PostgreSQL), `values` in order.
    pub(crate) fn create_enum_type(&self, name: &str, values: &[String]) -> String {
        let values: Vec<String> = values.iter().map(|v| literal(v)).collect();
        format!(
            "CREATE TYPE {} AS ENUM ({})",
            self.enum_type(name),
            values.join(", ")
        )
    }

    /// The `CREATE TYPE` statements of a field's enum columns (PostgreSQL only; none on SQLite).
    pub(crate) fn create_enums(&self, field: &FieldModel) -> Vec<String> {
        if self.dialect != Dialect::Postgres {
            return Vec::new();
        }
        field
            .columns()
            .into_iter()
            .filter(|c| matches!(c.kind, ScalarKind::Enum | ScalarKind::EnumArray))
            .filter_map(|c| {
                c.pg_enum_type
                    .as_deref()
                    .map(|t| self.create_enum_type(t, &c.enum_values))
            })
            .collect()
    }

    /// The `DROP TYPE IF EXISTS` statements of a field's enum columns (PostgreSQL only).
    pub(crate) fn drop_enums(&self, field: &FieldModel) -> Vec<String> {
        if self.dialect != Dialect::Postgres {
            return Vec::new();
        }
        field
            .columns()
            .into_iter()
            .filter_map(|c| c.pg_enum_type.as_deref())
            .map(|t| format!("DROP TYPE IF EXISTS {}", self.enum_type(t)))
            .collect()
    }

    pub(crate) fn column_type(&self, col: &ColumnModel) -> String {
        let enum_type = || {
            col.pg_enum_type
                .as_deref()
                .map(|t| self.enum_type(t))
                .unwrap_or_else(|| "text".to_owned())
        };
        match self.dialect {
            Dialect::Postgres => match col.kind {
                ScalarKind::Uuid => "uuid".to_owned(),
                ScalarKind::Text => "text".to_owned(),
                ScalarKind::Float | ScalarKind::Int | ScalarKind::Position => {
                    "double precision".to_owned()
                }
                ScalarKind::Numeric => "numeric".to_owned(),
                ScalarKind::Boolean => "boolean".to_owned(),
                ScalarKind::Date => "date".to_owned(),
                ScalarKind::DateTime => "timestamptz".to_owned(),
                ScalarKind::Json => "jsonb".to_owned(),
                ScalarKind::TextArray => "text[]".to_owned(),
                ScalarKind::Enum => enum_type(),
                ScalarKind::EnumArray => format!("{}[]", enum_type()),
            },
            Dialect::Sqlite => match col.kind {
                ScalarKind::Uuid
                | ScalarKind::Text
                | ScalarKind::Date
                | ScalarKind::DateTime
                | ScalarKind::Enum
                | ScalarKind::Json
                | ScalarKind::TextArray
                | ScalarKind::EnumArray => "TEXT",
                ScalarKind::Float | ScalarKind::Int | ScalarKind::Position => "REAL",
                ScalarKind::Numeric => "NUMERIC",
                ScalarKind::Boolean => "INTEGER",
            }
            .to_owned(),
        }
    }

    /// `CREATE TABLE` for an object, under its own table name.
    pub(crate) fn create_table(&self, object: &ObjectModel) -> Result<String, StoreError> {
        self.create_table_as(object, &object.table)
    }

    /// `CREATE TABLE` for an object under another name (SQLite table rebuilds).
    pub(crate) fn create_table_as(
        &self,
        object: &ObjectModel,
        table: &str,
    ) -> Result<String, StoreError> {
        let mut defs = Vec::new();
        for field in &object.fields {
            defs.extend(self.field_columns(field)?);
        }
        Ok(format!(
            "CREATE TABLE {} (\n  {}\n)",
            self.table(table),
            defs.join(",\n  ")
        ))
    }

    /// The column definitions of one field (none for one-to-many), with the inline foreign
    /// key of a join column on SQLite.
    pub(crate) fn field_columns(&self, field: &FieldModel) -> Result<Vec<String>, StoreError> {
        let mut defs = Vec::new();
        for col in field.columns() {
            let mut def = self.column(field, col)?;
            if let (
                Dialect::Sqlite,
                FieldKind::ManyToOne {
                    target, on_delete, ..
                },
            ) = (self.dialect, &field.kind)
            {
                def.push_str(&format!(
                    " REFERENCES {} (\"id\") ON DELETE {}",
                    ident(&self.target_table(target)),
                    on_delete_sql(*on_delete)
                ));
            }
            defs.push(def);
        }
        Ok(defs)
    }

    /// `ALTER TABLE … ADD COLUMN …`, one statement per column of `field`.
    pub(crate) fn add_columns(
        &self,
        object: &ObjectModel,
        field: &FieldModel,
    ) -> Result<Vec<String>, StoreError> {
        Ok(self
            .field_columns(field)?
            .into_iter()
            .map(|def| format!("ALTER TABLE {} ADD COLUMN {def}", self.table(&object.table)))
            .collect())
    }

    /// The SQL default of one column of `field`, if any: its stored default (validated
    /// against the column), a generated UUID for `id`, now for `createdAt` / `updatedAt`.
    ///
    /// Errors: a default that does not fit the column ([`StoreError::InvalidDefault`]).
    pub(crate) fn default_sql(
        &self,
        field: &FieldModel,
        col: &ColumnModel,
    ) -> Result<Option<String>, StoreError> {
        let ctx = DefaultCtx {
            dialect: self.dialect,
            schema: self.schema,
        };
        let mut default = match column_default(field, &col.name) {
            Some(value) => ctx.sql(col, value)?,
            None => None,
        };
        if default.is_none() && is_id(field) {
            default = Some(uuid_sql(self.dialect).to_owned());
        }
        if default.is_none() && is_stamp(field, col) {
            default = Some(now_sql(self.dialect, col.kind).to_owned());
        }
        Ok(default)
    }

    /// Whether a column is NOT NULL: not nullable in the model, or `id` / timestamps.
    pub(crate) fn not_null(field: &FieldModel, col: &ColumnModel) -> bool {
        !col.nullable || is_id(field) || is_stamp(field, col)
    }

    /// One column definition: name, type, NOT NULL, DEFAULT, PRIMARY KEY.
    fn column(&self, field: &FieldModel, col: &ColumnModel) -> Result<String, StoreError> {
        let mut def = format!("{} {}", ident(&col.name), self.column_type(col));
        if Self::not_null(field, col) {
            def.push_str(" NOT NULL");
        }
        if let Some(default) = self.default_sql(field, col)? {
            def.push_str(&format!(" DEFAULT ({default})"));
        }
        if is_id(field) {
            def.push_str(" PRIMARY KEY");
        }
        Ok(def)
    }
}

fn is_id(field: &FieldModel) -> bool {
    field.name() == "id" && matches!(field.kind, FieldKind::Scalar(_))
}

fn is_stamp(field: &FieldModel, col: &ColumnModel) -> bool {
    matches!(field.name(), "createdAt" | "updatedAt")
        && col.kind == ScalarKind::DateTime
        && matches!(field.kind, FieldKind::Scalar(_))
}
