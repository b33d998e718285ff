//! `workspace.trashRetentionDays` (Twenty's workspace setting, default 14): soft-deleted
//! records older than this many days are destroyed by the worker's purge job.

use sea_orm_migration::prelude::*;

use crate::columns::Cols;

/// Adds `workspace.trashRetentionDays` (`bigint` / `INTEGER`, NOT NULL DEFAULT 14).
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        manager
            .alter_table(
                Table::alter()
                    .table(c.table("workspace"))
                    .add_column(c.bigint("trashRetentionDays", 14))
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
                    .table(c.table("workspace"))
                    .drop_column(Alias::new("trashRetentionDays"))
                    .to_owned(),
            )
            .await
    }
}
