//! The worker's jobs on apalis, with SQL storage (`apalis-postgres` in production,
//! `apalis-sqlite` in `<data_dir>/jobs.db` on the embedded store, where `tessera serve` runs
//! the same jobs in-process).
//!
//! | queue (`<prefix>.<name>`) | job | pushed by |
//! |---|---|---|
//! | [`OUTBOX_QUEUE`] | [`outbox::OutboxJob`]: run the timeline and webhook fan-out stages of one workspace | the server's outbox dispatcher after it publishes a batch, and the sweep |
//! | [`DELIVERY_QUEUE`] | [`delivery::DeliveryJob`]: one attempt of one webhook delivery | the fan-out (first attempts), the previous attempt (retries), `dead-letters replay` |
//!
//! Two cron workers (apalis-cron) run in every worker process: the outbox sweep
//! ([`JobOptions::sweep_schedule`], catches workspaces whose wake-up job was lost) and the
//! trash purge ([`JobOptions::purge_schedule`], [`crate::trash`]), which also deletes
//! finished jobs older than [`JobOptions::finished_job_retention`].
//!
//! - **Payloads carry the workspace id**; the workspace's data is read when the job runs.
//! - **Retries**: a failed delivery attempt queues the next attempt as a new job due after an
//!   exponential delay with jitter ([`crate::webhooks::deliver::retry_delay`]), so a waiting
//!   retry holds no worker slot and survives restarts; after
//!   [`crate::webhooks::deliver::DeliveryOptions::max_attempts`] the delivery is dead-lettered
//!   (`webhookDeadLetter`; `tessera-worker dead-letters list|replay`). A handler error
//!   (database unavailable) fails the job and apalis runs it again.
//! - **Crashes**: a job in hand when a worker dies is re-queued by apalis once the worker's
//!   heartbeats stop ([`JobOptions::heartbeat`] × 3), or at once when a worker of the same
//!   name starts again.
//! - **Graceful shutdown**: [`runtime::run`] stops fetching, lets the jobs in hand finish
//!   (a delivery attempt is bounded by its HTTP timeout), and returns.

pub mod delivery;
pub mod outbox;
pub mod queue;
pub mod runtime;

use std::time::Duration;

pub use queue::{JobQueue, NewJob};

use crate::webhooks::deliver::DeliveryOptions;

/// Name of the outbox queue (under the queue prefix).
pub const OUTBOX_QUEUE: &str = "outbox";
/// Name of the webhook delivery queue (under the queue prefix).
pub const DELIVERY_QUEUE: &str = "webhook-delivery";
/// The default queue prefix (`TESSERA_JOB_QUEUE_PREFIX`).
pub const DEFAULT_PREFIX: &str = "tessera";

/// Why a job or the queue failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The queue's database (apalis tables) failed.
    #[error("job queue: {0}")]
    Queue(String),
    /// A payload could not be encoded.
    #[error("job payload: {0}")]
    Encode(#[from] serde_json::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] tessera_store::StoreError),
    /// The timeline stage failed.
    #[error(transparent)]
    Timeline(#[from] crate::timeline::TimelineError),
    /// The HTTP client could not be built.
    #[error("http client: {0}")]
    Http(#[from] reqwest::Error),
    /// A cron schedule does not parse.
    #[error("schedule {0:?}: {1}")]
    Schedule(String, String),
}

impl JobError {
    pub(crate) fn queue(e: impl std::fmt::Display) -> Self {
        Self::Queue(e.to_string())
    }
}

/// Settings of a worker process (or of the in-process worker of `tessera serve`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOptions {
    /// Queue name prefix (`TESSERA_JOB_QUEUE_PREFIX`, default [`DEFAULT_PREFIX`]).
    pub prefix: String,
    /// This process's worker name, unique among running workers (default: host name and
    /// process id). A worker starting under the name of a dead one takes back its jobs.
    pub worker_name: String,
    /// Webhook delivery settings (timeout, attempts, backoff, URL policy, concurrency).
    pub delivery: DeliveryOptions,
    /// Outbox jobs run at the same time.
    pub outbox_concurrency: usize,
    /// Heartbeat interval of the workers; a worker silent for 3 heartbeats is dead and its
    /// jobs are queued again.
    pub heartbeat: Duration,
    /// Cron schedule (with seconds) of the outbox sweep.
    pub sweep_schedule: String,
    /// Also sweep once right at start (catches up with what was committed while no worker
    /// ran).
    pub sweep_at_start: bool,
    /// Cron schedule (with seconds) of the trash purge and the clean-up of finished jobs.
    pub purge_schedule: String,
    /// Finished jobs are deleted this long after they finished.
    pub finished_job_retention: Duration,
    /// Waiting for a workspace's stage lock gives up after this long (the job fails and runs
    /// again).
    pub lock_wait: Duration,
}

impl Default for JobOptions {
    /// Prefix `tessera`, name `<host>-<pid>`, default delivery settings, 4 outbox jobs at a
    /// time, 5 s heartbeats, sweep at start and every 30 s, purge hourly (minute 17), finished jobs kept
    /// 1 day, 60 s lock wait.
    fn default() -> Self {
        Self {
            prefix: DEFAULT_PREFIX.to_owned(),
            worker_name: default_worker_name(),
            delivery: DeliveryOptions::default(),
            outbox_concurrency: 4,
            heartbeat: Duration::from_secs(5),
            sweep_schedule: "*/30 * * * * *".to_owned(),
            sweep_at_start: true,
            purge_schedule: "0 17 * * * *".to_owned(),
            finished_job_retention: Duration::from_secs(24 * 3600),
            lock_wait: Duration::from_secs(60),
        }
    }
}

/// `<host name>-<process id>` (`HOSTNAME`, else `/etc/hostname`, else `worker`).
pub fn default_worker_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "worker".to_owned());
    format!("{host}-{}", std::process::id())
}
