//! `tessera` server processes for multi-instance tests and the events bench: spawn
//! `tessera serve` on a free port (killed on drop, also on panic), create workspaces through
//! the CLI, and post GraphQL over HTTP.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The app secret every process of a test shares.
pub const SECRET: &str = "events-test-secret";

/// `base` with `suffix` appended to the database name (before any query string).
pub fn database_url_with_suffix(base: &str, suffix: &str) -> String {
    match base.split_once('?') {
        Some((url, query)) => format!("{url}{suffix}?{query}"),
        None => format!("{base}{suffix}"),
    }
}

/// `TESSERA_TEST_DATABASE_URL` (default local `tessera_test`) with `suffix` on the name.
pub fn test_database_url(suffix: &str) -> String {
    let base = std::env::var("TESSERA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/tessera_test".to_owned());
    database_url_with_suffix(&base, suffix)
}

/// Drops the database of `url` (left by an earlier run, with its workspaces and jobs) and
/// creates it again, empty. Only for a database that one test owns.
pub async fn fresh_database(url: &str) {
    use tessera_store::sqlx::{AssertSqlSafe, Connection, Executor, PgConnection, raw_sql};
    let (server, name) = url
        .split('?')
        .next()
        .and_then(|u| u.rsplit_once('/'))
        .expect("database URL with a name");
    let mut admin = PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("maintenance database");
    let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    admin
        .execute(raw_sql(AssertSqlSafe(drop)))
        .await
        .expect("drop test database");
    tessera_store::Store::ensure_database(url)
        .await
        .expect("test database");
}

/// `TESSERA_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`).
pub fn redis_url() -> String {
    std::env::var("TESSERA_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// Where a process keeps its data and which database / Redis it uses.
#[derive(Debug, Clone)]
pub struct Backend {
    /// `DATABASE_URL`, or `None` for the embedded store in the data directory.
    pub database_url: Option<String>,
    /// `REDIS_URL`, if any.
    pub redis_url: Option<String>,
    /// More environment variables for every process (`TESSERA_JOB_QUEUE_PREFIX`, ...).
    pub env: Vec<(String, String)>,
}

/// A `tessera` command for `data_dir` and `backend` (logs as JSON, warnings only).
pub fn tessera(bin: &str, data_dir: &Path, backend: &Backend) -> Command {
    let mut command = Command::new(bin);
    command
        .env_remove("PORT")
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env("APP_SECRET", SECRET)
        .env("TESSERA_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .env("TESSERA_LOG_FORMAT", "json");
    if let Some(url) = &backend.database_url {
        command.env("DATABASE_URL", url);
    }
    if let Some(url) = &backend.redis_url {
        command.env("REDIS_URL", url);
    }
    command.envs(backend.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    command
}

/// The `tessera-worker` binary next to `tessera_bin` (built by `cargo build --workspace`);
/// built with cargo when missing.
pub fn worker_bin(tessera_bin: &str) -> std::path::PathBuf {
    let path = Path::new(tessera_bin).with_file_name("tessera-worker");
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["build", "-p", "tessera-worker", "--bin", "tessera-worker"])
            .status()
            .expect("cargo build tessera-worker");
        assert!(status.success(), "cannot build tessera-worker");
    }
    path
}

/// Starts `tessera-worker` (same environment as the servers) and waits for its "worker ready"
/// log line; it is stopped with the servers. Its log lines go to this process's stderr
/// prefixed with `name`.
pub fn spawn_worker(
    servers: &mut Servers,
    tessera_bin: &str,
    data_dir: &Path,
    backend: &Backend,
    name: &'static str,
) {
    let mut child = tessera(
        worker_bin(tessera_bin).to_str().expect("path"),
        data_dir,
        backend,
    )
    .env("RUST_LOG", "info")
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn tessera-worker");
    let stderr = child.stderr.take().expect("stderr");
    servers.0.push(child);
    let (ready, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("worker ready") {
                let _ = ready.send(());
            }
            if !line.contains(" INFO ") {
                eprintln!("[{name}] {line}");
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("tessera-worker did not get ready");
}

/// Server processes, sent SIGTERM (then killed) when dropped.
#[derive(Default)]
pub struct Servers(pub Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
        for child in &mut self.0 {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() > deadline => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts `tessera serve` and waits until `/healthz` answers; the port. Its log lines go to
/// this process's stderr prefixed with `name`.
pub async fn spawn_server(
    servers: &mut Servers,
    bin: &str,
    data_dir: &Path,
    backend: &Backend,
    name: &'static str,
) -> u16 {
    let port = free_port();
    let mut child = tessera(bin, data_dir, backend)
        .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tessera serve");
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[{name}] {line}");
            }
        });
    }
    servers.0.push(child);
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let healthy = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if healthy {
            return port;
        }
        let exited = servers
            .0
            .last_mut()
            .and_then(|c| c.try_wait().ok().flatten());
        assert!(exited.is_none(), "server {name} exited early: {exited:?}");
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "server {name} on :{port} did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `tessera workspace create --name <name>`; the API key.
pub fn create_workspace(bin: &str, data_dir: &Path, backend: &Backend, name: &str) -> String {
    let output = tessera(bin, data_dir, backend)
        .args(["workspace", "create", "--name", name])
        .output()
        .expect("run workspace create");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "workspace create failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("api_key="))
        .unwrap_or_else(|| panic!("no api_key line: {stdout}"))
        .to_owned()
}

/// A server's address and one workspace's API key.
#[derive(Clone)]
pub struct Api {
    /// The server's port.
    pub port: u16,
    /// The workspace's API key.
    pub token: String,
    /// HTTP client.
    pub client: reqwest::Client,
}

impl Api {
    /// An API handle.
    pub fn new(port: u16, token: &str) -> Api {
        Api {
            port,
            token: token.to_owned(),
            client: reqwest::Client::new(),
        }
    }

    /// `POST /graphql`; the `data`, panicking on errors.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.post("/graphql", query, variables).await
    }

    /// `POST /metadata`; the `data`, panicking on errors.
    pub async fn metadata(&self, query: &str, variables: Value) -> Value {
        self.post("/metadata", query, variables).await
    }

    async fn post(&self, path: &str, query: &str, variables: Value) -> Value {
        let reply: Value = self
            .client
            .post(format!("http://127.0.0.1:{}{path}", self.port))
            .bearer_auth(&self.token)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON");
        assert!(reply.get("errors").is_none(), "{reply}");
        reply["data"].clone()
    }
}
