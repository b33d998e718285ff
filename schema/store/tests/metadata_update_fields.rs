//! `update_field` on SQLite and PostgreSQL: metadata-only changes, (de)activation and
//! renames with data.

mod common;

use serde_json::json;
use tessera_core::WorkspaceId;
use tessera_metadata::{
    CreateFieldInput, FieldType, RelationCreationPayload, RelationType, UpdateFieldInput,
};
use tessera_store::Store;
use uuid::Uuid;

use common::meta::{
    assert_invalid, columns, create_record, enum_values, field_id, field_input, find_all, indexes,
    object, storage, workspace,
};
use common::rocket::{rocket, rocket_record};

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

async fn metadata_only_changes(store: Store) {
    let ws = workspace(&store).await;
    rocket(&store, ws).await;
    create_record(&store, ws, "rocket", rocket_record())
        .await
        .expect("record");
    let before = storage(&store, ws).await;
    let id = field_id(&store, ws, "rocket", "codename").await;
    let input = UpdateFieldInput {
        label: Some(" Code name ".into()),
        description: Some("The secret name".into()),
        icon: Some("IconSecret".into()),
        ..update()
    };
    let version = store.metadata_version(ws).await.expect("version");
    let field = store.update_field(ws, id, input).await.expect("update");
    assert_eq!(field.label, "Code name");
    assert_eq!(field.description.as_deref(), Some("The secret name"));
    assert_eq!(field.icon.as_deref(), Some("IconSecret"));
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 1
    );
    assert_eq!(storage(&store, ws).await, before);
    let model = store.workspace_model(ws).await.expect("model");
    let meta = &model
        .object("rocket")
        .and_then(|o| o.field("codename"))
        .expect("f")
        .meta;
    assert_eq!(meta.label, "Code name");
    // Blank clears the description; system fields take labels too.
    let field = store
        .update_field(
            ws,
            id,
            UpdateFieldInput {
                description: Some(" ".into()),
                ..update()
            },
        )
        .await
        .expect("clear");
    assert_eq!(field.description, None);
    let created_at = field_id(&store, ws, "rocket", "createdAt").await;
    let field = store
        .update_field(
            ws,
            created_at,
            UpdateFieldInput {
                label: Some("Made".into()),
                ..update()
            },
        )
        .await
        .expect("system label");
    assert_eq!(field.label, "Made");
    // Options with changed labels only: no DDL.
    let status = object(&store, ws, "rocket").await;
    let status = status
        .fields
        .iter()
        .find(|f| f.name == "status")
        .expect("status");
    let mut options: Vec<_> = status
        .options
        .iter()
        .flatten()
        .map(Into::into)
        .collect::<Vec<tessera_metadata::FieldOptionInput>>();
    options[0].label = "Planned!".into();
    options[1].color = Some("red".into());
    store
        .update_field(
            ws,
            status.id,
            UpdateFieldInput {
                options: Some(options),
                ..update()
            },
        )
        .await
        .expect("option labels");
    assert_eq!(storage(&store, ws).await, before);
}
both!(metadata_only_changes);

async fn deactivate_and_reactivate(store: Store) {
    let ws = workspace(&store).await;
    rocket(&store, ws).await;
    create_record(&store, ws, "rocket", rocket_record())
        .await
        .expect("record");
    let before = storage(&store, ws).await;
    for name in ["codename", "pilot", "status"] {
        let id = field_id(&store, ws, "rocket", name).await;
        change(
            &store,
            ws,
            id,
            UpdateFieldInput {
                is_active: Some(false),
                ..update()
            },
        )
        .await;
    }
    assert_eq!(
        storage(&store, ws).await,
        before,
        "deactivation keeps the columns"
    );
    let model = store.workspace_model(ws).await.expect("model");
    let rocket_model = model.object("rocket").expect("rocket");
    assert!(rocket_model.field("codename").is_none() && rocket_model.field("pilot").is_none());
    let found = find_all(&store, ws, "rocket").await;
    assert!(!found[0].contains_key("codename"));
    assert!(
        create_record(&store, ws, "rocket", json!({"codename": "X"}))
            .await
            .is_err()
    );
    let all = store.objects_metadata(ws).await.expect("all");
    let codename = all
        .iter()
        .flat_map(|o| &o.fields)
        .find(|f| f.name == "codename")
        .expect("kept");
    assert!(!codename.is_active);
    // A new field may not take the name of an inactive one.
    let rocket_id = object(&store, ws, "rocket").await.id;
    assert_invalid(
        store
            .create_field(ws, field_input(rocket_id, "codename", FieldType::Text))
            .await,
        "already exists",
    );
    for name in ["codename", "pilot", "status"] {
        let id = field_id(&store, ws, "rocket", name).await;
        change(
            &store,
            ws,
            id,
            UpdateFieldInput {
                is_active: Some(true),
                ..update()
            },
        )
        .await;
    }
    let found = find_all(&store, ws, "rocket").await;
    assert_eq!(found[0]["codename"], json!("F9"));
    assert_eq!(found[0]["pilot"]["firstName"], json!("Ada"));
    assert_eq!(found[0]["status"], json!("FLYING"));
}
both!(deactivate_and_reactivate);

async fn renames_keep_data(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    let company = object(&store, ws, "company").await.id;
    let mut chip = field_input(rocket_id, "chip", FieldType::Text);
    chip.is_unique = Some(true);
    store.create_field(ws, chip).await.expect("unique");
    store
        .create_field(
            ws,
            CreateFieldInput {
                relation_creation_payload: Some(RelationCreationPayload {
                    target_object_metadata_id: company,
                    target_field_label: "Rockets".into(),
                    target_field_icon: None,
                    relation_type: RelationType::ManyToOne,
                }),
                ..field_input(rocket_id, "company", FieldType::Relation)
            },
        )
        .await
        .expect("relation");
    let acme = create_record(&store, ws, "company", json!({"name": "Acme"}))
        .await
        .expect("acme");
    let mut record = rocket_record();
    record["chip"] = json!("C-1");
    record["companyId"] = acme["id"].clone();
    create_record(&store, ws, "rocket", record)
        .await
        .expect("record");

    for (old, new) in [
        ("codename", "alias"),
        ("pilot", "captain"),
        ("status", "phase"),
        ("tags", "labels"),
        ("chip", "serialCode"),
        ("company", "maker"),
    ] {
        let id = field_id(&store, ws, "rocket", old).await;
        let field = store
            .update_field(
                ws,
                id,
                UpdateFieldInput {
                    name: Some(new.into()),
                    ..update()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("rename {old}: {e}"));
        assert_eq!(field.name, new);
    }
    // The inverse (one-to-many) side: metadata only.
    let before = storage(&store, ws).await;
    let rockets = field_id(&store, ws, "company", "rockets").await;
    change(
        &store,
        ws,
        rockets,
        UpdateFieldInput {
            name: Some("fleet".into()),
            ..update()
        },
    )
    .await;
    assert_eq!(storage(&store, ws).await, before);

    let found = find_all(&store, ws, "rocket").await;
    let r = &found[0];
    assert_eq!(r["alias"], json!("F9"));
    assert_eq!(r["captain"]["firstName"], json!("Ada"));
    assert_eq!(r["phase"], json!("FLYING"));
    assert_eq!(r["labels"], json!(["RED", "BLUE"]));
    assert_eq!(r["serialCode"], json!("C-1"));
    assert_eq!(r["makerId"], acme["id"]);
    let cols = columns(&store, ws, "_rocket").await;
    for gone in [
        "codename",
        "pilotFirstName",
        "status",
        "tags",
        "chip",
        "companyId",
    ] {
        assert!(!cols.contains(&gone.to_owned()), "{gone}");
    }
    for new in [
        "alias",
        "captainFirstName",
        "captainLastName",
        "phase",
        "labels",
        "serialCode",
        "makerId",
    ] {
        assert!(cols.contains(&new.to_owned()), "{new}");
    }
    let idx = indexes(&store, ws, "_rocket").await;
    assert!(idx.contains(&"IDX__rocket_makerId".to_owned()), "{idx:?}");
    assert!(
        idx.contains(&"IDX_UNIQUE__rocket_serialCode".to_owned()),
        "{idx:?}"
    );
    if store.dialect() == tessera_query::Dialect::Postgres {
        assert!(
            enum_values(&store, ws, "_rocket_phase_enum")
                .await
                .is_some()
        );
        assert!(
            enum_values(&store, ws, "_rocket_labels_enum")
                .await
                .is_some()
        );
        assert_eq!(enum_values(&store, ws, "_rocket_status_enum").await, None);
    }
    // Constraints follow: the unique index and the foreign key still hold.
    let dup = create_record(&store, ws, "rocket", json!({"serialCode": "C-1"})).await;
    assert!(dup.is_err(), "{dup:?}");
    let fk = create_record(
        &store,
        ws,
        "rocket",
        json!({"makerId": Uuid::new_v4().to_string()}),
    )
    .await;
    assert!(fk.is_err(), "{fk:?}");
    // The relation still resolves from both sides.
    let model = store.workspace_model(ws).await.expect("model");
    match &model
        .object("company")
        .and_then(|c| c.field("fleet"))
        .expect("fleet")
        .kind
    {
        tessera_metadata::FieldKind::OneToMany {
            target_join_column,
            inverse,
            ..
        } => {
            assert_eq!(target_join_column, "makerId");
            assert_eq!(inverse, "maker");
        }
        other => panic!("{other:?}"),
    }
    // Renaming back works too.
    let alias = field_id(&store, ws, "rocket", "alias").await;
    change(
        &store,
        ws,
        alias,
        UpdateFieldInput {
            name: Some("codename".into()),
            ..update()
        },
    )
    .await;
    assert_eq!(
        find_all(&store, ws, "rocket").await[0]["codename"],
        json!("F9")
    );
}
both!(renames_keep_data);
