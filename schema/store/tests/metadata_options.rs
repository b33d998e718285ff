//! SELECT / MULTI_SELECT option changes with data, on SQLite and PostgreSQL: values follow
//! renamed options, removed values become NULL or leave arrays, nothing invalid remains.

mod common;

use serde_json::{Value, json};
use tessera_core::WorkspaceId;
use tessera_metadata::{FieldOptionInput, FieldType, UpdateFieldInput};
use tessera_store::Store;
use uuid::Uuid;

use common::meta::{
    assert_invalid, create_record, enum_values, field_id, field_input, find_all, object,
    option_inputs, snapshot, storage, workspace,
};
use common::rocket::rocket;

/// The current options of a field, as inputs (ids kept).
async fn options(store: &Store, ws: WorkspaceId, field: &str) -> Vec<FieldOptionInput> {
    object(store, ws, "rocket")
        .await
        .fields
        .iter()
        .find(|f| f.name == field)
        .expect("field")
        .options
        .iter()
        .flatten()
        .map(Into::into)
        .collect()
}

fn renamed(mut option: FieldOptionInput, value: &str) -> FieldOptionInput {
    option.value = value.to_owned();
    option.label = value.to_owned();
    option
}

async fn set_options(store: &Store, ws: WorkspaceId, field: Uuid, options: Vec<FieldOptionInput>) {
    let version = store.metadata_version(ws).await.expect("version");
    store
        .update_field(
            ws,
            field,
            UpdateFieldInput {
                options: Some(options),
                ..UpdateFieldInput::default()
            },
        )
        .await
        .expect("options");
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 1
    );
}

/// `name → field value` of every rocket.
async fn values(store: &Store, ws: WorkspaceId, field: &str) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = find_all(store, ws, "rocket")
        .await
        .iter()
        .map(|r| {
            (
                r["name"].as_str().expect("name").to_owned(),
                r[field].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

async fn select_options_follow_data(store: Store) {
    let ws = workspace(&store).await;
    rocket(&store, ws).await;
    for (name, status, tags) in [
        ("r1", json!("FLYING"), json!(["RED", "BLUE"])),
        ("r2", json!("LANDED"), json!(["GREEN"])),
        ("r3", json!("PLANNED"), json!(["BLUE", "GREEN", "RED"])),
        ("r4", Value::Null, Value::Null),
    ] {
        create_record(
            &store,
            ws,
            "rocket",
            json!({"name": name, "status": status, "tags": tags}),
        )
        .await
        .expect("record");
    }
    // SELECT: keep PLANNED, rename FLYING → IN_FLIGHT, remove LANDED, add CRASHED.
    let status = field_id(&store, ws, "rocket", "status").await;
    let current = options(&store, ws, "status").await;
    let new = vec![
        current[0].clone(),
        renamed(current[1].clone(), "IN_FLIGHT"),
        option_inputs(&["CRASHED"]).remove(0),
    ];
    set_options(&store, ws, status, new).await;
    assert_eq!(
        values(&store, ws, "status").await,
        [
            ("r1".to_owned(), json!("IN_FLIGHT")),
            ("r2".to_owned(), Value::Null),
            ("r3".to_owned(), json!("PLANNED")),
            ("r4".to_owned(), Value::Null),
        ]
    );
    if store.dialect() == tessera_query::Dialect::Postgres {
        assert_eq!(
            enum_values(&store, ws, "_rocket_status_enum").await,
            Some(vec!["PLANNED".into(), "IN_FLIGHT".into(), "CRASHED".into()])
        );
    }
    let ids: Vec<Option<Uuid>> = options(&store, ws, "status")
        .await
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ids[..2], [current[0].id, current[1].id]);
    create_record(
        &store,
        ws,
        "rocket",
        json!({"name": "r5", "status": "CRASHED"}),
    )
    .await
    .expect("new option usable");
    assert!(
        create_record(&store, ws, "rocket", json!({"status": "FLYING"}))
            .await
            .is_err()
    );
    assert!(
        create_record(&store, ws, "rocket", json!({"status": "LANDED"}))
            .await
            .is_err()
    );

    // MULTI_SELECT: rename RED → CRIMSON, remove GREEN, keep BLUE, add YELLOW.
    let tags = field_id(&store, ws, "rocket", "tags").await;
    let current = options(&store, ws, "tags").await;
    let new = vec![
        renamed(current[0].clone(), "CRIMSON"),
        current[2].clone(),
        option_inputs(&["YELLOW"]).remove(0),
    ];
    set_options(&store, ws, tags, new).await;
    let got = values(&store, ws, "tags").await;
    assert_eq!(got[0], ("r1".to_owned(), json!(["CRIMSON", "BLUE"])));
    assert_eq!(got[1], ("r2".to_owned(), json!([])));
    assert_eq!(got[2], ("r3".to_owned(), json!(["BLUE", "CRIMSON"])));
    assert_eq!(got[3].1, Value::Null);
    if store.dialect() == tessera_query::Dialect::Postgres {
        assert_eq!(
            enum_values(&store, ws, "_rocket_tags_enum").await,
            Some(vec!["CRIMSON".into(), "BLUE".into(), "YELLOW".into()])
        );
    }
}
both!(select_options_follow_data);

async fn swaps_reorders_and_defaults(store: Store) {
    let ws = workspace(&store).await;
    rocket(&store, ws).await;
    let status = field_id(&store, ws, "rocket", "status").await;
    store
        .update_field(
            ws,
            status,
            UpdateFieldInput {
                default_value: Some(json!("'PLANNED'")),
                ..UpdateFieldInput::default()
            },
        )
        .await
        .expect("default");
    for (name, s) in [("a", "PLANNED"), ("b", "FLYING"), ("c", "LANDED")] {
        create_record(&store, ws, "rocket", json!({"name": name, "status": s}))
            .await
            .expect("record");
    }
    // Swap the values of PLANNED and FLYING (same ids), reverse the order.
    let current = options(&store, ws, "status").await;
    let new = vec![
        FieldOptionInput {
            position: Some(0),
            ..current[2].clone()
        },
        FieldOptionInput {
            position: Some(1),
            ..renamed(current[1].clone(), "PLANNED")
        },
        FieldOptionInput {
            position: Some(2),
            ..renamed(current[0].clone(), "FLYING")
        },
    ];
    set_options(&store, ws, status, new).await;
    assert_eq!(
        values(&store, ws, "status").await,
        [
            ("a".to_owned(), json!("FLYING")),
            ("b".to_owned(), json!("PLANNED")),
            ("c".to_owned(), json!("LANDED")),
        ]
    );
    // The default followed its option (PLANNED's id now has the value FLYING).
    let field = object(&store, ws, "rocket").await;
    let field = field
        .fields
        .iter()
        .find(|f| f.name == "status")
        .expect("status");
    assert_eq!(field.default_value, Some(json!("'FLYING'")));
    let created = create_record(&store, ws, "rocket", json!({"name": "d"}))
        .await
        .expect("d");
    assert_eq!(created["status"], json!("FLYING"));
    if store.dialect() == tessera_query::Dialect::Postgres {
        assert_eq!(
            enum_values(&store, ws, "_rocket_status_enum").await,
            Some(vec!["LANDED".into(), "PLANNED".into(), "FLYING".into()])
        );
    }
    // Removing the default's option drops the default.
    let current = options(&store, ws, "status").await;
    set_options(
        &store,
        ws,
        status,
        vec![current[0].clone(), current[1].clone()],
    )
    .await;
    let created = create_record(&store, ws, "rocket", json!({"name": "e"}))
        .await
        .expect("e");
    assert!(created["status"].is_null());
    assert!(
        values(&store, ws, "status")
            .await
            .iter()
            .all(|(_, v)| v != &json!("FLYING"))
    );
}
both!(swaps_reorders_and_defaults);

async fn required_select_keeps_its_values(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    let mut phase = field_input(rocket_id, "phase", FieldType::Select);
    phase.options = Some(option_inputs(&["ONE", "TWO"]));
    phase.is_nullable = Some(false);
    phase.default_value = Some(json!("'ONE'"));
    let phase = store.create_field(ws, phase).await.expect("phase");
    create_record(&store, ws, "rocket", json!({"name": "a", "phase": "TWO"}))
        .await
        .expect("record");
    let before = snapshot(&store, ws).await;
    // Removing TWO (in use) from a required field would leave NULLs: refused, nothing changes.
    let current = options(&store, ws, "phase").await;
    assert_invalid(
        store
            .update_field(
                ws,
                phase.id,
                UpdateFieldInput {
                    options: Some(vec![current[0].clone()]),
                    ..UpdateFieldInput::default()
                },
            )
            .await,
        "Cannot change field \"rocket.phase\"",
    );
    assert_eq!(snapshot(&store, ws).await, before);
    // Renaming it is fine.
    set_options(
        &store,
        ws,
        phase.id,
        vec![current[0].clone(), renamed(current[1].clone(), "DEUX")],
    )
    .await;
    assert_eq!(
        values(&store, ws, "phase").await,
        [("a".to_owned(), json!("DEUX"))]
    );
    // Unchanged options (sent again without ids) are no DDL at all.
    let storage_before = storage(&store, ws).await;
    store
        .update_field(
            ws,
            phase.id,
            UpdateFieldInput {
                options: Some(option_inputs(&["ONE", "DEUX"])),
                ..UpdateFieldInput::default()
            },
        )
        .await
        .expect("same options");
    assert_eq!(storage(&store, ws).await, storage_before);
}
both!(required_select_keeps_its_values);
