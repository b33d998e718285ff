//! The worker loops: purge old trash hourly ([`crate::trash`]), write timeline activities for new outbox events
//! ([`crate::timeline`]), fan them out into webhook deliveries, then deliver what is due;
//! repeat every [`WebhookRuntimeOptions::poll_interval`] until shutdown. On shutdown the
//! round in progress finishes (every claimed delivery is attempted and recorded; attempts are
//! bounded by the HTTP timeout), then the loop returns. Deliveries claimed by a process that
//! died are claimed again when their lease ends.

use std::time::Duration;

use tessera_store::Store;
use tokio::sync::watch;

use super::deliver::{Deliverer, DeliveryOptions};
use super::fanout;

/// Loop timing and delivery settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookRuntimeOptions {
    /// Pause between rounds when nothing is due.
    pub poll_interval: Duration,
    /// Delivery settings.
    pub delivery: DeliveryOptions,
}

impl Default for WebhookRuntimeOptions {
    /// Poll every 500 ms with the default delivery settings.
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(500),
            delivery: DeliveryOptions::default(),
        }
    }
}

/// Runs the timeline and webhook stages until `shutdown` becomes `true` (or its sender is
/// dropped).
/// Errors: the HTTP client cannot be built.
pub async fn run(
    store: Store,
    options: WebhookRuntimeOptions,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), reqwest::Error> {
    let deliverer = Deliverer::new(store.clone(), options.delivery)?;
    let mut last_purge: Option<std::time::Instant> = None;
    loop {
        if *shutdown.borrow() {
            return Ok(());
        }
        if last_purge.is_none_or(|t| t.elapsed() >= crate::trash::PURGE_INTERVAL) {
            last_purge = Some(std::time::Instant::now());
            match crate::trash::purge_all(&store).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(destroyed = n, "trash purged"),
                Err(e) => tracing::warn!(error = %e, "trash purge failed"),
            }
        }
        if let Err(e) = crate::timeline::timeline_all(&store).await {
            tracing::warn!(error = %e, "timeline stage failed");
        }
        if let Err(e) = fanout::fan_out_all(&store).await {
            tracing::warn!(error = %e, "webhook fan-out failed");
        }
        let mut busy = false;
        while !*shutdown.borrow() {
            match deliverer.run_once().await {
                Ok(0) => break,
                Ok(_) => busy = true,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim webhook deliveries");
                    break;
                }
            }
        }
        if busy {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(options.poll_interval) => {}
            changed = shutdown.changed() => {
                if changed.is_err() {
                    return Ok(());
                }
            }
        }
    }
}
