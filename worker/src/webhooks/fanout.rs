//! Outbox → deliveries: the outbox consumer [`WEBHOOK_CONSUMER`] reads each workspace's
//! committed events with its own cursor and, per batch, (1) records one delivery per (event ×
//! matching webhook) in `webhookDelivery`, (2) pushes each delivery's first attempt job, (3)
//! moves the cursor. The three are not one transaction (different databases on SQLite), so a
//! crash between them re-reads the batch; the deliveries' and jobs' idempotency keys make
//! the second pass a no-op. At-least-once in, exactly one delivery and one first attempt per
//! key out.

use tessera_core::WorkspaceId;
use tessera_store::{DispatchOutcome, Store};

use super::payload;
use crate::jobs::{JobError, JobQueue, delivery};

/// The outbox consumer name of the webhook stage.
pub const WEBHOOK_CONSUMER: &str = "webhooks";
/// Events read per batch.
pub const BATCH: u32 = 500;

/// Queues deliveries for every dispatchable event of `ws`. Returns how many deliveries were
/// newly recorded. Errors: [`JobError`] (the cursor did not move past failed events).
pub async fn fan_out_workspace(
    store: &Store,
    queue: &JobQueue,
    ws: WorkspaceId,
) -> Result<u64, JobError> {
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
                        delivery::push_first_attempts(queue, &deliveries).await?;
                    }
                    Ok::<(), JobError>(())
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
