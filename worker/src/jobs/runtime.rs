//! Running the jobs: one apalis [`Monitor`] with four workers — outbox jobs and delivery
//! jobs from the SQL queue, and two cron workers (sweep, purge) — until a shutdown signal.
//! A sweep also runs once at start, so a worker catches up at once with events committed while
//! none ran.
//! Used by the `tessera-worker` binary and, on the embedded store, by `tessera serve`.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use apalis::layers::WorkerBuilderExt;
use apalis::prelude::{BoxDynError, Data, Monitor, ParallelizeExt, WorkerBuilder};
use apalis_cron::{CronScheduler, Tick};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use tessera_store::Store;

use super::delivery::{self, DeliveryContext, DeliveryJob};
use super::outbox::{self, OutboxContext, OutboxJob};
use super::queue::QueueBackend;
use super::{DELIVERY_QUEUE, JobError, JobOptions, JobQueue, OUTBOX_QUEUE};
use crate::webhooks::deliver::Deliverer;

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

    let outbox_queue = queue.queue_name(OUTBOX_QUEUE);
    let delivery_queue = queue.queue_name(DELIVERY_QUEUE);
    let outbox_n = options.outbox_concurrency.max(1);
    let delivery_n = options.delivery.concurrency.max(1);
    match &queue.backend {
        QueueBackend::Postgres(pool) => {
            let config = |queue: &str, batch: usize| {
                apalis_postgres::Config::default()
                    .queue(queue)
                    .batch_size(batch)
                    .heartbeat_interval(options.heartbeat)
                    .missed_heartbeats(3)
            };
            let outbox_backend = PostgresStorage::<OutboxJob>::new(pool)
                .with_config(config(&outbox_queue, outbox_n))
                .with_pubsub();
            let delivery_backend = PostgresStorage::<DeliveryJob>::new(pool)
                .with_config(config(&delivery_queue, delivery_n))
                .with_pubsub();
            let (ctx, worker) = (outbox_ctx.clone(), format!("{name}:{OUTBOX_QUEUE}"));
            monitor = monitor.register(move |_| {
                WorkerBuilder::new(worker.clone())
                    .backend(outbox_backend.clone())
                    .data(ctx.clone())
                    .concurrency(outbox_n)
                    .parallelize(tokio::spawn)
                    .build(outbox::handle)
            });
            let (ctx, worker) = (delivery_ctx.clone(), format!("{name}:{DELIVERY_QUEUE}"));
            monitor = monitor.register(move |_| {
                WorkerBuilder::new(worker.clone())
                    .backend(delivery_backend.clone())
                    .data(ctx.clone())
                    .concurrency(delivery_n)
                    .parallelize(tokio::spawn)
                    .build(delivery::handle)
            });
        }
        QueueBackend::Sqlite(pool) => {
            let config = |queue: &str, batch: usize| {
                apalis_sqlite::Config::default()
                    .queue(queue)
                    .batch_size(batch)
                    .heartbeat_interval(options.heartbeat)
                    .missed_heartbeats(3)
            };
            let outbox_backend =
                SqliteStorage::<OutboxJob>::new(pool).with_config(config(&outbox_queue, outbox_n));
            let delivery_backend = SqliteStorage::<DeliveryJob>::new(pool)
                .with_config(config(&delivery_queue, delivery_n));
            let (ctx, worker) = (outbox_ctx.clone(), format!("{name}:{OUTBOX_QUEUE}"));
            monitor = monitor.register(move |_| {
                WorkerBuilder::new(worker.clone())
                    .backend(outbox_backend.clone())
                    .data(ctx.clone())
                    .concurrency(outbox_n)
                    .parallelize(tokio::spawn)
                    .build(outbox::handle)
            });
            let (ctx, worker) = (delivery_ctx.clone(), format!("{name}:{DELIVERY_QUEUE}"));
            monitor = monitor.register(move |_| {
                WorkerBuilder::new(worker.clone())
                    .backend(delivery_backend.clone())
                    .data(ctx.clone())
                    .concurrency(delivery_n)
                    .parallelize(tokio::spawn)
                    .build(delivery::handle)
            });
        }
    }

    let (ctx, worker) = (outbox_ctx.clone(), format!("{name}:sweep"));
    monitor = monitor.register(move |_| {
        WorkerBuilder::new(worker.clone())
            .backend(CronScheduler::new(sweep_schedule.clone()))
            .data(ctx.clone())
            .concurrency(1)
            .build(sweep_tick)
    });
    let outbox_ctx_for_start = outbox_ctx.clone();
    let (ctx, worker) = (outbox_ctx, format!("{name}:purge"));
    monitor = monitor.register(move |_| {
        WorkerBuilder::new(worker.clone())
            .backend(CronScheduler::new(purge_schedule.clone()))
            .data(ctx.clone())
            .concurrency(1)
            .build(purge_tick)
    });

    // Catch up at once with what was committed while no worker ran (the cron sweep would
    // only get there at its next tick).
    let initial = outbox_ctx_for_start.clone();
    tokio::spawn(async move {
        match outbox::sweep(&initial).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "start-up sweep queued deliveries"),
            Err(e) => tracing::warn!(error = %e, "start-up sweep failed"),
        }
    });
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

async fn sweep_tick(_tick: Tick, ctx: Data<Arc<OutboxContext>>) -> Result<(), BoxDynError> {
    outbox::sweep(&ctx).await?;
    Ok(())
}

async fn purge_tick(_tick: Tick, ctx: Data<Arc<OutboxContext>>) -> Result<(), BoxDynError> {
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
    Ok(())
}
