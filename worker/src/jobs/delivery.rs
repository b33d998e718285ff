//! Delivery jobs: one attempt of one webhook delivery (`webhookDelivery` row).
//!
//! 1. The delivery is read; one no longer `PENDING` (delivered, dead-lettered, or its webhook
//!    deleted with it) was handled by an earlier job: nothing to do.
//! 2. The attempt ([`Deliverer::attempt`]).
//! 3. Success → `DELIVERED`. A retryable failure with attempts left → the next attempt is
//!    pushed first (due after [`retry_delay`]; its key makes a re-run of this job push it
//!    once), then the failure is recorded (`PENDING`, `nextAttemptAt`). Otherwise → `DEAD` and
//!    a dead letter.
//!
//! A replay (`tessera-worker dead-letters replay <id>`) pushes attempt 1 with `replayOf`; the
//! job itself puts the delivery back to `PENDING` ([`Store::replay_webhook_dead_letter`]), so
//! queuing and replaying cannot drift apart.

use std::sync::Arc;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use tessera_core::WorkspaceId;
use tessera_store::{DeliveryStatus, NewWebhookDelivery, Store};
use uuid::Uuid;

use super::{DELIVERY_QUEUE, JobError, JobQueue, NewJob};
use crate::webhooks::deliver::{Deliverer, retry_delay};

/// Attempts of a delivery job whose handler fails (database errors; failed HTTP attempts
/// are not handler failures).
pub const MAX_ATTEMPTS: usize = 10;

/// One attempt of a webhook delivery. JSON:
/// `{"workspaceId", "idempotencyKey", "attempt": 1.., "replayOf": "<dead letter id>"|null}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryJob {
    /// The tenant.
    pub workspace_id: Uuid,
    /// The delivery (`webhookDelivery.idempotencyKey`).
    pub idempotency_key: String,
    /// Which attempt this is (1 = first).
    pub attempt: u32,
    /// The dead letter this attempt replays (its attempts count from 1 again).
    #[serde(default)]
    pub replay_of: Option<Uuid>,
}

impl DeliveryJob {
    /// The job's idempotency key: `delivery:<idempotency key>:<replayed dead letter or 0>:<attempt>`.
    pub fn key(&self) -> String {
        let generation = self
            .replay_of
            .map_or_else(|| "0".to_owned(), |id| id.to_string());
        format!(
            "delivery:{}:{generation}:{}",
            self.idempotency_key, self.attempt
        )
    }

    fn into_new_job(self, run_after: Option<std::time::Duration>) -> NewJob<Self> {
        NewJob {
            key: self.key(),
            job: self,
            run_after,
        }
    }
}

/// Queues first attempts of `deliveries` (already in `webhookDelivery`). Errors: [`JobError`].
pub async fn push_first_attempts(
    queue: &JobQueue,
    deliveries: &[NewWebhookDelivery],
) -> Result<(), JobError> {
    let jobs: Vec<_> = deliveries
        .iter()
        .map(|d| {
            DeliveryJob {
                workspace_id: d.workspace_id.0,
                idempotency_key: d.idempotency_key.clone(),
                attempt: 1,
                replay_of: None,
            }
            .into_new_job(None)
        })
        .collect();
    queue.push(DELIVERY_QUEUE, &jobs, MAX_ATTEMPTS).await
}

/// Queues the replay of dead letter `id` (the job puts the delivery back to `PENDING`).
/// Returns `false` when there is no such unreplayed dead letter. Errors: [`JobError`].
pub async fn push_replay(store: &Store, queue: &JobQueue, id: Uuid) -> Result<bool, JobError> {
    let Some(dead) = store.webhook_dead_letter(id).await? else {
        return Ok(false);
    };
    let job = DeliveryJob {
        workspace_id: dead.workspace_id.0,
        idempotency_key: dead.idempotency_key,
        attempt: 1,
        replay_of: Some(id),
    };
    queue
        .push(DELIVERY_QUEUE, &[job.into_new_job(None)], MAX_ATTEMPTS)
        .await?;
    Ok(true)
}

/// What a delivery job needs.
#[derive(Debug, Clone)]
pub struct DeliveryContext {
    /// Makes the attempts (its store records them).
    pub deliverer: Deliverer,
    /// The queue (retries are pushed to it).
    pub queue: JobQueue,
}

/// The apalis handler of [`DeliveryJob`].
pub async fn handle(
    job: DeliveryJob,
    ctx: apalis::prelude::Data<Arc<DeliveryContext>>,
) -> Result<(), apalis::prelude::BoxDynError> {
    run(&ctx, &job).await.map_err(|e| {
        tracing::warn!(key = %job.idempotency_key, attempt = job.attempt, error = %e, "delivery job failed; apalis runs it again");
        e.into()
    })
}

/// Runs one delivery job (see the module docs). Errors: [`JobError`] (store or queue).
pub async fn run(ctx: &DeliveryContext, job: &DeliveryJob) -> Result<(), JobError> {
    let store = ctx.deliverer.store();
    if let Some(id) = job.replay_of
        && job.attempt == 1
    {
        // `false`: replayed by an earlier run of this job.
        store.replay_webhook_dead_letter(id).await?;
    }
    let Some(delivery) = store.webhook_delivery(&job.idempotency_key).await? else {
        return Ok(());
    };
    if delivery.status != DeliveryStatus::Pending || delivery.workspace_id.0 != job.workspace_id {
        return Ok(());
    }
    let options = *ctx.deliverer.options();
    match ctx.deliverer.attempt(&delivery).await {
        Ok(status) => {
            store
                .record_webhook_delivered(&job.idempotency_key, status)
                .await?;
        }
        Err(e) => {
            let retry = !e.permanent && job.attempt < options.max_attempts;
            let retry_at = if retry {
                let delay = retry_delay(&options, job.attempt);
                let next = DeliveryJob {
                    attempt: job.attempt + 1,
                    ..job.clone()
                };
                ctx.queue
                    .push(
                        DELIVERY_QUEUE,
                        &[next.into_new_job(Some(delay))],
                        MAX_ATTEMPTS,
                    )
                    .await?;
                Some(
                    Utc::now()
                        + chrono::Duration::from_std(delay)
                            .unwrap_or(chrono::Duration::seconds(60)),
                )
            } else {
                None
            };
            tracing::info!(
                workspace_id = %WorkspaceId(job.workspace_id),
                webhook_id = %delivery.webhook_id,
                key = %job.idempotency_key,
                attempt = job.attempt,
                error = %e.message,
                dead = retry_at.is_none(),
                "webhook delivery failed"
            );
            store
                .record_webhook_failure(&job.idempotency_key, &e.message, e.status, retry_at)
                .await?;
        }
    }
    Ok(())
}
