//! Outbound webhooks: the `webhook` table (Twenty's `core.webhook`), the delivery log that is
//! also the durable delivery queue (`webhookDelivery`), and the dead-letter table
//! (`webhookDeadLetter`).

use sea_orm_migration::prelude::*;

use crate::columns::{Cols, col, fk};

/// Creates `webhook`, `webhookDelivery` and `webhookDeadLetter`. Idempotent (`IF NOT EXISTS`).
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// `webhook`: one row per webhook of a workspace. `operations` is a JSON array of strings
/// (`person.created`, `*.updated`, `*.*`); `deletedAt` marks a deleted webhook.
fn webhook(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("webhook"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.uuid("workspaceId").not_null())
        .col(c.text("targetUrl").not_null())
        .col(c.json("operations").not_null())
        .col(c.text("description"))
        .col(c.text("secret").not_null())
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .col(c.timestamp("deletedAt"))
        .foreign_key(&mut fk(c, "webhook", "workspaceId", "workspace"))
        .to_owned()
}

/// `webhookDelivery`: one row per (event × webhook), keyed by its idempotency key; both the
/// delivery log and the durable queue; `payload` is the exact JSON text POSTed (`status` `PENDING` | `DELIVERED` | `DEAD`,
/// `nextAttemptAt`, `lockedUntil` lease; the lease and the due-rows index were dropped when
/// deliveries moved to apalis jobs, see `m20261121_000004_delivery_jobs`).
fn delivery(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("webhookDelivery"))
        .if_not_exists()
        .col(c.text("idempotencyKey").not_null().primary_key())
        .col(c.uuid("workspaceId").not_null())
        .col(c.uuid("webhookId").not_null())
        .col(c.text("eventName").not_null())
        .col(c.text("payload").not_null())
        .col(c.text("status").not_null())
        .col(c.bigint("attempts", 0))
        .col(c.text("lastError"))
        .col(c.bigint("lastStatusCode", 0))
        .col(c.timestamp("lastAttemptAt"))
        .col(c.timestamp_now("nextAttemptAt"))
        .col(c.timestamp("lockedUntil"))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .foreign_key(&mut fk(c, "webhookDelivery", "workspaceId", "workspace"))
        .to_owned()
}

/// `webhookDeadLetter`: deliveries that failed permanently, for an operator to list and replay.
fn dead_letter(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("webhookDeadLetter"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.text("idempotencyKey").not_null())
        .col(c.uuid("workspaceId").not_null())
        .col(c.uuid("webhookId").not_null())
        .col(c.text("eventName").not_null())
        .col(c.bigint("attempts", 0))
        .col(c.text("lastError"))
        .col(c.timestamp_now("failedAt"))
        .col(c.timestamp("replayedAt"))
        .foreign_key(&mut fk(c, "webhookDeadLetter", "workspaceId", "workspace"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        manager.create_table(webhook(c)).await?;
        manager.create_table(delivery(c)).await?;
        manager.create_table(dead_letter(c)).await?;
        for (table, name, columns) in [
            ("webhook", "IDX_webhook_workspaceId", &["workspaceId"][..]),
            (
                "webhookDelivery",
                "IDX_webhookDelivery_due",
                &["status", "nextAttemptAt"][..],
            ),
            (
                "webhookDelivery",
                "IDX_webhookDelivery_webhook",
                &["workspaceId", "webhookId"][..],
            ),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(c.table(table)).if_not_exists();
            for column in columns {
                idx.col(col(column));
            }
            manager.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        for table in ["webhookDeadLetter", "webhookDelivery", "webhook"] {
            manager
                .drop_table(Table::drop().table(c.table(table)).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
