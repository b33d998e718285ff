//! Running the jobs: one apalis [`Monitor`] with four workers — outbox jobs and delivery
//! jobs from the SQL queue, and two cron workers (sweep, purge) — until a shutdown signal.
//! A sweep also runs once at start ([`JobOptions::sweep_at_start`]), so a worker catches up at
//! once with events committed while none ran.
//! Used by the `tessera-worker` binary and, on the embedded store, by `tessera serve`.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use apalis::layers::WorkerBuilderExt;
use apalis::prelude::{BackendExt, BoxDynError, Data, Monitor, ParallelizeExt, WorkerBuilder};
use apalis_cron::CronScheduler;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use tessera_store::Store;

use super::delivery::{self, DeliveryContext, DeliveryJob};
use super::outbox::{self, OutboxContext, OutboxJob};
use super::queue::QueueBackend;
use super::{DELIVERY_QUEUE, JobError, JobOptions, JobQueue, OUTBOX_QUEUE};
use crate::webhooks::deliver::Deliverer;

/// How often an idle worker looks for due jobs on PostgreSQL (pushed jobs wake it at once
/// through LISTEN/NOTIFY; this catches retries becoming due).
pub const POSTGRES_POLL: Duration = Duration::from_secs(1);
/// How often an idle worker looks for due jobs on the embedded store; pushes from this
/// process wake it at once.
pub const SQLITE_POLL: Duration = Duration::from_millis(500);

/// Runs the workers until `shutdown` completes, then stops fetching and waits for the jobs in
/// hand (at most the delivery timeout plus 5 s). Errors: [`JobError`] (bad cron schedule,
/// HTTP client), or the monitor failing.
pub async fn run(
    store: Store,
    queue: JobQueue,
    options: JobOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), JobError> {
    let sweep_schedule = schedule(&options.sweep_schedule)?;
    let purge_schedule = schedule(&options.purge_schedule)?;
    let options = Arc::new(options);
    let outbox_ctx = Arc::new(OutboxContext {
        store: store.clone(),
        queue: queue.clone(),
        options: options.clone(),
    });
    let delivery_ctx = Arc::new(DeliveryContext {
        deliverer: Deliverer::new(store.clone(), options.delivery)?,
        queue: queue.clone(),
    });
    let name = options.worker_name.clone();
    let grace = options.delivery.timeout + Duration::from_secs(5);
    let mut monitor = Monitor::new().shutdown_timeout(grace);

    let outbox_n = options.outbox_concurrency.max(1);
    let delivery_n = options.delivery.concurrency.max(1);
    // One worker per queue; `$make!(Job, queue, batch)` is a closure building its backend
    // (called once per worker start).
    macro_rules! register_queues {
        ($make:ident) => {
            for_queue!(
                OUTBOX_QUEUE,
                OutboxJob,
                outbox_ctx,
                outbox_n,
                outbox::handle,
                $make
            );
            for_queue!(
                DELIVERY_QUEUE,
                DeliveryJob,
                delivery_ctx,
                delivery_n,
                delivery::handle,
                $make
            );
        };
    }
    macro_rules! for_queue {
        ($queue:expr, $job:ty, $ctx:ident, $n:expr, $handler:path, $make:ident) => {{
            let (worker, ctx, make) = (
                format!("{name}:{}", $queue),
                $ctx.clone(),
                $make!($job, $queue, $n),
            );
            monitor = monitor.register(move |_| {
                WorkerBuilder::new(worker.clone())
                    .backend(make())
                    .data(ctx.clone())
                    .concurrency($n)
                    .parallelize(tokio::spawn)
                    .build($handler)
            });
        }};
    }
    // The queue's configuration: batches as large as the concurrency, the heartbeat, 3 missed
    // heartbeats make a worker dead.
    macro_rules! config {
        ($config:ty, $queue:expr, $batch:expr) => {
            <$config>::default()
                .queue(queue.queue_name($queue))
                .batch_size($batch)
                .heartbeat_interval(options.heartbeat)
                .missed_heartbeats(3)
        };
    }
    match &queue.backend {
        QueueBackend::Postgres(pool) => {
            // Woken by LISTEN/NOTIFY when a job is pushed, and every POSTGRES_POLL (retries
            // becoming due).
            macro_rules! postgres {
                ($job:ty, $queue:expr, $batch:expr) => {{
                    let (pool, wake, config) = (
                        pool.clone(),
                        queue.clone(),
                        config!(apalis_postgres::Config, $queue, $batch),
                    );
                    move || {
                        PostgresStorage::<$job>::new(&pool)
                            .with_config(config.clone())
                            .with_pubsub()
                            .poll_with_stream(wake.wake_stream($queue, POSTGRES_POLL))
                    }
                }};
            }
            register_queues!(postgres);
        }
        QueueBackend::Sqlite(pool) => {
            // Woken at once by pushes from this process, and every SQLITE_POLL.
            macro_rules! sqlite {
                ($job:ty, $queue:expr, $batch:expr) => {{
                    let (pool, wake, config) = (
                        pool.clone(),
                        queue.clone(),
                        config!(apalis_sqlite::Config, $queue, $batch),
                    );
                    move || {
                        SqliteStorage::<$job>::new(&pool)
                            .with_config(config.clone())
                            .poll_with_stream(wake.wake_stream($queue, SQLITE_POLL))
                    }
                }};
            }
            register_queues!(sqlite);
        }
    }

    // The cron workers: one job at a time each.
    for (cron, schedule, tick) in [
        ("sweep", sweep_schedule, CronJob::Sweep),
        ("purge", purge_schedule, CronJob::Purge),
    ] {
        let (ctx, worker) = (outbox_ctx.clone(), format!("{name}:{cron}"));
        monitor = monitor.register(move |_| {
            WorkerBuilder::new(worker.clone())
                .backend(CronScheduler::new(schedule.clone()))
                .data(ctx.clone())
                .data(tick)
                .concurrency(1)
                .build(cron_tick)
        });
    }

    // Catch up at once with what was committed while no worker ran (the cron sweep would
    // only get there at its next tick).
    if options.sweep_at_start {
        let initial = outbox_ctx.clone();
        tokio::spawn(async move {
            match outbox::sweep(&initial).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(queued = n, "start-up sweep queued deliveries"),
                Err(e) => tracing::warn!(error = %e, "start-up sweep failed"),
            }
        });
    }
    tracing::info!(worker = %name, prefix = %options.prefix, "job workers starting");
    monitor
        .run_with_signal(async move {
            shutdown.await;
            tracing::info!("stopping: finishing the jobs in hand");
            Ok(())
        })
        .await
        .map_err(|e| JobError::Queue(format!("monitor: {e}")))
}

fn schedule(text: &str) -> Result<cron::Schedule, JobError> {
    cron::Schedule::from_str(text).map_err(|e| JobError::Schedule(text.to_owned(), e.to_string()))
}

/// Which job a cron worker runs.
#[derive(Debug, Clone, Copy)]
enum CronJob {
    /// [`outbox::sweep`].
    Sweep,
    /// The trash purge and the clean-up of finished jobs.
    Purge,
}

async fn cron_tick(
    _tick: apalis_cron::Tick,
    ctx: Data<Arc<OutboxContext>>,
    job: Data<CronJob>,
) -> Result<(), BoxDynError> {
    match *job {
        CronJob::Sweep => outbox::sweep(&ctx).await.map(|_| ()).map_err(Into::into),
        CronJob::Purge => {
            purge(&ctx).await;
            Ok(())
        }
    }
}

/// The trash purge, then the clean-up of finished jobs; failures are logged.
async fn purge(ctx: &OutboxContext) {
    match crate::trash::purge_all(&ctx.store).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(destroyed = n, "trash purged"),
        Err(e) => tracing::warn!(error = %e, "trash purge failed"),
    }
    match ctx
        .queue
        .delete_finished(ctx.options.finished_job_retention)
        .await
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(deleted = n, "finished jobs deleted"),
        Err(e) => tracing::warn!(error = %e, "cannot delete finished jobs"),
    }
}
