//! Webhooks end to end, on SQLite and PostgreSQL: `/metadata` CRUD with Twenty's shapes,
//! validation, SSRF refusal, tenant isolation; then delivery of record events to a local
//! receiver (signature verified independently) by the worker's jobs (apalis, on each test's
//! own queue prefix), retries after 500s, dead letters and replay.

mod common;
mod webhook_receiver;

use std::time::Duration;

use serde_json::{Value, json};
use tessera_core::WorkspaceId;
use tessera_server::AppState;
use tessera_store::DeliveryStatus;
use tessera_worker::jobs::delivery;
use tessera_worker::webhooks::deliver::DeliveryOptions;
use tessera_worker::webhooks::fanout;
use tessera_worker::webhooks::url_policy::UrlPolicy;
use uuid::Uuid;

use common::{Jobs, post_graphql, post_metadata};
use webhook_receiver::{Receiver, signature_is_valid};

const FIELDS: &str =
    "id targetUrl operations description secret applicationId createdAt updatedAt deletedAt";

struct Client {
    state: AppState,
    ws: WorkspaceId,
    bearer: String,
}

impl Client {
    async fn new(state: &AppState, name: &str) -> Self {
        let (ws, token) = tessera_server::create_workspace(state, name, false)
            .await
            .expect("workspace");
        Self {
            state: state.clone(),
            ws,
            bearer: format!("Bearer {token}"),
        }
    }

    async fn metadata(&self, query: &str, variables: Value) -> Value {
        let body = json!({"query": query, "variables": variables}).to_string();
        post_metadata(&self.state, Some(&self.bearer), &body)
            .await
            .json()
    }

    async fn graphql(&self, query: &str, variables: Value) -> Value {
        let body = json!({"query": query, "variables": variables}).to_string();
        post_graphql(&self.state, Some(&self.bearer), &body)
            .await
            .json()
    }

    async fn create_webhook(&self, input: Value) -> Value {
        self.metadata(
            &format!("mutation($input: CreateWebhookInput!) {{ createWebhook(input: $input) {{ {FIELDS} }} }}"),
            json!({"input": input}),
        )
        .await
    }

    async fn create_person(&self, first: &str) -> Uuid {
        let r = self
            .graphql(
                "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
                json!({"d": {"name": {"firstName": first, "lastName": "Test"}}}),
            )
            .await;
        Uuid::parse_str(ok(&r)["createPerson"]["id"].as_str().expect("id")).expect("uuid")
    }
}

fn ok(v: &Value) -> &Value {
    assert!(v.get("errors").is_none(), "unexpected errors: {v}");
    &v["data"]
}

fn code(v: &Value) -> &str {
    v["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

fn allow_loopback(state: &AppState) {
    state.set_webhook_url_policy(UrlPolicy {
        allow_private: true,
    });
}

async fn crud_validation_ssrf_isolation(state: AppState) {
    let a = Client::new(&state, "A").await;
    let b = Client::new(&state, "B").await;

    // Without a token: UNAUTHENTICATED.
    let r = post_metadata(&state, None, r#"{"query":"{ webhooks { id } }"}"#)
        .await
        .json();
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");

    // Private and loopback targets are refused by default.
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest",
    ] {
        let r = a
            .create_webhook(json!({"targetUrl": url, "operations": ["*.*"]}))
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{url}: {r}");
    }
    // Invalid URL and operations.
    for input in [
        json!({"targetUrl": "ftp://example.com/x", "operations": ["*.*"]}),
        json!({"targetUrl": "https://8.8.8.8/x", "operations": []}),
        json!({"targetUrl": "https://8.8.8.8/x", "operations": ["person.exploded"]}),
        json!({"targetUrl": "https://8.8.8.8/x", "operations": ["person"]}),
    ] {
        let r = a.create_webhook(input.clone()).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{input}: {r}");
    }
    let r = a.metadata("{ webhooks { id } }", json!({})).await;
    assert_eq!(ok(&r)["webhooks"], json!([]), "nothing was written");

    // Create (public literal address: no DNS needed), with and without a secret.
    let id = Uuid::new_v4();
    let r = a
        .create_webhook(json!({"id": id, "targetUrl": "https://8.8.8.8/hook",
            "operations": ["person.created", "*.updated"], "description": "CRM sync", "secret": "s3"}))
        .await;
    let created = ok(&r)["createWebhook"].clone();
    assert_eq!(created["id"], json!(id.to_string()));
    assert_eq!(created["targetUrl"], "https://8.8.8.8/hook");
    assert_eq!(
        created["operations"],
        json!(["person.created", "*.updated"])
    );
    assert_eq!(created["description"], "CRM sync");
    assert_eq!(created["secret"], "s3");
    assert_eq!(created["applicationId"], json!(Uuid::nil().to_string()));
    assert_eq!(created["deletedAt"], Value::Null);
    assert!(
        created["createdAt"]
            .as_str()
            .is_some_and(|s| s.ends_with('Z'))
    );
    let r = a
        .create_webhook(json!({"targetUrl": "https://1.1.1.1/x", "operations": ["*.*"]}))
        .await;
    let generated = ok(&r)["createWebhook"]["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_eq!(generated.len(), 64, "a random secret is generated");
    // Same id again: CONFLICT.
    let r = a
        .create_webhook(json!({"id": id, "targetUrl": "https://8.8.8.8/x", "operations": ["*.*"]}))
        .await;
    assert_eq!(code(&r), "CONFLICT", "{r}");

    // Read.
    let r = a
        .metadata(&format!("{{ webhooks {{ {FIELDS} }} }}"), json!({}))
        .await;
    assert_eq!(ok(&r)["webhooks"].as_array().map(Vec::len), Some(2));
    let r = a
        .metadata(
            "query($id: UUID!) { webhook(id: $id) { id description } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(ok(&r)["webhook"]["description"], "CRM sync");

    // Update: only the given fields change; a private URL is refused.
    let update = "mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { id targetUrl operations description secret } }";
    let r = a
        .metadata(
            update,
            json!({"input": {"id": id, "update": {"operations": ["*.*"], "description": "all"}}}),
        )
        .await;
    let updated = &ok(&r)["updateWebhook"];
    assert_eq!(updated["operations"], json!(["*.*"]));
    assert_eq!(updated["description"], "all");
    assert_eq!(updated["targetUrl"], "https://8.8.8.8/hook");
    assert_eq!(updated["secret"], "s3");
    let r = a
        .metadata(
            update,
            json!({"input": {"id": id, "update": {"targetUrl": "http://127.0.0.1/x"}}}),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");

    // Tenant isolation: B sees none of A's webhooks and cannot change or delete them.
    let r = b.metadata("{ webhooks { id } }", json!({})).await;
    assert_eq!(ok(&r)["webhooks"], json!([]));
    let r = b
        .metadata(
            "query($id: UUID!) { webhook(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(ok(&r)["webhook"], Value::Null);
    let r = b
        .metadata(
            update,
            json!({"input": {"id": id, "update": {"description": "stolen"}}}),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    let delete = "mutation($id: UUID!) { deleteWebhook(id: $id) { id description } }";
    let r = b.metadata(delete, json!({"id": id})).await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");

    // Delete returns the webhook; then it is gone.
    let r = a.metadata(delete, json!({"id": id})).await;
    assert_eq!(ok(&r)["deleteWebhook"]["description"], "all");
    let r = a.metadata(delete, json!({"id": id})).await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    let r = a.metadata("{ webhooks { id } }", json!({})).await;
    assert_eq!(ok(&r)["webhooks"].as_array().map(Vec::len), Some(1));

    // The operator may allow private targets.
    allow_loopback(&state);
    let r = a
        .create_webhook(json!({"targetUrl": "http://127.0.0.1:9/hook", "operations": ["*.*"]}))
        .await;
    ok(&r);
}
both!(crud_validation_ssrf_isolation);

fn fast_options() -> DeliveryOptions {
    DeliveryOptions {
        timeout: Duration::from_secs(5),
        max_attempts: 3,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        policy: UrlPolicy {
            allow_private: true,
        },
        ..DeliveryOptions::default()
    }
}

/// Waits (up to 10 s) until every delivery of `hook` is recorded `DELIVERED`.
async fn wait_all_delivered(state: &AppState, ws: WorkspaceId, hook: Uuid) {
    for _ in 0..200 {
        let log = state
            .store()
            .webhook_deliveries(ws, hook, 100)
            .await
            .expect("log");
        if !log.is_empty() && log.iter().all(|d| d.status == DeliveryStatus::Delivered) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries of {hook} not all recorded DELIVERED");
}

async fn delivery_signed_retried_isolated(state: AppState) {
    allow_loopback(&state);
    let receiver = Receiver::start().await;
    let other = Receiver::start().await;
    let a = Client::new(&state, "A").await;
    let b = Client::new(&state, "B").await;
    let r = a
        .create_webhook(json!({"targetUrl": receiver.url(), "operations": ["person.created"], "secret": "topsecret"}))
        .await;
    let hook_id =
        Uuid::parse_str(ok(&r)["createWebhook"]["id"].as_str().expect("id")).expect("uuid");
    let r = a
        .create_webhook(
            json!({"targetUrl": receiver.url(), "operations": ["*.updated"], "secret": "other"}),
        )
        .await;
    let updates_hook = ok(&r)["createWebhook"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // B listens to everything, on another receiver: it must get none of A's events.
    let r = b
        .create_webhook(json!({"targetUrl": other.url(), "operations": ["*.*"], "secret": "b"}))
        .await;
    ok(&r);

    // The first two attempts get 500: the delivery is retried and succeeds on the third.
    receiver.fail_first(2);
    let person = a.create_person("Ada").await;
    let r = a
        .graphql(
            "mutation($id: UUID!) { updatePerson(id: $id, data: {jobTitle: \"CEO\"}) { id } }",
            json!({"id": person}),
        )
        .await;
    ok(&r);
    let jobs = Jobs::start(&state, fast_options()).await;
    let rx = receiver.clone();
    jobs.run_until(a.ws, move || {
        let got = rx.received();
        got.iter()
            .filter(|r| r.json()["eventName"] == "person.created")
            .count()
            >= 3
            && got
                .iter()
                .filter(|r| r.json()["eventName"] == "person.updated")
                .count()
                >= 3
    })
    .await;

    let got = receiver.received();
    let created: Vec<_> = got
        .iter()
        .filter(|r| r.json()["eventName"] == "person.created")
        .collect();
    assert_eq!(created.len(), 3, "two 500s then a success");
    let key = created[0]
        .header("idempotency-key")
        .expect("key")
        .to_owned();
    for r in &created {
        assert_eq!(
            r.header("idempotency-key"),
            Some(key.as_str()),
            "stable key"
        );
        assert_eq!(
            r.body, created[0].body,
            "identical payload on every attempt"
        );
        assert!(signature_is_valid(r, "topsecret"), "signature: {r:?}");
        assert!(!signature_is_valid(r, "wrong"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("x-twenty-webhook-nonce").map(str::len), Some(32));
    }
    let body = created[0].json();
    let keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "targetUrl",
            "eventName",
            "objectMetadata",
            "workspaceId",
            "webhookId",
            "eventDate",
            "record"
        ],
        "Twenty's key order (an API key actor has no userId/workspaceMemberId; no updatedFields on create)"
    );
    assert_eq!(body["objectMetadata"]["nameSingular"], "person");
    assert!(Uuid::parse_str(body["objectMetadata"]["id"].as_str().expect("id")).is_ok());
    assert_eq!(body["workspaceId"], json!(a.ws.0.to_string()));
    assert_eq!(body["webhookId"], json!(hook_id.to_string()));
    assert_eq!(body["record"]["id"], json!(person.to_string()));
    assert_eq!(body["record"]["name"]["firstName"], "Ada");
    assert!(body["eventDate"].as_str().is_some_and(|s| s.ends_with('Z')));

    let updated: Vec<_> = got
        .iter()
        .filter(|r| r.json()["eventName"] == "person.updated")
        .collect();
    assert_eq!(updated.len(), 3, "two 500s then a success");
    let u = updated[0].json();
    assert_eq!(u["updatedFields"], json!(["jobTitle"]));
    assert_eq!(u["record"]["jobTitle"], "CEO");
    assert_eq!(u["webhookId"], json!(updates_hook));
    assert!(signature_is_valid(updated[0], "other"));
    assert_ne!(updated[0].header("idempotency-key"), Some(key.as_str()));

    // The delivery log, readable through the store, per workspace (the outcome is recorded
    // just after the receiver answers).
    wait_all_delivered(&state, a.ws, hook_id).await;
    let log = state
        .store()
        .webhook_deliveries(a.ws, hook_id, 10)
        .await
        .expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, DeliveryStatus::Delivered);
    assert_eq!(log[0].attempts, 3);
    assert_eq!(log[0].last_status_code, 200);
    assert!(log[0].last_attempt_at.is_some());
    assert!(
        state
            .store()
            .webhook_deliveries(b.ws, hook_id, 10)
            .await
            .expect("log")
            .is_empty(),
        "another workspace cannot read A's delivery log"
    );
    // Re-running fan-out queues nothing new; nothing reached B's receiver.
    assert_eq!(
        fanout::fan_out_workspace(state.store(), &jobs.queue, a.ws)
            .await
            .expect("fan out"),
        0
    );
    jobs.stop().await;
    assert!(
        other.received().is_empty(),
        "B got A's events: {:?}",
        other.received()
    );
}
both!(delivery_signed_retried_isolated);

async fn dead_letter_and_replay(state: AppState) {
    allow_loopback(&state);
    let receiver = Receiver::start().await;
    let a = Client::new(&state, "A").await;
    let r = a
        .create_webhook(
            json!({"targetUrl": receiver.url(), "operations": ["person.*"], "secret": "k"}),
        )
        .await;
    let hook_id =
        Uuid::parse_str(ok(&r)["createWebhook"]["id"].as_str().expect("id")).expect("uuid");
    receiver.always_fail(true);
    a.create_person("Grace").await;
    let jobs = Jobs::start(&state, fast_options()).await;
    let store = state.store().clone();
    let ws = a.ws;
    let dead_now = || async {
        store
            .webhook_deliveries(ws, hook_id, 10)
            .await
            .expect("log")
            .first()
            .is_some_and(|d| d.status == DeliveryStatus::Dead)
    };
    for _ in 0..300 {
        jobs.wake(ws).await;
        if dead_now().await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = store
        .webhook_deliveries(ws, hook_id, 10)
        .await
        .expect("log");
    assert_eq!(log[0].status, DeliveryStatus::Dead);
    assert_eq!(log[0].attempts, 3, "max_attempts");
    assert_eq!(log[0].last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(receiver.received().len(), 3);
    let dead: Vec<_> = store
        .webhook_dead_letters()
        .await
        .expect("dead letters")
        .into_iter()
        .filter(|d| d.workspace_id == ws)
        .collect();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].webhook_id, hook_id);
    assert_eq!(dead[0].event_name, "person.created");
    assert_eq!(dead[0].attempts, 3);
    // Nothing more is attempted while dead.
    jobs.wake(ws).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 3);

    // Replay once the receiver is fixed: delivered with the same key and body.
    receiver.always_fail(false);
    assert!(
        delivery::push_replay(&store, &jobs.queue, dead[0].id)
            .await
            .expect("replay")
    );
    let rx = receiver.clone();
    jobs.run_until(a.ws, move || rx.received().len() >= 4).await;
    wait_all_delivered(&state, ws, hook_id).await;
    let got = receiver.received();
    assert_eq!(got[3].body, got[0].body);
    assert_eq!(
        got[3].header("idempotency-key"),
        got[0].header("idempotency-key")
    );
    let log = store
        .webhook_deliveries(ws, hook_id, 10)
        .await
        .expect("log");
    assert_eq!(log[0].status, DeliveryStatus::Delivered);
    assert!(
        !store
            .webhook_dead_letters()
            .await
            .expect("dead letters")
            .iter()
            .any(|d| d.id == dead[0].id),
        "a replayed dead letter is no longer listed"
    );
    assert!(
        !delivery::push_replay(&store, &jobs.queue, dead[0].id)
            .await
            .expect("replay twice"),
        "a dead letter replays once"
    );
    assert_eq!(receiver.received().len(), 4);

    // A deleted webhook's pending deliveries are dead-lettered, not sent: queue the delivery
    // while the workers are stopped, delete the webhook, start them again.
    let prefix = jobs.prefix.clone();
    jobs.stop().await;
    a.create_person("Linus").await;
    let stopped = tessera_worker::jobs::JobQueue::connect(&common::store_config(&state), &prefix)
        .await
        .expect("queue");
    assert_eq!(
        fanout::fan_out_workspace(&store, &stopped, ws)
            .await
            .expect("fan out"),
        1
    );
    let r = a
        .metadata(
            "mutation($id: UUID!) { deleteWebhook(id: $id) { id } }",
            json!({"id": hook_id}),
        )
        .await;
    ok(&r);
    let jobs = Jobs::start_on(&state, fast_options(), prefix).await;
    for _ in 0..300 {
        let log = store
            .webhook_deliveries(ws, hook_id, 10)
            .await
            .expect("log");
        if log.iter().any(|d| {
            d.status == DeliveryStatus::Dead && d.last_error.as_deref() == Some("webhook deleted")
        }) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    jobs.stop().await;
    assert_eq!(
        receiver.received().len(),
        4,
        "nothing sent to a deleted webhook"
    );
    let log = store
        .webhook_deliveries(ws, hook_id, 10)
        .await
        .expect("log");
    assert!(
        log.iter().any(|d| d.status == DeliveryStatus::Dead
            && d.last_error.as_deref() == Some("webhook deleted")),
        "{log:?}"
    );
}
both!(dead_letter_and_replay);

async fn delivery_time_ssrf_check(state: AppState) {
    // Created while private targets were allowed; the deliverer's policy refuses them: the
    // delivery is dead-lettered without any request.
    allow_loopback(&state);
    let receiver = Receiver::start().await;
    let a = Client::new(&state, "A").await;
    let r = a
        .create_webhook(json!({"targetUrl": receiver.url(), "operations": ["*.*"]}))
        .await;
    let hook_id =
        Uuid::parse_str(ok(&r)["createWebhook"]["id"].as_str().expect("id")).expect("uuid");
    a.create_person("Eve").await;
    let strict = Jobs::start(
        &state,
        DeliveryOptions {
            policy: UrlPolicy::default(),
            ..fast_options()
        },
    )
    .await;
    let store = state.store().clone();
    let ws = a.ws;
    for _ in 0..300 {
        strict.wake(ws).await;
        let log = store
            .webhook_deliveries(ws, hook_id, 10)
            .await
            .expect("log");
        if log
            .first()
            .is_some_and(|d| d.status == DeliveryStatus::Dead)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    strict.stop().await;
    assert!(receiver.received().is_empty());
    let log = state
        .store()
        .webhook_deliveries(a.ws, hook_id, 10)
        .await
        .expect("log");
    assert_eq!(log[0].status, DeliveryStatus::Dead);
    assert!(
        log[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("private")),
        "{log:?}"
    );
}
both!(delivery_time_ssrf_check);
