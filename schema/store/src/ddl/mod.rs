//! DDL for a workspace's record tables, generated from its [`WorkspaceModel`]: one table per
//! object, one column per [`ColumnModel`], enum types (PostgreSQL), foreign keys for
//! many-to-one relations, indexes on join columns and partial unique indexes on unique fields.

mod defaults;

use tessera_metadata::{
    ColumnModel, FieldKind, FieldModel, ObjectModel, OnDelete, ScalarKind, WorkspaceModel,
};
use tessera_query::Dialect;

use crate::StoreError;
use crate::sql::{ident, literal, object_name, qualified};
use defaults::DefaultCtx;
pub(crate) use defaults::{now_sql, uuid_sql};

/// Every statement that creates a workspace's storage, in execution order. On PostgreSQL the
/// first one creates `schema`; on SQLite `schema` is `None` (the workspace is its own file).
///
/// Errors: a default value that does not fit its column ([`StoreError::InvalidDefault`]).
pub(crate) fn workspace_ddl(
    dialect: Dialect,
    schema: Option<&str>,
    model: &WorkspaceModel,
) -> Result<Vec<String>, StoreError> {
    let ddl = Ddl {
        dialect,
        schema,
        model,
    };
    let mut out = Vec::new();
    if let (Dialect::Postgres, Some(schema)) = (dialect, schema) {
        out.push(format!("CREATE SCHEMA {}", ident(schema)));
        for object in &model.objects {
            for col in object.columns() {
                if let Some(stmt) = ddl.create_enum(col) {
                    out.push(stmt);
                }
            }
        }
    }
    for object in &model.objects {
        out.push(ddl.create_table(object)?);
    }
    for object in &model.objects {
        for field in &object.fields {
            if let FieldKind::ManyToOne {
                join_column,
                target,
                on_delete,
                ..
            } = &field.kind
            {
                if dialect == Dialect::Postgres {
                    out.push(ddl.add_foreign_key(object, join_column, target, *on_delete));
                }
                out.push(format!(
                    "CREATE INDEX {} ON {} ({})",
                    ident(&object_name("IDX", &object.table, &join_column.name)),
                    ddl.table(&object.table),
                    ident(&join_column.name)
                ));
            }
            if field.meta.is_unique
                && let Some(col) = unique_column(field)
                && field.name() != "id"
            {
                let partial = if object.field("deletedAt").is_some() {
                    " WHERE \"deletedAt\" IS NULL"
                } else {
                    ""
                };
                out.push(format!(
                    "CREATE UNIQUE INDEX {} ON {} ({}){partial}",
                    ident(&object_name("IDX_UNIQUE", &object.table, &col.name)),
                    ddl.table(&object.table),
                    ident(&col.name)
                ));
            }
        }
    }
    Ok(out)
}

/// The column a unique field's index covers: the column of a scalar field, the primary
/// sub-field of a composite (`emailsPrimaryEmail`, `domainNamePrimaryLinkUrl`,
/// `phonesPrimaryPhoneNumber`; otherwise its first sub-field).
pub(crate) fn unique_column(field: &FieldModel) -> Option<&ColumnModel> {
    match &field.kind {
        FieldKind::Scalar(col) => Some(col),
        FieldKind::ManyToOne { join_column, .. } => Some(join_column),
        FieldKind::Composite { sub_fields, .. } => {
            ["primaryEmail", "primaryLinkUrl", "primaryPhoneNumber"]
                .iter()
                .find_map(|p| field.sub_field(p))
                .or_else(|| sub_fields.first())
                .map(|s| &s.column)
        }
        FieldKind::OneToMany { .. } => None,
    }
}

struct Ddl<'a> {
    dialect: Dialect,
    schema: Option<&'a str>,
    model: &'a WorkspaceModel,
}

impl Ddl<'_> {
    fn table(&self, table: &str) -> String {
        qualified(self.schema, table)
    }

    fn create_enum(&self, col: &ColumnModel) -> Option<String> {
        if !matches!(col.kind, ScalarKind::Enum | ScalarKind::EnumArray) {
            return None;
        }
        let name = col.pg_enum_type.as_deref()?;
        let values: Vec<String> = col.enum_values.iter().map(|v| literal(v)).collect();
        Some(format!(
            "CREATE TYPE {} AS ENUM ({})",
            qualified(self.schema, name),
            values.join(", ")
        ))
    }

    fn column_type(&self, col: &ColumnModel) -> String {
        let enum_type = || {
            col.pg_enum_type
                .as_deref()
                .map(|t| qualified(self.schema, t))
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

    fn create_table(&self, object: &ObjectModel) -> Result<String, StoreError> {
        let mut defs = Vec::new();
        for field in &object.fields {
            let defaults = field.meta.default_value.as_ref();
            match &field.kind {
                FieldKind::Scalar(col) => defs.push(self.column(field, col, defaults)?),
                FieldKind::Composite { sub_fields, .. } => {
                    for sub in sub_fields {
                        let default = defaults.and_then(|d| d.get(sub.def.name));
                        defs.push(self.column(field, &sub.column, default)?);
                    }
                }
                FieldKind::ManyToOne {
                    join_column,
                    target,
                    on_delete,
                    ..
                } => {
                    let mut def = self.column(field, join_column, None)?;
                    if self.dialect == Dialect::Sqlite {
                        def.push_str(&format!(
                            " REFERENCES {} (\"id\") ON DELETE {}",
                            ident(&self.target_table(target)),
                            on_delete_sql(*on_delete)
                        ));
                    }
                    defs.push(def);
                }
                FieldKind::OneToMany { .. } => {}
            }
        }
        Ok(format!(
            "CREATE TABLE {} (\n  {}\n)",
            self.table(&object.table),
            defs.join(",\n  ")
        ))
    }

    /// One column definition: name, type, NOT NULL, DEFAULT, PRIMARY KEY.
    fn column(
        &self,
        field: &FieldModel,
        col: &ColumnModel,
        default: Option<&serde_json::Value>,
    ) -> Result<String, StoreError> {
        let ctx = DefaultCtx {
            dialect: self.dialect,
            schema: self.schema,
        };
        let is_id = field.name() == "id" && matches!(field.kind, FieldKind::Scalar(_));
        let is_stamp = matches!(field.name(), "createdAt" | "updatedAt")
            && col.kind == ScalarKind::DateTime
            && matches!(field.kind, FieldKind::Scalar(_));
        let mut default = match default {
            Some(value) => ctx.sql(col, value)?,
            None => None,
        };
        if default.is_none() && is_id {
            default = Some(uuid_sql(self.dialect).to_owned());
        }
        if default.is_none() && is_stamp {
            default = Some(now_sql(self.dialect, col.kind).to_owned());
        }
        let mut def = format!("{} {}", ident(&col.name), self.column_type(col));
        if !col.nullable || is_id || is_stamp {
            def.push_str(" NOT NULL");
        }
        if let Some(default) = default {
            def.push_str(&format!(" DEFAULT ({default})"));
        }
        if is_id {
            def.push_str(" PRIMARY KEY");
        }
        Ok(def)
    }

    fn target_table(&self, target: &str) -> String {
        self.model
            .object(target)
            .map(|o| o.table.clone())
            .unwrap_or_else(|| target.to_owned())
    }

    fn add_foreign_key(
        &self,
        object: &ObjectModel,
        join_column: &ColumnModel,
        target: &str,
        on_delete: OnDelete,
    ) -> String {
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} (\"id\") ON DELETE {}",
            self.table(&object.table),
            ident(&object_name("FK", &object.table, &join_column.name)),
            ident(&join_column.name),
            self.table(&self.target_table(target)),
            on_delete_sql(on_delete)
        )
    }
}

fn on_delete_sql(on_delete: OnDelete) -> &'static str {
    match on_delete {
        OnDelete::Cascade => "CASCADE",
        OnDelete::SetNull => "SET NULL",
        OnDelete::Restrict => "RESTRICT",
        OnDelete::NoAction => "NO ACTION",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::WorkspaceId;
    use tessera_metadata::standard::standard_objects;

    fn model() -> WorkspaceModel {
        let objects = standard_objects();
        WorkspaceModel::build(WorkspaceId::new_random(), 1, &objects).expect("valid")
    }

    #[test]
    fn postgres_ddl_names_everything_schema_qualified() {
        let model = model();
        let ddl = workspace_ddl(Dialect::Postgres, Some("workspace_x"), &model).expect("ddl");
        assert_eq!(ddl[0], "CREATE SCHEMA \"workspace_x\"");
        let person = ddl
            .iter()
            .find(|s| s.starts_with("CREATE TABLE \"workspace_x\".\"person\""))
            .expect("person table");
        assert!(person.contains("\"id\" uuid NOT NULL DEFAULT (gen_random_uuid()) PRIMARY KEY"));
        assert!(person.contains("\"nameFirstName\" text,"));
        assert!(person.contains("\"createdAt\" timestamptz NOT NULL DEFAULT (now())"));
        assert!(person.contains(
            "\"createdBySource\" \"workspace_x\".\"person_createdBySource_enum\" DEFAULT ('MANUAL'::\"workspace_x\".\"person_createdBySource_enum\")"
        ));
        assert!(ddl.iter().any(|s| s
            == "CREATE UNIQUE INDEX \"IDX_UNIQUE_person_emailsPrimaryEmail\" ON \"workspace_x\".\"person\" (\"emailsPrimaryEmail\") WHERE \"deletedAt\" IS NULL"));
        assert!(ddl.iter().any(|s| s.starts_with(
            "ALTER TABLE \"workspace_x\".\"person\" ADD CONSTRAINT \"FK_person_companyId\" FOREIGN KEY (\"companyId\") REFERENCES \"workspace_x\".\"company\" (\"id\") ON DELETE SET NULL"
        )));
        assert!(ddl.iter().any(|s| s.starts_with(
            "CREATE TYPE \"workspace_x\".\"opportunity_stage_enum\" AS ENUM ('NEW', 'SCREENING'"
        )));
        let opportunity = ddl
            .iter()
            .find(|s| s.starts_with("CREATE TABLE \"workspace_x\".\"opportunity\""))
            .expect("opportunity table");
        assert!(opportunity.contains(
            "\"stage\" \"workspace_x\".\"opportunity_stage_enum\" NOT NULL DEFAULT ('NEW'::"
        ));
    }

    #[test]
    fn sqlite_ddl_inlines_foreign_keys() {
        let model = model();
        let ddl = workspace_ddl(Dialect::Sqlite, None, &model).expect("ddl");
        let person = ddl
            .iter()
            .find(|s| s.starts_with("CREATE TABLE \"person\""))
            .expect("person table");
        assert!(
            person
                .contains("\"companyId\" TEXT REFERENCES \"company\" (\"id\") ON DELETE SET NULL")
        );
        assert!(person.contains("\"position\" REAL NOT NULL DEFAULT (0)"));
        assert!(
            !ddl.iter()
                .any(|s| s.starts_with("ALTER TABLE") || s.starts_with("CREATE TYPE"))
        );
        let company = ddl
            .iter()
            .find(|s| s.starts_with("CREATE TABLE \"company\""))
            .expect("company table");
        assert!(company.contains("\"idealCustomerProfile\" INTEGER NOT NULL DEFAULT (0)"));
    }
}
