//! The DDL of a metadata change, worked out from the physical models before and after
//! ([`tessera_metadata::validate::physical_model`]: inactive objects and fields included,
//! since their tables and columns exist). Objects and fields are paired by id, columns of a
//! field by position (a field's type never changes).
//!
//! Order: renames (tables, columns, enum types), option migrations, dropped fields, dropped
//! objects, new objects, changed fields (defaults, nullability, indexes), new fields, and on
//! SQLite the table rebuilds that replace the changes SQLite's `ALTER TABLE` cannot make.

mod fields;
mod options;
mod sqlite;

use std::collections::HashSet;

use tessera_metadata::{FieldModel, IndexMetadata, ObjectModel, WorkspaceModel};
use tessera_query::Dialect;
use uuid::Uuid;

use crate::StoreError;
use crate::ddl::{Ddl, custom_indexes};
use crate::sql::{ident, qualified};

/// One DDL statement. `field` (object, field) names the field whose existing data could make
/// it fail (a unique index over duplicates, NOT NULL over NULLs): such a failure is reported
/// as `ValidationError::ExistingData` for that field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Step {
    /// The statement.
    pub(crate) sql: String,
    /// The field to blame when existing data refuses the statement.
    pub(crate) field: Option<(String, String)>,
}

/// The statements turning the storage of `old` into that of `new` (both physical models).
/// `schema` names the workspace's tables (PostgreSQL schema, or the attached SQLite file).
///
/// Errors: a default value that does not fit its column ([`StoreError::InvalidDefault`]).
pub(crate) fn plan(
    dialect: Dialect,
    schema: &str,
    old: &WorkspaceModel,
    new: &WorkspaceModel,
) -> Result<Vec<Step>, StoreError> {
    let mut p = Planner {
        dialect,
        schema,
        old: Ddl {
            dialect,
            schema: Some(schema),
            model: old,
        },
        new: Ddl {
            dialect,
            schema: Some(schema),
            model: new,
        },
        steps: Vec::new(),
        migrated: HashSet::new(),
    };
    let pairs: Vec<(&ObjectModel, &ObjectModel)> = new
        .objects
        .iter()
        .filter_map(|n| by_id(old, n.meta.id).map(|o| (o, n)))
        .collect();
    let rebuilds: Vec<Option<(String, String)>> = pairs
        .iter()
        .map(|(o, n)| match dialect {
            Dialect::Sqlite => sqlite::needs_rebuild(o, n),
            Dialect::Postgres => None,
        })
        .collect();
    for (o, n) in &pairs {
        p.renames(o, n);
    }
    for (o, n) in &pairs {
        p.migrate_options(o, n)?;
    }
    for (o, n) in &pairs {
        p.drop_custom_indexes(o, n);
    }
    for ((o, n), rebuild) in pairs.iter().zip(&rebuilds) {
        if rebuild.is_none() {
            p.drop_fields(o, n);
        }
    }
    for o in old
        .objects
        .iter()
        .filter(|o| by_id(new, o.meta.id).is_none())
    {
        p.drop_object(o);
    }
    for n in new
        .objects
        .iter()
        .filter(|n| by_id(old, n.meta.id).is_none())
    {
        p.create_object(n)?;
    }
    for ((o, n), rebuild) in pairs.iter().zip(&rebuilds) {
        if rebuild.is_none() {
            p.alter_fields(o, n)?;
            p.add_fields(o, n)?;
            p.create_custom_indexes(o, n);
        }
    }
    for ((o, n), rebuild) in pairs.iter().zip(rebuilds) {
        if let Some(blame) = rebuild {
            p.rebuild(o, n, blame)?;
        }
    }
    Ok(p.steps)
}

fn by_id(model: &WorkspaceModel, id: Uuid) -> Option<&ObjectModel> {
    model.objects.iter().find(|o| o.meta.id == id)
}

/// Fields of `new` paired with the same field (by id) in `old`.
fn field_pairs<'a>(
    old: &'a ObjectModel,
    new: &'a ObjectModel,
) -> impl Iterator<Item = (&'a FieldModel, &'a FieldModel)> {
    new.fields.iter().filter_map(move |n| {
        old.fields
            .iter()
            .find(|o| o.meta.id == n.meta.id)
            .map(|o| (o, n))
    })
}

/// Fields of `a` that `b` does not have (by id).
fn missing<'a>(a: &'a ObjectModel, b: &'a ObjectModel) -> impl Iterator<Item = &'a FieldModel> {
    a.fields
        .iter()
        .filter(move |f| !b.fields.iter().any(|g| g.meta.id == f.meta.id))
}

/// `(object, field)` of a custom index's first field, blamed when existing duplicates refuse
/// a unique index.
fn index_blame(object: &ObjectModel, index: &IndexMetadata) -> Option<(String, String)> {
    let first = index.fields.first()?;
    let field = object
        .fields
        .iter()
        .find(|f| f.meta.id == first.field_metadata_id)?;
    blame(object, field)
}

/// `(object, field)` for blaming existing data.
fn blame(object: &ObjectModel, field: &FieldModel) -> Option<(String, String)> {
    Some((object.singular().to_owned(), field.name().to_owned()))
}

/// Collects the statements of one change.
struct Planner<'a> {
    dialect: Dialect,
    schema: &'a str,
    /// Statement builder over the model before the change.
    old: Ddl<'a>,
    /// Statement builder over the model after the change.
    new: Ddl<'a>,
    steps: Vec<Step>,
    /// Columns `(field id, column)` whose enum type was recreated (their default is reset
    /// there already).
    migrated: HashSet<(Uuid, String)>,
}

impl Planner<'_> {
    fn push(&mut self, sql: String) {
        self.steps.push(Step { sql, field: None });
    }

    fn push_blamed(&mut self, sql: String, field: Option<(String, String)>) {
        self.steps.push(Step { sql, field });
    }

    fn table(&self, table: &str) -> String {
        qualified(Some(self.schema), table)
    }

    /// Table, column and (PostgreSQL) enum type renames.
    fn renames(&mut self, old: &ObjectModel, new: &ObjectModel) {
        if old.table != new.table {
            let sql = format!(
                "ALTER TABLE {} RENAME TO {}",
                self.table(&old.table),
                ident(&new.table)
            );
            self.push(sql);
            // PostgreSQL names the primary key `<table>_pkey`; keep it in step.
            let (old_pkey, new_pkey) =
                (format!("{}_pkey", old.table), format!("{}_pkey", new.table));
            if self.dialect == Dialect::Postgres && new_pkey.len() <= 63 && old_pkey.len() <= 63 {
                let sql = format!(
                    "ALTER INDEX IF EXISTS {} RENAME TO {}",
                    self.table(&old_pkey),
                    ident(&new_pkey)
                );
                self.push(sql);
            }
        }
        let table = self.table(&new.table);
        for (of, nf) in field_pairs(old, new) {
            for (oc, nc) in of.columns().into_iter().zip(nf.columns()) {
                if oc.name != nc.name {
                    self.push(format!(
                        "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                        ident(&oc.name),
                        ident(&nc.name)
                    ));
                }
                if self.dialect == Dialect::Postgres
                    && let (Some(ot), Some(nt)) = (&oc.pg_enum_type, &nc.pg_enum_type)
                    && ot != nt
                {
                    self.push(format!(
                        "ALTER TYPE {} RENAME TO {}",
                        self.table(ot),
                        ident(nt)
                    ));
                }
            }
        }
    }

    /// Drops the tables (and PostgreSQL enum types) of deleted objects.
    fn drop_object(&mut self, object: &ObjectModel) {
        self.push(format!(
            "DROP TABLE IF EXISTS {}",
            self.table(&object.table)
        ));
        for field in &object.fields {
            let drops = self.old.drop_enums(field);
            for sql in drops {
                self.push(sql);
            }
        }
    }

    /// Drops the custom indexes `new` no longer has (before any column they cover is dropped:
    /// SQLite refuses to drop an indexed column).
    fn drop_custom_indexes(&mut self, old: &ObjectModel, new: &ObjectModel) {
        for index in &old.meta.indexes {
            if !new.meta.indexes.iter().any(|i| i.id == index.id) {
                let sql = self.old.drop_index(&index.name);
                self.push(sql);
            }
        }
    }

    /// Creates the custom indexes `old` did not have.
    fn create_custom_indexes(&mut self, old: &ObjectModel, new: &ObjectModel) {
        for (index, meta) in custom_indexes(new).iter().zip(&new.meta.indexes) {
            if !old.meta.indexes.iter().any(|i| i.id == meta.id) {
                let sql = self.new.create_index(&new.table, index);
                self.push_blamed(sql, index_blame(new, meta));
            }
        }
    }

    /// Creates the enum types, table, foreign keys and indexes of a new object.
    fn create_object(&mut self, object: &ObjectModel) -> Result<(), StoreError> {
        for field in &object.fields {
            for sql in self.new.create_enums(field) {
                self.push(sql);
            }
        }
        let sql = self.new.create_table(object)?;
        self.push(sql);
        for field in &object.fields {
            for sql in self.new.field_constraints(object, field) {
                self.push_blamed(sql, blame(object, field));
            }
        }
        Ok(())
    }
}
