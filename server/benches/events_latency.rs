//! Mutation → subscriber latency of record events, end to end over real processes:
//!
//! 1. **embedded**: one `tessera serve` on SQLite, in-process pub/sub; the subscriber and the
//!    mutations use the same instance.
//! 2. **postgres+redis, two instances**: A and B share PostgreSQL (`TESSERA_TEST_DATABASE_URL`
//!    with `_bench` appended to the name) and Redis (`TESSERA_TEST_REDIS_URL`, default
//!    `redis://127.0.0.1:6379`); mutations go to A, the subscriber is on B.
//!
//! For each of `EVENTS_BENCH_N` (default 1000) sequential `createCompany` mutations it
//! measures the time from sending the HTTP request to receiving the event on the WebSocket
//! (and, for reference, the mutation's own HTTP round trip), then prints p50 / p99 / max.
//! Run: `scripts/bench-events` (= `cargo bench -p tessera-server --bench events_latency`).

#[path = "../tests/processes/mod.rs"]
mod processes;
#[path = "../tests/ws_client/mod.rs"]
mod ws_client;

use std::time::{Duration, Instant};

use processes::{Api, Backend, Servers, create_workspace, spawn_server, test_database_url};
use serde_json::json;
use ws_client::{TRANSPORT_WS, WsClient};

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let i = (sorted.len() * p / 100).min(sorted.len().saturating_sub(1));
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Subscribes on `subscriber_port`, warms up, then runs `n` mutations through `mutations`.
async fn measure(name: &str, mutations: &Api, subscriber_port: u16, n: usize) {
    let mut client = WsClient::connect(subscriber_port, TRANSPORT_WS).await;
    client.init_with_token(&mutations.token).await;
    client
        .subscribe("1", "subscription { onDbEvent(input: {objectNameSingular: \"company\"}) { action record } }")
        .await;
    // Warm-up: until the subscription is live, then 20 more (connections, caches).
    let mut live = false;
    for i in 0..200 {
        let r = mutations
            .graphql(
                "mutation($n: String) { createCompany(data: {name: $n}) { id } }",
                json!({"n": format!("warm-up {i}")}),
            )
            .await;
        let id = r["createCompany"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if live {
            client.event_for("1", &id).await;
            if i > 40 {
                break;
            }
        } else if client
            .next_event_within("1", Duration::from_millis(300))
            .await
            .is_some()
        {
            live = true;
        }
    }
    assert!(live, "{name}: the subscription never became live");
    client.clear_pending();
    let mut to_event = Vec::with_capacity(n);
    let mut round_trip = Vec::with_capacity(n);
    for i in 0..n {
        let id = uuid::Uuid::new_v4().to_string();
        let sent = Instant::now();
        mutations
            .graphql(
                "mutation($d: CompanyCreateInput!) { createCompany(data: $d) { id } }",
                json!({"d": {"id": id, "name": format!("bench {i}")}}),
            )
            .await;
        round_trip.push(sent.elapsed());
        client.event_for("1", &id).await;
        to_event.push(sent.elapsed());
    }
    to_event.sort();
    round_trip.sort();
    println!(
        "{name}: {n} events; mutation -> subscriber latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms \
         (mutation HTTP round trip alone: p50 {:.2} ms, p99 {:.2} ms)",
        ms(percentile(&to_event, 50)),
        ms(percentile(&to_event, 99)),
        ms(to_event.last().copied().unwrap_or_default()),
        ms(percentile(&round_trip, 50)),
        ms(percentile(&round_trip, 99)),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it with nothing (skip).
    if !std::env::args().any(|a| a == "--bench") {
        println!("events_latency: run with `cargo bench` (scripts/bench-events)");
        return;
    }
    let n: usize = std::env::var("EVENTS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // 1. embedded
        {
            let dir = tempfile::tempdir().expect("tempdir");
            let backend = Backend {
                database_url: None,
                redis_url: None,
                env: Vec::new(),
            };
            let token = create_workspace(BIN, dir.path(), &backend, "Bench");
            let mut servers = Servers::default();
            let port = spawn_server(&mut servers, BIN, dir.path(), &backend, "embedded").await;
            measure(
                "embedded (SQLite, in-process pub/sub, one instance)",
                &Api::new(port, &token),
                port,
                n,
            )
            .await;
        }
        // 2. PostgreSQL + Redis, two instances
        {
            let url = test_database_url("_bench");
            tessera_store::Store::ensure_database(&url)
                .await
                .expect("bench database");
            let backend = Backend {
                database_url: Some(url),
                redis_url: Some(processes::redis_url()),
                env: Vec::new(),
            };
            let dir_a = tempfile::tempdir().expect("tempdir");
            let dir_b = tempfile::tempdir().expect("tempdir");
            let mut servers = Servers::default();
            let port_a = spawn_server(&mut servers, BIN, dir_a.path(), &backend, "A").await;
            let port_b = spawn_server(&mut servers, BIN, dir_b.path(), &backend, "B").await;
            let token = create_workspace(BIN, dir_a.path(), &backend, "Bench");
            measure(
                "postgres+redis (mutations on A, subscriber on B)",
                &Api::new(port_a, &token),
                port_b,
                n,
            )
            .await;
        }
    });
}
