//! The outbox dispatcher: moves committed record events from every workspace's outbox to the
//! pub/sub publisher, at least once, in order.
//!
//! - **Woken at once**: a mutation that committed events marks its workspace
//!   ([`tessera_store::Store::committed_event_workspaces`]); the dispatcher dispatches the
//!   marked workspaces right away (up to [`CONCURRENCY`] at a time).
//! - **Periodic sweep** (every [`DispatcherOptions::sweep_interval`]): every workspace with
//!   events past its `pubsub` cursor is dispatched
//!   ([`tessera_store::Store::workspaces_with_pending_events`]: on PostgreSQL one query per 100
//!   workspaces), so events committed by a process that died before dispatching them, or by
//!   another instance, are never left behind.
//! - **Several instances on one PostgreSQL**: each dispatch of a workspace locks that
//!   workspace's `pubsub` cursor row with `FOR UPDATE SKIP LOCKED` for the duration of
//!   read → publish → cursor update, so one instance at a time publishes a given event and
//!   the cursor moves once. An instance that finds the row locked retries shortly (the
//!   holder may have read before this instance's commit), then leaves it to the sweep.
//! - **Commit-safe reads**: a batch only includes events whose transaction is older than
//!   every transaction still running (see `tessera_store::outbox`); when newer events are
//!   waiting for that horizon, the dispatcher retries shortly.
//! - **Waking the worker**: after publishing a batch of a workspace, the dispatcher pushes an
//!   outbox job for it (`tessera_worker::jobs::outbox`, keyed by the batch's last sequence
//!   number, so each batch wakes the worker once even with several instances), and the
//!   worker runs the timeline and webhook stages of that workspace.
//! - **Pruning**: once per [`DispatcherOptions::prune_interval`], events older than
//!   [`DispatcherOptions::retention`] that every consumer has passed are deleted.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tessera_core::WorkspaceId;
use tessera_store::{DispatchOutcome, PUBSUB_CONSUMER, Store};
use tessera_worker::jobs::JobQueue;
use tokio::task::JoinHandle;

use super::PubSub;

/// Workspaces dispatched at the same time.
pub const CONCURRENCY: usize = 8;
/// Events read and published per batch.
pub const BATCH: u32 = 500;
/// Pause before retrying a workspace whose cursor another instance holds, or whose newest
/// events wait for older transactions to end.
const RETRY_DELAY: Duration = Duration::from_millis(10);
/// Retries of such a workspace before leaving it to the sweep.
const MAX_RETRIES: u32 = 200;

/// Timing of the dispatcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatcherOptions {
    /// How often every workspace is dispatched (catches events nobody was woken for).
    pub sweep_interval: Duration,
    /// How long dispatched events stay in the outbox.
    pub retention: Duration,
    /// How often old events are pruned.
    pub prune_interval: Duration,
    /// Sweep once right at start (recovers what a stopped instance left behind).
    pub sweep_at_start: bool,
}

impl Default for DispatcherOptions {
    /// Sweep at start and every 5 s, keep events 7 days, prune hourly.
    fn default() -> Self {
        Self {
            sweep_interval: Duration::from_secs(5),
            retention: Duration::from_secs(7 * 24 * 3600),
            prune_interval: Duration::from_secs(3600),
            sweep_at_start: true,
        }
    }
}

/// Starts the dispatcher on the current tokio runtime; it runs until the returned handle is
/// aborted (or the runtime stops).
/// `jobs`: the queue to wake the worker through (`None`: no worker, e.g. tests of
/// subscriptions alone).
pub fn spawn_dispatcher(
    store: Store,
    pubsub: PubSub,
    jobs: Option<JobQueue>,
    options: DispatcherOptions,
) -> JoinHandle<()> {
    tokio::spawn(run(store, pubsub, jobs, options))
}

async fn run(store: Store, pubsub: PubSub, jobs: Option<JobQueue>, options: DispatcherOptions) {
    let first = if options.sweep_at_start {
        tokio::time::Instant::now()
    } else {
        tokio::time::Instant::now() + options.sweep_interval
    };
    let mut sweep = tokio::time::interval_at(first, options.sweep_interval);
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_prune: Option<Instant> = None;
    loop {
        let (workspaces, swept) = tokio::select! {
            woken = store.committed_event_workspaces() => (woken, false),
            _ = sweep.tick() => match store.workspaces_with_pending_events(&[PUBSUB_CONSUMER]).await {
                Ok(list) => (list, true),
                Err(e) => {
                    tracing::warn!(error = %e, "outbox sweep: cannot list workspaces");
                    continue;
                }
            },
        };
        futures_util::stream::iter(workspaces)
            .for_each_concurrent(CONCURRENCY, |ws| {
                dispatch_workspace(&store, &pubsub, jobs.as_ref(), ws)
            })
            .await;
        if swept && last_prune.is_none_or(|t| t.elapsed() >= options.prune_interval) {
            last_prune = Some(Instant::now());
            prune(&store, options.retention).await;
        }
    }
}

/// Publishes every dispatchable event of `ws`, batch after batch, and wakes the worker
/// through `jobs` after each batch.
pub async fn dispatch_workspace(
    store: &Store,
    pubsub: &PubSub,
    jobs: Option<&JobQueue>,
    ws: WorkspaceId,
) {
    let runner = match store.runner(ws).await {
        Ok(runner) => runner,
        Err(e) => {
            tracing::warn!(workspace_id = %ws, error = %e, "outbox: no runner");
            return;
        }
    };
    let mut retries = 0;
    loop {
        let mut last_seq = None;
        let outcome = runner
            .dispatch_outbox(PUBSUB_CONSUMER, BATCH, |events| {
                last_seq = events.last().map(|e| e.seq);
                async move { pubsub.publish(&events).await }
            })
            .await;
        if let (Some(queue), Ok(DispatchOutcome::Dispatched { .. }), Some(seq)) =
            (jobs, &outcome, last_seq)
            && let Err(e) = tessera_worker::jobs::outbox::push(queue, ws, &seq.to_string()).await
        {
            tracing::warn!(workspace_id = %ws, error = %e, "outbox: cannot wake the worker; its sweep will catch up");
        }
        match outcome {
            Ok(DispatchOutcome::Dispatched { count, held }) => {
                if count as u64 == u64::from(BATCH) {
                    continue;
                }
                if !held {
                    return;
                }
            }
            Ok(DispatchOutcome::Busy) => {}
            Ok(DispatchOutcome::HandlerFailed(e)) => {
                tracing::warn!(workspace_id = %ws, error = %e, "outbox: publishing failed; retrying on the next sweep");
                return;
            }
            Err(e) => {
                tracing::warn!(workspace_id = %ws, error = %e, "outbox: dispatch failed; retrying on the next sweep");
                return;
            }
        }
        retries += 1;
        if retries > MAX_RETRIES {
            return;
        }
        tokio::time::sleep(RETRY_DELAY).await;
    }
}

async fn prune(store: &Store, retention: Duration) {
    let workspaces = match store.list_workspaces().await {
        Ok(list) => list,
        Err(e) => {
            tracing::warn!(error = %e, "outbox prune: cannot list workspaces");
            return;
        }
    };
    for ws in workspaces {
        let result = match store.runner(ws.id).await {
            Ok(runner) => runner.prune_outbox(retention).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(0) => {}
            Ok(n) => tracing::info!(workspace_id = %ws.id, deleted = n, "outbox pruned"),
            Err(e) => tracing::warn!(workspace_id = %ws.id, error = %e, "outbox prune failed"),
        }
    }
}
