//! Outbox jobs: run the outbox stages of one workspace side by side — timeline activities
//! ([`crate::timeline`]) and webhook fan-out ([`crate::webhooks::fanout`], which queues
//! [`super::delivery::DeliveryJob`]s) — each under its own stage lock of the workspace
//! ([`TIMELINE_STAGE`], [`WEBHOOK_STAGE`]), so two workers never apply the same events at once
//! and a long timeline backlog does not hold up webhooks.
//!
//! Each stage reads the outbox with its own cursor and loops until it has consumed every
//! committed event, so one job catches up whatever is pending; a job finding nothing is cheap.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tessera_core::WorkspaceId;
use tessera_store::Store;
use uuid::Uuid;

use super::{JobError, JobOptions, JobQueue, NewJob, OUTBOX_QUEUE};

/// The stage lock held while the timeline stage of a workspace runs.
pub const TIMELINE_STAGE: &str = "timeline";
/// The stage lock held while the webhook fan-out of a workspace runs.
pub const WEBHOOK_STAGE: &str = "webhooks";
/// Attempts of an outbox job whose handler fails (a database error; the sweep also catches up).
pub const MAX_ATTEMPTS: usize = 5;

/// Run the outbox stages of a workspace. JSON: `{"workspaceId": "<uuid>"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxJob {
    /// The workspace.
    pub workspace_id: Uuid,
}

/// What an outbox job needs.
#[derive(Debug, Clone)]
pub struct OutboxContext {
    /// The store.
    pub store: Store,
    /// The queue (fan-out pushes delivery jobs).
    pub queue: JobQueue,
    /// Settings.
    pub options: Arc<JobOptions>,
}

/// Pushes an outbox job for `ws` keyed `outbox:<ws>:<tag>` (the dispatcher's tag is the last
/// sequence number it published, so each published batch wakes the worker once).
/// Errors: [`JobError::Queue`].
pub async fn push(queue: &JobQueue, ws: WorkspaceId, tag: &str) -> Result<(), JobError> {
    queue
        .push(
            OUTBOX_QUEUE,
            &[NewJob {
                key: format!("outbox:{ws}:{tag}"),
                job: OutboxJob { workspace_id: ws.0 },
                run_after: None,
            }],
            MAX_ATTEMPTS,
        )
        .await
}

/// Runs the outbox stages of `ws`, each under its stage lock, at the same time; returns
/// (outbox events consumed by the timeline, deliveries queued). Errors: [`JobError`] (the
/// failed stage's cursor did not move past what failed; the other stage's work stands).
pub async fn process_workspace(
    ctx: &OutboxContext,
    ws: WorkspaceId,
) -> Result<(usize, u64), JobError> {
    let timeline = locked(ctx, TIMELINE_STAGE, ws, async {
        Ok(crate::timeline::timeline_workspace(&ctx.store, ws).await?)
    });
    let webhooks = locked(
        ctx,
        WEBHOOK_STAGE,
        ws,
        crate::webhooks::fanout::fan_out_workspace(&ctx.store, &ctx.queue, ws),
    );
    let (timeline, webhooks) = tokio::join!(timeline, webhooks);
    Ok((timeline?, webhooks?))
}

/// Runs `work` holding the `stage` lock of `ws`.
async fn locked<T>(
    ctx: &OutboxContext,
    stage: &str,
    ws: WorkspaceId,
    work: impl std::future::Future<Output = Result<T, JobError>>,
) -> Result<T, JobError> {
    let lock = ctx
        .store
        .lock_workspace_stage(stage, ws, ctx.options.lock_wait)
        .await?;
    let result = work.await;
    if let Err(e) = lock.release().await {
        tracing::warn!(workspace_id = %ws, stage, error = %e, "cannot release a stage lock");
    }
    result
}

/// The apalis handler of [`OutboxJob`]. A workspace deleted meanwhile is skipped.
pub async fn handle(
    job: OutboxJob,
    ctx: apalis::prelude::Data<Arc<OutboxContext>>,
) -> Result<(), apalis::prelude::BoxDynError> {
    let ws = WorkspaceId(job.workspace_id);
    if ctx.store.workspace(ws).await?.is_none() {
        return Ok(());
    }
    match process_workspace(&ctx, ws).await {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::warn!(workspace_id = %ws, error = %e, "outbox job failed");
            Err(e.into())
        }
    }
}

/// The sweep: runs the outbox stages of every workspace with events past the timeline's or
/// the fan-out's cursor (a failing workspace is logged and skipped). Returns the deliveries
/// queued.
pub async fn sweep(ctx: &OutboxContext) -> Result<u64, JobError> {
    let mut queued = 0;
    let pending = ctx
        .store
        .workspaces_with_pending_events(&[
            crate::timeline::TIMELINE_CONSUMER,
            crate::webhooks::fanout::WEBHOOK_CONSUMER,
        ])
        .await?;
    for ws in pending {
        match process_workspace(ctx, ws).await {
            Ok((_, n)) => queued += n,
            Err(e) => tracing::warn!(workspace_id = %ws, error = %e, "outbox sweep failed"),
        }
    }
    Ok(queued)
}
