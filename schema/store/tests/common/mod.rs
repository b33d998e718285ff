//! Shared helpers: a store on SQLite (temp dir) or PostgreSQL (`TESSERA_TEST_DATABASE_URL`).

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm::{ConnectionTrait, Database};
use tessera_core::WorkspaceId;
use tessera_query::{SqlRunner, Statement};
use tessera_store::{Store, StoreConfig};

/// The test database URL (`TESSERA_TEST_DATABASE_URL`, default local `tessera_test`).
pub fn pg_url() -> String {
    std::env::var("TESSERA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/tessera_test".to_owned())
}

static DATABASE_READY: AtomicBool = AtomicBool::new(false);

/// Creates the test database if it does not exist (connecting to `postgres` first).
pub async fn ensure_pg_database() {
    if DATABASE_READY.load(Ordering::Acquire) {
        return;
    }
    let url = pg_url();
    let (base, rest) = url.rsplit_once('/').expect("database URL has a path");
    let name = rest.split('?').next().unwrap_or(rest);
    let admin = Database::connect(format!("{base}/postgres"))
        .await
        .expect("connect to postgres");
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 AS x FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .expect("query pg_database")
        .is_some();
    if !exists {
        // Concurrent test processes may race: "already exists" is fine.
        if let Err(e) = admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
        {
            let text = e.to_string();
            assert!(
                text.contains("already exists") || text.contains("duplicate key"),
                "create database: {text}"
            );
        }
    }
    let _ = admin.close().await;
    DATABASE_READY.store(true, Ordering::Release);
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
