//! `tessera-worker`: the background worker. Connects to the store (running migrations like the
//! server does) and to the job queue (apalis on the same database; `<data_dir>/jobs.db` on the
//! embedded store), then runs the jobs (`tessera_worker::jobs`: outbox stages, webhook
//! deliveries, the outbox sweep and the trash purge) until SIGTERM or ctrl-c; the jobs in hand
//! finish first.
//!
//! Operator commands: `tessera-worker deliveries --workspace <id> --webhook <id>` (the
//! webhook's delivery log, see `Command::Deliveries`), `tessera-worker dead-letters list` (one line per unreplayed dead
//! letter: `<id> <workspaceId> <webhookId> <eventName> attempts=<n> error=<last error>`) and
//! `tessera-worker dead-letters replay <id>` (a new first attempt is queued, due now).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tessera_store::{Store, StoreConfig};
use tessera_worker::jobs::{JobOptions, JobQueue, delivery, runtime};
use tessera_worker::webhooks::deliver::DeliveryOptions;
use tessera_worker::webhooks::url_policy::UrlPolicy;
use uuid::Uuid;

/// Command line of the worker; every flag can also be set with an environment variable.
#[derive(Debug, Parser)]
#[command(name = "tessera-worker", version, about = "Tessera background worker")]
struct Cli {
    /// Directory of the embedded (SQLite) store.
    #[arg(
        long,
        env = "TESSERA_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    data_dir: PathBuf,
    /// PostgreSQL URL; without it the embedded SQLite store is used.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    database_url: Option<String>,
    /// Deliver webhooks to loopback and private addresses (refused by default: SSRF).
    #[arg(long, env = "TESSERA_WEBHOOK_ALLOW_PRIVATE_TARGETS")]
    webhook_allow_private_targets: bool,
    /// Per-request webhook timeout, milliseconds.
    #[arg(long, env = "TESSERA_WEBHOOK_TIMEOUT_MS", default_value_t = 5000)]
    webhook_timeout_ms: u64,
    /// Attempts before a delivery is dead-lettered.
    #[arg(long, env = "TESSERA_WEBHOOK_MAX_ATTEMPTS", default_value_t = 5)]
    webhook_max_attempts: u32,
    /// First retry delay, milliseconds (doubles per attempt, plus jitter).
    #[arg(long, env = "TESSERA_WEBHOOK_MIN_DELAY_MS", default_value_t = 10_000)]
    webhook_min_delay_ms: u64,
    /// Largest retry delay, milliseconds.
    #[arg(
        long,
        env = "TESSERA_WEBHOOK_MAX_DELAY_MS",
        default_value_t = 3_600_000
    )]
    webhook_max_delay_ms: u64,
    /// Webhook deliveries attempted at the same time.
    #[arg(long, env = "TESSERA_WEBHOOK_CONCURRENCY", default_value_t = 16)]
    webhook_concurrency: usize,
    /// Queue name prefix; processes sharing a database and a prefix share the queues.
    #[arg(long, env = "TESSERA_JOB_QUEUE_PREFIX", default_value = tessera_worker::jobs::DEFAULT_PREFIX, global = true)]
    queue_prefix: String,
    /// This worker's name, unique among running workers (default `<host>-<pid>`); a worker
    /// started under a dead worker's name takes back its jobs at once.
    #[arg(long, env = "TESSERA_WORKER_NAME")]
    worker_name: Option<String>,
    /// Heartbeat interval, milliseconds; a worker silent for 3 heartbeats is dead and its
    /// jobs are queued again.
    #[arg(long, env = "TESSERA_WORKER_HEARTBEAT_MS", default_value_t = 5000)]
    heartbeat_ms: u64,
    /// Cron schedule (6 fields, with seconds) of the outbox sweep.
    #[arg(
        long,
        env = "TESSERA_OUTBOX_SWEEP_SCHEDULE",
        default_value = "*/30 * * * * *"
    )]
    sweep_schedule: String,
    /// Cron schedule (6 fields, with seconds) of the trash purge.
    #[arg(
        long,
        env = "TESSERA_TRASH_PURGE_SCHEDULE",
        default_value = "0 17 * * * *"
    )]
    purge_schedule: String,
    /// Operator command; without one, the worker runs.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The delivery log of one webhook, newest first: one line per delivery,
    /// `<idempotencyKey> <eventName> <status> attempts=<n> http=<status> last=<ISO time|-> error=<last error>`.
    Deliveries {
        /// The workspace.
        #[arg(long)]
        workspace: Uuid,
        /// The webhook.
        #[arg(long)]
        webhook: Uuid,
        /// At most this many lines.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Webhook deliveries that failed permanently.
    DeadLetters {
        #[command(subcommand)]
        command: DeadLetterCommand,
    },
}

#[derive(Debug, Subcommand)]
enum DeadLetterCommand {
    /// List unreplayed dead letters, oldest first.
    List,
    /// Queue a dead letter's delivery again (same idempotency key and body; attempts count
    /// from 1 again).
    Replay {
        /// The dead letter's id (first column of `list`).
        id: Uuid,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let store = Store::connect(&StoreConfig {
        database_url: cli.database_url.clone(),
        data_dir: cli.data_dir.clone(),
    })
    .await?;
    let store_config = StoreConfig {
        database_url: cli.database_url.clone(),
        data_dir: cli.data_dir.clone(),
    };
    match &cli.command {
        Some(Command::DeadLetters { command }) => {
            dead_letters(&store, &store_config, &cli.queue_prefix, command).await
        }
        Some(Command::Deliveries {
            workspace,
            webhook,
            limit,
        }) => {
            let ws = tessera_core::WorkspaceId(*workspace);
            for d in store.webhook_deliveries(ws, *webhook, *limit).await? {
                println!(
                    "{} {} {} attempts={} http={} last={} error={}",
                    d.idempotency_key,
                    d.event_name,
                    d.status.as_str(),
                    d.attempts,
                    d.last_status_code,
                    d.last_attempt_at
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                        .unwrap_or_else(|| "-".to_owned()),
                    d.last_error.as_deref().unwrap_or("")
                );
            }
            Ok(())
        }
        None => run(store, &store_config, &cli).await,
    }
}

async fn dead_letters(
    store: &Store,
    config: &StoreConfig,
    prefix: &str,
    command: &DeadLetterCommand,
) -> anyhow::Result<()> {
    match command {
        DeadLetterCommand::List => {
            for d in store.webhook_dead_letters().await? {
                println!(
                    "{} {} {} {} attempts={} error={}",
                    d.id,
                    d.workspace_id,
                    d.webhook_id,
                    d.event_name,
                    d.attempts,
                    d.last_error.as_deref().unwrap_or("")
                );
            }
            Ok(())
        }
        DeadLetterCommand::Replay { id } => {
            let queue = JobQueue::connect(config, prefix).await?;
            if delivery::push_replay(store, &queue, *id).await? {
                println!("replayed {id}");
                Ok(())
            } else {
                anyhow::bail!("no unreplayed dead letter {id}")
            }
        }
    }
}

async fn run(store: Store, config: &StoreConfig, cli: &Cli) -> anyhow::Result<()> {
    let queue = JobQueue::connect(config, &cli.queue_prefix)
        .await
        .context("cannot open the job queue")?;
    let options = JobOptions {
        prefix: cli.queue_prefix.clone(),
        worker_name: cli
            .worker_name
            .clone()
            .unwrap_or_else(tessera_worker::jobs::default_worker_name),
        delivery: DeliveryOptions {
            timeout: Duration::from_millis(cli.webhook_timeout_ms.max(1)),
            max_attempts: cli.webhook_max_attempts.max(1),
            min_delay: Duration::from_millis(cli.webhook_min_delay_ms),
            max_delay: Duration::from_millis(cli.webhook_max_delay_ms),
            policy: UrlPolicy {
                allow_private: cli.webhook_allow_private_targets,
            },
            concurrency: cli.webhook_concurrency.max(1),
        },
        heartbeat: Duration::from_millis(cli.heartbeat_ms.max(100)),
        sweep_schedule: cli.sweep_schedule.clone(),
        purge_schedule: cli.purge_schedule.clone(),
        ..JobOptions::default()
    };
    let shutdown = tessera_worker::shutdown::Shutdown::install();
    let task = tokio::spawn(runtime::run(store.clone(), queue, options, async move {
        shutdown.wait().await;
    }));
    tracing::info!(dialect = ?store.dialect(), "worker ready, waiting for work");
    task.await
        .context("worker panicked")?
        .context("worker stopped with an error")?;
    tracing::info!("worker stopped");
    Ok(())
}
