//! SQLite table rebuilds: the changes its `ALTER TABLE` cannot make (dropping a column with
//! a foreign key, changing NOT NULL or a default, adding a NOT NULL column without default
//! or a column with a non-constant default) rebuild the table following SQLite's documented
//! procedure (<https://sqlite.org/lang_altertable.html#otheralter>): create the new table,
//! copy the rows, drop the old table, rename the new one, recreate the indexes. Foreign keys
//! are off on the change connection, and checked before the commit.

use tessera_metadata::{FieldKind, ObjectModel};

use super::{Planner, blame, field_pairs, missing};
use crate::StoreError;
use crate::ddl::{Ddl, column_default, custom_indexes, field_indexes, is_constant_default};
use crate::sql::ident;

/// Whether the change of one table needs a rebuild on SQLite, and then the field to blame
/// when existing rows do not fit the new table.
pub(super) fn needs_rebuild(old: &ObjectModel, new: &ObjectModel) -> Option<(String, String)> {
    for field in missing(old, new) {
        if matches!(field.kind, FieldKind::ManyToOne { .. }) {
            return blame(new, field);
        }
    }
    for (of, nf) in field_pairs(old, new) {
        for (oc, nc) in of.columns().into_iter().zip(nf.columns()) {
            if Ddl::not_null(of, oc) != Ddl::not_null(nf, nc)
                || column_default(of, &oc.name) != column_default(nf, &nc.name)
            {
                return blame(new, nf);
            }
        }
    }
    for field in missing(new, old) {
        for col in field.columns() {
            let default = column_default(field, &col.name);
            if (Ddl::not_null(field, col) && default.is_none()) || !is_constant_default(default) {
                return blame(new, field);
            }
        }
    }
    None
}

/// Suffix of the table a rebuild fills before it takes the real name.
const REBUILD_SUFFIX: &str = "__tessera_rebuild";

impl Planner<'_> {
    /// Rebuilds `new`'s table (already renamed to its new name, with renamed columns and
    /// migrated option values) into its new definition.
    pub(super) fn rebuild(
        &mut self,
        old: &ObjectModel,
        new: &ObjectModel,
        blamed: (String, String),
    ) -> Result<(), StoreError> {
        let tmp = format!("{}{REBUILD_SUFFIX}", new.table);
        let create = self.new.create_table_as(new, &tmp)?;
        self.push(create);
        let columns: Vec<String> = field_pairs(old, new)
            .flat_map(|(_, nf)| nf.columns().into_iter().map(|c| ident(&c.name)))
            .collect();
        // Qualified in the SELECT: SQLite reads an unknown bare "name" as a string literal.
        let sources: Vec<String> = columns.iter().map(|c| format!("o.{c}")).collect();
        self.push_blamed(
            format!(
                "INSERT INTO {} ({}) SELECT {} FROM {} AS o",
                self.table(&tmp),
                columns.join(", "),
                sources.join(", "),
                self.table(&new.table)
            ),
            Some(blamed),
        );
        self.push(format!("DROP TABLE {}", self.table(&new.table)));
        self.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            self.table(&tmp),
            ident(&new.table)
        ));
        for field in &new.fields {
            for index in field_indexes(new, field) {
                let sql = self.new.create_index(&new.table, &index);
                self.push_blamed(sql, blame(new, field));
            }
        }
        for (index, meta) in custom_indexes(new).iter().zip(&new.meta.indexes) {
            let sql = self.new.create_index(&new.table, index);
            self.push_blamed(sql, super::index_blame(new, meta));
        }
        Ok(())
    }
}
