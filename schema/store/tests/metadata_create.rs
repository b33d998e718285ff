//! Metadata changes on SQLite and PostgreSQL: `objects_metadata`, `create_object`,
//! `create_field` (every non-relation type), `delete_field` (plain columns), data written and
//! read through the engine, the version bump and tenant isolation.

mod common;

use serde_json::{Value, json};
use tessera_metadata::{FieldKind, FieldType, ScalarKind};
use tessera_query::SqlRunner;
use tessera_store::{Store, StoreError};

use common::meta::{
    assert_invalid, columns, create_record, enum_values, field_input, find_all, indexes,
    object_input, option_inputs, snapshot, workspace,
};
use common::rocket::{every_type, rocket, rocket_record};

async fn create_object_with_fields_of_every_type(store: Store) {
    let ws = workspace(&store).await;
    assert_eq!(store.metadata_version(ws).await.expect("version"), 1);
    let object = store
        .create_object(ws, object_input("rocket", "rockets"))
        .await
        .expect("create rocket");
    assert!(object.is_custom && object.is_active);
    assert_eq!(store.metadata_version(ws).await.expect("version"), 2);
    let names: Vec<&str> = object.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "createdAt",
            "updatedAt",
            "deletedAt",
            "position",
            "createdBy",
            "updatedBy",
            "name",
            "timelineActivities",
            "favorites",
            "attachments",
            "noteTargets",
            "taskTargets"
        ]
    );
    let name_field = object
        .fields
        .iter()
        .find(|f| f.name == "name")
        .expect("name");
    assert_eq!(
        object.label_identifier_field_metadata_id,
        Some(name_field.id)
    );
    assert!(
        columns(&store, ws, "_rocket")
            .await
            .contains(&"createdBySource".to_owned())
    );

    let mut version = 2;
    for input in every_type(object.id) {
        let created = store.create_field(ws, input.clone()).await.expect("field");
        version += 1;
        assert_eq!(store.metadata_version(ws).await.expect("version"), version);
        assert_eq!(created.name, input.name);
        assert_eq!(created.field_type, input.field_type);
        assert!(created.is_custom && created.is_nullable && created.is_active);
    }
    let model = store.workspace_model(ws).await.expect("model");
    assert_eq!(model.version, version);
    let rocket = model.object("rocket").expect("rocket in model");
    assert_eq!(rocket.table, "_rocket");
    for input in every_type(object.id) {
        let field = rocket.field(&input.name).expect("field in model");
        assert_eq!(field.meta.field_type, input.field_type);
    }
    match &rocket.field("score").expect("score").kind {
        FieldKind::Scalar(col) => {
            assert_eq!(
                col.enum_values,
                ["RATING_1", "RATING_2", "RATING_3", "RATING_4", "RATING_5"]
            )
        }
        other => panic!("{other:?}"),
    }
    match &rocket.field("tags").expect("tags").kind {
        FieldKind::Scalar(col) => assert_eq!(col.kind, ScalarKind::EnumArray),
        other => panic!("{other:?}"),
    }
    let cols = columns(&store, ws, "_rocket").await;
    for col in [
        "codename",
        "pilotFirstName",
        "pilotLastName",
        "basePostcode",
        "priceAmountMicros",
        "hotlineAdditionalPhones",
        "manualMarkdown",
        "websiteSecondaryLinks",
        "tags",
    ] {
        if col == "basePostcode" {
            assert!(cols.contains(&"baseAddressPostcode".to_owned()));
            continue;
        }
        assert!(
            cols.contains(&col.to_owned()),
            "{col} missing from {cols:?}"
        );
    }
    if store.dialect() == tessera_query::Dialect::Postgres {
        assert_eq!(
            enum_values(&store, ws, "_rocket_status_enum").await,
            Some(vec!["PLANNED".into(), "FLYING".into(), "LANDED".into()])
        );
        assert!(
            enum_values(&store, ws, "_rocket_score_enum")
                .await
                .is_some()
        );
    }

    // Data round-trips through the real engine with the new model.
    let created = create_record(&store, ws, "rocket", rocket_record())
        .await
        .expect("create record");
    let found = find_all(&store, ws, "rocket").await;
    assert_eq!(found.len(), 1);
    assert_eq!(Value::Object(found[0].clone()), created);
    let record = &found[0];
    assert_eq!(record["codename"], json!("F9"));
    assert_eq!(record["status"], json!("FLYING"));
    assert_eq!(record["tags"], json!(["RED", "BLUE"]));
    assert_eq!(record["score"], json!("RATING_4"));
    assert_eq!(record["reusable"], json!(true));
    assert_eq!(record["launchDate"], json!("2026-03-01"));
    assert_eq!(record["payload"], json!({"kg": 22800, "crew": ["a", "b"]}));
    assert_eq!(record["notes"], json!(["first", "second"]));
    assert_eq!(record["pilot"]["firstName"], json!("Ada"));
    assert_eq!(
        record["contact"]["additionalEmails"],
        json!(["x@rockets.test"])
    );
    assert_eq!(record["price"]["currencyCode"], json!("EUR"));
    assert_eq!(record["base"]["addressCity"], json!("Kourou"));
    assert_eq!(record["manual"]["markdown"], json!("# Manual"));
    // Invalid option values are refused by the engine.
    let bad = create_record(&store, ws, "rocket", json!({"status": "EXPLODED"})).await;
    assert!(bad.is_err(), "{bad:?}");
}
both!(create_object_with_fields_of_every_type);

async fn objects_metadata_lists_everything(store: Store) {
    let ws = workspace(&store).await;
    let before = store.objects_metadata(ws).await.expect("objects");
    assert_eq!(before.len(), 11);
    let rocket_id = rocket(&store, ws).await;
    let mut input = object_input("launchPad", "launchPads");
    input.skip_name_field = true;
    input.description = Some("Where rockets start".into());
    let pad = store.create_object(ws, input).await.expect("pad");
    assert!(pad.fields.iter().all(|f| f.name != "name"));
    assert_eq!(pad.label_identifier_field_metadata_id, None);
    assert_eq!(pad.description.as_deref(), Some("Where rockets start"));
    let all = store.objects_metadata(ws).await.expect("objects");
    let names: Vec<&str> = all.iter().map(|o| o.name_singular.as_str()).collect();
    assert_eq!(&names[11..], ["rocket", "launchPad"]);
    // The standard objects are unchanged but for the many-to-one fields that link
    // timeline activities, favorites, attachments, note and task targets to the new objects.
    let without_links = |objects: &[tessera_metadata::ObjectMetadata]| {
        objects
            .iter()
            .map(|o| {
                let mut o = o.clone();
                o.fields.retain(|f| {
                    f.relation_target_object_metadata_id != Some(rocket_id)
                        && f.relation_target_object_metadata_id != Some(pad.id)
                });
                o
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(without_links(&all[..11]), before);
    let note_target = all
        .iter()
        .find(|o| o.name_singular == "noteTarget")
        .expect("noteTarget");
    assert!(note_target.fields.iter().any(|f| f.name == "launchPad"));
    let rocket = &all[11];
    assert_eq!(rocket.id, rocket_id);
    let field_names: Vec<&str> = rocket.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(field_names[7], "name");
    assert_eq!(field_names[13], "codename");
    assert_eq!(field_names.last(), Some(&"base"));
    // Stable: reading again gives the same list.
    assert_eq!(store.objects_metadata(ws).await.expect("again"), all);
    let missing = store
        .objects_metadata(tessera_core::WorkspaceId::new_random())
        .await;
    assert!(matches!(missing, Err(StoreError::WorkspaceNotFound(_))));
}
both!(objects_metadata_lists_everything);

async fn delete_simple_fields(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    let mut unique = field_input(rocket_id, "chip", FieldType::Text);
    unique.is_unique = Some(true);
    let chip = store.create_field(ws, unique).await.expect("unique field");
    assert!(
        indexes(&store, ws, "_rocket")
            .await
            .iter()
            .any(|i| i.contains("chip"))
    );
    create_record(&store, ws, "rocket", rocket_record())
        .await
        .expect("record");
    let meta = common::meta::object(&store, ws, "rocket").await;
    let id_of = |name: &str| meta.fields.iter().find(|f| f.name == name).expect(name).id;

    for name in ["codename", "pilot", "status", "tags", "score", "base"] {
        let version = store.metadata_version(ws).await.expect("version");
        let deleted = store.delete_field(ws, id_of(name)).await.expect("delete");
        assert_eq!(deleted.name, name);
        assert_eq!(
            store.metadata_version(ws).await.expect("version"),
            version + 1
        );
    }
    let version = store.metadata_version(ws).await.expect("version");
    store
        .delete_field(ws, chip.id)
        .await
        .expect("delete unique field");
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 1
    );

    let cols = columns(&store, ws, "_rocket").await;
    for gone in [
        "codename",
        "pilotFirstName",
        "pilotLastName",
        "status",
        "tags",
        "score",
        "baseAddressCity",
        "baseAddressLat",
        "chip",
    ] {
        assert!(!cols.contains(&gone.to_owned()), "{gone} still in {cols:?}");
    }
    assert!(cols.contains(&"thrust".to_owned()));
    assert!(
        !indexes(&store, ws, "_rocket")
            .await
            .iter()
            .any(|i| i.contains("chip"))
    );
    assert_eq!(enum_values(&store, ws, "_rocket_status_enum").await, None);
    assert_eq!(enum_values(&store, ws, "_rocket_tags_enum").await, None);
    let model = store.workspace_model(ws).await.expect("model");
    let rocket = model.object("rocket").expect("rocket");
    assert!(rocket.field("codename").is_none() && rocket.field("pilot").is_none());
    // The remaining data is intact and readable.
    let found = find_all(&store, ws, "rocket").await;
    assert_eq!(found[0]["thrust"], json!(7607.5));
    assert_eq!(found[0]["price"]["currencyCode"], json!("EUR"));
    assert!(found[0].get("codename").is_none());
    // A raw statement on a dropped column fails.
    let runner_sql = match store
        .runner(ws)
        .await
        .expect("runner")
        .schema()
        .map(str::to_owned)
    {
        Some(s) => format!("SELECT r.\"codename\"::text AS j FROM \"{s}\".\"_rocket\" AS r"),
        // Qualified: SQLite would read an unknown "codename" alone as a string literal.
        None => "SELECT r.\"codename\" AS j FROM \"_rocket\" AS r".to_owned(),
    };
    assert!(common::meta::query(&store, ws, runner_sql).await.is_err());
}
both!(delete_simple_fields);

async fn required_fields_defaults_and_unique(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    // On an empty table a required field without default is fine.
    let mut required = field_input(rocket_id, "stage", FieldType::Number);
    required.is_nullable = Some(false);
    store
        .create_field(ws, required)
        .await
        .expect("required on empty table");
    let mut defaults = Vec::new();
    for (name, t, default) in [
        ("engines", FieldType::Number, json!(9)),
        ("family", FieldType::Text, json!("'Falcon'")),
        ("crewed", FieldType::Boolean, json!(false)),
    ] {
        let mut f = field_input(rocket_id, name, t);
        f.is_nullable = Some(false);
        f.default_value = Some(default);
        defaults.push(f);
    }
    for f in defaults.clone() {
        store
            .create_field(ws, f)
            .await
            .expect("required with default");
    }
    create_record(&store, ws, "rocket", json!({"name": "A", "stage": 1}))
        .await
        .expect("record");
    let found = find_all(&store, ws, "rocket").await;
    assert_eq!(found[0]["engines"], json!(9));
    assert_eq!(found[0]["family"], json!("Falcon"));
    assert_eq!(found[0]["crewed"], json!(false));

    // With a record present: a required field without default is refused, nothing changes.
    let before = snapshot(&store, ws).await;
    let mut required = field_input(rocket_id, "boosters", FieldType::Number);
    required.is_nullable = Some(false);
    assert_invalid(store.create_field(ws, required).await, "rocket.boosters");
    assert_eq!(snapshot(&store, ws).await, before);

    // Defaults apply to existing records, including non-constant ones.
    let mut phase = field_input(rocket_id, "phase", FieldType::Select);
    phase.options = Some(option_inputs(&["NEW", "OLD"]));
    phase.is_nullable = Some(false);
    phase.default_value = Some(json!("'NEW'"));
    store
        .create_field(ws, phase)
        .await
        .expect("select with default");
    let mut inspected = field_input(rocket_id, "inspectedAt", FieldType::DateTime);
    inspected.default_value = Some(json!("now"));
    store
        .create_field(ws, inspected)
        .await
        .expect("now default");
    let found = find_all(&store, ws, "rocket").await;
    assert_eq!(found[0]["phase"], json!("NEW"));
    assert!(found[0]["inspectedAt"].is_string(), "{:?}", found[0]);
    assert_eq!(found[0]["stage"], json!(1));

    // A bad default is a validation error.
    let mut bad = field_input(rocket_id, "kind", FieldType::Select);
    bad.options = Some(option_inputs(&["A"]));
    bad.default_value = Some(json!("'B'"));
    assert_invalid(store.create_field(ws, bad).await, "not one of the options");
    let mut bad = field_input(rocket_id, "weight", FieldType::Number);
    bad.default_value = Some(json!("now"));
    assert_invalid(
        store.create_field(ws, bad).await,
        "needs a DATE or DATE_TIME column",
    );

    // Unique: a new unique field over one record is fine; duplicates are then refused.
    let mut unique = field_input(rocket_id, "serialNumber", FieldType::Text);
    unique.is_unique = Some(true);
    store.create_field(ws, unique).await.expect("unique");
    create_record(
        &store,
        ws,
        "rocket",
        json!({"stage": 2, "serialNumber": "S1"}),
    )
    .await
    .expect("first");
    let dup = create_record(
        &store,
        ws,
        "rocket",
        json!({"stage": 3, "serialNumber": "S1"}),
    )
    .await;
    assert!(dup.is_err(), "{dup:?}");
}
both!(required_fields_defaults_and_unique);

async fn other_workspaces_are_unaffected(store: Store) {
    let a = workspace(&store).await;
    let b = workspace(&store).await;
    let before = snapshot(&store, b).await;
    let rocket_id = rocket(&store, a).await;
    create_record(&store, a, "rocket", rocket_record())
        .await
        .expect("record");
    let meta = common::meta::object(&store, a, "rocket").await;
    let codename = meta
        .fields
        .iter()
        .find(|f| f.name == "codename")
        .expect("codename");
    store.delete_field(a, codename.id).await.expect("delete");
    assert_eq!(snapshot(&store, b).await, before);
    assert!(
        store
            .workspace_model(b)
            .await
            .expect("model")
            .object("rocket")
            .is_none()
    );
    assert!(columns(&store, b, "_rocket").await.is_empty());
    // The same names are free in the other workspace.
    let other = store
        .create_object(b, object_input("rocket", "rockets"))
        .await
        .expect("rocket in b");
    assert_ne!(other.id, rocket_id);
    assert_eq!(store.metadata_version(b).await.expect("version"), 2);
}
both!(other_workspaces_are_unaffected);
