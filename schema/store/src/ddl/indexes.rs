//! Indexes (join columns, unique fields) and foreign keys (many-to-one relations).

use tessera_metadata::{ColumnModel, FieldKind, FieldModel, IndexType, ObjectModel, OnDelete};
use tessera_query::Dialect;

use super::Ddl;
use crate::sql::{ident, object_name, qualified};

/// One index: of a field (join column, unique field) or a custom one (`createOneIndex`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexDef {
    /// Index name: `IDX_<table>_<column>` (join columns), `IDX_UNIQUE_<table>_<column>`, or
    /// the stored name of a custom index.
    pub(crate) name: String,
    /// The indexed columns, in order.
    pub(crate) columns: Vec<String>,
    /// A unique index (partial: live rows only, when the object has `deletedAt`).
    pub(crate) unique: bool,
    /// Restricted to rows with `"deletedAt" IS NULL`.
    pub(crate) partial: bool,
    /// `USING GIN` (PostgreSQL only; SQLite builds a plain index).
    pub(crate) gin: bool,
}

/// The custom indexes of an object (physical model: inactive fields included), with their
/// columns resolved: a field's column, a composite's chosen sub-field column or all of its
/// sub-field columns, a many-to-one relation's join column. Unique ones are partial (live
/// rows only) when the object has `deletedAt`.
pub(crate) fn custom_indexes(object: &ObjectModel) -> Vec<IndexDef> {
    object
        .meta
        .indexes
        .iter()
        .map(|index| {
            let columns = index
                .fields
                .iter()
                .filter_map(|entry| {
                    object
                        .fields
                        .iter()
                        .find(|f| f.meta.id == entry.field_metadata_id)
                        .map(|f| (f, entry))
                })
                .flat_map(|(field, entry)| match &entry.sub_field_name {
                    Some(sub) => field
                        .sub_field(sub)
                        .map(|s| vec![s.column.name.clone()])
                        .unwrap_or_default(),
                    None => field
                        .columns()
                        .into_iter()
                        .map(|c| c.name.clone())
                        .collect(),
                })
                .collect();
            IndexDef {
                name: index.name.clone(),
                columns,
                unique: index.is_unique,
                partial: index.is_unique && object.field("deletedAt").is_some(),
                gin: index.index_type == IndexType::Gin,
            }
        })
        .collect()
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

pub(crate) fn on_delete_sql(on_delete: OnDelete) -> &'static str {
    match on_delete {
        OnDelete::Cascade => "CASCADE",
        OnDelete::SetNull => "SET NULL",
        OnDelete::Restrict => "RESTRICT",
        OnDelete::NoAction => "NO ACTION",
    }
}

/// The indexes of one field: the join column's index (many-to-one), the unique index
/// (unique fields other than `id`, which is the primary key).
pub(crate) fn field_indexes(object: &ObjectModel, field: &FieldModel) -> Vec<IndexDef> {
    let mut out = Vec::new();
    if let FieldKind::ManyToOne { join_column, .. } = &field.kind {
        out.push(IndexDef {
            name: object_name("IDX", &object.table, &join_column.name),
            columns: vec![join_column.name.clone()],
            unique: false,
            partial: false,
            gin: false,
        });
    }
    if field.meta.is_unique
        && field.name() != "id"
        && let Some(col) = unique_column(field)
    {
        out.push(IndexDef {
            name: object_name("IDX_UNIQUE", &object.table, &col.name),
            columns: vec![col.name.clone()],
            unique: true,
            partial: object.field("deletedAt").is_some(),
            gin: false,
        });
    }
    out
}

/// The foreign key constraint name of a join column: `FK_<table>_<column>`.
pub(crate) fn foreign_key_name(object: &ObjectModel, join_column: &str) -> String {
    object_name("FK", &object.table, join_column)
}

impl Ddl<'_> {
    /// `CREATE [UNIQUE] INDEX` on one of `table`'s columns. PostgreSQL names the table
    /// schema-qualified; SQLite names the index schema-qualified instead.
    pub(crate) fn create_index(&self, table: &str, index: &IndexDef) -> String {
        let (name, on) = match self.dialect {
            Dialect::Postgres => (ident(&index.name), self.table(table)),
            Dialect::Sqlite => (qualified(self.schema, &index.name), ident(table)),
        };
        let columns: Vec<String> = index.columns.iter().map(|c| ident(c)).collect();
        let using = if index.gin && self.dialect == Dialect::Postgres {
            " USING GIN"
        } else {
            ""
        };
        format!(
            "CREATE {}INDEX {name} ON {on}{using} ({}){}",
            if index.unique { "UNIQUE " } else { "" },
            columns.join(", "),
            if index.partial {
                " WHERE \"deletedAt\" IS NULL"
            } else {
                ""
            }
        )
    }

    /// `DROP INDEX IF EXISTS` by name.
    pub(crate) fn drop_index(&self, name: &str) -> String {
        format!("DROP INDEX IF EXISTS {}", qualified(self.schema, name))
    }

    /// `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY` for a many-to-one field (PostgreSQL; on
    /// SQLite the reference is part of the column definition).
    pub(crate) fn foreign_key(&self, object: &ObjectModel, field: &FieldModel) -> Option<String> {
        let FieldKind::ManyToOne {
            join_column,
            target,
            on_delete,
            ..
        } = &field.kind
        else {
            return None;
        };
        if self.dialect != Dialect::Postgres {
            return None;
        }
        Some(format!(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} (\"id\") ON DELETE {}",
            self.table(&object.table),
            ident(&foreign_key_name(object, &join_column.name)),
            ident(&join_column.name),
            self.table(&self.target_table(target)),
            on_delete_sql(*on_delete)
        ))
    }

    /// What a field needs besides its columns: its foreign key (PostgreSQL) and indexes.
    pub(crate) fn field_constraints(
        &self,
        object: &ObjectModel,
        field: &FieldModel,
    ) -> Vec<String> {
        let mut out: Vec<String> = self.foreign_key(object, field).into_iter().collect();
        out.extend(
            field_indexes(object, field)
                .iter()
                .map(|i| self.create_index(&object.table, i)),
        );
        out
    }
}
