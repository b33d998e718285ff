//! `update_object` and `delete_object` on SQLite and PostgreSQL: metadata-only updates,
//! visibility, renaming a custom object's table with its data, deleting an object with the
//! relations of other objects that target it.

mod common;

use serde_json::json;
use tessera_core::WorkspaceId;
use tessera_metadata::{
    CreateFieldInput, FieldType, RelationCreationPayload, RelationType, UpdateObjectInput,
};
use tessera_store::Store;
use uuid::Uuid;

use common::meta::{
    assert_invalid, columns, create_record, enum_values, field_id, field_input, find_all, indexes,
    object, object_input, snapshot, storage, workspace,
};
use common::rocket::{rocket, rocket_record};

fn update() -> UpdateObjectInput {
    UpdateObjectInput::default()
}

async fn relate(
    store: &Store,
    ws: WorkspaceId,
    source: Uuid,
    name: &str,
    target: Uuid,
    label: &str,
) -> Uuid {
    store
        .create_field(
            ws,
            CreateFieldInput {
                relation_creation_payload: Some(RelationCreationPayload {
                    target_object_metadata_id: target,
                    target_field_label: label.into(),
                    target_field_icon: None,
                    relation_type: RelationType::ManyToOne,
                }),
                ..field_input(source, name, FieldType::Relation)
            },
        )
        .await
        .expect("relation")
        .id
}

async fn metadata_only_updates(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    let before = storage(&store, ws).await;
    let codename = field_id(&store, ws, "rocket", "codename").await;
    let version = store.metadata_version(ws).await.expect("version");
    let updated = store
        .update_object(
            ws,
            rocket_id,
            UpdateObjectInput {
                label_singular: Some("Launcher".into()),
                label_plural: Some("Launchers".into()),
                description: Some("Things that fly".into()),
                icon: Some("IconRocket".into()),
                label_identifier_field_metadata_id: Some(codename),
                name_plural: Some("launchers".into()),
                ..update()
            },
        )
        .await
        .expect("update");
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 1
    );
    assert_eq!(updated.label_singular, "Launcher");
    assert_eq!(updated.name_plural, "launchers");
    assert_eq!(updated.label_identifier_field_metadata_id, Some(codename));
    assert_eq!(storage(&store, ws).await, before);
    let model = store.workspace_model(ws).await.expect("model");
    let rocket = model.object("rocket").expect("rocket");
    assert_eq!(rocket.plural(), "launchers");
    assert_eq!(rocket.meta.description.as_deref(), Some("Things that fly"));
    // Standard objects take labels, not names.
    let company = object(&store, ws, "company").await;
    let relabelled = store
        .update_object(
            ws,
            company.id,
            UpdateObjectInput {
                label_plural: Some("Firms".into()),
                ..update()
            },
        )
        .await
        .expect("relabel");
    assert_eq!(relabelled.label_plural, "Firms");
    let before = snapshot(&store, ws).await;
    let note_target = object(&store, ws, "noteTarget").await;
    let company_relation = company
        .fields
        .iter()
        .find(|f| f.name == "people")
        .expect("people");
    for (id, input, needle) in [
        (
            company.id,
            UpdateObjectInput {
                name_singular: Some("firm".into()),
                ..update()
            },
            "Cannot rename standard object",
        ),
        (
            company.id,
            UpdateObjectInput {
                name_plural: Some("firms".into()),
                ..update()
            },
            "Cannot rename standard object",
        ),
        (
            rocket_id,
            UpdateObjectInput {
                name_singular: Some("person".into()),
                ..update()
            },
            "already exists",
        ),
        (
            rocket_id,
            UpdateObjectInput {
                name_singular: Some("launchers".into()),
                ..update()
            },
            "must differ",
        ),
        (
            rocket_id,
            UpdateObjectInput {
                name_plural: Some("people".into()),
                ..update()
            },
            "already exists",
        ),
        (
            rocket_id,
            UpdateObjectInput {
                name_singular: Some("pageInfo".into()),
                ..update()
            },
            "PageInfo",
        ),
        (
            rocket_id,
            UpdateObjectInput {
                name_singular: Some("Rocket".into()),
                ..update()
            },
            "lower-case",
        ),
        (
            rocket_id,
            UpdateObjectInput {
                label_singular: Some(" ".into()),
                ..update()
            },
            "must not be empty",
        ),
        (
            rocket_id,
            UpdateObjectInput {
                label_identifier_field_metadata_id: Some(Uuid::new_v4()),
                ..update()
            },
            "not a field",
        ),
        (
            company.id,
            UpdateObjectInput {
                label_identifier_field_metadata_id: Some(company_relation.id),
                ..update()
            },
            "relation field",
        ),
        (
            note_target.id,
            UpdateObjectInput {
                is_active: Some(false),
                ..update()
            },
            "system object",
        ),
    ] {
        assert_invalid(store.update_object(ws, id, input).await, needle);
    }
    assert_eq!(snapshot(&store, ws).await, before);
}
both!(metadata_only_updates);

async fn rename_custom_object(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    let company = object(&store, ws, "company").await.id;
    relate(&store, ws, rocket_id, "company", company, "Rockets").await;
    let mut chip = field_input(rocket_id, "chip", FieldType::Text);
    chip.is_unique = Some(true);
    store.create_field(ws, chip).await.expect("chip");
    let acme = create_record(&store, ws, "company", json!({"name": "Acme"}))
        .await
        .expect("acme");
    let mut record = rocket_record();
    record["companyId"] = acme["id"].clone();
    record["chip"] = json!("C-1");
    create_record(&store, ws, "rocket", record)
        .await
        .expect("record");

    let version = store.metadata_version(ws).await.expect("version");
    let renamed = store
        .update_object(
            ws,
            rocket_id,
            UpdateObjectInput {
                name_singular: Some("missile".into()),
                name_plural: Some("missiles".into()),
                ..update()
            },
        )
        .await
        .expect("rename");
    assert_eq!(renamed.name_singular, "missile");
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 1
    );
    assert!(columns(&store, ws, "_rocket").await.is_empty());
    assert!(
        columns(&store, ws, "_missile")
            .await
            .contains(&"companyId".to_owned())
    );
    let idx = indexes(&store, ws, "_missile").await;
    assert!(
        idx.contains(&"IDX__missile_companyId".to_owned()),
        "{idx:?}"
    );
    assert!(
        idx.contains(&"IDX_UNIQUE__missile_chip".to_owned()),
        "{idx:?}"
    );
    if store.dialect() == tessera_query::Dialect::Postgres {
        assert!(
            enum_values(&store, ws, "_missile_status_enum")
                .await
                .is_some()
        );
        assert!(
            enum_values(&store, ws, "_missile_createdBySource_enum")
                .await
                .is_some()
        );
        assert_eq!(enum_values(&store, ws, "_rocket_status_enum").await, None);
    }
    let model = store.workspace_model(ws).await.expect("model");
    assert!(model.object("rocket").is_none());
    let found = find_all(&store, ws, "missile").await;
    assert_eq!(found[0]["codename"], json!("F9"));
    assert_eq!(found[0]["status"], json!("FLYING"));
    assert_eq!(found[0]["companyId"], acme["id"]);
    // Constraints and defaults survive the rename.
    assert!(
        create_record(&store, ws, "missile", json!({"chip": "C-1"}))
            .await
            .is_err()
    );
    let fk = create_record(
        &store,
        ws,
        "missile",
        json!({"companyId": Uuid::new_v4().to_string()}),
    )
    .await;
    assert!(fk.is_err(), "{fk:?}");
    let created = create_record(&store, ws, "missile", json!({"name": "New"}))
        .await
        .expect("new");
    assert_eq!(created["createdBy"]["source"], json!("API"));
    assert!(created["id"].is_string());
    // The relation from company follows the renamed object.
    let companies = store.workspace_model(ws).await.expect("model");
    match &companies
        .object("company")
        .and_then(|c| c.field("rockets"))
        .expect("rockets")
        .kind
    {
        tessera_metadata::FieldKind::OneToMany { target, .. } => assert_eq!(target, "missile"),
        other => panic!("{other:?}"),
    }
    // Back to the old name.
    store
        .update_object(
            ws,
            rocket_id,
            UpdateObjectInput {
                name_singular: Some("rocket".into()),
                ..update()
            },
        )
        .await
        .expect("rename back");
    assert_eq!(find_all(&store, ws, "rocket").await.len(), 2);
}
both!(rename_custom_object);

async fn deactivate_and_reactivate(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    let company = object(&store, ws, "company").await.id;
    relate(&store, ws, rocket_id, "company", company, "Rockets").await;
    create_record(&store, ws, "rocket", rocket_record())
        .await
        .expect("record");
    let before = storage(&store, ws).await;
    store
        .update_object(
            ws,
            rocket_id,
            UpdateObjectInput {
                is_active: Some(false),
                ..update()
            },
        )
        .await
        .expect("deactivate");
    assert_eq!(storage(&store, ws).await, before);
    let model = store.workspace_model(ws).await.expect("model");
    assert!(model.object("rocket").is_none());
    assert!(
        model
            .object("company")
            .and_then(|c| c.field("rockets"))
            .is_none()
    );
    assert!(
        store
            .objects_metadata(ws)
            .await
            .expect("all")
            .iter()
            .any(|o| o.name_singular == "rocket" && !o.is_active)
    );
    // The name stays taken while inactive.
    assert_invalid(
        store
            .create_object(ws, object_input("rocket", "rocketz"))
            .await,
        "already exists",
    );
    store
        .update_object(
            ws,
            rocket_id,
            UpdateObjectInput {
                is_active: Some(true),
                ..update()
            },
        )
        .await
        .expect("reactivate");
    assert_eq!(
        find_all(&store, ws, "rocket").await[0]["codename"],
        json!("F9")
    );
    let model = store.workspace_model(ws).await.expect("model");
    assert!(
        model
            .object("company")
            .and_then(|c| c.field("rockets"))
            .is_some()
    );
    // Standard (non-system) objects can be hidden too.
    let opportunity = object(&store, ws, "opportunity").await.id;
    store
        .update_object(
            ws,
            opportunity,
            UpdateObjectInput {
                is_active: Some(false),
                ..update()
            },
        )
        .await
        .expect("hide opportunity");
    let model = store.workspace_model(ws).await.expect("model");
    assert!(model.object("opportunity").is_none());
    assert!(
        model
            .object("company")
            .and_then(|c| c.field("opportunities"))
            .is_none()
    );
}
both!(deactivate_and_reactivate);

async fn delete_object_with_relations(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    let company = object(&store, ws, "company").await.id;
    let person = object(&store, ws, "person").await.id;
    relate(&store, ws, rocket_id, "company", company, "Rockets").await;
    // person.favoriteRocket → rocket: person gets a join column referencing the table.
    relate(&store, ws, person, "favoriteRocket", rocket_id, "Fans").await;
    let acme = create_record(&store, ws, "company", json!({"name": "Acme"}))
        .await
        .expect("acme");
    let mut record = rocket_record();
    record["companyId"] = acme["id"].clone();
    let falcon = create_record(&store, ws, "rocket", record)
        .await
        .expect("rocket");
    let ada = create_record(
        &store,
        ws,
        "person",
        json!({
            "name": {"firstName": "Ada"}, "emails": {"primaryEmail": "ada@x.test"},
            "companyId": acme["id"], "favoriteRocketId": falcon["id"]
        }),
    )
    .await
    .expect("person");
    let note = create_record(&store, ws, "note", json!({"title": "Hello"}))
        .await
        .expect("note");
    create_record(
        &store,
        ws,
        "noteTarget",
        json!({"noteId": note["id"], "personId": ada["id"]}),
    )
    .await
    .expect("note target");

    let before = snapshot(&store, ws).await;
    assert_invalid(
        store.delete_object(ws, company).await,
        "Cannot delete standard object",
    );
    assert_eq!(snapshot(&store, ws).await, before);

    let version = store.metadata_version(ws).await.expect("version");
    let deleted = store
        .delete_object(ws, rocket_id)
        .await
        .expect("delete rocket");
    assert_eq!(deleted.name_singular, "rocket");
    assert!(deleted.fields.iter().any(|f| f.name == "codename"));
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 1
    );
    assert!(columns(&store, ws, "_rocket").await.is_empty());
    assert!(
        !columns(&store, ws, "person")
            .await
            .contains(&"favoriteRocketId".to_owned())
    );
    assert!(enum_types_of(&store, ws, "_rocket").await.is_empty());
    let all = store.objects_metadata(ws).await.expect("all");
    assert!(!all.iter().any(|o| o.id == rocket_id));
    let names: Vec<&str> = all
        .iter()
        .flat_map(|o| &o.fields)
        .map(|f| f.name.as_str())
        .collect();
    assert!(
        !names.contains(&"rockets")
            && !names.contains(&"favoriteRocket")
            && !names.contains(&"fans")
    );
    let model = store.workspace_model(ws).await.expect("model");
    assert!(model.object("rocket").is_none());
    // Other data is intact, and the rebuilt person table keeps its constraints.
    let people = find_all(&store, ws, "person").await;
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["companyId"], acme["id"]);
    assert_eq!(people[0]["emails"]["primaryEmail"], json!("ada@x.test"));
    let targets = find_all(&store, ws, "noteTarget").await;
    assert_eq!(targets.len(), 1, "cascading foreign keys must not fire");
    assert_eq!(targets[0]["personId"], ada["id"]);
    let dup = create_record(
        &store,
        ws,
        "person",
        json!({"emails": {"primaryEmail": "ada@x.test"}}),
    )
    .await;
    assert!(dup.is_err(), "unique index kept: {dup:?}");
    let fk = create_record(
        &store,
        ws,
        "person",
        json!({"companyId": Uuid::new_v4().to_string()}),
    )
    .await;
    assert!(fk.is_err(), "foreign key kept: {fk:?}");
    // The name is free again.
    store
        .create_object(ws, object_input("rocket", "rockets"))
        .await
        .expect("new rocket");
    assert!(find_all(&store, ws, "rocket").await.is_empty());
}
both!(delete_object_with_relations);

/// PostgreSQL enum types whose name starts with `prefix`.
async fn enum_types_of(store: &Store, ws: WorkspaceId, prefix: &str) -> Vec<serde_json::Value> {
    common::meta::enum_types(store, ws)
        .await
        .into_iter()
        .filter(|t| t["type"].as_str().is_some_and(|n| n.starts_with(prefix)))
        .collect()
}
