//! GraphQL subscriptions over WebSocket in one process (in-process pub/sub, no Redis), on
//! SQLite and PostgreSQL: every mutation kind reaches a subscriber with Twenty's `OnDbEvent`
//! shape, filters apply, the legacy `graphql-ws` sub-protocol works, another workspace's
//! subscriber gets nothing, a bad token is refused, and an event committed while no
//! dispatcher runs is delivered once one starts.

mod common;
mod permissions_support;
mod ws_client;

use std::time::Duration;

use serde_json::{Value, json};
use tessera_core::WorkspaceId;
use tessera_server::AppState;
use tessera_server::events::{DispatcherOptions, spawn_dispatcher};
use ws_client::{LEGACY_WS, TRANSPORT_WS, WsClient};

const EVENT_FIELDS: &str = "action objectNameSingular eventDate record updatedFields";

/// Serves the app on a free local port; the port.
async fn serve(state: &AppState) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let app = tessera_server::app(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

/// A dispatcher woken by this state's own commits only: no sweep (on PostgreSQL the tests
/// share one database, and a sweep would publish other tests' events to this state).
fn dispatcher(state: &AppState) -> tokio::task::JoinHandle<()> {
    spawn_dispatcher(
        state.store().clone(),
        state.pubsub().clone(),
        None,
        DispatcherOptions {
            sweep_interval: Duration::from_secs(3600),
            sweep_at_start: false,
            ..DispatcherOptions::default()
        },
    )
}

/// Waits until `n` subscriptions of `ws` are live in this process.
async fn wait_subscribed(state: &AppState, ws: WorkspaceId, n: usize) {
    for _ in 0..2000 {
        if state.pubsub().subscriber_count(ws) >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("subscription of {ws} never became live");
}

async fn gql(state: &AppState, token: &str, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables}).to_string();
    let reply = common::post_graphql(state, Some(&format!("Bearer {token}")), &body).await;
    let v = reply.json();
    assert!(v.get("errors").is_none(), "{v}");
    v["data"].clone()
}

const P1: &str = "30303030-0000-4000-8000-000000000001";
const P2: &str = "30303030-0000-4000-8000-000000000002";
const P3: &str = "30303030-0000-4000-8000-000000000003";

async fn every_mutation_kind_reaches_a_subscriber(state: AppState) {
    let (ws, token) = tessera_server::create_workspace(&state, "Events", false)
        .await
        .expect("workspace");
    let (other_ws, other_token) = tessera_server::create_workspace(&state, "Other", false)
        .await
        .expect("workspace");
    let port = serve(&state).await;
    let _dispatcher = dispatcher(&state);

    let mut client = WsClient::connect(port, TRANSPORT_WS).await;
    client.init_with_token(&token).await;
    client
        .subscribe(
            "all",
            &format!("subscription {{ onDbEvent(input: {{}}) {{ {EVENT_FIELDS} }} }}"),
        )
        .await;
    client
        .subscribe(
            "updates",
            &format!(
                "subscription {{ onDbEvent(input: {{action: UPDATED, objectNameSingular: \"person\", recordId: \"{P1}\"}}) {{ action record }} }}"
            ),
        )
        .await;
    let mut other = WsClient::connect(port, TRANSPORT_WS).await;
    other.init_with_token(&other_token).await;
    other
        .subscribe(
            "all",
            "subscription { onDbEvent(input: {}) { action record } }",
        )
        .await;
    wait_subscribed(&state, ws, 2).await;
    wait_subscribed(&state, other_ws, 1).await;

    // create
    gql(
        &state,
        &token,
        "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
        json!({"d": {"id": P1, "name": {"firstName": "Ada", "lastName": "Lovelace"}, "city": "London"}}),
    )
    .await;
    let e = client.next_event("all").await;
    assert_eq!(e["action"], json!("CREATED"), "{e}");
    assert_eq!(e["objectNameSingular"], json!("person"));
    assert_eq!(e["record"]["id"], json!(P1));
    assert_eq!(e["record"]["name"]["firstName"], json!("Ada"));
    assert_eq!(e["record"]["city"], json!("London"));
    assert_eq!(e["record"]["createdBy"]["source"], json!("API"));
    assert_eq!(e["updatedFields"], Value::Null);
    assert!(
        e["eventDate"].as_str().is_some_and(|d| d.ends_with('Z')),
        "{e}"
    );

    // update: updatedFields names the input's fields; the filtered subscription sees it too
    gql(
        &state,
        &token,
        &format!("mutation {{ updatePerson(id: \"{P1}\", data: {{city: \"Paris\", jobTitle: \"CEO\"}}) {{ id }} }}"),
        json!({}),
    )
    .await;
    let e = client.next_event("all").await;
    assert_eq!(e["action"], json!("UPDATED"), "{e}");
    assert_eq!(e["record"]["city"], json!("Paris"));
    assert_eq!(
        e["updatedFields"],
        json!(["city", "jobTitle"]),
        "the input's keys, in order"
    );
    let filtered = client.next_event("updates").await;
    assert_eq!(filtered["action"], json!("UPDATED"));
    assert_eq!(filtered["record"]["jobTitle"], json!("CEO"));

    // soft delete, restore, destroy
    gql(
        &state,
        &token,
        &format!("mutation {{ deletePerson(id: \"{P1}\") {{ id }} }}"),
        json!({}),
    )
    .await;
    let e = client.next_event("all").await;
    assert_eq!(e["action"], json!("DELETED"), "{e}");
    assert!(e["record"]["deletedAt"].is_string(), "{e}");
    gql(
        &state,
        &token,
        &format!("mutation {{ restorePerson(id: \"{P1}\") {{ id }} }}"),
        json!({}),
    )
    .await;
    let e = client.next_event("all").await;
    assert_eq!(e["action"], json!("RESTORED"), "{e}");
    assert_eq!(e["record"]["deletedAt"], Value::Null);
    gql(
        &state,
        &token,
        &format!("mutation {{ destroyPerson(id: \"{P1}\") {{ id }} }}"),
        json!({}),
    )
    .await;
    let e = client.next_event("all").await;
    assert_eq!(e["action"], json!("DESTROYED"), "{e}");
    assert_eq!(e["record"]["id"], json!(P1));
    assert_eq!(e["record"]["city"], json!("Paris"), "the record as it was");

    // many: one event per record
    gql(
        &state,
        &token,
        "mutation($d: [PersonCreateInput!]!) { createPeople(data: $d) { id } }",
        json!({"d": [{"id": P2, "city": "Oslo"}, {"id": P3, "city": "Oslo"}]}),
    )
    .await;
    let mut ids = vec![
        client.next_event("all").await["record"]["id"].clone(),
        client.next_event("all").await["record"]["id"].clone(),
    ];
    ids.sort_by_key(|v| v.to_string());
    assert_eq!(ids, vec![json!(P2), json!(P3)]);
    gql(
        &state,
        &token,
        "mutation { updatePeople(filter: {city: {eq: \"Oslo\"}}, data: {city: \"Bergen\"}) { id } }",
        json!({}),
    )
    .await;
    for _ in 0..2 {
        let e = client.next_event("all").await;
        assert_eq!(e["action"], json!("UPDATED"));
        assert_eq!(e["record"]["city"], json!("Bergen"));
        assert_eq!(e["updatedFields"], json!(["city"]));
    }
    // upsert of an existing record: an update
    gql(
        &state,
        &token,
        "mutation($d: PersonCreateInput!) { createPerson(data: $d, upsert: true) { id } }",
        json!({"d": {"id": P2, "city": "Lima"}}),
    )
    .await;
    let e = client.next_event("all").await;
    assert_eq!(e["action"], json!("UPDATED"), "{e}");
    assert_eq!(e["record"]["city"], json!("Lima"));
    assert_eq!(e["updatedFields"], json!(["city"]));

    // The other workspace's subscriber got none of it: its first event is its own marker.
    gql(
        &state,
        &other_token,
        "mutation { createCompany(data: {name: \"Marker\"}) { id } }",
        json!({}),
    )
    .await;
    let e = other.next_event("all").await;
    assert_eq!(e["action"], json!("CREATED"));
    assert_eq!(e["record"]["name"], json!("Marker"), "{e}");
}
both!(every_mutation_kind_reaches_a_subscriber);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_graphql_ws_protocol_works() {
    let (state, _dir) = common::sqlite_state().await;
    let (ws, token) = tessera_server::create_workspace(&state, "Legacy", false)
        .await
        .expect("workspace");
    let port = serve(&state).await;
    let _dispatcher = dispatcher(&state);
    let mut client = WsClient::connect(port, LEGACY_WS).await;
    // lower-case key, as some clients send it
    let ack = client
        .init(json!({"authorization": format!("Bearer {token}")}))
        .await;
    assert_eq!(ack["type"], json!("connection_ack"), "{ack}");
    client
        .subscribe("1", "subscription { onDbEvent(input: {objectNameSingular: \"company\"}) { action objectNameSingular record } }")
        .await;
    wait_subscribed(&state, ws, 1).await;
    gql(
        &state,
        &token,
        "mutation { createPerson(data: {city: \"X\"}) { id } }",
        json!({}),
    )
    .await;
    gql(
        &state,
        &token,
        "mutation { createCompany(data: {name: \"Acme\"}) { id } }",
        json!({}),
    )
    .await;
    let e = client.next_event("1").await;
    assert_eq!(
        e["objectNameSingular"],
        json!("company"),
        "the person event is filtered out"
    );
    assert_eq!(e["record"]["name"], json!("Acme"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_is_refused() {
    let (state, _dir) = common::sqlite_state().await;
    let (_, token) = tessera_server::create_workspace(&state, "Auth", false)
        .await
        .expect("workspace");
    let port = serve(&state).await;
    let forged = format!("{}x", &token[..token.len() - 1]);
    let mut client = WsClient::connect(port, TRANSPORT_WS).await;
    let answer = client
        .init(json!({"Authorization": format!("Bearer {forged}")}))
        .await;
    assert_eq!(answer["close"], json!(1002), "{answer}");
    assert_eq!(answer["reason"], json!("Token invalid."), "{answer}");
    let mut client = WsClient::connect(port, TRANSPORT_WS).await;
    let answer = client.init(json!({})).await;
    assert_eq!(answer["close"], json!(1002), "{answer}");
    let mut legacy = WsClient::connect(port, LEGACY_WS).await;
    let answer = legacy
        .init(json!({"Authorization": "Bearer nonsense"}))
        .await;
    assert_eq!(answer["type"], json!("connection_error"), "{answer}");
    // A subscription before a successful init is refused too.
    let mut client = WsClient::connect(port, TRANSPORT_WS).await;
    client
        .subscribe("1", "subscription { onDbEvent(input: {}) { action } }")
        .await;
    let answer = client.next().await.unwrap_or(json!({"close": null}));
    assert!(answer.get("close").is_some(), "{answer}");
}

/// An event committed by an instance that never dispatched it (its process "died") is
/// delivered by the next instance's dispatcher: the outbox row survives, the sweep finds it.
async fn undispatched_events_are_delivered_when_a_dispatcher_starts(state: AppState) {
    let (ws, token) = tessera_server::create_workspace(&state, "Durable", false)
        .await
        .expect("workspace");
    // "Instance 1": commits an event, runs no dispatcher.
    let created = gql(
        &state,
        &token,
        "mutation { createCompany(data: {name: \"Committed\"}) { id } }",
        json!({}),
    )
    .await;
    let id = created["createCompany"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        common::count(state.store(), ws, "event_outbox").await,
        1,
        "the event is committed in the workspace's outbox"
    );

    // "Instance 2": a fresh state over the same storage (nothing marked in its memory).
    let second = AppState::from_parts(reopen(&state).await, common::SECRET.to_owned());
    let port = serve(&second).await;
    let mut client = WsClient::connect(port, TRANSPORT_WS).await;
    client.init_with_token(&token).await;
    client
        .subscribe(
            "1",
            "subscription { onDbEvent(input: {}) { action record } }",
        )
        .await;
    wait_subscribed(&second, ws, 1).await;
    // The default dispatcher: it sweeps every workspace at start.
    let _dispatcher = spawn_dispatcher(
        second.store().clone(),
        second.pubsub().clone(),
        None,
        DispatcherOptions::default(),
    );
    let e = client.event_for("1", &id).await;
    assert_eq!(e["action"], json!("CREATED"));
    assert_eq!(e["record"]["name"], json!("Committed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undispatched_events_are_delivered_sqlite() {
    let (state, _dir) = common::sqlite_state().await;
    undispatched_events_are_delivered_when_a_dispatcher_starts(state).await;
}

/// On its own database: its dispatcher sweeps every workspace, which would publish the
/// events of the other tests running at the same time on the shared test database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undispatched_events_are_delivered_postgres() {
    let url = durable_url();
    tessera_store::Store::ensure_database(&url)
        .await
        .expect("database");
    let store = tessera_store::Store::connect(&tessera_store::StoreConfig {
        database_url: Some(url),
        data_dir: std::env::temp_dir(),
    })
    .await
    .expect("connect");
    let state = AppState::from_parts(store, common::SECRET.to_owned());
    undispatched_events_are_delivered_when_a_dispatcher_starts(state).await;
}

/// `TESSERA_TEST_DATABASE_URL` with `_durable` appended to the database name.
fn durable_url() -> String {
    let base = common::pg_url();
    match base.split_once('?') {
        Some((url, query)) => format!("{url}_durable?{query}"),
        None => format!("{base}_durable"),
    }
}

/// A second store over the same database (PostgreSQL) or data directory (SQLite).
async fn reopen(state: &AppState) -> tessera_store::Store {
    let config = match state.store().dialect() {
        tessera_query::Dialect::Postgres => tessera_store::StoreConfig {
            database_url: Some(durable_url()),
            data_dir: std::env::temp_dir(),
        },
        tessera_query::Dialect::Sqlite => tessera_store::StoreConfig {
            database_url: None,
            data_dir: state.store().data_dir().expect("sqlite data dir"),
        },
    };
    tessera_store::Store::connect(&config)
        .await
        .expect("reopen")
}

/// A subscriber only gets events of objects its role may read, without the fields it may not
/// read (Twenty's `ObjectRecordEventPublisher`): a role without `person` gets no person event;
/// a role without `person.city` gets person events without `city`, and no event for an update
/// that changed only `city`.
async fn events_follow_the_subscribers_role(state: AppState) {
    let setup = permissions_support::setup(&state, "Roles").await;
    let (_, no_people) = setup.key(&setup.role("No people"), "no people").await;
    let (_, no_city) = setup.key(&setup.role("No city"), "no city").await;
    let token = |api: &permissions_support::Api| {
        api.bearer
            .strip_prefix("Bearer ")
            .expect("bearer")
            .to_owned()
    };
    let port = serve(&state).await;
    let _dispatcher = dispatcher(&state);
    let mut clients = Vec::new();
    for api in [&setup.admin, &no_people, &no_city] {
        let mut client = WsClient::connect(port, TRANSPORT_WS).await;
        client.init_with_token(&token(api)).await;
        client
            .subscribe(
                "all",
                &format!("subscription {{ onDbEvent(input: {{}}) {{ {EVENT_FIELDS} }} }}"),
            )
            .await;
        clients.push(client);
    }
    wait_subscribed(&state, setup.ws, 3).await;
    let admin_token = token(&setup.admin);
    // The setup's own events may still be on their way: every client first reads up to a
    // start marker (a company every role can read).
    gql(
        &state,
        &admin_token,
        r#"mutation { createCompany(data: {name: "Start"}) { id } }"#,
        json!({}),
    )
    .await;
    for client in &mut clients {
        loop {
            let e = client.next_event("all").await;
            if e["objectNameSingular"] == json!("company") && e["record"]["name"] == json!("Start")
            {
                break;
            }
        }
    }
    let ada = setup.ada.clone();
    gql(
        &state,
        &admin_token,
        &format!("mutation {{ updatePerson(id: \"{ada}\", data: {{city: \"Rome\", jobTitle: \"CTO\"}}) {{ id }} }}"),
        json!({}),
    )
    .await;
    gql(
        &state,
        &admin_token,
        &format!("mutation {{ updatePerson(id: \"{ada}\", data: {{city: \"Oslo\"}}) {{ id }} }}"),
        json!({}),
    )
    .await;
    gql(
        &state,
        &admin_token,
        r#"mutation { createCompany(data: {name: "Marker"}) { id } }"#,
        json!({}),
    )
    .await;

    let admin = &mut clients[0];
    let e = admin.next_event("all").await;
    assert_eq!(e["record"]["city"], json!("Rome"), "{e}");
    assert_eq!(e["updatedFields"], json!(["city", "jobTitle"]));
    let e = admin.next_event("all").await;
    assert_eq!(e["record"]["city"], json!("Oslo"), "{e}");
    assert_eq!(
        admin.next_event("all").await["objectNameSingular"],
        json!("company")
    );

    // No people: the first event it sees is the company marker.
    let e = clients[1].next_event("all").await;
    assert_eq!(e["objectNameSingular"], json!("company"), "{e}");
    assert_eq!(e["record"]["name"], json!("Marker"));

    // No city: the first update without city, the city-only update dropped, then the marker.
    let e = clients[2].next_event("all").await;
    assert_eq!(e["objectNameSingular"], json!("person"), "{e}");
    assert_eq!(e["record"]["jobTitle"], json!("CTO"));
    assert!(e["record"].get("city").is_none(), "{e}");
    assert_eq!(e["updatedFields"], json!(["jobTitle"]));
    let e = clients[2].next_event("all").await;
    assert_eq!(e["objectNameSingular"], json!("company"), "{e}");
}

both!(events_follow_the_subscribers_role);
