//! Webhook deliveries: the delivery log of every webhook (its state and outcome) and the
//! dead-letter table. The attempts themselves are apalis jobs (`tessera_worker::jobs`); this
//! table is what they read and record, and what operators list.
//!
//! # Life of a delivery (`webhookDelivery` row, keyed by its idempotency key)
//! 1. [`Store::enqueue_webhook_deliveries`] inserts it `PENDING` (a key already present is
//!    skipped, so re-reading outbox events after a crash queues nothing twice); the worker
//!    then queues its first attempt job.
//! 2. An attempt job reads it with [`Store::webhook_delivery`] (a job finding it no longer
//!    `PENDING` is a duplicate and does nothing).
//! 3. The job records the outcome: [`Store::record_webhook_delivered`] (`DELIVERED`),
//!    or [`Store::record_webhook_failure`] with the next attempt time (`PENDING`) or without
//!    one (`DEAD`, plus a `webhookDeadLetter` row, in one transaction).
//! 4. [`Store::replay_webhook_dead_letter`] puts a dead delivery back to `PENDING`.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};
use tessera_core::WorkspaceId;
use uuid::Uuid;

use crate::{Store, StoreError};

/// A delivery to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookDelivery {
    /// Stable per (event × webhook); sent as the `Idempotency-Key` header.
    pub idempotency_key: String,
    /// The tenant.
    pub workspace_id: WorkspaceId,
    /// The webhook.
    pub webhook_id: Uuid,
    /// `<object>.<action>`.
    pub event_name: String,
    /// The exact JSON body to POST (signed as is).
    pub payload: String,
}

/// `webhookDelivery.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Failed permanently; see the dead-letter table.
    Dead,
}

impl DeliveryStatus {
    /// The stored text: `PENDING`, `DELIVERED`, `DEAD`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Delivered => "DELIVERED",
            Self::Dead => "DEAD",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "PENDING" => Ok(Self::Pending),
            "DELIVERED" => Ok(Self::Delivered),
            "DEAD" => Ok(Self::Dead),
            other => Err(StoreError::corrupt(format!("delivery status {other}"))),
        }
    }
}

/// A row of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDeliveryRecord {
    /// Idempotency key (primary key).
    pub idempotency_key: String,
    /// The tenant.
    pub workspace_id: WorkspaceId,
    /// The webhook.
    pub webhook_id: Uuid,
    /// `<object>.<action>`.
    pub event_name: String,
    /// The exact JSON body.
    pub payload: String,
    /// Current status.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i64,
    /// Last error (transport error or `HTTP <status>`), if the last attempt failed.
    pub last_error: Option<String>,
    /// HTTP status of the last answer (0: none).
    pub last_status_code: i64,
    /// When the last attempt was made.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When the next attempt is due (meaningful while `PENDING`).
    pub next_attempt_at: DateTime<Utc>,
}

/// A row of `webhookDeadLetter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDeadLetter {
    /// Dead-letter id (what `replay` takes).
    pub id: Uuid,
    /// The delivery's idempotency key.
    pub idempotency_key: String,
    /// The tenant.
    pub workspace_id: WorkspaceId,
    /// The webhook.
    pub webhook_id: Uuid,
    /// `<object>.<action>`.
    pub event_name: String,
    /// Attempts made.
    pub attempts: i64,
    /// The last error.
    pub last_error: Option<String>,
    /// When it failed for good.
    pub failed_at: DateTime<Utc>,
    /// When an operator replayed it.
    pub replayed_at: Option<DateTime<Utc>>,
}

const DELIVERY_COLUMNS: &str = "\"idempotencyKey\", \"workspaceId\", \"webhookId\", \
     \"eventName\", \"payload\", \"status\", \"attempts\", \"lastError\", \"lastStatusCode\", \
     \"lastAttemptAt\", \"nextAttemptAt\"";

const DEAD_COLUMNS: &str = "\"id\", \"idempotencyKey\", \"workspaceId\", \"webhookId\", \
     \"eventName\", \"attempts\", \"lastError\", \"failedAt\", \"replayedAt\"";

impl Store {
    fn delivery_record(&self, row: &QueryResult) -> Result<WebhookDeliveryRecord, StoreError> {
        let sys = self.sys();
        Ok(WebhookDeliveryRecord {
            idempotency_key: sys.get_text(row, "idempotencyKey")?,
            workspace_id: WorkspaceId(sys.get_uuid(row, "workspaceId")?),
            webhook_id: sys.get_uuid(row, "webhookId")?,
            event_name: sys.get_text(row, "eventName")?,
            payload: sys.get_text(row, "payload")?,
            status: DeliveryStatus::parse(&sys.get_text(row, "status")?)?,
            attempts: sys.get_int(row, "attempts")?,
            last_error: sys.get_opt_text(row, "lastError")?,
            last_status_code: sys.get_int(row, "lastStatusCode")?,
            last_attempt_at: sys.get_opt_ts(row, "lastAttemptAt")?,
            next_attempt_at: sys.get_ts(row, "nextAttemptAt")?,
        })
    }

    fn dead_letter_record(&self, row: &QueryResult) -> Result<WebhookDeadLetter, StoreError> {
        let sys = self.sys();
        Ok(WebhookDeadLetter {
            id: sys.get_uuid(row, "id")?,
            idempotency_key: sys.get_text(row, "idempotencyKey")?,
            workspace_id: WorkspaceId(sys.get_uuid(row, "workspaceId")?),
            webhook_id: sys.get_uuid(row, "webhookId")?,
            event_name: sys.get_text(row, "eventName")?,
            attempts: sys.get_int(row, "attempts")?,
            last_error: sys.get_opt_text(row, "lastError")?,
            failed_at: sys.get_ts(row, "failedAt")?,
            replayed_at: sys.get_opt_ts(row, "replayedAt")?,
        })
    }

    /// Queues deliveries `PENDING`, due now; keys already present are skipped. Returns how
    /// many were inserted. All or nothing (one transaction). Errors: [`StoreError::Database`].
    pub async fn enqueue_webhook_deliveries(
        &self,
        deliveries: &[NewWebhookDelivery],
    ) -> Result<u64, StoreError> {
        let sys = self.sys();
        let txn = self.backend().system().begin().await?;
        let mut inserted = 0;
        for d in deliveries {
            let sql = format!(
                "INSERT INTO {} (\"idempotencyKey\", \"workspaceId\", \"webhookId\", \"eventName\", \
                 \"payload\", \"status\") VALUES {} ON CONFLICT DO NOTHING",
                sys.table("webhookDelivery"),
                sys.tuple(1, 6)
            );
            let values = vec![
                sys.text(d.idempotency_key.as_str()),
                sys.uuid(d.workspace_id.0),
                sys.uuid(d.webhook_id),
                sys.text(d.event_name.as_str()),
                sys.text(d.payload.as_str()),
                sys.text(DeliveryStatus::Pending.as_str()),
            ];
            inserted += txn
                .execute_raw(sys.stmt(sql, values))
                .await?
                .rows_affected();
        }
        txn.commit().await?;
        Ok(inserted)
    }

    /// The delivery with idempotency key `key`, if any. Errors: [`StoreError::Database`].
    pub async fn webhook_delivery(
        &self,
        key: &str,
    ) -> Result<Option<WebhookDeliveryRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM {} WHERE \"idempotencyKey\" = {}",
            sys.table("webhookDelivery"),
            sys.p(1)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.text(key)]))
            .await?;
        row.map(|r| self.delivery_record(&r)).transpose()
    }

    /// Records a successful attempt (`DELIVERED`, lease released).
    /// Errors: [`StoreError::Database`].
    pub async fn record_webhook_delivered(
        &self,
        key: &str,
        status_code: u16,
    ) -> Result<(), StoreError> {
        let sys = self.sys();
        let now = sys.now();
        let sql = format!(
            "UPDATE {} SET \"status\" = 'DELIVERED', \"attempts\" = \"attempts\" + 1, \
             \"lastError\" = NULL, \"lastStatusCode\" = {}, \"lastAttemptAt\" = {now}, \
             \"updatedAt\" = {now} WHERE \"idempotencyKey\" = {}",
            sys.table("webhookDelivery"),
            sys.p(1),
            sys.p(2)
        );
        self.backend()
            .system()
            .execute_raw(sys.stmt(sql, vec![sys.int(i64::from(status_code)), sys.text(key)]))
            .await?;
        Ok(())
    }

    /// Records a failed attempt. With `retry_at`, the delivery stays `PENDING` until then;
    /// without, it becomes `DEAD` and a dead-letter row is written (one transaction).
    /// `status_code` 0: no HTTP answer. Errors: [`StoreError::Database`].
    pub async fn record_webhook_failure(
        &self,
        key: &str,
        error: &str,
        status_code: u16,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let sys = self.sys();
        let now = sys.now();
        let table = sys.table("webhookDelivery");
        let txn = self.backend().system().begin().await?;
        let status = if retry_at.is_some() {
            "PENDING"
        } else {
            "DEAD"
        };
        let sql = format!(
            "UPDATE {table} SET \"status\" = '{status}', \"attempts\" = \"attempts\" + 1, \
             \"lastError\" = {}, \"lastStatusCode\" = {}, \"lastAttemptAt\" = {now}, \
             \"nextAttemptAt\" = COALESCE({}, \"nextAttemptAt\"), \
             \"updatedAt\" = {now} WHERE \"idempotencyKey\" = {}",
            sys.p(1),
            sys.p(2),
            sys.p(3),
            sys.p(4)
        );
        txn.execute_raw(sys.stmt(
            sql,
            vec![
                sys.text(error),
                sys.int(i64::from(status_code)),
                sys.opt_ts(retry_at),
                sys.text(key),
            ],
        ))
        .await?;
        if retry_at.is_none() {
            let sql = format!(
                "INSERT INTO {} (\"id\", \"idempotencyKey\", \"workspaceId\", \"webhookId\", \
                 \"eventName\", \"attempts\", \"lastError\") SELECT {}, \"idempotencyKey\", \
                 \"workspaceId\", \"webhookId\", \"eventName\", \"attempts\", \"lastError\" \
                 FROM {table} WHERE \"idempotencyKey\" = {}",
                sys.table("webhookDeadLetter"),
                sys.p(1),
                sys.p(2)
            );
            txn.execute_raw(sys.stmt(sql, vec![sys.uuid(Uuid::new_v4()), sys.text(key)]))
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The delivery log of webhook `webhook_id` of `ws`, newest first (at most `limit`).
    /// Errors: [`StoreError::Database`].
    pub async fn webhook_deliveries(
        &self,
        ws: WorkspaceId,
        webhook_id: Uuid,
        limit: u32,
    ) -> Result<Vec<WebhookDeliveryRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM {} WHERE \"workspaceId\" = {} AND \"webhookId\" = {} \
             ORDER BY \"createdAt\" DESC, \"idempotencyKey\" LIMIT {limit}",
            sys.table("webhookDelivery"),
            sys.p(1),
            sys.p(2)
        );
        let rows = self
            .backend()
            .system()
            .query_all_raw(sys.stmt(sql, vec![sys.uuid(ws.0), sys.uuid(webhook_id)]))
            .await?;
        rows.iter().map(|r| self.delivery_record(r)).collect()
    }

    /// Dead letters of every workspace not yet replayed, oldest first (operator view).
    /// Errors: [`StoreError::Database`].
    pub async fn webhook_dead_letters(&self) -> Result<Vec<WebhookDeadLetter>, StoreError> {
        self.unreplayed_dead_letters(None).await
    }

    /// Dead letter `id`, if it exists and was not replayed yet. Errors:
    /// [`StoreError::Database`].
    pub async fn webhook_dead_letter(
        &self,
        id: Uuid,
    ) -> Result<Option<WebhookDeadLetter>, StoreError> {
        Ok(self.unreplayed_dead_letters(Some(id)).await?.pop())
    }

    async fn unreplayed_dead_letters(
        &self,
        only: Option<Uuid>,
    ) -> Result<Vec<WebhookDeadLetter>, StoreError> {
        let sys = self.sys();
        let (filter, values) = match only {
            Some(id) => (format!(" AND \"id\" = {}", sys.p(1)), vec![sys.uuid(id)]),
            None => (String::new(), vec![]),
        };
        let sql = format!(
            "SELECT {DEAD_COLUMNS} FROM {} WHERE \"replayedAt\" IS NULL{filter} ORDER BY \"failedAt\", \"id\"",
            sys.table("webhookDeadLetter")
        );
        let rows = self
            .backend()
            .system()
            .query_all_raw(sys.stmt(sql, values))
            .await?;
        rows.iter().map(|r| self.dead_letter_record(r)).collect()
    }

    /// Replays dead letter `id`: its delivery goes back to `PENDING`, due now, with its attempt
    /// count reset, and the dead letter is marked replayed. Returns `false` when there is no
    /// such unreplayed dead letter. Errors: [`StoreError::Database`].
    pub async fn replay_webhook_dead_letter(&self, id: Uuid) -> Result<bool, StoreError> {
        let sys = self.sys();
        let now = sys.now();
        let txn = self.backend().system().begin().await?;
        let sql = format!(
            "UPDATE {} SET \"replayedAt\" = {now} WHERE \"id\" = {} AND \"replayedAt\" IS NULL \
             RETURNING \"idempotencyKey\"",
            sys.table("webhookDeadLetter"),
            sys.p(1)
        );
        let Some(row) = txn.query_one_raw(sys.stmt(sql, vec![sys.uuid(id)])).await? else {
            txn.rollback().await?;
            return Ok(false);
        };
        let key = sys.get_text(&row, "idempotencyKey")?;
        let sql = format!(
            "UPDATE {} SET \"status\" = 'PENDING', \"attempts\" = 0, \"nextAttemptAt\" = {now}, \
             \"updatedAt\" = {now} WHERE \"idempotencyKey\" = {}",
            sys.table("webhookDelivery"),
            sys.p(1)
        );
        txn.execute_raw(sys.stmt(sql, vec![sys.text(key)])).await?;
        txn.commit().await?;
        Ok(true)
    }
}
