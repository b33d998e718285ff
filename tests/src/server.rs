//! Starting `tessera serve`, creating workspaces with `tessera workspace create`, and sending
//! requests to `/graphql`.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::case::{Body, Endpoint, Fixture};

/// Environment for every `tessera` process of one store.
#[derive(Debug, Clone)]
pub struct ProcessEnv {
    /// Variables to set.
    pub set: Vec<(String, String)>,
    /// Inherited variables to clear (so a developer's shell cannot redirect the store).
    pub clear: Vec<String>,
}

impl ProcessEnv {
    /// The embedded store: SQLite files under `data_dir`.
    pub fn sqlite(data_dir: &Path, app_secret: &str) -> Self {
        Self {
            set: vec![
                ("TESSERA_DATA_DIR".into(), data_dir.display().to_string()),
                ("APP_SECRET".into(), app_secret.into()),
            ],
            clear: vec!["DATABASE_URL".into()],
        }
    }

    /// PostgreSQL at `database_url`; the data dir still holds non-database state.
    pub fn postgres(database_url: &str, data_dir: &Path, app_secret: &str) -> Self {
        Self {
            set: vec![
                ("DATABASE_URL".into(), database_url.into()),
                ("TESSERA_DATA_DIR".into(), data_dir.display().to_string()),
                ("APP_SECRET".into(), app_secret.into()),
            ],
            clear: Vec::new(),
        }
    }

    fn apply(&self, cmd: &mut Command) {
        for k in &self.clear {
            cmd.env_remove(k);
        }
        for (k, v) in &self.set {
            cmd.env(k, v);
        }
    }
}

/// A running `tessera serve`; killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    log_path: PathBuf,
    _log_dir: TempDir,
}

impl Server {
    /// Starts `tessera serve` on a free port and waits until `/healthz` answers 200.
    pub async fn start(bin: &Path, env: &ProcessEnv, http: &reqwest::Client) -> Result<Self> {
        let port = free_port()?;
        let log_dir = TempDir::new()?;
        let log_path = log_dir.path().join("serve.log");
        let log = std::fs::File::create(&log_path)?;
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--port", &port.to_string(), "--host", "127.0.0.1"])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        env.apply(&mut cmd);
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {} serve", bin.display()))?;
        let mut server = Self {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            log_path,
            _log_dir: log_dir,
        };
        server.wait_healthy(http, Duration::from_secs(120)).await?;
        Ok(server)
    }

    async fn wait_healthy(&mut self, http: &reqwest::Client, limit: Duration) -> Result<()> {
        let url = format!("{}/healthz", self.base_url);
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "tessera serve exited ({status}) before it was healthy:\n{}",
                    self.log_tail(40)
                );
            }
            if let Ok(resp) = http.get(&url).send().await
                && resp.status().is_success()
            {
                return Ok(());
            }
            if start.elapsed() > limit {
                bail!(
                    "tessera serve not healthy after {limit:?}:\n{}",
                    self.log_tail(40)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `None` while running, else why it stopped.
    pub fn exit_status(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(e.to_string()),
        }
    }

    /// The last `lines` lines the server printed.
    pub fn log_tail(&self, lines: usize) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log_path) {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let _ = f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
            let _ = f.read_to_string(&mut text);
        }
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A workspace made by `tessera workspace create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// Its id.
    pub id: String,
    /// An API key for it.
    pub api_key: String,
}

/// Runs `tessera workspace create --name <name> <fixture args>` and reads the two lines it
/// prints (`workspace_id=…`, `api_key=…`).
pub async fn create_workspace(
    bin: &Path,
    env: &ProcessEnv,
    name: &str,
    fixture: Fixture,
) -> Result<Workspace> {
    let mut cmd = Command::new(bin);
    cmd.args(["workspace", "create", "--name", name])
        .args(fixture.create_args())
        .stdin(Stdio::null());
    env.apply(&mut cmd);
    let mut cmd = tokio::process::Command::from(cmd);
    cmd.kill_on_drop(true);
    let limit = match fixture {
        Fixture::Demo => Duration::from_secs(600),
        _ => Duration::from_secs(120),
    };
    let out = tokio::time::timeout(limit, cmd.output())
        .await
        .map_err(|_| anyhow!("tessera workspace create {name}: no answer after {limit:?}"))?
        .context("running tessera workspace create")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "tessera workspace create {name} failed ({}):\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    parse_workspace_output(&stdout)
        .with_context(|| format!("tessera workspace create {name} printed:\n{stdout}"))
}

/// Reads `workspace_id=<uuid>` and `api_key=<jwt>` from the CLI's stdout.
pub fn parse_workspace_output(stdout: &str) -> Result<Workspace> {
    let field = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .map(str::to_owned)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| anyhow!("no {key}… line"))
    };
    Ok(Workspace {
        id: field("workspace_id=")?,
        api_key: field("api_key=")?,
    })
}

/// A token with a valid shape whose signature does not match: the first character of the last
/// (signature) segment is changed. (The last character is avoided: in base64url its low bits
/// can be padding that lenient decoders ignore.)
pub fn tamper(token: &str) -> String {
    let start = token.rfind('.').map_or(0, |i| i + 1);
    let mut out = token.to_owned();
    if let Some(c) = token[start..].chars().next() {
        let replacement = if c == 'A' { "B" } else { "A" };
        out.replace_range(start..start + c.len_utf8(), replacement);
    }
    out
}

/// Sends one request to `/graphql` or `/metadata`. A 200 JSON answer is returned as is;
/// anything else is recorded as `{"httpStatus": <code>, "body": <JSON or text>}`.
pub async fn post_graphql(
    http: &reqwest::Client,
    base_url: &str,
    endpoint: Endpoint,
    token: Option<&str>,
    body: &Body,
    variables: Option<&Value>,
) -> Result<Value> {
    let path = endpoint.path();
    let mut req = http
        .post(format!("{base_url}{path}"))
        .header("content-type", "application/json");
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let payload = match body {
        Body::GraphQl(query) => {
            let mut b = json!({ "query": query });
            if let Some(v) = variables {
                b["variables"] = v.clone();
            }
            b.to_string()
        }
        Body::Raw(raw) => raw.clone(),
    };
    let resp = req
        .body(payload)
        .send()
        .await
        .with_context(|| format!("POST {path}"))?;
    let status = resp.status().as_u16();
    let text = resp
        .text()
        .await
        .with_context(|| format!("reading the {path} answer"))?;
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    Ok(match (status, parsed) {
        (200, Some(v)) => v,
        (_, parsed) => json!({
            "httpStatus": status,
            "body": parsed.unwrap_or(Value::String(text)),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_two_cli_lines() {
        let ws = parse_workspace_output(
            "workspace_id=20202020-0000-4000-8000-000000000001\napi_key=a.b.c\n",
        )
        .expect("parses");
        assert_eq!(ws.id, "20202020-0000-4000-8000-000000000001");
        assert_eq!(ws.api_key, "a.b.c");
        assert!(parse_workspace_output("workspace_id=x\n").is_err());
        assert!(parse_workspace_output("api_key=\nworkspace_id=x").is_err());
    }

    #[test]
    fn tampering_changes_only_the_signature_end() {
        assert_eq!(tamper("h.p.sigA"), "h.p.AigA");
        assert_eq!(tamper("h.p.Asig"), "h.p.Bsig");
        assert_ne!(tamper("abc"), "abc");
    }
}
