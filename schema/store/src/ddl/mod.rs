//! DDL for a workspace's record tables, generated from a [`WorkspaceModel`]: one table per
//! object, one column per [`ColumnModel`], enum types (PostgreSQL), foreign keys for
//! many-to-one relations, indexes on join columns and partial unique indexes on unique fields.
//!
//! [`Ddl`] builds single statements (a table, a field's columns, an index, ...) so workspace
//! creation ([`workspace_ddl`]) and metadata changes (`crate::changes`) share one generator.

mod columns;
mod defaults;
mod indexes;

use tessera_metadata::WorkspaceModel;
use tessera_query::Dialect;

use crate::StoreError;
use crate::sql::{ident, qualified};
pub(crate) use columns::{column_default, is_constant_default};
pub(crate) use indexes::{custom_indexes, field_indexes, foreign_key_name, unique_column};

/// Statement builder for one dialect, one workspace schema and one model (used to resolve
/// relation targets' tables).
///
/// `schema` names the workspace's tables: on PostgreSQL the workspace schema; on SQLite
/// `None` for the workspace file itself, or the name the file is attached under
/// (metadata changes run on the system database with the workspace file attached).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ddl<'a> {
    pub(crate) dialect: Dialect,
    pub(crate) schema: Option<&'a str>,
    pub(crate) model: &'a WorkspaceModel,
}

impl Ddl<'_> {
    /// A table of the workspace, schema-qualified when there is a schema.
    pub(crate) fn table(&self, table: &str) -> String {
        qualified(self.schema, table)
    }

    /// The table of the object named `target` (its `nameSingular`).
    pub(crate) fn target_table(&self, target: &str) -> String {
        self.model
            .object(target)
            .map(|o| o.table.clone())
            .unwrap_or_else(|| target.to_owned())
    }
}

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
            for field in &object.fields {
                out.extend(ddl.create_enums(field));
            }
        }
    }
    for object in &model.objects {
        out.push(ddl.create_table(object)?);
    }
    for object in &model.objects {
        for field in &object.fields {
            out.extend(ddl.field_constraints(object, field));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
