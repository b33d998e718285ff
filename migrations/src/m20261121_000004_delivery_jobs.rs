//! Webhook deliveries are attempted by apalis jobs (`tessera_worker::jobs::delivery`), not
//! claimed from `webhookDelivery` any more: its lease column and its due-rows index go.

use sea_orm_migration::prelude::*;

use crate::columns::Cols;

/// Drops `webhookDelivery.lockedUntil` and the index `IDX_webhookDelivery_due`.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        manager
            .drop_index(
                Index::drop()
                    .name("IDX_webhookDelivery_due")
                    .table(c.table("webhookDelivery"))
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(c.table("webhookDelivery"))
                    .drop_column(Alias::new("lockedUntil"))
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
                    .table(c.table("webhookDelivery"))
                    .add_column(c.timestamp("lockedUntil"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("IDX_webhookDelivery_due")
                    .table(c.table("webhookDelivery"))
                    .col(Alias::new("status"))
                    .col(Alias::new("nextAttemptAt"))
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }
}
