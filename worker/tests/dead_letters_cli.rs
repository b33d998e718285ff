//! `tessera-worker deliveries --workspace --webhook` (the delivery log, per workspace) and
//! `tessera-worker dead-letters list` / `replay <id>` on SQLite and PostgreSQL: a dead
//! delivery is listed; `replay` queues a job; a running worker takes it (the delivery goes
//! back to `PENDING` with its attempts counted from 1 again, the dead letter is no longer
//! listed) and a second replay fails. Dead letters of another workspace are listed too
//! (operator view) but each delivery log stays per workspace.

use std::path::Path;
use std::process::Command;

use tessera_server::AppState;
use tessera_store::{DeliveryStatus, NewWebhookDelivery, Store, StoreConfig};

fn command(dir: &Path, url: Option<&str>, prefix: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tessera-worker"));
    command
        .env_remove("DATABASE_URL")
        .env("TESSERA_DATA_DIR", dir)
        .env("TESSERA_JOB_QUEUE_PREFIX", prefix)
        .env("RUST_LOG", "warn")
        .args(args);
    if let Some(url) = url {
        command.env("DATABASE_URL", url);
    }
    command
}

async fn scenario(store: Store, dir: &Path, url: Option<&str>) {
    let prefix = format!("dlq-{}", uuid::Uuid::new_v4().simple());
    let worker = |args: &[&str]| {
        command(dir, url, &prefix, args)
            .output()
            .expect("run tessera-worker")
    };
    let state = AppState::from_parts(store.clone(), "cli-secret".to_owned());
    let (ws, _) = tessera_server::create_workspace(&state, "A", false)
        .await
        .expect("workspace");
    let (other, _) = tessera_server::create_workspace(&state, "B", false)
        .await
        .expect("workspace");
    let hook = store
        .create_webhook(
            ws,
            None,
            "https://8.8.8.8/x",
            &["*.*".to_owned()],
            None,
            "k",
        )
        .await
        .expect("webhook");
    let key = format!("{}:1:{}", ws.0, hook.id);
    store
        .enqueue_webhook_deliveries(&[NewWebhookDelivery {
            idempotency_key: key.clone(),
            workspace_id: ws,
            webhook_id: hook.id,
            event_name: "person.created".to_owned(),
            payload: "{}".to_owned(),
        }])
        .await
        .expect("enqueue");
    store
        .record_webhook_failure(&key, "HTTP 500", 500, None)
        .await
        .expect("dead");

    let out = worker(&["dead-letters", "list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let fields: Vec<&str> = lines[0].split(' ').collect();
    assert_eq!(fields[1], ws.0.to_string());
    assert_eq!(fields[2], hook.id.to_string());
    assert_eq!(fields[3], "person.created");
    assert_eq!(fields[4], "attempts=1");
    assert_eq!(fields[5..].join(" "), "error=HTTP 500");
    let id = fields[0];

    let out = worker(&["dead-letters", "replay", id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("replayed {id}")
    );
    // Queued, not yet run: still dead and listed.
    let log = store
        .webhook_deliveries(ws, hook.id, 10)
        .await
        .expect("log");
    assert_eq!(log[0].status, DeliveryStatus::Dead);
    let out = worker(&["dead-letters", "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(id));

    // A worker runs the replay: the target (a public address this machine cannot reach)
    // fails again, so the delivery waits for its second attempt of the new series.
    let mut running = command(dir, url, &prefix, &[])
        .env("TESSERA_WEBHOOK_TIMEOUT_MS", "500")
        .env("TESSERA_WEBHOOK_MIN_DELAY_MS", "600000")
        .env("TESSERA_WEBHOOK_MAX_DELAY_MS", "600000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start tessera-worker");
    let mut log = Vec::new();
    for _ in 0..300 {
        log = store
            .webhook_deliveries(ws, hook.id, 10)
            .await
            .expect("log");
        if log[0].status == DeliveryStatus::Pending && log[0].attempts == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = running.kill();
    let _ = running.wait();
    assert_eq!(log[0].status, DeliveryStatus::Pending, "{log:?}");
    assert_eq!(log[0].attempts, 1, "attempts count from 1 again: {log:?}");
    assert!(
        store
            .webhook_deliveries(other, hook.id, 10)
            .await
            .expect("log")
            .is_empty(),
        "the delivery log is per workspace"
    );
    let out = worker(&["dead-letters", "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).trim().is_empty());
    let out = worker(&["dead-letters", "replay", id]);
    assert!(!out.status.success(), "a second replay fails");
    let out = worker(&["dead-letters", "replay", "not-a-uuid"]);
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::connect(&StoreConfig {
        database_url: None,
        data_dir: dir.path().to_owned(),
    })
    .await
    .expect("connect");
    scenario(store, dir.path(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    let base = std::env::var("TESSERA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/tessera_test".to_owned());
    let url = match base.split_once('?') {
        Some((u, q)) => format!("{u}_dlq?{q}"),
        None => format!("{base}_dlq"),
    };
    Store::ensure_database(&url).await.expect("database");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::connect(&StoreConfig {
        database_url: Some(url.clone()),
        data_dir: dir.path().to_owned(),
    })
    .await
    .expect("connect");
    // Dead letters from earlier runs of this test would be listed too.
    for d in store.webhook_dead_letters().await.expect("list") {
        store.replay_webhook_dead_letter(d.id).await.expect("clear");
    }
    scenario(store, dir.path(), Some(&url)).await;
}
