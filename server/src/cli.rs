//! The `tessera` command line: `serve`, `workspace create`, `import`. Every flag can also be
//! set with an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tessera_core::WorkspaceId;
use tessera_metadata::ObjectMetadata;

use crate::telemetry::{self, LogFormat};
use crate::{
    AppState, AuthConfig, ServerConfig, ServerError, SmtpConfig, app, demo, import, workspaces,
};

/// Tessera: a multi-tenant CRM server with a Twenty-compatible GraphQL API.
#[derive(Debug, Parser)]
#[command(name = "tessera", version, about)]
pub struct Cli {
    /// Directory of the embedded (SQLite) store and the generated app secret.
    #[arg(
        long,
        env = "TESSERA_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// PostgreSQL URL; without it the embedded SQLite store is used.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Secret every token-signing key derives from (required with --database-url).
    #[arg(long, env = "APP_SECRET", global = true, hide_env_values = true)]
    pub app_secret: Option<String>,
    /// Accounts and sign-in settings.
    #[command(flatten)]
    pub auth: AuthArgs,
    /// Redis URL: record events (GraphQL subscriptions) fan out through Redis pub/sub to
    /// every instance; without it, events stay in this process.
    #[arg(long, env = "REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Seconds between outbox sweeps (every workspace's undispatched events are published).
    #[arg(
        long,
        env = "TESSERA_EVENTS_SWEEP_SECONDS",
        default_value_t = 5,
        global = true
    )]
    pub events_sweep_seconds: u64,
    /// Hours dispatched events stay in each workspace's outbox before pruning.
    #[arg(
        long,
        env = "TESSERA_EVENTS_RETENTION_HOURS",
        default_value_t = 168,
        global = true
    )]
    pub events_retention_hours: u64,
    /// Accept webhook target URLs on loopback and private networks (refused by default:
    /// SSRF protection).
    #[arg(long, env = "TESSERA_WEBHOOK_ALLOW_PRIVATE_TARGETS", global = true)]
    pub webhook_allow_private_targets: bool,
    /// Run the worker's jobs (timeline, webhooks, trash purge) inside `serve` (default: only
    /// in embedded mode; with PostgreSQL run `tessera-worker`).
    #[arg(long, env = "TESSERA_JOBS_IN_PROCESS", global = true)]
    pub jobs_in_process: Option<bool>,
    /// Job queue name prefix, shared with `tessera-worker` (processes sharing a database and
    /// a prefix share the queues).
    #[arg(long, env = "TESSERA_JOB_QUEUE_PREFIX", default_value = tessera_worker::jobs::DEFAULT_PREFIX, global = true)]
    pub job_queue_prefix: String,
    /// Log format.
    #[arg(long, env = "TESSERA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Accounts and sign-in settings (Twenty's environment names).
#[derive(Debug, Clone, clap::Args)]
pub struct AuthArgs {
    /// Lifetime of ACCESS tokens (`30m`, `1h`, ...).
    #[arg(long, env = "ACCESS_TOKEN_EXPIRES_IN", default_value = "30m", value_parser = crate::parse_duration, global = true)]
    pub access_token_expires_in: Duration,
    /// Lifetime of WORKSPACE_AGNOSTIC tokens.
    #[arg(long, env = "WORKSPACE_AGNOSTIC_TOKEN_EXPIRES_IN", default_value = "30m", value_parser = crate::parse_duration, global = true)]
    pub workspace_agnostic_token_expires_in: Duration,
    /// Lifetime of REFRESH tokens.
    #[arg(long, env = "REFRESH_TOKEN_EXPIRES_IN", default_value = "60d", value_parser = crate::parse_duration, global = true)]
    pub refresh_token_expires_in: Duration,
    /// Lifetime of LOGIN tokens.
    #[arg(long, env = "LOGIN_TOKEN_EXPIRES_IN", default_value = "15m", value_parser = crate::parse_duration, global = true)]
    pub login_token_expires_in: Duration,
    /// Lifetime of password-reset tokens.
    #[arg(long, env = "PASSWORD_RESET_TOKEN_EXPIRES_IN", default_value = "5m", value_parser = crate::parse_duration, global = true)]
    pub password_reset_token_expires_in: Duration,
    /// Lifetime of invitations.
    #[arg(long, env = "INVITATION_TOKEN_EXPIRES_IN", default_value = "30d", value_parser = crate::parse_duration, global = true)]
    pub invitation_token_expires_in: Duration,
    /// Base URL of the web front end (links in mails; workspace URLs).
    #[arg(
        long,
        env = "FRONTEND_URL",
        default_value = "http://localhost:3001",
        global = true
    )]
    pub frontend_url: String,
    /// Password checks allowed per e-mail address per window.
    #[arg(
        long,
        env = "TESSERA_LOGIN_MAX_ATTEMPTS_PER_EMAIL",
        default_value_t = 10,
        global = true
    )]
    pub login_attempts_per_email: u32,
    /// Password checks allowed per client IP per window.
    #[arg(
        long,
        env = "TESSERA_LOGIN_MAX_ATTEMPTS_PER_IP",
        default_value_t = 100,
        global = true
    )]
    pub login_attempts_per_ip: u32,
    /// Window of the login rate limits.
    #[arg(long, env = "TESSERA_LOGIN_RATE_WINDOW", default_value = "15m", value_parser = crate::parse_duration, global = true)]
    pub login_rate_window: Duration,
    /// Client IP from the last X-Forwarded-For entry (only behind a trusted proxy).
    #[arg(long, env = "TESSERA_TRUST_FORWARDED_FOR", global = true)]
    pub trust_forwarded_for: bool,
    /// SMTP host; without it mails are skipped.
    #[arg(long, env = "EMAIL_SMTP_HOST", global = true)]
    pub email_smtp_host: Option<String>,
    /// SMTP port (465: implicit TLS; otherwise STARTTLS unless EMAIL_SMTP_NO_TLS).
    #[arg(long, env = "EMAIL_SMTP_PORT", default_value_t = 587, global = true)]
    pub email_smtp_port: u16,
    /// SMTP user.
    #[arg(long, env = "EMAIL_SMTP_USER", global = true)]
    pub email_smtp_user: Option<String>,
    /// SMTP password.
    #[arg(
        long,
        env = "EMAIL_SMTP_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub email_smtp_password: Option<String>,
    /// Plain SMTP without TLS (local test servers only).
    #[arg(long, env = "EMAIL_SMTP_NO_TLS", global = true)]
    pub email_smtp_no_tls: bool,
    /// Sender address.
    #[arg(
        long,
        env = "EMAIL_FROM_ADDRESS",
        default_value = "noreply@tessera.localhost",
        global = true
    )]
    pub email_from_address: String,
    /// Sender name.
    #[arg(
        long,
        env = "EMAIL_FROM_NAME",
        default_value = "Tessera",
        global = true
    )]
    pub email_from_name: String,
    /// Google / Microsoft sign-in and SSO.
    #[command(flatten)]
    pub sso: crate::sso::SsoArgs,
}

impl AuthArgs {
    /// The configuration these arguments describe.
    pub fn config(&self) -> AuthConfig {
        AuthConfig {
            access_token_expires_in: self.access_token_expires_in,
            workspace_agnostic_token_expires_in: self.workspace_agnostic_token_expires_in,
            refresh_token_expires_in: self.refresh_token_expires_in,
            login_token_expires_in: self.login_token_expires_in,
            password_reset_token_expires_in: self.password_reset_token_expires_in,
            invitation_token_expires_in: self.invitation_token_expires_in,
            frontend_url: self.frontend_url.clone(),
            login_attempts_per_email: self.login_attempts_per_email,
            login_attempts_per_ip: self.login_attempts_per_ip,
            login_rate_window: self.login_rate_window,
            trust_forwarded_for: self.trust_forwarded_for,
            smtp: self.email_smtp_host.as_ref().map(|host| SmtpConfig {
                host: host.clone(),
                port: self.email_smtp_port,
                user: self.email_smtp_user.clone(),
                password: self.email_smtp_password.clone(),
                no_tls: self.email_smtp_no_tls,
            }),
            email_from_address: self.email_from_address.clone(),
            email_from_name: self.email_from_name.clone(),
            sso: self.sso.config(),
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve {
        /// Interface to listen on.
        #[arg(long, env = "TESSERA_HOST", default_value = "0.0.0.0")]
        host: String,
        /// Port to listen on.
        #[arg(long, env = "PORT", default_value_t = 3000)]
        port: u16,
        /// Create (once) a workspace named "Demo" with demo data and print a token for it.
        #[arg(long, env = "TESSERA_DEMO")]
        demo: bool,
    },
    /// Manage workspaces.
    Workspace {
        /// What to do with workspaces.
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
    /// Import records from a CSV file (all rows are validated before anything is written).
    Import {
        /// Workspace id.
        #[arg(long, env = "TESSERA_WORKSPACE")]
        workspace: WorkspaceId,
        /// Object name (`nameSingular`), e.g. `person`.
        #[arg(long, env = "TESSERA_IMPORT_OBJECT")]
        object: String,
        /// The CSV file; headers name fields (`city`, `Job Title`, `nameFirstName`, `name.firstName`).
        file: PathBuf,
    },
    /// Write the API contract (SDL of `/metadata` and of a standard workspace's `/graphql`,
    /// `error-codes.json`) into a directory.
    Contracts {
        /// Output directory.
        #[arg(long, default_value = "frontend-contracts")]
        out: PathBuf,
    },
}

/// Workspace subcommands.
#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace and an API key; prints `workspace_id=<uuid>` and `api_key=<token>`.
    Create {
        /// Display name.
        #[arg(long, env = "TESSERA_WORKSPACE_NAME")]
        name: String,
        /// Add the demo data.
        #[arg(long, env = "TESSERA_WORKSPACE_DEMO")]
        demo: bool,
        /// Add a test fixture's objects (`all-field-types`).
        #[arg(long, env = "TESSERA_WORKSPACE_FIXTURE", hide = true)]
        fixture: Option<String>,
    },
}

impl Cli {
    fn config(&self, host: &str, port: u16) -> ServerConfig {
        ServerConfig {
            host: host.to_owned(),
            port,
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            app_secret: self.app_secret.clone(),
            auth: self.auth.config(),
            redis_url: self.redis_url.clone(),
            events: crate::events::DispatcherOptions {
                sweep_interval: std::time::Duration::from_secs(self.events_sweep_seconds.max(1)),
                retention: std::time::Duration::from_secs(
                    self.events_retention_hours.saturating_mul(3600),
                ),
                ..crate::events::DispatcherOptions::default()
            },
            jobs: tessera_worker::jobs::JobOptions {
                prefix: self.job_queue_prefix.clone(),
                delivery: tessera_worker::webhooks::deliver::DeliveryOptions {
                    policy: tessera_worker::webhooks::url_policy::UrlPolicy {
                        allow_private: self.webhook_allow_private_targets,
                    },
                    ..Default::default()
                },
                ..Default::default()
            },
            jobs_in_process: self.jobs_in_process,
        }
    }
}

/// Parses the command line and runs it.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    match &cli.command {
        Command::Serve { host, port, demo } => serve(cli.config(host, *port), *demo).await,
        Command::Workspace {
            command:
                WorkspaceCommand::Create {
                    name,
                    demo,
                    fixture,
                },
        } => {
            let state = AppState::new(&cli.config("127.0.0.1", 0)).await?;
            let mut objects = if *demo {
                demo::demo_objects()
            } else {
                tessera_metadata::standard::standard_objects()
            };
            if let Some(fixture) = fixture {
                add_fixture_objects(fixture, &mut objects)?;
            }
            let (ws, token) =
                workspaces::create_workspace_with(&state, name, objects, *demo).await?;
            println!("workspace_id={ws}");
            println!("api_key={token}");
            Ok(())
        }
        Command::Contracts { out } => {
            crate::contracts::write(out)?;
            println!("wrote the API contract to {}", out.display());
            Ok(())
        }
        Command::Import {
            workspace,
            object,
            file,
        } => {
            let state = AppState::new(&cli.config("127.0.0.1", 0)).await?;
            let n = import::import_csv(state.store(), *workspace, object, file).await?;
            println!("imported {n} {object} record(s)");
            Ok(())
        }
    }
}

/// Adds a named test fixture's objects: `all-field-types` is the custom object `testObject`
/// with one field of every type (`tessera_metadata::standard::add_test_fixture_objects`), plus
/// the demo's custom fields on person and company (MULTI_SELECT, RATING, PHONES, ...).
/// Errors: an unknown fixture name.
fn add_fixture_objects(name: &str, objects: &mut Vec<ObjectMetadata>) -> Result<(), ServerError> {
    use tessera_metadata::standard;
    match name {
        "all-field-types" => {
            let has_demo_fields = objects
                .iter()
                .any(|o| o.name_singular == "person" && o.fields.iter().any(|f| f.name == "intro"));
            if !has_demo_fields {
                standard::add_demo_custom_fields(objects);
            }
            standard::add_test_fixture_objects(objects);
            Ok(())
        }
        other => Err(ServerError::UnknownFixture(other.to_owned())),
    }
}

async fn serve(config: ServerConfig, demo: bool) -> anyhow::Result<()> {
    tracing::info!(config = ?config, "starting");
    let state = AppState::new(&config).await?;
    let addr: SocketAddr = format!("{}:{}", config.host, config.port)
        .parse()
        .with_context(|| format!("invalid listen address {}:{}", config.host, config.port))?;
    if demo {
        let (ws, token) = workspaces::ensure_demo_workspace(&state).await?;
        print_demo_banner(&config, ws, &token);
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let queue =
        tessera_worker::jobs::JobQueue::connect(&config.store_config(), &config.jobs.prefix)
            .await
            .context("cannot open the job queue")?;
    let dispatcher = crate::events::spawn_dispatcher(
        state.store().clone(),
        state.pubsub().clone(),
        Some(queue.clone()),
        config.events,
    );
    let shutdown = tessera_worker::shutdown::Shutdown::install();
    let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
    let jobs = config.runs_jobs_in_process().then(|| {
        tokio::spawn(tessera_worker::jobs::runtime::run(
            state.store().clone(),
            queue,
            config.jobs.clone(),
            async move {
                let _ = jobs_stopped.await;
            },
        ))
    });
    tracing::info!(%addr, redis = state.pubsub().uses_redis(), jobs_in_process = jobs.is_some(), "listening");
    let served = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown.wait())
    .await;
    dispatcher.abort();
    let _ = stop_jobs.send(());
    if let Some(handle) = jobs {
        match handle.await {
            Ok(Err(e)) => tracing::warn!(error = %e, "the in-process jobs stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "the in-process jobs stopped abnormally"),
            Ok(Ok(())) => {}
        }
    }
    served.context("server error")?;
    tracing::info!("stopped");
    Ok(())
}

fn print_demo_banner(config: &ServerConfig, ws: WorkspaceId, token: &str) {
    let host = if config.host == "0.0.0.0" || config.host == "::" {
        "localhost"
    } else {
        &config.host
    };
    let url = format!("http://{host}:{}/graphql", config.port);
    println!("Demo workspace: {ws}");
    println!("API key token:  {token}");
    println!();
    println!("Try it:");
    println!("  curl -s {url} \\");
    println!("    -H 'Content-Type: application/json' \\");
    println!("    -H 'Authorization: Bearer {token}' \\");
    println!(
        "    -d '{{\"query\":\"{{ people(first: 3) {{ edges {{ node {{ id name {{ firstName lastName }} city }} }} }} }}\"}}'"
    );
    println!();
    println!("GraphiQL: {url} (add the header {{\"Authorization\": \"Bearer <token>\"}})");
}
