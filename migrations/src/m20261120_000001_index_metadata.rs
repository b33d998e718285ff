//! Custom indexes (`createOneIndex`): column `objectMetadata.indexes`, the object's custom
//! indexes as a JSON list of `{id, name, isUnique, indexType, fields: [{id,
//! fieldMetadataId, subFieldName}], createdAt}` (NULL = none).

use sea_orm_migration::prelude::*;

use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::{CORE_SCHEMA, Cols};

/// Adds `objectMetadata.indexes` (JSON, nullable).
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        if backend == DbBackend::Postgres {
            // Idempotent, like every statement of the first migration.
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "ALTER TABLE \"{CORE_SCHEMA}\".\"objectMetadata\" ADD COLUMN IF NOT EXISTS \"indexes\" jsonb"
                ))
                .await?;
            return Ok(());
        }
        let c = Cols { backend };
        manager
            .alter_table(
                Table::alter()
                    .table(c.table("objectMetadata"))
                    .add_column(c.json("indexes"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        manager
            .alter_table(
                Table::alter()
                    .table(c.table("objectMetadata"))
                    .drop_column(Alias::new("indexes"))
                    .to_owned(),
            )
            .await
    }
}
