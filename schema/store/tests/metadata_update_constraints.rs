//! `update_field` on SQLite and PostgreSQL: nullability, defaults and uniqueness with
//! existing records.

mod common;

use serde_json::json;
use tessera_core::WorkspaceId;
use tessera_metadata::UpdateFieldInput;
use tessera_store::Store;
use uuid::Uuid;

use common::meta::{
    assert_invalid, create_record, field_id, find_all, indexes, snapshot, workspace,
};
use common::rocket::rocket;

fn update() -> UpdateFieldInput {
    UpdateFieldInput::default()
}

async fn change(store: &Store, ws: WorkspaceId, id: Uuid, input: UpdateFieldInput) {
    let version = store.metadata_version(ws).await.expect("version");
    store
        .update_field(ws, id, input)
        .await
        .expect("update field");
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 1
    );
}

async fn nullability(store: Store) {
    let ws = workspace(&store).await;
    rocket(&store, ws).await;
    create_record(
        &store,
        ws,
        "rocket",
        json!({"name": "A", "codename": "a", "thrust": 1}),
    )
    .await
    .expect("a");
    create_record(&store, ws, "rocket", json!({"name": "B"}))
        .await
        .expect("b");
    let codename = field_id(&store, ws, "rocket", "codename").await;
    let before = snapshot(&store, ws).await;
    assert_invalid(
        store
            .update_field(
                ws,
                codename,
                UpdateFieldInput {
                    is_nullable: Some(false),
                    ..update()
                },
            )
            .await,
        "Cannot change field \"rocket.codename\": existing records",
    );
    assert_eq!(snapshot(&store, ws).await, before);
    // With a default for new records and every existing one filled, it works.
    let b = find_all(&store, ws, "rocket")
        .await
        .into_iter()
        .find(|r| r["name"] == json!("B"))
        .expect("b");
    let runner_update = match store.dialect() {
        tessera_query::Dialect::Postgres => format!(
            "UPDATE \"{}\".\"_rocket\" SET \"codename\" = 'b' WHERE \"id\" = '{}' RETURNING '{{}}'::text AS j",
            store
                .workspace(ws)
                .await
                .expect("ws")
                .expect("ws")
                .database_schema,
            b["id"].as_str().expect("id")
        ),
        tessera_query::Dialect::Sqlite => format!(
            "UPDATE \"_rocket\" SET \"codename\" = 'b' WHERE \"id\" = '{}' RETURNING '{{}}' AS j",
            b["id"].as_str().expect("id")
        ),
    };
    common::meta::query(&store, ws, runner_update)
        .await
        .expect("fill");
    change(
        &store,
        ws,
        codename,
        UpdateFieldInput {
            is_nullable: Some(false),
            default_value: Some(json!("'unnamed'")),
            ..update()
        },
    )
    .await;
    let created = create_record(&store, ws, "rocket", json!({"name": "C"}))
        .await
        .expect("c");
    assert_eq!(created["codename"], json!("unnamed"));
    assert!(
        create_record(&store, ws, "rocket", json!({"codename": null}))
            .await
            .is_err()
    );
    assert_eq!(find_all(&store, ws, "rocket").await.len(), 3);
    // And back to nullable, without default.
    change(
        &store,
        ws,
        codename,
        UpdateFieldInput {
            is_nullable: Some(true),
            default_value: Some(serde_json::Value::Null),
            ..update()
        },
    )
    .await;
    let created = create_record(&store, ws, "rocket", json!({"name": "D"}))
        .await
        .expect("d");
    assert!(created["codename"].is_null());
    let values: Vec<_> = find_all(&store, ws, "rocket")
        .await
        .iter()
        .map(|r| r["codename"].clone())
        .collect();
    assert!(
        values.contains(&json!("a"))
            && values.contains(&json!("b"))
            && values.contains(&json!("unnamed"))
    );
}
both!(nullability);

async fn defaults(store: Store) {
    let ws = workspace(&store).await;
    rocket(&store, ws).await;
    create_record(&store, ws, "rocket", json!({"name": "Old"}))
        .await
        .expect("old");
    for (field, default, expected) in [
        ("thrust", json!(42), json!(42)),
        ("status", json!("'LANDED'"), json!("LANDED")),
        ("tags", json!(["'RED'", "'GREEN'"]), json!(["RED", "GREEN"])),
        ("reusable", json!(true), json!(true)),
        (
            "pilot",
            json!({"firstName": "'Yuri'"}),
            json!({"firstName": "Yuri", "lastName": null}),
        ),
    ] {
        let id = field_id(&store, ws, "rocket", field).await;
        change(
            &store,
            ws,
            id,
            UpdateFieldInput {
                default_value: Some(default),
                ..update()
            },
        )
        .await;
        let created = create_record(&store, ws, "rocket", json!({}))
            .await
            .expect("record");
        assert_eq!(created[field], expected, "{field}");
        change(
            &store,
            ws,
            id,
            UpdateFieldInput {
                default_value: Some(serde_json::Value::Null),
                ..update()
            },
        )
        .await;
        let created = create_record(&store, ws, "rocket", json!({}))
            .await
            .expect("record");
        assert!(
            created[field].is_null()
                || created[field] == json!({"firstName": null, "lastName": null}),
            "{field}: {}",
            created[field]
        );
    }
    let rockets = find_all(&store, ws, "rocket").await;
    let old = rockets
        .iter()
        .find(|r| r["name"] == json!("Old"))
        .expect("old");
    assert!(
        old["thrust"].is_null(),
        "defaults do not rewrite existing records"
    );
    let status = field_id(&store, ws, "rocket", "status").await;
    assert_invalid(
        store
            .update_field(
                ws,
                status,
                UpdateFieldInput {
                    default_value: Some(json!("'NOPE'")),
                    ..update()
                },
            )
            .await,
        "not one of the options",
    );
}
both!(defaults);

async fn uniqueness(store: Store) {
    let ws = workspace(&store).await;
    rocket(&store, ws).await;
    for name in ["x", "x", "y"] {
        create_record(&store, ws, "rocket", json!({"codename": name}))
            .await
            .expect("record");
    }
    let codename = field_id(&store, ws, "rocket", "codename").await;
    let before = snapshot(&store, ws).await;
    assert_invalid(
        store
            .update_field(
                ws,
                codename,
                UpdateFieldInput {
                    is_unique: Some(true),
                    ..update()
                },
            )
            .await,
        "duplicate values",
    );
    assert_eq!(snapshot(&store, ws).await, before);
    // Soft-deleted duplicates do not count (partial index), live ones do.
    let dup = find_all(&store, ws, "rocket")
        .await
        .into_iter()
        .find(|r| r["codename"] == json!("x"))
        .expect("x");
    let soft_delete = match store.dialect() {
        tessera_query::Dialect::Postgres => format!(
            "UPDATE \"{}\".\"_rocket\" SET \"deletedAt\" = now() WHERE \"id\" = '{}' RETURNING '{{}}'::text AS j",
            store
                .workspace(ws)
                .await
                .expect("ws")
                .expect("ws")
                .database_schema,
            dup["id"].as_str().expect("id")
        ),
        tessera_query::Dialect::Sqlite => format!(
            "UPDATE \"_rocket\" SET \"deletedAt\" = '2026-01-01T00:00:00.000Z' WHERE \"id\" = '{}' RETURNING '{{}}' AS j",
            dup["id"].as_str().expect("id")
        ),
    };
    common::meta::query(&store, ws, soft_delete)
        .await
        .expect("soft delete");
    change(
        &store,
        ws,
        codename,
        UpdateFieldInput {
            is_unique: Some(true),
            ..update()
        },
    )
    .await;
    assert!(
        indexes(&store, ws, "_rocket")
            .await
            .contains(&"IDX_UNIQUE__rocket_codename".to_owned())
    );
    assert!(
        create_record(&store, ws, "rocket", json!({"codename": "y"}))
            .await
            .is_err()
    );
    change(
        &store,
        ws,
        codename,
        UpdateFieldInput {
            is_unique: Some(false),
            ..update()
        },
    )
    .await;
    assert!(
        !indexes(&store, ws, "_rocket")
            .await
            .iter()
            .any(|i| i.contains("codename"))
    );
    create_record(&store, ws, "rocket", json!({"codename": "y"}))
        .await
        .expect("duplicate allowed");
    // Composite: the primary sub-field is indexed.
    let contact = field_id(&store, ws, "rocket", "contact").await;
    change(
        &store,
        ws,
        contact,
        UpdateFieldInput {
            is_unique: Some(true),
            ..update()
        },
    )
    .await;
    assert!(
        indexes(&store, ws, "_rocket")
            .await
            .contains(&"IDX_UNIQUE__rocket_contactPrimaryEmail".to_owned())
    );
}
both!(uniqueness);
