//! Custom indexes and label-synced names:
//! * `objectMetadata.indexes`: the object's custom indexes (`createOneIndex`) as a JSON list
//!   of `{id, name, isUnique, indexType, fields: [{id, fieldMetadataId, subFieldName}],
//!   createdAt}` (NULL = none);
//! * `objectMetadata.isLabelSyncedWithName`, `fieldMetadata.isLabelSyncedWithName`
//!   (boolean, default false).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::{CORE_SCHEMA, Cols};

/// Adds `objectMetadata.indexes` and the two `isLabelSyncedWithName` columns.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// (table, column, PostgreSQL type) of every added column.
const COLUMNS: [(&str, &str, &str); 3] = [
    ("objectMetadata", "indexes", "jsonb"),
    (
        "objectMetadata",
        "isLabelSyncedWithName",
        "boolean NOT NULL DEFAULT false",
    ),
    (
        "fieldMetadata",
        "isLabelSyncedWithName",
        "boolean NOT NULL DEFAULT false",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        if backend == DbBackend::Postgres {
            // Idempotent, like every statement of the first migration.
            for (table, column, pg_type) in COLUMNS {
                manager
                    .get_connection()
                    .execute_unprepared(&format!(
                        "ALTER TABLE \"{CORE_SCHEMA}\".\"{table}\" ADD COLUMN IF NOT EXISTS \"{column}\" {pg_type}"
                    ))
                    .await?;
            }
            return Ok(());
        }
        let c = Cols { backend };
        for (table, column, _) in COLUMNS {
            let def = if column == "indexes" {
                c.json(column)
            } else {
                c.boolean(column, false)
            };
            manager
                .alter_table(
                    Table::alter()
                        .table(c.table(table))
                        .add_column(def)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        for (table, column, _) in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(c.table(table))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
