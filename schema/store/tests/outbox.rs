//! The transactional outbox on both stores: one event per written record with Twenty's
//! shape, read in order after a consumer's cursor, at least once (a failed hand-off does not
//! move the cursor), pruning behind the cursors; on PostgreSQL one dispatcher at a time per
//! consumer (`FOR UPDATE SKIP LOCKED`) and no event passed over when transactions commit out
//! of order. Every check also proves another workspace's outbox stays empty.

mod common;

use serde_json::{Value, json};
use tessera_core::{DatabaseEventAction, RecordEvent, Session, WorkspaceId};
use tessera_metadata::standard;
use tessera_query::{Operation, RecordInput, RecordSelection, Target};
use tessera_store::{DispatchOutcome, Store};

const P1: &str = "30303030-0000-4000-8000-000000000001";

fn session(ws: WorkspaceId) -> Session {
    Session::system(ws, "IMPORT")
}

fn input(v: Value) -> RecordInput {
    RecordInput(v.as_object().cloned().expect("object"))
}

async fn run(store: &Store, ws: WorkspaceId, op: Operation) -> Value {
    let runner = store.runner(ws).await.expect("runner");
    let model = store.workspace_model(ws).await.expect("model");
    tessera_query::execute(&*runner, &model, &session(ws), &op)
        .await
        .expect("mutation")
}

/// Creates one company named `name`.
fn create_company(name: &str) -> Operation {
    Operation::Create {
        object: "company".into(),
        records: vec![input(json!({"name": name}))],
        upsert: false,
        selection: RecordSelection::id_only(),
        many: false,
    }
}

/// Every event after the cursor of `consumer` (moves it). While events wait for older
/// write transactions of the cluster to end (`held`: other tests' transactions), tries again.
async fn take(store: &Store, ws: WorkspaceId, consumer: &str) -> Vec<RecordEvent> {
    let runner = store.runner(ws).await.expect("runner");
    let mut out = Vec::new();
    for _ in 0..600 {
        let outcome = runner
            .dispatch_outbox(consumer, 1000, |events| {
                out.extend(events);
                async { Ok::<(), ()>(()) }
            })
            .await
            .expect("dispatch");
        match outcome {
            DispatchOutcome::Dispatched { held: false, .. } => return out,
            DispatchOutcome::Dispatched { held: true, .. } => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            other => panic!("{other:?}"),
        }
    }
    panic!("events held back for 30 s");
}

async fn events_have_twentys_shape_and_a_cursor(store: Store) {
    let ws = store
        .create_workspace("Outbox", standard::standard_objects())
        .await
        .expect("workspace");
    let other = store
        .create_workspace("Other", standard::standard_objects())
        .await
        .expect("workspace");
    run(
        &store,
        ws,
        Operation::Create {
            object: "person".into(),
            records: vec![input(json!({"id": P1, "city": "Paris", "jobTitle": "CTO"}))],
            upsert: false,
            selection: RecordSelection::id_only(),
            many: false,
        },
    )
    .await;
    run(
        &store,
        ws,
        Operation::Update {
            object: "person".into(),
            target: Target::Id(P1.into()),
            data: input(json!({"jobTitle": "CEO"})),
            selection: RecordSelection::id_only(),
        },
    )
    .await;
    for op in [
        Operation::Delete {
            object: "person".into(),
            target: Target::Id(P1.into()),
            selection: RecordSelection::id_only(),
        },
        Operation::Restore {
            object: "person".into(),
            target: Target::Id(P1.into()),
            selection: RecordSelection::id_only(),
        },
        Operation::Destroy {
            object: "person".into(),
            target: Target::Id(P1.into()),
            selection: RecordSelection::id_only(),
        },
    ] {
        run(&store, ws, op).await;
    }

    // A failing hand-off leaves the cursor where it was.
    let runner = store.runner(ws).await.expect("runner");
    let mut failed = DispatchOutcome::Busy;
    for _ in 0..600 {
        failed = runner
            .dispatch_outbox("test", 1000, |_| async { Err::<(), &str>("down") })
            .await
            .expect("dispatch");
        // Held back by other tests' open transactions: try again.
        if !matches!(
            failed,
            DispatchOutcome::Dispatched {
                count: 0,
                held: true
            }
        ) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        matches!(failed, DispatchOutcome::HandlerFailed("down")),
        "{failed:?}"
    );

    let events = take(&store, ws, "test").await;
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "person.created",
            "person.updated",
            "person.deleted",
            "person.restored",
            "person.destroyed"
        ]
    );
    assert!(
        events
            .windows(2)
            .all(|w| (w[0].txid, w[0].seq) < (w[1].txid, w[1].seq))
    );
    for e in &events {
        assert_eq!(e.workspace_id, ws);
        assert_eq!(e.record_id.to_string(), P1);
        assert_eq!(e.object_name_singular, "person");
        assert_eq!(e.version, "V1");
        assert_eq!(e.actor.source, "IMPORT");
        assert!(e.created_at.ends_with('Z'), "{}", e.created_at);
    }
    let created = &events[0];
    assert_eq!(created.action, DatabaseEventAction::Created);
    assert!(created.before.is_none());
    assert_eq!(
        created.after.as_ref().expect("after")["city"],
        json!("Paris")
    );
    let updated = &events[1];
    assert_eq!(
        updated.updated_fields.as_deref(),
        Some(&["jobTitle".to_owned()][..])
    );
    let props = updated.properties();
    assert_eq!(
        props["diff"]["jobTitle"],
        json!({"before": "CTO", "after": "CEO"})
    );
    assert_eq!(props["before"]["jobTitle"], json!("CTO"));
    assert_eq!(props["after"]["jobTitle"], json!("CEO"));
    assert!(events[2].after.as_ref().expect("after")["deletedAt"].is_string());
    assert!(events[3].after.as_ref().expect("after")["deletedAt"].is_null());
    let destroyed = &events[4];
    assert!(destroyed.after.is_none());
    assert_eq!(
        destroyed.before.as_ref().expect("before")["jobTitle"],
        json!("CEO")
    );

    // The cursor moved: nothing more for "test"; another consumer reads everything.
    assert!(take(&store, ws, "test").await.is_empty());
    assert_eq!(take(&store, ws, "other-consumer").await.len(), 5);
    // The other workspace has no events.
    assert!(take(&store, other, "test").await.is_empty());

    // Pruning deletes only what every consumer has passed.
    run(&store, ws, create_company("Acme")).await;
    assert_eq!(take(&store, ws, "test").await.len(), 1);
    let pruned = runner
        .prune_outbox(std::time::Duration::ZERO)
        .await
        .expect("prune");
    assert_eq!(
        pruned, 5,
        "the company event is still ahead of \"other-consumer\""
    );
    assert_eq!(common::count(&store, ws, "event_outbox").await, 1);
}
both!(events_have_twentys_shape_and_a_cursor);

/// Two dispatchers of one consumer (two instances): while one holds the cursor, the other is
/// told `Busy` at once and reads nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_dispatcher_at_a_time_on_postgres() {
    let store = common::postgres().await;
    let second = common::postgres().await;
    let ws = store
        .create_workspace("Locks", standard::standard_objects())
        .await
        .expect("workspace");
    run(&store, ws, create_company("Acme")).await;
    let runner = store.runner(ws).await.expect("runner");
    let other_runner = second.runner(ws).await.expect("runner");
    let (entered_tx, entered_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let holder = tokio::spawn(async move {
        let mut entered = Some(entered_tx);
        let mut release = Some(release_rx);
        loop {
            let outcome = runner
                .dispatch_outbox("pubsub", 100, |events| {
                    let entered = entered.take();
                    let release = release.take();
                    async move {
                        assert_eq!(events.len(), 1);
                        if let Some(entered) = entered {
                            let _ = entered.send(());
                        }
                        if let Some(release) = release {
                            let _ = release.await;
                        }
                        Ok::<(), ()>(())
                    }
                })
                .await
                .expect("dispatch");
            // Held back by other tests' open transactions: try again.
            if !matches!(outcome, DispatchOutcome::Dispatched { count: 0, .. }) {
                return outcome;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    });
    entered_rx.await.expect("holder entered");
    let busy = other_runner
        .dispatch_outbox("pubsub", 100, |_| async { Ok::<(), ()>(()) })
        .await
        .expect("dispatch");
    assert!(matches!(busy, DispatchOutcome::Busy), "{busy:?}");
    let _ = release_tx.send(());
    let done = holder.await.expect("holder");
    assert!(
        matches!(done, DispatchOutcome::Dispatched { count: 1, .. }),
        "{done:?}"
    );
    let after = other_runner
        .dispatch_outbox("pubsub", 100, |_| async { Ok::<(), ()>(()) })
        .await
        .expect("dispatch");
    assert!(
        matches!(after, DispatchOutcome::Dispatched { count: 0, .. }),
        "{after:?}"
    );
}

/// Transactions that commit out of order: an event of a transaction still open holds back
/// the later ones (`held`), so the cursor never passes a row that commits afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_transaction_holds_back_later_events_on_postgres() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let store = common::postgres().await;
    let ws = store
        .create_workspace("Order", standard::standard_objects())
        .await
        .expect("workspace");
    let model = store.workspace_model(ws).await.expect("model");
    let runner = store.runner(ws).await.expect("runner");
    // T1: writes its event first, commits last.
    let statements = tessera_query::compile_statements(
        tessera_query::Dialect::Postgres,
        Some(&ws.schema_name()),
        &model,
        &session(ws),
        &create_company("first"),
    )
    .expect("compile");
    let db = sea_orm::Database::connect(common::pg_url())
        .await
        .expect("connect");
    let t1 = db.begin().await.expect("begin");
    for s in statements {
        t1.query_all_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            s.sql,
            s.values,
        ))
        .await
        .expect("T1 insert");
    }
    // T2 commits while T1 is open.
    run(&store, ws, create_company("second")).await;
    let outcome = runner
        .dispatch_outbox("order", 100, |_| async { Ok::<(), ()>(()) })
        .await
        .expect("dispatch");
    assert!(
        matches!(
            outcome,
            DispatchOutcome::Dispatched {
                count: 0,
                held: true
            }
        ),
        "T2's event waits for T1: {outcome:?}"
    );
    t1.commit().await.expect("commit T1");
    let events = take(&store, ws, "order").await;
    let names: Vec<Value> = events
        .iter()
        .map(|e| e.after.as_ref().expect("after")["name"].clone())
        .collect();
    assert_eq!(names, [json!("first"), json!("second")]);
}

/// The sweep's filter: a workspace is listed while any of the given consumers has events
/// to read, and no longer once they all passed them; a workspace without events is not
/// listed (PostgreSQL: one query per 100 workspaces). On SQLite every workspace is listed.
async fn pending_workspaces_follow_the_cursors(store: Store) {
    let busy = store
        .create_workspace("Busy", standard::standard_objects())
        .await
        .expect("workspace");
    let quiet = store
        .create_workspace("Quiet", standard::standard_objects())
        .await
        .expect("workspace");
    run(&store, busy, create_company("Acme")).await;
    let pending = |consumers: &'static [&'static str]| {
        let store = store.clone();
        async move {
            store
                .workspaces_with_pending_events(consumers)
                .await
                .expect("pending")
        }
    };
    let sqlite = store.dialect() == tessera_query::Dialect::Sqlite;
    let both = pending(&["sweep-a", "sweep-b"]).await;
    assert!(both.contains(&busy));
    assert_eq!(both.contains(&quiet), sqlite, "{both:?}");
    // `sweep-a` reads everything: `busy` is still pending for `sweep-b` only.
    assert_eq!(take(&store, busy, "sweep-a").await.len(), 1);
    assert_eq!(pending(&["sweep-a"]).await.contains(&busy), sqlite);
    assert!(pending(&["sweep-a", "sweep-b"]).await.contains(&busy));
    assert_eq!(take(&store, busy, "sweep-b").await.len(), 1);
    assert_eq!(
        pending(&["sweep-a", "sweep-b"]).await.contains(&busy),
        sqlite
    );
}
both!(pending_workspaces_follow_the_cursors);

/// A workspace whose outbox cannot be read (its table dropped behind the store's back) is
/// listed for the sweep, and the other workspaces of its chunk are still checked one by one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_outbox_is_swept_on_postgres() {
    use sea_orm::ConnectionTrait;
    let store = common::postgres().await;
    let broken = store
        .create_workspace("Broken", standard::standard_objects())
        .await
        .expect("workspace");
    let quiet = store
        .create_workspace("Quiet", standard::standard_objects())
        .await
        .expect("workspace");
    let db = sea_orm::Database::connect(common::pg_url())
        .await
        .expect("connect");
    db.execute_unprepared(&format!(
        "DROP TABLE \"{}\".\"event_outbox\"",
        broken.schema_name()
    ))
    .await
    .expect("drop");
    let pending = store
        .workspaces_with_pending_events(&["sweep-x"])
        .await
        .expect("pending");
    assert!(pending.contains(&broken), "{pending:?}");
    assert!(!pending.contains(&quiet), "{pending:?}");
    // A store opening the workspace creates the missing outbox tables again.
    common::postgres()
        .await
        .runner(broken)
        .await
        .expect("runner recreates the outbox");
    let pending = store
        .workspaces_with_pending_events(&["sweep-x"])
        .await
        .expect("pending");
    assert!(!pending.contains(&broken), "{pending:?}");
}
