//! Atomicity of metadata changes on SQLite and PostgreSQL: a failure in the middle of a
//! change (after metadata rows and earlier DDL were written) leaves metadata rows, tables
//! and the version exactly as before; concurrent changes of one workspace serialize.
//!
//! Failures are injected with objects created behind the store's back through the
//! workspace runner (a table, a column or an index name the change needs).

mod common;

use serde_json::json;
use tessera_core::{CodedError, ErrorCode, WorkspaceId};
use tessera_metadata::{FieldType, UpdateFieldInput, UpdateObjectInput};
use tessera_query::SqlRunner;
use tessera_store::{Store, StoreError};

use common::meta::{
    assert_invalid, columns, create_record, field_id, field_input, find_all, object, object_input,
    query, snapshot, workspace,
};
use common::rocket::{rocket, rocket_record};

/// Runs a raw DDL statement in the workspace (wrapped so the runner gets its JSON row).
async fn raw(store: &Store, ws: WorkspaceId, ddl: &str) {
    let runner = store.runner(ws).await.expect("runner");
    let schema = match runner.schema() {
        Some(s) => format!("\"{s}\"."),
        None => String::new(),
    };
    runner
        .fetch_json(tessera_query::Statement {
            sql: ddl.replace("{s}", &schema),
            values: sea_query::Values(vec![]),
        })
        .await
        .map(|_| ())
        .expect("raw ddl");
}

fn assert_internal(result: Result<impl std::fmt::Debug, StoreError>) {
    match result {
        Err(e) => assert_eq!(e.code(), ErrorCode::InternalServerError, "{e}"),
        Ok(v) => panic!("expected a database failure, got {v:?}"),
    }
}

async fn failed_create_object_leaves_nothing(store: Store) {
    let ws = workspace(&store).await;
    // A table squatting the name: rows are written first, then CREATE TABLE fails.
    raw(&store, ws, "CREATE TABLE {s}\"_drone\" (\"x\" text)").await;
    let before = snapshot(&store, ws).await;
    assert_internal(
        store
            .create_object(ws, object_input("drone", "drones"))
            .await,
    );
    assert_eq!(snapshot(&store, ws).await, before);
    assert!(
        !store
            .objects_metadata(ws)
            .await
            .expect("all")
            .iter()
            .any(|o| o.name_singular == "drone")
    );
    // The workspace still works, and other changes go through.
    store
        .create_object(ws, object_input("rocket", "rockets"))
        .await
        .expect("rocket");
    assert_eq!(store.metadata_version(ws).await.expect("version"), 2);
}
both!(failed_create_object_leaves_nothing);

async fn failure_after_ddl_rolls_back_ddl(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    create_record(&store, ws, "rocket", rocket_record())
        .await
        .expect("record");
    // An index already named like the unique index of the new field: ADD COLUMN succeeds,
    // then CREATE UNIQUE INDEX fails; the column must disappear with the rows.
    raw(
        &store,
        ws,
        "CREATE INDEX \"IDX_UNIQUE__rocket_power\" ON {s}\"_rocket\" (\"codename\")",
    )
    .await;
    let before = snapshot(&store, ws).await;
    let mut power = field_input(rocket_id, "power", FieldType::Number);
    power.is_unique = Some(true);
    power.default_value = Some(json!(1));
    assert_internal(store.create_field(ws, power).await);
    assert_eq!(snapshot(&store, ws).await, before);
    assert!(
        !columns(&store, ws, "_rocket")
            .await
            .contains(&"power".to_owned())
    );

    // A failing unique index on duplicate data during an update that also renames: the
    // rename is undone too.
    create_record(&store, ws, "rocket", rocket_record())
        .await
        .expect("duplicate");
    let codename = field_id(&store, ws, "rocket", "codename").await;
    let before = snapshot(&store, ws).await;
    assert_invalid(
        store
            .update_field(
                ws,
                codename,
                UpdateFieldInput {
                    name: Some("alias".into()),
                    label: Some("Alias".into()),
                    is_unique: Some(true),
                    ..UpdateFieldInput::default()
                },
            )
            .await,
        "duplicate values",
    );
    assert_eq!(snapshot(&store, ws).await, before);
    assert_eq!(
        find_all(&store, ws, "rocket").await[0]["codename"],
        json!("F9")
    );
}
both!(failure_after_ddl_rolls_back_ddl);

async fn failed_rebuild_rolls_back(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    create_record(&store, ws, "rocket", json!({"name": "A"}))
        .await
        .expect("record");
    // Rename the table (first statement), then the many steps of making a column required
    // (SQLite: a table rebuild) fail on the NULL in the existing record.
    let before = snapshot(&store, ws).await;
    let thrust = field_id(&store, ws, "rocket", "thrust").await;
    assert_invalid(
        store
            .update_field(
                ws,
                thrust,
                UpdateFieldInput {
                    name: Some("power".into()),
                    is_nullable: Some(false),
                    ..UpdateFieldInput::default()
                },
            )
            .await,
        "rocket.power",
    );
    assert_eq!(snapshot(&store, ws).await, before);
    // A failure at the end of deleting an object that others reference.
    let person = object(&store, ws, "person").await.id;
    store
        .create_field(
            ws,
            tessera_metadata::CreateFieldInput {
                relation_creation_payload: Some(tessera_metadata::RelationCreationPayload {
                    target_object_metadata_id: rocket_id,
                    target_field_label: "Fans".into(),
                    target_field_icon: None,
                    relation_type: tessera_metadata::RelationType::ManyToOne,
                }),
                ..field_input(person, "favoriteRocket", FieldType::Relation)
            },
        )
        .await
        .expect("relation");
    create_record(&store, ws, "person", json!({"name": {"firstName": "Ada"}}))
        .await
        .expect("person");
    // A view on the rocket table. PostgreSQL: DROP TABLE fails (a dependent view) after the
    // person column was dropped. SQLite: DROP TABLE succeeds, then renaming the rebuilt
    // person table (one of the last steps) fails on the view that no longer resolves.
    raw(
        &store,
        ws,
        "CREATE VIEW {s}\"rocket_names\" AS SELECT \"name\" FROM {s}\"_rocket\"",
    )
    .await;
    let before = snapshot(&store, ws).await;
    let result = store.delete_object(ws, rocket_id).await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(snapshot(&store, ws).await, before);
    assert!(
        columns(&store, ws, "person")
            .await
            .contains(&"favoriteRocketId".to_owned())
    );
    assert_eq!(find_all(&store, ws, "person").await.len(), 1);
    assert_eq!(find_all(&store, ws, "rocket").await.len(), 1);
}
both!(failed_rebuild_rolls_back);

async fn concurrent_changes_serialize(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    let version = store.metadata_version(ws).await.expect("version");
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_field(
                        ws,
                        field_input(rocket_id, &format!("extra{i}"), FieldType::Text),
                    )
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("join").expect("create field");
    }
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 6
    );
    let cols = columns(&store, ws, "_rocket").await;
    let rocket = object(&store, ws, "rocket").await;
    for i in 0..6 {
        let name = format!("extra{i}");
        assert!(cols.contains(&name), "{name}");
        assert!(rocket.fields.iter().any(|f| f.name == name));
    }
    // Two changes racing for the same name: exactly one wins.
    let a = store.update_object(
        ws,
        rocket_id,
        UpdateObjectInput {
            name_singular: Some("missile".into()),
            ..UpdateObjectInput::default()
        },
    );
    let b = store.create_object(ws, object_input("missile", "missiles"));
    let (a, b) = tokio::join!(a, b);
    assert!(a.is_ok() != b.is_ok(), "{a:?} / {b:?}");
}
both!(concurrent_changes_serialize);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_commits_both_files() {
    // The metadata rows live in system.db, the tables in the workspace file: after a change,
    // a fresh store on the same directory sees both.
    let (store, dir) = common::sqlite().await;
    let ws = workspace(&store).await;
    rocket(&store, ws).await;
    create_record(&store, ws, "rocket", rocket_record())
        .await
        .expect("record");
    drop(store);
    let again = Store::connect(&tessera_store::StoreConfig {
        database_url: None,
        data_dir: dir.path().to_path_buf(),
    })
    .await
    .expect("reconnect");
    assert_eq!(
        find_all(&again, ws, "rocket").await[0]["codename"],
        json!("F9")
    );
    let rows = query(
        &again,
        ws,
        "SELECT json_object('n', count(*)) AS j FROM \"_rocket\"".into(),
    )
    .await
    .expect("count");
    assert_eq!(rows, vec![json!({"n": 1})]);
}
