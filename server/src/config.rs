//! The server's configuration and its app secret.

use std::io::Write;
use std::path::{Path, PathBuf};

use tessera_store::StoreConfig;

use crate::ServerError;

/// Configuration of the HTTP server (built by the CLI from flags and environment variables).
#[derive(Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Interface to listen on, e.g. `0.0.0.0`.
    pub host: String,
    /// TCP port, e.g. `3000`.
    pub port: u16,
    /// Directory of the embedded store's files and the generated app secret.
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; `None` for the embedded SQLite store.
    pub database_url: Option<String>,
    /// Secret from which every token-signing key is derived (Twenty's `APP_SECRET`). When
    /// `None` in embedded mode, one is generated once and kept in `<data_dir>/app-secret`.
    pub app_secret: Option<String>,
    /// Accounts and sign-in: token lifetimes, links, login rate limits, SMTP.
    pub auth: crate::AuthConfig,
    /// `redis://…`: record events fan out through Redis pub/sub so subscribers on every
    /// instance get them; `None`: in-process only (one instance).
    pub redis_url: Option<String>,
    /// Outbox dispatcher timing (sweep interval, retention of dispatched events).
    pub events: crate::events::DispatcherOptions,
    /// The jobs (apalis): queue prefix, and for the in-process worker the webhook delivery
    /// settings (timeout, retries, URL policy: private and loopback targets are refused
    /// unless `jobs.delivery.policy.allow_private`) and schedules.
    pub jobs: tessera_worker::jobs::JobOptions,
    /// Run the worker's jobs (timeline, webhooks, trash purge) inside `serve` (`None`: only
    /// in embedded mode, where no separate `tessera-worker` runs).
    pub jobs_in_process: Option<bool>,
}

impl ServerConfig {
    /// An embedded (SQLite) configuration under `data_dir`, listening on `127.0.0.1:3000`,
    /// with a generated app secret.
    pub fn embedded(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 3000,
            data_dir: data_dir.into(),
            database_url: None,
            app_secret: None,
            auth: crate::AuthConfig::default(),
            redis_url: None,
            events: crate::events::DispatcherOptions::default(),
            jobs: tessera_worker::jobs::JobOptions::default(),
            jobs_in_process: None,
        }
    }

    /// Whether `serve` runs the worker's jobs in-process.
    pub fn runs_jobs_in_process(&self) -> bool {
        self.jobs_in_process.unwrap_or(self.database_url.is_none())
    }

    /// The store part of this configuration.
    pub fn store_config(&self) -> StoreConfig {
        StoreConfig {
            database_url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field(
                "app_secret",
                &self.app_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("auth", &self.auth)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("events", &self.events)
            .field("jobs", &self.jobs)
            .field("jobs_in_process", &self.jobs_in_process)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db` (no password: unchanged).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// The file holding the generated app secret in embedded mode.
pub fn app_secret_path(data_dir: &Path) -> PathBuf {
    data_dir.join("app-secret")
}

/// The app secret to sign with: the configured one; else in embedded mode the one in
/// `<data_dir>/app-secret`, generated on first use (32 random bytes as hex, file mode 0600).
///
/// Errors: [`ServerError::MissingAppSecret`] in PostgreSQL mode without a secret,
/// [`ServerError::Io`] when the file cannot be read or written.
pub fn resolve_app_secret(config: &ServerConfig) -> Result<String, ServerError> {
    if let Some(secret) = config.app_secret.as_deref().filter(|s| !s.is_empty()) {
        return Ok(secret.to_owned());
    }
    if config.database_url.is_some() {
        return Err(ServerError::MissingAppSecret);
    }
    let path = app_secret_path(&config.data_dir);
    let io = |source| ServerError::Io {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|source| ServerError::Io {
        path: config.data_dir.clone(),
        source,
    })?;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(io)?;
    file.write_all(secret.as_bytes()).map_err(io)?;
    tracing::info!(path = %path.display(), "generated a new app secret");
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:pw@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("nonsense"), "nonsense");
    }

    #[test]
    fn debug_hides_secrets() {
        let config = ServerConfig {
            app_secret: Some("s3cret".into()),
            database_url: Some("postgres://u:pw@h/db".into()),
            redis_url: Some("redis://:rpw@h:6379".into()),
            ..ServerConfig::embedded("/tmp/x")
        };
        let text = format!("{config:?}");
        assert!(!text.contains("s3cret") && !text.contains("pw@"), "{text}");
        assert!(text.contains("redis://:***@h:6379"), "{text}");
    }

    #[test]
    fn embedded_secret_is_generated_once_with_private_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = ServerConfig::embedded(dir.path());
        let first = resolve_app_secret(&config).expect("generate");
        assert_eq!(first.len(), 64);
        assert_eq!(resolve_app_secret(&config).expect("reuse"), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(app_secret_path(dir.path()))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let pg = ServerConfig {
            database_url: Some("postgres://x".into()),
            ..config
        };
        assert!(matches!(
            resolve_app_secret(&pg),
            Err(ServerError::MissingAppSecret)
        ));
    }
}
