//! `tessera-worker`: the background worker. Connects to the store (running migrations like the
//! server does) and runs the webhook stages (outbox → queued deliveries → signed POSTs with
//! retries) until SIGTERM or ctrl-c; the round in progress finishes first (see
//! `tessera_worker::webhooks::runtime`).
//!
//! Operator commands: `tessera-worker deliveries --workspace <id> --webhook <id>` (the
//! webhook's delivery log, see `Command::Deliveries`), `tessera-worker dead-letters list` (one line per unreplayed dead
//! letter: `<id> <workspaceId> <webhookId> <eventName> attempts=<n> error=<last error>`) and
//! `tessera-worker dead-letters replay <id>` (the delivery is queued again, due now).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tessera_store::{Store, StoreConfig};
use tessera_worker::webhooks::deliver::DeliveryOptions;
use tessera_worker::webhooks::runtime::{self, WebhookRuntimeOptions};
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
    /// Pause between rounds when nothing is due, milliseconds.
    #[arg(long, env = "TESSERA_WORKER_POLL_MS", default_value_t = 500)]
    poll_ms: u64,
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
    /// Queue a dead letter's delivery again (same idempotency key and body).
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
    match &cli.command {
        Some(Command::DeadLetters { command }) => dead_letters(&store, command).await,
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
        None => run(store, &cli).await,
    }
}

async fn dead_letters(store: &Store, command: &DeadLetterCommand) -> anyhow::Result<()> {
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
            if store.replay_webhook_dead_letter(*id).await? {
                println!("replayed {id}");
                Ok(())
            } else {
                anyhow::bail!("no unreplayed dead letter {id}")
            }
        }
    }
}

async fn run(store: Store, cli: &Cli) -> anyhow::Result<()> {
    let options = WebhookRuntimeOptions {
        poll_interval: Duration::from_millis(cli.poll_ms.max(10)),
        delivery: DeliveryOptions {
            timeout: Duration::from_millis(cli.webhook_timeout_ms.max(1)),
            max_attempts: cli.webhook_max_attempts.max(1),
            min_delay: Duration::from_millis(cli.webhook_min_delay_ms),
            max_delay: Duration::from_millis(cli.webhook_max_delay_ms),
            policy: UrlPolicy {
                allow_private: cli.webhook_allow_private_targets,
            },
            ..DeliveryOptions::default()
        },
    };
    let shutdown = tessera_worker::shutdown::Shutdown::install();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(runtime::run(store.clone(), options, stopped));
    tracing::info!(dialect = ?store.dialect(), "worker ready, waiting for work");
    shutdown.wait().await;
    tracing::info!("stopping: finishing the deliveries in hand");
    let _ = stop.send(true);
    task.await
        .context("webhook loop panicked")?
        .context("webhook loop could not start")?;
    tracing::info!("worker stopped");
    Ok(())
}
