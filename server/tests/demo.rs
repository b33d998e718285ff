//! The demo data set loads completely on SQLite and PostgreSQL, quickly, into its own workspace
//! only.

mod common;

use std::time::Instant;

use tessera_server::{AppState, create_workspace, demo};

use common::count;

const EXPECTED: [(&str, i64); 8] = [
    ("workspaceMember", 1004),
    ("company", 599),
    ("person", 1200),
    ("opportunity", 50),
    ("note", 1800),
    ("noteTarget", 1800),
    ("task", 1800),
    ("taskTarget", 1800),
];

async fn demo_seed_counts(state: AppState) {
    let started = Instant::now();
    let (ws, _token) = create_workspace(&state, "Demo (test)", true)
        .await
        .expect("demo workspace");
    let elapsed = started.elapsed();
    eprintln!(
        "demo workspace created and seeded on {:?} in {elapsed:?}",
        state.store().dialect()
    );
    let other = state
        .store()
        .create_workspace("empty", tessera_server::demo::demo_objects())
        .await
        .expect("second workspace");
    for (table, expected) in EXPECTED {
        assert_eq!(count(state.store(), ws, table).await, expected, "{table}");
        assert_eq!(
            count(state.store(), other, table).await,
            0,
            "{table} in the second workspace"
        );
    }
    // The demo key (fixed id and name) exists in the demo workspace.
    let key = demo::demo_api_key().expect("demo key");
    let stored = state
        .store()
        .api_key(ws, key.id)
        .await
        .expect("lookup")
        .expect("demo key stored");
    assert_eq!(stored.name, key.name);
    assert!(elapsed.as_secs() < 60, "seeding took {elapsed:?}");
}
both!(demo_seed_counts);
