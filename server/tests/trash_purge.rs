//! The trash purge job on SQLite and PostgreSQL: soft-deleted records older than the
//! workspace's `trashRetentionDays` (default 14) are destroyed; newer ones and live records
//! stay; another workspace's trash is untouched. The purge also runs from the worker's cron
//! job (apalis-cron), on the embedded store.

mod common;

use serde_json::{Value, json};
use tessera_server::AppState;
use tessera_worker::trash;
use uuid::Uuid;

use common::post_graphql;

async fn gql(state: &AppState, bearer: &str, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables}).to_string();
    let r = post_graphql(state, Some(bearer), &body).await.json();
    assert!(r.get("errors").is_none(), "unexpected errors: {r}");
    r["data"].clone()
}

async fn person(state: &AppState, bearer: &str, name: &str, delete: bool) -> Uuid {
    let d = gql(
        state,
        bearer,
        "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
        json!({"d": {"name": {"firstName": name}}}),
    )
    .await;
    let id = Uuid::parse_str(d["createPerson"]["id"].as_str().expect("id")).expect("uuid");
    if delete {
        gql(
            state,
            bearer,
            "mutation($id: UUID!) { deletePerson(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    }
    id
}

async fn counts(state: &AppState, bearer: &str) -> (i64, i64) {
    let d = gql(
        state,
        bearer,
        "{ live: people { totalCount } trash: people(filter: {deletedAt: {is: NOT_NULL}}) { totalCount } }",
        json!({}),
    )
    .await;
    (
        d["live"]["totalCount"].as_i64().expect("live"),
        d["trash"]["totalCount"].as_i64().expect("trash"),
    )
}

async fn purges_old_trash_only(state: AppState) {
    let (a, token_a) = tessera_server::create_workspace(&state, "A", false)
        .await
        .expect("workspace");
    let (b, token_b) = tessera_server::create_workspace(&state, "B", false)
        .await
        .expect("workspace");
    let (ba, bb) = (format!("Bearer {token_a}"), format!("Bearer {token_b}"));
    let store = state.store();
    assert_eq!(store.trash_retention_days(a).await.expect("days"), 14);
    let (live0, trash0) = counts(&state, &ba).await;
    person(&state, &ba, "Kept", false).await;
    person(&state, &ba, "Old1", true).await;
    person(&state, &ba, "Old2", true).await;
    person(&state, &bb, "OtherTrash", true).await;
    assert_eq!(counts(&state, &ba).await, (live0 + 1, trash0 + 2));

    // Deleted moments ago: kept with a retention of 1 day.
    store.set_trash_retention_days(a, 1).await.expect("set");
    assert_eq!(trash::purge_workspace(store, a).await.expect("purge"), 0);
    assert_eq!(counts(&state, &ba).await, (live0 + 1, trash0 + 2));

    // Retention 0: everything in the trash is older than the cutoff.
    store.set_trash_retention_days(a, 0).await.expect("set");
    assert_eq!(store.trash_retention_days(a).await.expect("days"), 0);
    assert_eq!(
        trash::purge_workspace(store, a).await.expect("purge"),
        usize::try_from(trash0 + 2).expect("count")
    );
    assert_eq!(counts(&state, &ba).await, (live0 + 1, 0));
    assert_eq!(trash::purge_workspace(store, a).await.expect("again"), 0);

    // B keeps its default retention and its trash.
    assert_eq!(trash::purge_workspace(store, b).await.expect("purge"), 0);
    assert_eq!(counts(&state, &bb).await.1, 1);
}
both!(purges_old_trash_only);

/// The worker's purge cron job (here every second) destroys a workspace's old trash by itself.
/// SQLite only: on the shared PostgreSQL test database the job would purge every test's
/// workspaces.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cron_job_purges() {
    let (state, _dir) = common::sqlite_state().await;
    let (a, token_a) = tessera_server::create_workspace(&state, "A", false)
        .await
        .expect("workspace");
    let (_, token_b) = tessera_server::create_workspace(&state, "B", false)
        .await
        .expect("workspace");
    let (ba, bb) = (format!("Bearer {token_a}"), format!("Bearer {token_b}"));
    let (live0, trash0) = counts(&state, &ba).await;
    person(&state, &ba, "Kept", false).await;
    person(&state, &ba, "Old", true).await;
    person(&state, &bb, "OtherTrash", true).await;
    let trash_b = counts(&state, &bb).await.1;
    state
        .store()
        .set_trash_retention_days(a, 0)
        .await
        .expect("set");
    let jobs = common::Jobs::start_with(
        &state,
        tessera_worker::webhooks::deliver::DeliveryOptions::default(),
        format!("purge-{}", Uuid::new_v4().simple()),
        |o| o.purge_schedule = "* * * * * *".to_owned(),
    )
    .await;
    let mut now = counts(&state, &ba).await;
    for _ in 0..100 {
        if now.1 == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        now = counts(&state, &ba).await;
    }
    jobs.stop().await;
    assert_eq!(now, (live0 + 1, 0), "trash before: {trash0}");
    assert_eq!(counts(&state, &bb).await.1, trash_b, "B keeps its trash");
}
