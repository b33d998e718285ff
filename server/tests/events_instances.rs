//! Events across instances: two `tessera serve` processes (A and B) and one `tessera-worker`
//! share one PostgreSQL database and one Redis. A mutation made through A reaches a subscriber
//! on B (within one second, as the brief requires), each event exactly once, on B and on A; a
//! subscriber on B whose role cannot read people receives none of the person events; a
//! subscriber of another workspace on B receives nothing of it. The worker, woken through the
//! job queue by the instances' dispatchers, delivers a signed webhook per created person
//! (each idempotency key once) and writes their timeline; the other workspace sees none of it.
//! The same scenario runs on the embedded default: one `tessera serve` on SQLite, no Redis,
//! jobs in-process.

mod processes;
mod webhook_receiver;
mod ws_client;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use processes::{
    Api, Backend, Servers, create_workspace, spawn_server, spawn_worker, test_database_url,
};
use serde_json::{Value, json};
use ws_client::{TRANSPORT_WS, WsClient};

const BIN: &str = env!("CARGO_BIN_EXE_tessera");
const ALL: &str =
    "subscription { onDbEvent(input: {}) { action objectNameSingular record updatedFields } }";

/// Creates companies through `api` until `client` sees one (its subscription is live), then
/// returns the warm-up record ids (their events may still arrive; callers skip them).
async fn warm_up(api: &Api, client: &mut WsClient, id: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..100 {
        let r = api
            .graphql(
                "mutation($n: String) { createCompany(data: {name: $n}) { id } }",
                json!({"n": format!("warm-up {i}")}),
            )
            .await;
        ids.push(r["createCompany"]["id"].as_str().expect("id").to_owned());
        if client
            .next_event_within(id, Duration::from_millis(300))
            .await
            .is_some()
        {
            return ids;
        }
    }
    panic!("the subscription never became live");
}

/// Through `/metadata` on `admin`'s instance: a role that reads everything but people, an API
/// key with it, and that key's token.
async fn no_people_key(admin: &Api) -> String {
    let objects = admin
        .metadata(
            "{ objects(paging: {first: 100}) { edges { node { id nameSingular } } } }",
            json!({}),
        )
        .await;
    let person = objects["objects"]["edges"]
        .as_array()
        .expect("objects")
        .iter()
        .find(|e| e["node"]["nameSingular"] == json!("person"))
        .expect("person")["node"]["id"]
        .clone();
    let role = admin
        .metadata(
            "mutation($i: CreateRoleInput!) { createOneRole(createRoleInput: $i) { id } }",
            json!({"i": {"label": "No people", "canReadAllObjectRecords": true}}),
        )
        .await["createOneRole"]["id"]
        .clone();
    admin
        .metadata(
            "mutation($i: UpsertObjectPermissionsInput!) { upsertObjectPermissions(upsertObjectPermissionsInput: $i) { objectMetadataId } }",
            json!({"i": {"roleId": role, "objectPermissions": [{"objectMetadataId": person, "canReadObjectRecords": false}]}}),
        )
        .await;
    let key = admin
        .metadata(
            "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id } }",
            json!({"i": {"name": "no people", "expiresAt": "2099-01-01T00:00:00.000Z", "roleId": role}}),
        )
        .await["createApiKey"]["id"]
        .clone();
    admin
        .metadata(
            "mutation($id: UUID!) { generateApiKeyToken(apiKeyId: $id, expiresAt: \"2099-01-01T00:00:00.000Z\") { token } }",
            json!({"id": key}),
        )
        .await["generateApiKeyToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// How many `name` timeline activities target the people `ids`, read through `api`.
async fn timeline_count(api: &Api, ids: &[String], name: &str) -> i64 {
    api.graphql(
        "query($ids: [UUID!], $n: String) { timelineActivities(filter: {targetPersonId: {in: $ids}, name: {eq: $n}}) { totalCount } }",
        json!({"ids": ids, "n": name}),
    )
    .await["timelineActivities"]["totalCount"]
        .as_i64()
        .unwrap_or(-1)
}

/// The queue prefix, loopback webhook targets and quick retries for every process of a test.
fn test_env() -> Vec<(String, String)> {
    vec![
        (
            "TESSERA_JOB_QUEUE_PREFIX".to_owned(),
            format!("instances-{}", uuid::Uuid::new_v4().simple()),
        ),
        (
            "TESSERA_WEBHOOK_ALLOW_PRIVATE_TARGETS".to_owned(),
            "true".to_owned(),
        ),
        ("TESSERA_WEBHOOK_MIN_DELAY_MS".to_owned(), "100".to_owned()),
    ]
}

/// Two `tessera serve` instances and one `tessera-worker` on PostgreSQL and Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_and_a_worker_on_postgres_and_redis() {
    let url = test_database_url("_instances");
    processes::fresh_database(&url).await;
    let backend = Backend {
        database_url: Some(url),
        redis_url: Some(processes::redis_url()),
        env: test_env(),
    };
    let dir_a = tempfile::tempdir().expect("tempdir");
    let dir_b = tempfile::tempdir().expect("tempdir");
    let dir_w = tempfile::tempdir().expect("tempdir");
    let dir_cli = tempfile::tempdir().expect("tempdir");
    let mut servers = Servers::default();
    let port_a = spawn_server(&mut servers, BIN, dir_a.path(), &backend, "A").await;
    let port_b = spawn_server(&mut servers, BIN, dir_b.path(), &backend, "B").await;
    spawn_worker(&mut servers, BIN, dir_w.path(), &backend, "worker");
    let token = create_workspace(BIN, dir_cli.path(), &backend, "Instances");
    let other_token = create_workspace(BIN, dir_cli.path(), &backend, "Other");
    scenario(port_a, port_b, &token, &other_token).await;
}

/// The same flow on the embedded default: one `tessera serve` process on SQLite, no Redis, its
/// jobs in-process; "A" and "B" are two sets of clients of that one process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_flow_in_one_embedded_process() {
    let backend = Backend {
        database_url: None,
        redis_url: None,
        env: test_env(),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let token = create_workspace(BIN, dir.path(), &backend, "Instances");
    let other_token = create_workspace(BIN, dir.path(), &backend, "Other");
    let mut servers = Servers::default();
    let port = spawn_server(&mut servers, BIN, dir.path(), &backend, "embedded").await;
    scenario(port, port, &token, &other_token).await;
}

/// Mutations through the instance on `port_a`; subscribers on both; the worker's webhooks
/// and timeline. `token` / `other_token`: admin keys of two workspaces.
async fn scenario(port_a: u16, port_b: u16, token: &str, other_token: &str) {
    let a = Api::new(port_a, token);
    let other_a = Api::new(port_a, other_token);
    let receiver = webhook_receiver::Receiver::start().await;
    let other_receiver = webhook_receiver::Receiver::start().await;
    for (api, target) in [(&a, &receiver), (&other_a, &other_receiver)] {
        let r = api
            .metadata(
                "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }",
                json!({"i": {"targetUrl": target.url(), "operations": ["person.created"], "secret": "instances"}}),
            )
            .await;
        assert!(r["createWebhook"]["id"].is_string(), "{r}");
    }

    let mut on_b = WsClient::connect(port_b, TRANSPORT_WS).await;
    on_b.init_with_token(token).await;
    on_b.subscribe("1", ALL).await;
    let mut on_a = WsClient::connect(port_a, TRANSPORT_WS).await;
    on_a.init_with_token(token).await;
    on_a.subscribe("1", ALL).await;
    // A key of the same workspace whose role cannot read people, subscribed on B.
    let no_people_token = no_people_key(&a).await;
    let mut blind_on_b = WsClient::connect(port_b, TRANSPORT_WS).await;
    blind_on_b.init_with_token(&no_people_token).await;
    blind_on_b.subscribe("1", ALL).await;
    let blind_warm = warm_up(&a, &mut blind_on_b, "1").await;
    let mut other_on_b = WsClient::connect(port_b, TRANSPORT_WS).await;
    other_on_b.init_with_token(other_token).await;
    other_on_b.subscribe("1", ALL).await;
    let mut warm = warm_up(&a, &mut on_b, "1").await;
    warm.extend(warm_up(&a, &mut on_a, "1").await);
    warm.extend(blind_warm);
    let other_warm = warm_up(&other_a, &mut other_on_b, "1").await;

    // Mutations through A; B's subscriber gets each one's event, each within one second.
    let mut expected: Vec<(String, &str)> = Vec::new();
    let mut slowest = Duration::ZERO;
    for i in 0..10 {
        let id = format!("40404040-0000-4000-8000-{i:012}");
        let sent = Instant::now();
        a.graphql(
            "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
            json!({"d": {"id": id, "city": format!("City {i}")}}),
        )
        .await;
        let e = on_b.event_for("1", &id).await;
        let latency = sent.elapsed();
        slowest = slowest.max(latency);
        assert_eq!(e["action"], json!("CREATED"), "{e}");
        assert_eq!(e["record"]["city"], json!(format!("City {i}")));
        assert!(
            latency < Duration::from_secs(1),
            "event {i} reached B after {latency:?}"
        );
        expected.push((id.clone(), "CREATED"));
        a.graphql(
            &format!(
                "mutation {{ updatePerson(id: \"{id}\", data: {{jobTitle: \"T{i}\"}}) {{ id }} }}"
            ),
            json!({}),
        )
        .await;
        expected.push((id, "UPDATED"));
    }
    eprintln!("events_instances: slowest A-mutation -> B-subscriber latency {slowest:?}");
    let marker = a
        .graphql(
            "mutation { createCompany(data: {name: \"marker\"}) { id } }",
            json!({}),
        )
        .await["createCompany"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Everything up to the marker, on B and on A: each expected event exactly once.
    for (name, client) in [("B", &mut on_b), ("A", &mut on_a)] {
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        loop {
            let e = client.next_event("1").await;
            let id = e["record"]["id"].as_str().unwrap_or_default().to_owned();
            if id == marker {
                break;
            }
            // The worker's timeline writes are events too.
            if warm.contains(&id) || e["objectNameSingular"] == json!("timelineActivity") {
                continue;
            }
            *seen
                .entry((id, e["action"].as_str().unwrap_or_default().to_owned()))
                .or_default() += 1;
        }
        // B already consumed the CREATED events above; A has all of them.
        for (id, action) in &expected {
            let n = seen
                .get(&(id.clone(), (*action).to_owned()))
                .copied()
                .unwrap_or(0);
            let want = usize::from(name == "A" || *action != "CREATED");
            assert_eq!(n, want, "{name}: {action} of {id} seen {n} times");
        }
        assert_eq!(
            seen.values().sum::<usize>(),
            expected.len() - if name == "B" { 10 } else { 0 },
            "{name}: no other events: {seen:?}"
        );
    }

    // The subscriber without read access to people got only companies: warm-ups and marker.
    loop {
        let e = blind_on_b.next_event("1").await;
        if e["objectNameSingular"] == json!("timelineActivity") {
            continue;
        }
        assert_eq!(
            e["objectNameSingular"],
            json!("company"),
            "person event leaked: {e}"
        );
        let id = e["record"]["id"].as_str().unwrap_or_default().to_owned();
        if id == marker {
            break;
        }
        assert!(warm.contains(&id), "unexpected event: {e}");
    }

    let ids_created: Vec<String> = expected.iter().map(|(id, _)| id.clone()).collect();
    // The other workspace's subscriber on B got none of it: up to its own marker, only its
    // own warm-up events.
    let other_marker = other_a
        .graphql(
            "mutation { createCompany(data: {name: \"other marker\"}) { id } }",
            json!({}),
        )
        .await["createCompany"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    loop {
        let e: Value = other_on_b.next_event("1").await;
        if e["objectNameSingular"] == json!("timelineActivity") {
            // The other workspace's own warm-up timeline, never one of A's people.
            let target = e["record"]["targetPersonId"].as_str().unwrap_or_default();
            assert!(
                !ids_created.contains(&target.to_owned()),
                "foreign timeline event: {e}"
            );
            continue;
        }
        let id = e["record"]["id"].as_str().unwrap_or_default().to_owned();
        if id == other_marker {
            break;
        }
        assert!(
            other_warm.contains(&id),
            "foreign event on the other workspace: {e}"
        );
    }

    // The worker: one signed delivery per created person (each key once), nothing for the
    // other workspace's webhook; the timeline of each person.
    let ids: Vec<String> = expected
        .iter()
        .filter(|(_, action)| *action == "CREATED")
        .map(|(id, _)| id.clone())
        .collect();
    let started = Instant::now();
    loop {
        let keys: std::collections::HashSet<String> = receiver
            .received()
            .iter()
            .filter_map(|r| r.header("idempotency-key").map(str::to_owned))
            .collect();
        if keys.len() >= ids.len() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the worker delivered {} of {} webhooks",
            keys.len(),
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "events_instances: worker delivered {} webhooks {:?} after the marker",
        ids.len(),
        started.elapsed()
    );
    let mut delivered: HashMap<String, String> = HashMap::new();
    for r in receiver.received() {
        assert!(webhook_receiver::signature_is_valid(&r, "instances"));
        let key = r.header("idempotency-key").expect("key").to_owned();
        let body = r.json();
        assert_eq!(body["eventName"], json!("person.created"));
        if let Some(previous) = delivered.insert(key, r.body.clone()) {
            assert_eq!(previous, r.body, "a repeated key carries the same body");
        }
    }
    let mut records: Vec<String> = delivered
        .values()
        .map(|b| {
            serde_json::from_str::<Value>(b).expect("json")["record"]["id"]
                .as_str()
                .expect("id")
                .to_owned()
        })
        .collect();
    records.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(records, want, "one delivery per created person");
    assert!(
        other_receiver.received().is_empty(),
        "the other workspace's webhook got: {:?}",
        other_receiver.received()
    );

    let started = Instant::now();
    while timeline_count(&a, &ids, "person.updated").await < 10 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timeline not written"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(timeline_count(&a, &ids, "person.created").await, 10);
    assert_eq!(timeline_count(&a, &ids, "person.updated").await, 10);
    let other = Api::new(port_b, other_token);
    assert_eq!(
        timeline_count(&other, &ids, "person.created").await,
        0,
        "another workspace sees none of the timeline"
    );
}
