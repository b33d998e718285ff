//! `tessera-worker`: the background worker. For now a skeleton: it connects to the store
//! (running migrations like the server does), reports that it is ready and waits for SIGTERM
//! or ctrl-c. Jobs (outbox dispatch, webhooks, sync) will run here.

use std::path::PathBuf;

use clap::Parser;
use tessera_store::{Store, StoreConfig};

/// Command line of the worker; every flag can also be set with an environment variable.
#[derive(Debug, Parser)]
#[command(name = "tessera-worker", version, about = "Tessera background worker")]
struct Cli {
    /// Directory of the embedded (SQLite) store.
    #[arg(long, env = "TESSERA_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// PostgreSQL URL; without it the embedded SQLite store is used.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
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
        database_url: cli.database_url,
        data_dir: cli.data_dir,
    })
    .await?;
    tracing::info!(dialect = ?store.dialect(), "worker ready, waiting for work");
    shutdown_signal().await;
    tracing::info!("worker stopped");
    Ok(())
}

/// Resolves on ctrl-c or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
