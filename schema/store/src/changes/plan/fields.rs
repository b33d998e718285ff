//! Dropped, changed and new fields of an object that exists before and after the change.

use tessera_metadata::{FieldKind, FieldModel, ObjectModel};
use tessera_query::Dialect;

use super::{Planner, blame, field_pairs, missing};
use crate::StoreError;
use crate::ddl::{Ddl, column_default, field_indexes, foreign_key_name};
use crate::sql::ident;

impl Planner<'_> {
    /// Drops the columns of deleted fields (with their indexes, and PostgreSQL enum types).
    /// On SQLite only for columns `ALTER TABLE … DROP COLUMN` accepts once their indexes are
    /// gone (join columns need a table rebuild, see `sqlite::needs_rebuild`).
    pub(super) fn drop_fields(&mut self, old: &ObjectModel, new: &ObjectModel) {
        let table = self.table(&new.table);
        for field in missing(old, new) {
            if self.dialect == Dialect::Sqlite {
                for index in field_indexes(old, field) {
                    let sql = self.old.drop_index(&index.name);
                    self.push(sql);
                }
            }
            let if_exists = match self.dialect {
                Dialect::Postgres => "IF EXISTS ",
                Dialect::Sqlite => "",
            };
            for col in field.columns() {
                self.push(format!(
                    "ALTER TABLE {table} DROP COLUMN {if_exists}{}",
                    ident(&col.name)
                ));
            }
            for sql in self.old.drop_enums(field) {
                self.push(sql);
            }
        }
    }

    /// Defaults and nullability (PostgreSQL; on SQLite these force a rebuild), then indexes
    /// and foreign key names of fields that exist before and after.
    pub(super) fn alter_fields(
        &mut self,
        old: &ObjectModel,
        new: &ObjectModel,
    ) -> Result<(), StoreError> {
        let table = self.table(&new.table);
        for (of, nf) in field_pairs(old, new) {
            if self.dialect == Dialect::Postgres {
                for (oc, nc) in of.columns().into_iter().zip(nf.columns()) {
                    let migrated = self.migrated.contains(&(nf.meta.id, nc.name.clone()));
                    if !migrated && column_default(of, &oc.name) != column_default(nf, &nc.name) {
                        let sql = match self.new.default_sql(nf, nc)? {
                            Some(d) => format!(
                                "ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT ({d})",
                                ident(&nc.name)
                            ),
                            None => format!(
                                "ALTER TABLE {table} ALTER COLUMN {} DROP DEFAULT",
                                ident(&nc.name)
                            ),
                        };
                        self.push(sql);
                    }
                    let (was, is) = (Ddl::not_null(of, oc), Ddl::not_null(nf, nc));
                    if was != is {
                        let sql = format!(
                            "ALTER TABLE {table} ALTER COLUMN {} {} NOT NULL",
                            ident(&nc.name),
                            if is { "SET" } else { "DROP" }
                        );
                        self.push_blamed(sql, blame(new, nf));
                    }
                }
            }
            self.indexes(old, of, new, nf);
        }
        Ok(())
    }

    /// Index changes of one field: dropped, created, or renamed with the field / table
    /// (PostgreSQL renames indexes and foreign keys; SQLite drops and recreates indexes).
    fn indexes(&mut self, old: &ObjectModel, of: &FieldModel, new: &ObjectModel, nf: &FieldModel) {
        let before = field_indexes(old, of);
        let after = field_indexes(new, nf);
        for index in &before {
            match after.iter().find(|i| i.unique == index.unique) {
                None => {
                    let sql = self.old.drop_index(&index.name);
                    self.push(sql);
                }
                Some(same) if same.name != index.name => match self.dialect {
                    Dialect::Postgres => {
                        let sql = format!(
                            "ALTER INDEX {} RENAME TO {}",
                            self.table(&index.name),
                            ident(&same.name)
                        );
                        self.push(sql);
                    }
                    Dialect::Sqlite => {
                        let drop = self.old.drop_index(&index.name);
                        self.push(drop);
                        let create = self.new.create_index(&new.table, same);
                        self.push_blamed(create, blame(new, nf));
                    }
                },
                Some(_) => {}
            }
        }
        for index in after
            .iter()
            .filter(|i| !before.iter().any(|b| b.unique == i.unique))
        {
            let sql = self.new.create_index(&new.table, index);
            self.push_blamed(sql, blame(new, nf));
        }
        if self.dialect == Dialect::Postgres
            && let (
                FieldKind::ManyToOne {
                    join_column: oj, ..
                },
                FieldKind::ManyToOne {
                    join_column: nj, ..
                },
            ) = (&of.kind, &nf.kind)
        {
            let (before, after) = (
                foreign_key_name(old, &oj.name),
                foreign_key_name(new, &nj.name),
            );
            if before != after {
                let sql = format!(
                    "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                    self.table(&new.table),
                    ident(&before),
                    ident(&after)
                );
                self.push(sql);
            }
        }
    }

    /// Adds the columns of new fields, with their enum types (PostgreSQL), foreign keys and
    /// indexes.
    pub(super) fn add_fields(
        &mut self,
        old: &ObjectModel,
        new: &ObjectModel,
    ) -> Result<(), StoreError> {
        for field in missing(new, old) {
            for sql in self.new.create_enums(field) {
                self.push(sql);
            }
            for sql in self.new.add_columns(new, field)? {
                self.push_blamed(sql, blame(new, field));
            }
            for sql in self.new.field_constraints(new, field) {
                self.push_blamed(sql, blame(new, field));
            }
        }
        Ok(())
    }
}
