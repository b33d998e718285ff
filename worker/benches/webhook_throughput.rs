//! Webhook delivery throughput to a local receiver (deliveries/s), on SQLite and, when
//! `TESSERA_TEST_DATABASE_URL` reaches a server, PostgreSQL (database name + `_bench_hooks`).
//! `WEBHOOK_BENCH_N` events (default 2000) are written through `/graphql` first; then the
//! worker's jobs (apalis: one outbox job, the fan-out, one delivery job per event) run until
//! the receiver has every delivery and each is recorded `DELIVERED`; the time of that phase is
//! reported, for concurrency 16 and 64.
//!
//! Baseline, measured in the same run: the same number of POSTs of the same size sent straight
//! to the receiver by one HTTP client at the same concurrency (no queue, no database); the
//! ratio is what the durable queue and the delivery log cost. Run: `scripts/bench-webhooks`
//! (`WEBHOOK_BENCH_STORES=sqlite` or `postgres` runs one store only).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use tessera_server::AppState;
use tessera_store::{DeliveryStatus, Store, StoreConfig};
use tessera_worker::jobs::{JobOptions, JobQueue, outbox, runtime};
use tessera_worker::webhooks::deliver::DeliveryOptions;
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

async fn run(label: &str, config: &StoreConfig, store: Store, n: usize, concurrency: usize) {
    let state = AppState::from_parts(store.clone(), "bench-secret".to_owned());
    let (ws, token) = tessera_server::create_workspace(&state, "Bench", false)
        .await
        .expect("workspace");
    let (url, count) = receiver().await;
    let hook = store
        .create_webhook(
            ws,
            None,
            &url,
            &["person.created".to_owned()],
            None,
            "bench",
        )
        .await
        .expect("webhook")
        .id;
    let prefix = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let queue = JobQueue::connect(config, &prefix).await.expect("queue");
    let delivery = DeliveryOptions {
        policy: UrlPolicy {
            allow_private: true,
        },
        concurrency,
        timeout: Duration::from_secs(10),
        ..DeliveryOptions::default()
    };
    let options = JobOptions {
        prefix: prefix.clone(),
        worker_name: prefix.clone(),
        delivery,
        sweep_schedule: "0 0 0 1 1 *".to_owned(),
        sweep_at_start: false,
        purge_schedule: "0 0 0 1 1 *".to_owned(),
        ..JobOptions::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(runtime::run(
        store.clone(),
        queue.clone(),
        options,
        async move {
            let _ = stopped.await;
        },
    ));
    // Let the workers start and go idle (the start-up sweep finds nothing): the timed phase
    // measures a running worker woken by an outbox job, as after a commit.
    tokio::time::sleep(Duration::from_secs(6)).await;
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
    let started = Instant::now();
    outbox::push(&queue, ws, "bench").await.expect("push");
    let trace = std::env::var("WEBHOOK_BENCH_TRACE").is_ok();
    let mut last_print = Instant::now();
    loop {
        if trace && last_print.elapsed() >= Duration::from_millis(250) {
            last_print = Instant::now();
            let queued = store
                .webhook_deliveries(ws, hook, n as u32)
                .await
                .map_or(0, |l| l.len());
            eprintln!(
                "  {:>6.2} s: {} queued, {} received",
                started.elapsed().as_secs_f64(),
                queued,
                count.load(Ordering::Relaxed)
            );
        }
        if count.load(Ordering::Relaxed) >= n {
            let log = store
                .webhook_deliveries(ws, hook, n as u32)
                .await
                .expect("log");
            if log.len() == n && log.iter().all(|d| d.status == DeliveryStatus::Delivered) {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "deliveries stalled"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    worker.await.expect("worker").expect("jobs");
    assert_eq!(
        count.load(Ordering::Relaxed),
        n,
        "every event delivered once"
    );
    let direct = baseline(&url, n, concurrency).await;
    let rate = n as f64 / elapsed.as_secs_f64();
    let base_rate = n as f64 / direct.as_secs_f64();
    println!(
        "{label:<10} concurrency {concurrency:>3}: {n} deliveries in {:.2} s = {rate:.0} deliveries/s; \
         baseline (direct POSTs) {base_rate:.0}/s; ratio {:.2}x of baseline",
        elapsed.as_secs_f64(),
        rate / base_rate
    );
}

/// `n` POSTs of a typical delivery body straight to `url`, `concurrency` at a time.
async fn baseline(url: &str, n: usize, concurrency: usize) -> Duration {
    use futures_util::StreamExt;
    let client = reqwest::Client::new();
    let body = json!({"eventName": "person.created", "record": {"id": uuid::Uuid::new_v4(), "name": {"firstName": "B", "lastName": ""}}, "padding": "x".repeat(900)}).to_string();
    let started = Instant::now();
    futures_util::stream::iter(0..n)
        .for_each_concurrent(concurrency, |_| {
            let request = client
                .post(url)
                .header("content-type", "application/json")
                .body(body.clone());
            async move {
                let r = request.send().await.expect("post");
                assert!(r.status().is_success());
            }
        })
        .await;
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("WEBHOOK_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let stores =
        std::env::var("WEBHOOK_BENCH_STORES").unwrap_or_else(|_| "sqlite,postgres".to_owned());
    for concurrency in [16, 64] {
        if !stores.contains("sqlite") {
            break;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let config = StoreConfig {
            database_url: None,
            data_dir: dir.path().to_owned(),
        };
        let store = Store::connect(&config).await.expect("sqlite");
        run("sqlite", &config, store, n, concurrency).await;
    }
    if !stores.contains("postgres") {
        return;
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
        let config = StoreConfig {
            database_url: Some(url.clone()),
            data_dir: std::env::temp_dir(),
        };
        let store = Store::connect(&config).await.expect("postgres");
        run("postgres", &config, store, n, concurrency).await;
    }
}
