//! Graceful stop and crash safety on PostgreSQL. SIGTERM: the worker finishes the
//! deliveries in hand, records them, and exits 0. SIGKILL: a real `tessera-worker` process is killed with SIGKILL while
//! deliveries are in flight (slow receiver) and restarted; every event still reaches the
//! receiver, each idempotency key always with the same body.
//!
//! The workers run their jobs on apalis (PostgreSQL storage); there is no server here, so the
//! worker finds the events with its start-up sweep. Why a key may arrive more than once: a
//! delivery the receiver accepted just before the kill was not yet recorded as `DELIVERED`;
//! once the killed worker's heartbeats stop (3 × 500 ms), apalis queues its jobs again and
//! the restarted worker sends it again (at-least-once). Receivers deduplicate on the `Idempotency-Key` header; the test
//! checks that duplicates are byte-identical bodies and counts distinct keys.

#[path = "../../server/tests/processes/mod.rs"]
mod processes;
#[path = "../../server/tests/webhook_receiver/mod.rs"]
mod webhook_receiver;

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use tessera_server::AppState;
use tessera_store::{DeliveryStatus, Store, StoreConfig};
use tower::ServiceExt;
use webhook_receiver::{Receiver, signature_is_valid};

const EVENTS: usize = 40;

/// A `tessera-worker` on `url`, on queue prefix `prefix` (a fresh one per test).
fn spawn_worker(url: &str, dir: &std::path::Path, prefix: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tessera-worker"))
        .env("DATABASE_URL", url)
        .env("TESSERA_JOB_QUEUE_PREFIX", prefix)
        .env("TESSERA_DATA_DIR", dir)
        .env("TESSERA_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
        .env("TESSERA_WEBHOOK_TIMEOUT_MS", "1000")
        .env("TESSERA_WEBHOOK_MIN_DELAY_MS", "50")
        .env("TESSERA_WEBHOOK_MAX_DELAY_MS", "200")
        .env("TESSERA_WEBHOOK_MAX_ATTEMPTS", "20")
        .env("TESSERA_WORKER_HEARTBEAT_MS", "500")
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn tessera-worker")
}

async fn graphql(state: &AppState, bearer: &str, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables}).to_string();
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", bearer)
        .body(Body::from(body))
        .expect("request");
    let response = tessera_server::app(state.clone())
        .oneshot(request)
        .await
        .expect("infallible");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    serde_json::from_slice(&bytes).expect("json")
}

async fn wait_until(mut done: impl FnMut() -> bool) {
    for _ in 0..1200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached");
}

/// A test's database (fresh, `_<name>` suffix), queue prefix, workspace, webhook (secret
/// `<name>`, `operation`) to a receiver answering after `delay`, and [`EVENTS`] people created
/// (their ids).
struct Setup {
    url: String,
    prefix: String,
    dir: tempfile::TempDir,
    store: Store,
    ws: tessera_core::WorkspaceId,
    hook: tessera_store::WebhookRecord,
    receiver: Receiver,
    people: HashSet<String>,
}

async fn setup(name: &str, delay: Duration, operation: &str) -> Setup {
    let url = processes::test_database_url(&format!("_{name}"));
    let prefix = format!("{name}-{}", uuid::Uuid::new_v4().simple());
    processes::fresh_database(&url).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::connect(&StoreConfig {
        database_url: Some(url.clone()),
        data_dir: dir.path().to_owned(),
    })
    .await
    .expect("connect");
    let state = AppState::from_parts(store.clone(), format!("{name}-secret"));
    let (ws, token) = tessera_server::create_workspace(&state, name, false)
        .await
        .expect("workspace");
    let bearer = format!("Bearer {token}");
    let receiver = Receiver::start().await;
    receiver.delay(delay);
    let hook = store
        .create_webhook(
            ws,
            None,
            &receiver.url(),
            &[operation.to_owned()],
            None,
            name,
        )
        .await
        .expect("webhook");
    let mut people = HashSet::new();
    for i in 0..EVENTS {
        let r = graphql(
            &state,
            &bearer,
            "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
            json!({"d": {"name": {"firstName": format!("P{i}")}}}),
        )
        .await;
        people.insert(
            r["data"]["createPerson"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    Setup {
        url,
        prefix,
        dir,
        store,
        ws,
        hook,
        receiver,
        people,
    }
}

/// Sends SIGTERM to `child` and asserts a clean exit.
fn stop_cleanly(child: &mut Child) {
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(term.success());
    assert!(
        child.wait().expect("wait").success(),
        "clean exit on SIGTERM"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_delivery_loses_nothing() {
    let Setup {
        url,
        prefix,
        dir,
        store,
        ws,
        hook,
        receiver,
        people,
    } = setup("crash", Duration::from_millis(300), "person.created").await;

    // First worker: killed while deliveries are in flight.
    let mut first = spawn_worker(&url, dir.path(), &prefix);
    let rx = receiver.clone();
    wait_until(move || rx.received().len() >= 5).await;
    first.kill().expect("SIGKILL");
    first.wait().expect("reap");
    let before_restart = receiver.received().len();
    assert!(before_restart < EVENTS, "the kill happened mid-way");

    // Second worker: finishes everything, then stops cleanly on SIGTERM.
    let mut second = spawn_worker(&url, dir.path(), &prefix);
    let rx = receiver.clone();
    wait_until(move || {
        rx.received()
            .iter()
            .filter_map(|r| r.header("idempotency-key").map(str::to_owned))
            .collect::<HashSet<_>>()
            .len()
            >= EVENTS
    })
    .await;
    let log_done = {
        let store = store.clone();
        move || {
            let store = store.clone();
            async move {
                store
                    .webhook_deliveries(ws, hook.id, 1000)
                    .await
                    .expect("log")
                    .iter()
                    .all(|d| d.status == DeliveryStatus::Delivered)
            }
        }
    };
    for _ in 0..200 {
        if log_done().await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop_cleanly(&mut second);

    let got = receiver.received();
    let mut bodies: HashMap<String, String> = HashMap::new();
    let mut records = HashSet::new();
    for r in &got {
        let key = r.header("idempotency-key").expect("key").to_owned();
        assert!(signature_is_valid(r, "crash"), "signature");
        if let Some(previous) = bodies.get(&key) {
            assert_eq!(
                previous, &r.body,
                "a repeated key carries the identical body"
            );
        } else {
            bodies.insert(key, r.body.clone());
            records.insert(r.json()["record"]["id"].as_str().expect("id").to_owned());
        }
    }
    assert_eq!(bodies.len(), EVENTS, "one key per event");
    assert_eq!(records, people, "every created person was delivered");
    let log = store
        .webhook_deliveries(ws, hook.id, 1000)
        .await
        .expect("log");
    assert_eq!(log.len(), EVENTS);
    assert!(
        log.iter().all(|d| d.status == DeliveryStatus::Delivered),
        "{log:?}"
    );
    eprintln!(
        "requests: {}, distinct keys: {}, repeated after the kill: {}",
        got.len(),
        bodies.len(),
        got.len() - bodies.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_deliveries_in_hand() {
    let Setup {
        url,
        prefix,
        dir,
        store,
        ws,
        hook,
        receiver,
        ..
    } = setup("term", Duration::from_millis(400), "*.*").await;
    let mut worker = spawn_worker(&url, dir.path(), &prefix);
    let rx = receiver.clone();
    wait_until(move || !rx.received().is_empty()).await;
    stop_cleanly(&mut worker);
    let received: HashSet<String> = receiver
        .received()
        .iter()
        .filter_map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect();
    let log = store
        .webhook_deliveries(ws, hook.id, 1000)
        .await
        .expect("log");
    assert_eq!(log.len(), EVENTS);
    let delivered: HashSet<String> = log
        .iter()
        .filter(|d| d.status == DeliveryStatus::Delivered)
        .map(|d| d.idempotency_key.clone())
        .collect();
    assert_eq!(
        delivered, received,
        "every answered delivery was recorded before exit"
    );
    assert!(delivered.len() < EVENTS, "the stop came mid-way");
    assert!(
        log.iter().all(|d| d.status != DeliveryStatus::Dead),
        "nothing was dead-lettered by the stop"
    );
    // The rest is delivered by the next worker.
    let mut next = spawn_worker(&url, dir.path(), &prefix);
    let rx = receiver.clone();
    wait_until(move || {
        rx.received()
            .iter()
            .filter_map(|r| r.header("idempotency-key").map(str::to_owned))
            .collect::<HashSet<_>>()
            .len()
            >= EVENTS
    })
    .await;
    let _ = next.kill();
    let _ = next.wait();
    assert_eq!(
        receiver.received().len(),
        EVENTS,
        "no delivery was sent twice after a clean stop"
    );
}
