//! Outbox → deliveries: the outbox consumer [`WEBHOOK_CONSUMER`] reads each workspace's
//! committed events with its own cursor and queues one delivery per (event × matching
//! webhook). Queuing and moving the cursor are not one transaction (different databases on
//! SQLite), so a crash between them re-reads the batch; the deliveries' idempotency keys make
//! the second queuing a no-op. At-least-once in, exactly one queued delivery per key out.

use tessera_core::WorkspaceId;
use tessera_store::{DispatchOutcome, Store, StoreError};

use super::payload;

/// The outbox consumer name of the webhook stage.
pub const WEBHOOK_CONSUMER: &str = "webhooks";
/// Events read per batch.
pub const BATCH: u32 = 500;

/// Queues deliveries for every dispatchable event of `ws`. Returns how many deliveries were
/// newly queued. Errors: [`StoreError`] (the cursor did not move past failed events).
pub async fn fan_out_workspace(store: &Store, ws: WorkspaceId) -> Result<u64, StoreError> {
    let runner = store.runner(ws).await?;
    let mut queued = 0;
    for _ in 0..1000 {
        let webhooks = store.webhooks(ws).await?;
        let mut added = 0;
        let outcome = runner
            .dispatch_outbox(WEBHOOK_CONSUMER, BATCH, |events| {
                let webhooks = &webhooks;
                let added = &mut added;
                async move {
                    let deliveries: Vec<_> = events
                        .iter()
                        // Timeline records are bookkeeping written by the worker; Twenty
                        // emits no events for them.
                        .filter(|event| event.object_name_singular != "timelineActivity")
                        .flat_map(|event| {
                            webhooks
                                .iter()
                                .filter(|w| w.matches(&event.name))
                                .map(|w| payload::delivery(event, w))
                        })
                        .collect();
                    if !deliveries.is_empty() {
                        *added = store.enqueue_webhook_deliveries(&deliveries).await?;
                    }
                    Ok::<(), StoreError>(())
                }
            })
            .await?;
        queued += added;
        match outcome {
            DispatchOutcome::Dispatched { count, held } => {
                if count as u64 == u64::from(BATCH) {
                    continue;
                }
                if !held {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            DispatchOutcome::Busy => break,
            DispatchOutcome::HandlerFailed(e) => return Err(e),
        }
    }
    Ok(queued)
}

/// [`fan_out_workspace`] for every workspace; a failing workspace is logged and skipped.
/// Returns the deliveries queued.
pub async fn fan_out_all(store: &Store) -> Result<u64, StoreError> {
    let mut queued = 0;
    for ws in store.list_workspaces().await? {
        match fan_out_workspace(store, ws.id).await {
            Ok(n) => queued += n,
            Err(e) => {
                tracing::warn!(workspace_id = %ws.id, error = %e, "webhook fan-out failed");
            }
        }
    }
    Ok(queued)
}
