//! Shared helpers for the server's tests: app state on SQLite or PostgreSQL, requests through
//! the router without a network, raw counts through a workspace runner.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tessera_core::WorkspaceId;
use tessera_query::{SqlRunner, Statement};
use tessera_server::{AppState, ServerConfig};
use tessera_store::{Store, StoreConfig};
use tower::ServiceExt;

/// The app secret of test states.
pub const SECRET: &str = "test-app-secret";

/// The PostgreSQL test database (`TESSERA_TEST_DATABASE_URL`, default local `tessera_test`).
pub fn pg_url() -> String {
    std::env::var("TESSERA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/tessera_test".to_owned())
}

/// State over a fresh SQLite data dir (keep the dir alive).
pub async fn sqlite_state() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = ServerConfig {
        app_secret: Some(SECRET.to_owned()),
        ..ServerConfig::embedded(dir.path())
    };
    (AppState::new(&config).await.expect("state"), dir)
}

/// State over the PostgreSQL test database.
pub async fn pg_state() -> AppState {
    Store::ensure_database(&pg_url())
        .await
        .expect("test database");
    let store = Store::connect(&StoreConfig {
        database_url: Some(pg_url()),
        data_dir: std::env::temp_dir(),
    })
    .await
    .expect("connect");
    AppState::from_parts(store, SECRET.to_owned())
}

/// The store configuration `state` was opened with (its SQLite data dir, or the PostgreSQL
/// test database).
pub fn store_config(state: &AppState) -> StoreConfig {
    match state.store().data_dir() {
        Some(dir) => StoreConfig {
            database_url: None,
            data_dir: dir,
        },
        None => StoreConfig {
            database_url: Some(pg_url()),
            data_dir: std::env::temp_dir(),
        },
    }
}

/// The worker's jobs running in the test process on their own queue prefix (tests sharing
/// the PostgreSQL database do not take each other's jobs). Nothing is swept or purged by
/// schedule: tests wake workspaces with [`Jobs::wake`].
pub struct Jobs {
    /// The queue.
    pub queue: tessera_worker::jobs::JobQueue,
    /// The queue prefix.
    pub prefix: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<Result<(), tessera_worker::jobs::JobError>>>,
    wakes: std::sync::atomic::AtomicU64,
}

impl Jobs {
    /// Starts the jobs of `state`'s store with `delivery` settings on a fresh prefix.
    pub async fn start(
        state: &AppState,
        delivery: tessera_worker::webhooks::deliver::DeliveryOptions,
    ) -> Self {
        let prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
        Self::start_on(state, delivery, prefix).await
    }

    /// Starts the jobs on queue prefix `prefix` (to resume a stopped [`Jobs`]' queue).
    pub async fn start_on(
        state: &AppState,
        delivery: tessera_worker::webhooks::deliver::DeliveryOptions,
        prefix: String,
    ) -> Self {
        Self::start_with(state, delivery, prefix, |_| {}).await
    }

    /// Starts the jobs on queue prefix `prefix`, with the test settings changed by `adjust`
    /// (a cron schedule, say).
    pub async fn start_with(
        state: &AppState,
        delivery: tessera_worker::webhooks::deliver::DeliveryOptions,
        prefix: String,
        adjust: impl FnOnce(&mut tessera_worker::jobs::JobOptions),
    ) -> Self {
        use tessera_worker::jobs::{JobOptions, JobQueue, runtime};
        let queue = JobQueue::connect(&store_config(state), &prefix)
            .await
            .expect("job queue");
        let options = JobOptions {
            prefix: prefix.clone(),
            worker_name: format!("{prefix}-{}", uuid::Uuid::new_v4().simple()),
            delivery,
            heartbeat: std::time::Duration::from_secs(1),
            // No sweeps (they would take other tests' workspaces in the shared database): 1
            // January at midnight is never during a test.
            sweep_schedule: "0 0 0 1 1 *".to_owned(),
            sweep_at_start: false,
            purge_schedule: "0 0 0 1 1 *".to_owned(),
            ..JobOptions::default()
        };
        let mut options = options;
        adjust(&mut options);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(runtime::run(
            state.store().clone(),
            queue.clone(),
            options,
            async move {
                let _ = stopped.await;
            },
        ));
        Self {
            queue,
            prefix,
            stop: Some(stop),
            handle: Some(handle),
            wakes: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Pushes an outbox job for `ws` (what the server's dispatcher does after publishing).
    pub async fn wake(&self, ws: WorkspaceId) {
        let n = self
            .wakes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tessera_worker::jobs::outbox::push(&self.queue, ws, &format!("test-{n}"))
            .await
            .expect("push outbox job");
    }

    /// Wakes `ws` and waits (up to 30 s) until `done` holds.
    pub async fn run_until(&self, ws: WorkspaceId, done: impl Fn() -> bool) {
        for i in 0..600 {
            if i % 10 == 0 {
                self.wake(ws).await;
            }
            if done() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the jobs did not get there within 30 s");
    }

    /// Stops the workers gracefully and waits for them.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("jobs task").expect("jobs");
        }
    }
}

/// Runs a test body on SQLite and on PostgreSQL: `both!(name);` for `async fn name(AppState)`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (state, _dir) = $crate::common::sqlite_state().await;
                super::$name(state).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let state = $crate::common::pg_state().await;
                super::$name(state).await;
            }
        }
    };
}

/// A response: status, headers and body text.
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// Headers.
    pub headers: axum::http::HeaderMap,
    /// Body as text.
    pub body: String,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// `errors[0].extensions.code`, if any.
    pub fn error_code(&self) -> Option<String> {
        self.json()["errors"][0]["extensions"]["code"]
            .as_str()
            .map(str::to_owned)
    }
}

/// Sends a request through the app.
pub async fn send(state: &AppState, request: Request<Body>) -> Reply {
    let response = tessera_server::app(state.clone())
        .oneshot(request)
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// `POST /graphql` with `body` and an optional `Authorization` header value.
pub async fn post_graphql(state: &AppState, authorization: Option<&str>, body: &str) -> Reply {
    let mut request = Request::post("/graphql").header("content-type", "application/json");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    send(
        state,
        request.body(Body::from(body.to_owned())).expect("request"),
    )
    .await
}

/// `POST /metadata` with `body` and an optional `Authorization` header value.
pub async fn post_metadata(state: &AppState, authorization: Option<&str>, body: &str) -> Reply {
    let mut request = Request::post("/metadata").header("content-type", "application/json");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    send(
        state,
        request.body(Body::from(body.to_owned())).expect("request"),
    )
    .await
}

/// `SELECT count(*)` of a table through the workspace's runner.
pub async fn count(store: &Store, ws: WorkspaceId, table: &str) -> i64 {
    let runner = store.runner(ws).await.expect("runner");
    let sql = match runner.schema() {
        Some(schema) => format!(
            "SELECT json_build_object('n', count(*))::text AS j FROM \"{schema}\".\"{table}\""
        ),
        None => format!("SELECT json_object('n', count(*)) AS j FROM \"{table}\""),
    };
    let rows = runner
        .fetch_json(Statement {
            sql,
            values: sea_query::Values(vec![]),
        })
        .await
        .expect("count");
    let value: Value = serde_json::from_str(&rows[0]).expect("json");
    value["n"].as_i64().expect("n")
}
