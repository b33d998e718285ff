//! Runs every case on every store and compares (or, with `UPDATE_EXPECT=1`, writes) the golden
//! files.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use futures_util::StreamExt;
use serde_json::{Map, Value};
use tempfile::TempDir;
use tokio::sync::Mutex;

use crate::case::{Case, Fixture, Session, load_cases, resolve_refs};
use crate::diff::{json_diff, to_golden};
use crate::normalise::Normaliser;
use crate::server::{ProcessEnv, Server, Workspace, create_workspace, post_graphql, tamper};

/// Default PostgreSQL database for the PostgreSQL run.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/tessera_test";

/// The token the `bad-token` session sends.
pub const BAD_TOKEN: &str = "not-a-valid-token";

const APP_SECRET: &str = "conformance-test-secret";

/// A storage backend the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreKind {
    /// The embedded default: SQLite files in a temporary data directory.
    Sqlite,
    /// PostgreSQL at [`Config::database_url`].
    Postgres,
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Postgres => "postgres",
        })
    }
}

/// What to run and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `tessera` binary.
    pub bin: PathBuf,
    /// `tests/cases`.
    pub cases_dir: PathBuf,
    /// Stores, in run order. With `update`, the first one writes the golden files and the
    /// others must match them.
    pub stores: Vec<StoreKind>,
    /// PostgreSQL database for the PostgreSQL run. When its name starts with `tessera_test` it
    /// is dropped and recreated first; otherwise it is only created when missing.
    pub database_url: String,
    /// Rewrite golden files instead of comparing (first store only).
    pub update: bool,
    /// Cases run at the same time per store.
    pub jobs: usize,
    /// Only cases whose id contains one of these substrings (all when empty).
    pub only: Vec<String>,
    /// Print progress and failures to stderr while running (the report has them either way).
    pub progress: bool,
}

impl Config {
    /// Reads the environment: `TESSERA_TEST_STORES` (default `sqlite,postgres`),
    /// `TESSERA_TEST_DATABASE_URL` (default [`DEFAULT_DATABASE_URL`]), `UPDATE_EXPECT=1`,
    /// `TESSERA_TEST_JOBS` (default 4), `TESSERA_CASES` (comma-separated id substrings), and
    /// `TESSERA_BIN` (another `tessera` binary than `bin`, e.g. a release build).
    pub fn from_env(bin: PathBuf, cases_dir: PathBuf) -> Result<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let bin = var("TESSERA_BIN").map_or(bin, PathBuf::from);
        let stores = var("TESSERA_TEST_STORES")
            .unwrap_or_else(|| "sqlite,postgres".into())
            .split(',')
            .map(|s| match s.trim() {
                "sqlite" => Ok(StoreKind::Sqlite),
                "postgres" | "postgresql" => Ok(StoreKind::Postgres),
                other => Err(anyhow!("TESSERA_TEST_STORES: unknown store {other:?}")),
            })
            .collect::<Result<Vec<_>>>()?;
        let jobs = match var("TESSERA_TEST_JOBS") {
            Some(j) => j.parse().context("TESSERA_TEST_JOBS")?,
            None => 4,
        };
        Ok(Self {
            bin,
            cases_dir,
            stores,
            database_url: own_database(
                &var("TESSERA_TEST_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            ),
            update: var("UPDATE_EXPECT").is_some_and(|v| v != "0"),
            jobs: usize::max(jobs, 1),
            only: var("TESSERA_CASES")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            progress: true,
        })
    }
}

/// One mismatch or error.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The case id, or `*` for a store-level problem.
    pub case: String,
    /// The store it happened on.
    pub store: StoreKind,
    /// The session, when the problem is one session's output.
    pub session: Option<Session>,
    /// What went wrong: a diff, or an error.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FAIL tests/cases/{} [{}]", self.case, self.store)?;
        if let Some(s) = self.session {
            write!(f, " session {s}")?;
        }
        write!(f, "\n{}", self.message)
    }
}

/// The result of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Cases loaded (after filtering).
    pub cases: usize,
    /// Stores run.
    pub stores: Vec<String>,
    /// Session outputs that matched their golden file.
    pub matched: usize,
    /// Golden files rewritten (with `UPDATE_EXPECT=1`, only those that changed).
    pub written: usize,
    /// Everything that did not match or did not run.
    pub failures: Vec<Failure>,
}

impl Report {
    /// A short summary: counts, then one line per failure.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "conformance: {} cases on {} ({}): {} outputs matched, {} golden files written, {} failures",
            self.cases,
            self.stores.len(),
            self.stores.join(", "),
            self.matched,
            self.written,
            self.failures.len()
        );
        for f in &self.failures {
            s.push_str(&format!("\n  tests/cases/{} [{}]", f.case, f.store));
            if let Some(session) = f.session {
                s.push_str(&format!(" {session}"));
            }
            if f.case == "*" {
                s.push_str(&format!(
                    ": {}",
                    f.message.lines().next().unwrap_or_default()
                ));
            }
        }
        s
    }
}

/// Loads the cases and runs them on every configured store. Errors only when the cases cannot
/// be loaded; everything else is a [`Failure`] in the report.
pub fn run(config: &Config) -> Result<Report> {
    let mut cases = load_cases(&config.cases_dir)?;
    if !config.only.is_empty() {
        cases.retain(|c| config.only.iter().any(|o| c.id.contains(o.as_str())));
    }
    if cases.is_empty() {
        bail!(
            "no conformance case selected under {}",
            config.cases_dir.display()
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut report = Report {
        cases: cases.len(),
        stores: config.stores.iter().map(ToString::to_string).collect(),
        ..Report::default()
    };
    for (i, &store) in config.stores.iter().enumerate() {
        let writer = config.update && i == 0;
        runtime.block_on(run_store(config, store, &cases, writer, &mut report));
    }
    Ok(report)
}

/// Progress and failures go straight to stderr, so they show while `cargo test` captures output.
fn say(config: &Config, text: &str) {
    if config.progress {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }
}

async fn run_store(
    config: &Config,
    store: StoreKind,
    cases: &[Case],
    writer: bool,
    report: &mut Report,
) {
    let started = Instant::now();
    let store_failure = |message: String| Failure {
        case: "*".into(),
        store,
        session: None,
        message,
    };
    let data_dir = match TempDir::new() {
        Ok(d) => d,
        Err(e) => {
            return report
                .failures
                .push(store_failure(format!("temp dir: {e}")));
        }
    };
    let env = match store {
        StoreKind::Sqlite => ProcessEnv::sqlite(data_dir.path(), APP_SECRET),
        StoreKind::Postgres => {
            if let Err(e) = prepare_postgres(&config.database_url).await {
                let f = store_failure(format!(
                    "PostgreSQL at {} is not usable: {e:#}",
                    config.database_url
                ));
                say(config, &f.to_string());
                return report.failures.push(f);
            }
            ProcessEnv::postgres(&config.database_url, data_dir.path(), APP_SECRET)
        }
    };
    let http = match reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            return report
                .failures
                .push(store_failure(format!("http client: {e}")));
        }
    };
    let mut server = match Server::start(&config.bin, &env, &http).await {
        Ok(s) => s,
        Err(e) => {
            let f = store_failure(format!("{e:#}"));
            say(config, &f.to_string());
            return report.failures.push(f);
        }
    };
    say(
        config,
        &format!(
            "conformance [{store}]: server up at {}, running {} cases ({} at a time){}",
            server.base_url,
            cases.len(),
            config.jobs,
            if writer { ", writing golden files" } else { "" }
        ),
    );
    let ctx = StoreRun {
        config,
        store,
        env,
        http,
        base_url: server.base_url.clone(),
        writer,
        demo: Mutex::new(HashMap::new()),
    };
    let total = cases.len();
    let mut done = 0;
    let mut outcomes = futures_util::stream::iter(cases)
        .map(|case| ctx.run_case(case))
        .buffer_unordered(config.jobs);
    while let Some((id, outcome)) = outcomes.next().await {
        done += 1;
        let verdict = if outcome.failures.is_empty() {
            "ok"
        } else {
            "FAILED"
        };
        say(
            config,
            &format!("conformance [{store}] {done}/{total} {verdict:6} {id}"),
        );
        for f in &outcome.failures {
            say(config, &f.to_string());
        }
        report.matched += outcome.matched;
        report.written += outcome.written;
        report.failures.extend(outcome.failures);
    }
    drop(outcomes);
    if let Some(status) = server.exit_status() {
        let f = store_failure(format!(
            "tessera serve exited during the run ({status}); last lines:\n{}",
            server.log_tail(40)
        ));
        say(config, &f.to_string());
        report.failures.push(f);
    }
    say(
        config,
        &format!("conformance [{store}]: done in {:.1?}", started.elapsed()),
    );
}

#[derive(Debug, Default)]
struct Outcome {
    matched: usize,
    written: usize,
    failures: Vec<Failure>,
}

struct StoreRun<'a> {
    config: &'a Config,
    store: StoreKind,
    env: ProcessEnv,
    http: reqwest::Client,
    base_url: String,
    writer: bool,
    /// Demo workspaces, made once per store and role and shared by the (read-only) demo cases.
    demo: Mutex<HashMap<Session, Workspace>>,
}

impl StoreRun<'_> {
    async fn run_case<'c>(&self, case: &'c Case) -> (&'c str, Outcome) {
        let mut outcome = Outcome::default();
        if let Err(e) = self.try_run_case(case, &mut outcome).await {
            outcome
                .failures
                .push(self.failure(case, None, format!("{e:#}")));
        }
        (&case.id, outcome)
    }

    fn failure(&self, case: &Case, session: Option<Session>, message: String) -> Failure {
        Failure {
            case: case.id.clone(),
            store: self.store,
            session,
            message,
        }
    }

    async fn workspace(&self, case: &Case, role: Session) -> Result<Workspace> {
        if case.fixture == Fixture::Demo {
            let mut shared = self.demo.lock().await;
            if let Some(ws) = shared.get(&role) {
                return Ok(ws.clone());
            }
            let name = format!("conformance-demo-{role}");
            let ws = create_workspace(&self.config.bin, &self.env, &name, Fixture::Demo).await?;
            shared.insert(role, ws.clone());
            return Ok(ws);
        }
        let name = format!("conformance-{}-{role}", case.id.replace('/', "-"));
        create_workspace(&self.config.bin, &self.env, &name, case.fixture).await
    }

    async fn try_run_case(&self, case: &Case, outcome: &mut Outcome) -> Result<()> {
        let main = match case.needs_main() {
            true => Some(self.workspace(case, Session::Main).await?),
            false => None,
        };
        let other = match case.needs_other() {
            true => Some(self.workspace(case, Session::Other).await?),
            false => None,
        };
        for seed in &case.seeds {
            let token = main.as_ref().map(|w| w.api_key.as_str());
            let resp = post_graphql(
                &self.http,
                &self.base_url,
                seed.endpoint,
                token,
                &seed.body,
                seed.variables.as_ref(),
            )
            .await
            .with_context(|| format!("seed {}", seed.file))?;
            let failed = resp.get("httpStatus").is_some()
                || resp.get("errors").is_some_and(|e| !e.is_null())
                || resp.get("data").is_none_or(Value::is_null);
            if failed {
                bail!("seed {} failed:\n{}", seed.file, to_golden(&resp));
            }
        }
        for &session in &case.sessions {
            let token = match session {
                Session::Main => main.as_ref().map(|w| w.api_key.clone()),
                Session::Other => other.as_ref().map(|w| w.api_key.clone()),
                Session::Anonymous => None,
                Session::BadToken => Some(BAD_TOKEN.to_owned()),
                Session::TamperedToken => main.as_ref().map(|w| tamper(&w.api_key)),
            };
            match self.session_output(case, token.as_deref()).await {
                Ok(raw) => {
                    let mut normaliser = Normaliser::new(&case.literals);
                    for (ws, name) in [(&main, "workspace:main"), (&other, "workspace:other")] {
                        if let Some(ws) = ws {
                            normaliser = normaliser.name_uuid(&ws.id, name);
                        }
                    }
                    let actual = normaliser.normalise(&raw);
                    self.check(case, session, &actual, outcome);
                }
                Err(e) => {
                    outcome
                        .failures
                        .push(self.failure(case, Some(session), format!("{e:#}")))
                }
            }
        }
        Ok(())
    }

    /// Runs every step as one session; the raw (not yet normalised) output.
    async fn session_output(&self, case: &Case, token: Option<&str>) -> Result<Value> {
        let mut responses = Map::new();
        for step in &case.steps {
            let variables = step
                .operation
                .variables
                .as_ref()
                .map(|v| resolve_refs(v, &responses));
            let resp = post_graphql(
                &self.http,
                &self.base_url,
                step.operation.endpoint,
                token,
                &step.operation.body,
                variables.as_ref(),
            )
            .await
            .with_context(|| format!("step {}", step.name))?;
            responses.insert(step.name.clone(), resp);
        }
        Ok(match case.multi_step {
            true => Value::Object(responses),
            false => responses.remove("request").unwrap_or(Value::Null),
        })
    }

    fn check(&self, case: &Case, session: Session, actual: &Value, outcome: &mut Outcome) {
        let path = case.expected_path(session);
        if self.writer {
            let text = to_golden(actual);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                match std::fs::write(&path, text) {
                    Ok(()) => outcome.written += 1,
                    Err(e) => outcome.failures.push(self.failure(
                        case,
                        Some(session),
                        format!("writing {}: {e}", path.display()),
                    )),
                }
            }
            return;
        }
        let message = match case.read_expected(session) {
            Ok(Some(expected)) if &expected == actual => {
                outcome.matched += 1;
                return;
            }
            Ok(Some(expected)) => clip(&json_diff(&expected, actual), 200),
            Ok(None) => format!(
                "{} is missing (UPDATE_EXPECT=1 writes it); the output was:\n{}",
                session.expected_file(),
                clip(&to_golden(actual), 200)
            ),
            Err(e) => format!("{e:#}"),
        };
        outcome
            .failures
            .push(self.failure(case, Some(session), message));
    }
}

/// The first `max` lines of `text`, with a note when lines were left out.
fn clip(text: &str, max: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= max {
        return text.to_owned();
    }
    format!(
        "{}\n… ({} more lines)",
        lines[..max].join("\n"),
        lines.len() - max
    )
}

/// Splits a PostgreSQL URL into (same server, database `postgres`) and the database name.
pub fn split_database_url(url: &str) -> Result<(String, String)> {
    let scheme_end = url.find("://").ok_or_else(|| anyhow!("not a URL: {url}"))? + 3;
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let slash = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .ok_or_else(|| anyhow!("{url} names no database"))?;
    let name = &base[slash + 1..];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        bail!("database name {name:?} must be letters, digits and _");
    }
    Ok((
        format!("{}/postgres{query}", &base[..slash]),
        name.to_owned(),
    ))
}

/// The conformance run's own database: the test database's name plus `_conformance`, so
/// dropping and recreating it never disturbs other tests using the test database.
pub fn own_database(url: &str) -> String {
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (url, String::new()),
    };
    format!("{path}_conformance{query}")
}

/// Makes sure the test database exists and, when its name starts with `tessera_test`, that it
/// is empty (dropped and recreated), so runs do not pile up workspaces.
async fn prepare_postgres(url: &str) -> Result<()> {
    use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
    let (admin_url, name) = split_database_url(url)?;
    let admin = Database::connect(&admin_url)
        .await
        .with_context(|| format!("connecting to {admin_url}"))?;
    if name.starts_with("tessera_test") {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await?;
    }
    let exists = admin
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 FROM pg_database WHERE datname = $1",
            [name.clone().into()],
        ))
        .await?
        .is_some();
    if !exists {
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
    }
    admin.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conformance_uses_its_own_database() {
        assert_eq!(
            own_database("postgres://u@h:5432/tessera_test?sslmode=disable"),
            "postgres://u@h:5432/tessera_test_conformance?sslmode=disable"
        );
    }

    #[test]
    fn database_url_splits_into_admin_url_and_name() {
        let (admin, name) = split_database_url(DEFAULT_DATABASE_URL).expect("valid");
        assert_eq!(admin, "postgres://postgres@127.0.0.1:5432/postgres");
        assert_eq!(name, "tessera_test");
        let (admin, name) =
            split_database_url("postgresql://u:p@db:5433/tessera_test_2?sslmode=disable")
                .expect("valid");
        assert_eq!(admin, "postgresql://u:p@db:5433/postgres?sslmode=disable");
        assert_eq!(name, "tessera_test_2");
        assert!(split_database_url("postgres://host:5432").is_err());
        assert!(split_database_url("postgres://host/x;drop").is_err());
    }

    #[test]
    fn clip_keeps_short_text_and_marks_long_text() {
        assert_eq!(clip("a\nb", 5), "a\nb");
        assert_eq!(clip("a\nb\nc", 2), "a\nb\n… (1 more lines)");
    }

    #[test]
    fn summary_lists_each_failure() {
        let report = Report {
            cases: 2,
            stores: vec!["sqlite".into(), "postgres".into()],
            matched: 3,
            written: 0,
            failures: vec![Failure {
                case: "filters/eq".into(),
                store: StoreKind::Postgres,
                session: Some(Session::Other),
                message: "diff".into(),
            }],
        };
        let s = report.summary();
        assert!(
            s.starts_with("conformance: 2 cases on 2 (sqlite, postgres): 3 outputs matched"),
            "{s}"
        );
        assert!(
            s.ends_with("\n  tests/cases/filters/eq [postgres] other"),
            "{s}"
        );
    }
}
