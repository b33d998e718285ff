//! Webhook delivery throughput to a local receiver (deliveries/s), on SQLite and, when
//! `TESSERA_TEST_DATABASE_URL` reaches a server, PostgreSQL (database name + `_bench_hooks`).
//! `WEBHOOK_BENCH_N` events (default 2000) are written through `/graphql` first; then the
//! fan-out stage and the deliverer run until every delivery is recorded `DELIVERED`; the time
//! of that phase is reported (fan-out + signed POST + bookkeeping), for concurrency 16 and 64.
//! Run: `scripts/bench-webhooks`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use tessera_server::AppState;
use tessera_store::{Store, StoreConfig};
use tessera_worker::webhooks::deliver::{Deliverer, DeliveryOptions};
use tessera_worker::webhooks::fanout;
use tessera_worker::webhooks::url_policy::UrlPolicy;
use tower::ServiceExt;

async fn receiver() -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |_body: axum::body::Bytes| {
            let c = c.clone();
            async move {
                c.fetch_add(1, Ordering::Relaxed);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), count)
}

async fn run(label: &str, store: Store, n: usize, concurrency: usize) {
    let state = AppState::from_parts(store.clone(), "bench-secret".to_owned());
    let (ws, token) = tessera_server::create_workspace(&state, "Bench", false)
        .await
        .expect("workspace");
    let (url, count) = receiver().await;
    store
        .create_webhook(
            ws,
            None,
            &url,
            &["person.created".to_owned()],
            None,
            "bench",
        )
        .await
        .expect("webhook");
    let app = tessera_server::app(state.clone());
    for i in 0..n {
        let body = json!({
            "query": "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
            "variables": {"d": {"name": {"firstName": format!("B{i}")}}}
        })
        .to_string();
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .expect("request");
        let response = app.clone().oneshot(request).await.expect("infallible");
        assert!(response.status().is_success());
    }
    let deliverer = Deliverer::new(
        store.clone(),
        DeliveryOptions {
            policy: UrlPolicy {
                allow_private: true,
            },
            concurrency,
            batch: concurrency as u32,
            timeout: Duration::from_secs(10),
            ..DeliveryOptions::default()
        },
    )
    .expect("client")
    .only_workspace(ws);
    let started = Instant::now();
    fanout::fan_out_workspace(&store, ws)
        .await
        .expect("fan out");
    let fanned = started.elapsed();
    while deliverer.run_once().await.expect("deliver") > 0 {}
    let elapsed = started.elapsed();
    assert_eq!(
        count.load(Ordering::Relaxed),
        n,
        "every event delivered once"
    );
    println!(
        "{label:<10} concurrency {concurrency:>3}: {n} deliveries in {:.2} s (fan-out {:.2} s) = {:.0} deliveries/s",
        elapsed.as_secs_f64(),
        fanned.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("WEBHOOK_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    for concurrency in [16, 64] {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::connect(&StoreConfig {
            database_url: None,
            data_dir: dir.path().to_owned(),
        })
        .await
        .expect("sqlite");
        run("sqlite", store, n, concurrency).await;
    }
    let base = std::env::var("TESSERA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/tessera_test".to_owned());
    let url = match base.split_once('?') {
        Some((u, q)) => format!("{u}_bench_hooks?{q}"),
        None => format!("{base}_bench_hooks"),
    };
    if Store::ensure_database(&url).await.is_err() {
        println!(
            "postgres: skipped (no server at {})",
            tessera_server::redact_url(&url)
        );
        return;
    }
    for concurrency in [16, 64] {
        let store = Store::connect(&StoreConfig {
            database_url: Some(url.clone()),
            data_dir: std::env::temp_dir(),
        })
        .await
        .expect("postgres");
        run("postgres", store, n, concurrency).await;
    }
}
