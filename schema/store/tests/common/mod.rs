//! Shared helpers: a store on SQLite (temp dir) or PostgreSQL (`TESSERA_TEST_DATABASE_URL`).

#![allow(dead_code)]

pub mod meta;
pub mod rocket;

use tessera_core::WorkspaceId;
use tessera_query::{SqlRunner, Statement};
use tessera_store::{Store, StoreConfig};

/// The test database URL (`TESSERA_TEST_DATABASE_URL`, default local `tessera_test`).
pub fn pg_url() -> String {
    std::env::var("TESSERA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/tessera_test".to_owned())
}

/// Creates the test database if it does not exist.
pub async fn ensure_pg_database() {
    Store::ensure_database(&pg_url())
        .await
        .expect("create the test database");
}

/// A store on PostgreSQL.
pub async fn postgres() -> Store {
    ensure_pg_database().await;
    Store::connect(&StoreConfig {
        database_url: Some(pg_url()),
        data_dir: std::env::temp_dir(),
    })
    .await
    .expect("connect to PostgreSQL")
}

/// A store on SQLite in a fresh temp dir (keep the dir alive for the test).
pub async fn sqlite() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::connect(&StoreConfig {
        database_url: None,
        data_dir: dir.path().to_path_buf(),
    })
    .await
    .expect("connect to SQLite");
    (store, dir)
}

/// Runs a test body on SQLite and on PostgreSQL: `both!(name);` for `async fn name(Store)`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (store, _dir) = $crate::common::sqlite().await;
                super::$name(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let store = $crate::common::postgres().await;
                super::$name(store).await;
            }
        }
    };
}

/// `SELECT count(*)` of an object's table through the workspace runner, as a number.
pub async fn count(store: &Store, ws: WorkspaceId, table: &str) -> i64 {
    let runner = store.runner(ws).await.expect("runner");
    let rows = runner
        .fetch_json(count_statement(&*runner, table))
        .await
        .expect("count");
    let value: serde_json::Value = serde_json::from_str(&rows[0]).expect("json");
    value["n"].as_i64().expect("n")
}

/// A hand-written `SELECT … AS j` counting a table's rows, per dialect.
pub fn count_statement(runner: &dyn SqlRunner, table: &str) -> Statement {
    let sql = match runner.schema() {
        Some(schema) => format!(
            "SELECT json_build_object('n', count(*))::text AS j FROM \"{schema}\".\"{table}\""
        ),
        None => format!("SELECT json_object('n', count(*)) AS j FROM \"{table}\""),
    };
    Statement {
        sql,
        values: sea_query::Values(vec![]),
    }
}

/// `Map` from a `json!` object.
pub fn row(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}
