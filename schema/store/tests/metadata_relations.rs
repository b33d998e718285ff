//! Relations created and deleted at run time, on SQLite and PostgreSQL: both sides,
//! join column with foreign key and index, data through the engine in both directions,
//! `onDelete`, deleting either side.

mod common;

use serde_json::{Value, json};
use tessera_core::WorkspaceId;
use tessera_metadata::{
    CreateFieldInput, FieldKind, FieldMetadata, FieldType, OnDelete, RelationCreationPayload,
    RelationType, UpdateObjectInput,
};
use tessera_query::{
    ConnectionQuery, ConnectionSelection, Operation, Page, RecordSelection, Selected,
    SelectedField, Target,
};
use tessera_store::Store;
use uuid::Uuid;

use common::meta::{
    assert_invalid, columns, create_record, field_input, find_all, indexes, object, object_input,
    select_all, session, snapshot, workspace,
};

fn relation(
    source: Uuid,
    name: &str,
    target: Uuid,
    target_label: &str,
    relation_type: RelationType,
) -> CreateFieldInput {
    CreateFieldInput {
        relation_creation_payload: Some(RelationCreationPayload {
            target_object_metadata_id: target,
            target_field_label: target_label.to_owned(),
            target_field_icon: Some("IconRocket".into()),
            relation_type,
        }),
        ..field_input(source, name, FieldType::Relation)
    }
}

/// `rocket` (custom) and the standard `company`; returns (rocket id, company id).
async fn rocket_and_company(store: &Store, ws: WorkspaceId) -> (Uuid, Uuid) {
    let rocket = store
        .create_object(ws, object_input("rocket", "rockets"))
        .await
        .expect("rocket");
    (rocket.id, object(store, ws, "company").await.id)
}

fn inverse_of(
    objects: &[tessera_metadata::ObjectMetadata],
    field: &FieldMetadata,
) -> FieldMetadata {
    objects
        .iter()
        .flat_map(|o| &o.fields)
        .find(|f| Some(f.id) == field.relation_target_field_metadata_id)
        .expect("inverse field")
        .clone()
}

/// Companies with their nested `<relation>` connection (ids and names of the records).
async fn companies_with(
    store: &Store,
    ws: WorkspaceId,
    relation: &str,
    target: &str,
) -> Vec<Value> {
    let model = store.workspace_model(ws).await.expect("model");
    let runner = store.runner(ws).await.expect("runner");
    let nested = ConnectionQuery {
        object: target.to_owned(),
        filter: None,
        order_by: Vec::new(),
        page: Page::default(),
        selection: ConnectionSelection {
            node: select_all(model.object(target).expect("target")),
            edges: true,
            page_info: false,
            total_count: false,
        },
    };
    let node = RecordSelection {
        fields: vec![
            SelectedField {
                key: "name".into(),
                field: "name".into(),
                selected: Selected::Column,
            },
            SelectedField {
                key: relation.into(),
                field: relation.into(),
                selected: Selected::OneToMany(Box::new(nested)),
            },
        ],
    };
    let op = Operation::FindMany(ConnectionQuery {
        object: "company".into(),
        filter: None,
        order_by: Vec::new(),
        page: Page::default(),
        selection: ConnectionSelection {
            node,
            edges: true,
            page_info: false,
            total_count: false,
        },
    });
    let out = tessera_query::execute(&*runner, &model, &session(ws), &op)
        .await
        .expect("companies");
    out["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn destroy(store: &Store, ws: WorkspaceId, object: &str, id: &str) {
    let model = store.workspace_model(ws).await.expect("model");
    let runner = store.runner(ws).await.expect("runner");
    let op = Operation::Destroy {
        object: object.to_owned(),
        target: Target::Id(id.to_owned()),
        selection: RecordSelection::id_only(),
    };
    tessera_query::execute(&*runner, &model, &session(ws), &op)
        .await
        .expect("destroy");
}

async fn many_to_one_relation(store: Store) {
    let ws = workspace(&store).await;
    let (rocket, company) = rocket_and_company(&store, ws).await;
    let version = store.metadata_version(ws).await.expect("version");
    let field = store
        .create_field(
            ws,
            relation(
                rocket,
                "company",
                company,
                "Rockets",
                RelationType::ManyToOne,
            ),
        )
        .await
        .expect("relation");
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 1
    );
    assert_eq!(field.name, "company");
    let settings = field.relation_settings().expect("settings");
    assert_eq!(settings.relation_type, RelationType::ManyToOne);
    assert_eq!(settings.join_column_name.as_deref(), Some("companyId"));
    assert_eq!(settings.on_delete, Some(OnDelete::SetNull));
    let objects = store.objects_metadata(ws).await.expect("objects");
    let inverse = inverse_of(&objects, &field);
    assert_eq!(inverse.name, "rockets");
    assert_eq!(inverse.object_metadata_id, company);
    assert_eq!(inverse.icon.as_deref(), Some("IconRocket"));

    let model = store.workspace_model(ws).await.expect("model");
    match &model
        .object("rocket")
        .and_then(|o| o.field("company"))
        .expect("company")
        .kind
    {
        FieldKind::ManyToOne {
            join_column,
            target,
            inverse,
            ..
        } => {
            assert_eq!(join_column.name, "companyId");
            assert_eq!(target, "company");
            assert_eq!(inverse.as_deref(), Some("rockets"));
        }
        other => panic!("{other:?}"),
    }
    match &model
        .object("company")
        .and_then(|o| o.field("rockets"))
        .expect("rockets")
        .kind
    {
        FieldKind::OneToMany {
            target,
            target_join_column,
            ..
        } => {
            assert_eq!(target, "rocket");
            assert_eq!(target_join_column, "companyId");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        columns(&store, ws, "_rocket")
            .await
            .contains(&"companyId".to_owned())
    );
    assert!(
        indexes(&store, ws, "_rocket")
            .await
            .contains(&"IDX__rocket_companyId".to_owned())
    );

    // Data in both directions through the engine.
    let acme = create_record(&store, ws, "company", json!({"name": "Acme"}))
        .await
        .expect("company");
    let acme_id = acme["id"].as_str().expect("id").to_owned();
    for name in ["Falcon", "Vega"] {
        create_record(
            &store,
            ws,
            "rocket",
            json!({"name": name, "companyId": acme_id}),
        )
        .await
        .expect("rocket");
    }
    let bad = create_record(
        &store,
        ws,
        "rocket",
        json!({"companyId": Uuid::new_v4().to_string()}),
    )
    .await;
    assert!(bad.is_err(), "foreign key enforced: {bad:?}");
    let rockets = find_all(&store, ws, "rocket").await;
    assert!(rockets.iter().all(|r| r["companyId"] == json!(acme_id)));
    let companies = companies_with(&store, ws, "rockets", "rocket").await;
    let acme = companies
        .iter()
        .find(|c| c["name"] == json!("Acme"))
        .expect("acme");
    let mut names: Vec<&str> = acme["rockets"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["name"].as_str().expect("name"))
        .collect();
    names.sort();
    assert_eq!(names, ["Falcon", "Vega"]);

    // ON DELETE SET NULL.
    destroy(&store, ws, "company", &acme_id).await;
    let rockets = find_all(&store, ws, "rocket").await;
    assert_eq!(rockets.len(), 2);
    assert!(rockets.iter().all(|r| r["companyId"].is_null()));
}
both!(many_to_one_relation);

async fn one_to_many_relation_with_cascade(store: Store) {
    let ws = workspace(&store).await;
    let (rocket, company) = rocket_and_company(&store, ws).await;
    // Created from the company side: company.launches (one-to-many), inverse
    // rocket.launchCompany (many-to-one, join column launchCompanyId), cascading deletes.
    let mut input = relation(
        company,
        "launches",
        rocket,
        "Launch Company",
        RelationType::OneToMany,
    );
    input.settings = Some(json!({"onDelete": "CASCADE"}));
    let field = store.create_field(ws, input).await.expect("relation");
    assert_eq!(
        field.relation_settings().map(|s| s.relation_type),
        Some(RelationType::OneToMany)
    );
    let objects = store.objects_metadata(ws).await.expect("objects");
    let inverse = inverse_of(&objects, &field);
    assert_eq!(inverse.name, "launchCompany");
    let settings = inverse.relation_settings().expect("settings");
    assert_eq!(
        settings.join_column_name.as_deref(),
        Some("launchCompanyId")
    );
    assert_eq!(settings.on_delete, Some(OnDelete::Cascade));
    assert!(
        columns(&store, ws, "_rocket")
            .await
            .contains(&"launchCompanyId".to_owned())
    );
    assert!(
        !columns(&store, ws, "company")
            .await
            .contains(&"launchesId".to_owned())
    );

    let acme = create_record(&store, ws, "company", json!({"name": "Acme"}))
        .await
        .expect("company");
    let acme_id = acme["id"].as_str().expect("id").to_owned();
    create_record(
        &store,
        ws,
        "rocket",
        json!({"name": "Ariane", "launchCompanyId": acme_id}),
    )
    .await
    .expect("rocket");
    let companies = companies_with(&store, ws, "launches", "rocket").await;
    let acme = companies
        .iter()
        .find(|c| c["name"] == json!("Acme"))
        .expect("acme");
    assert_eq!(
        acme["launches"]["edges"][0]["node"]["name"],
        json!("Ariane")
    );
    destroy(&store, ws, "company", &acme_id).await;
    assert!(find_all(&store, ws, "rocket").await.is_empty());
}
both!(one_to_many_relation_with_cascade);

async fn deleting_either_side_deletes_both(store: Store) {
    let ws = workspace(&store).await;
    let (rocket, company) = rocket_and_company(&store, ws).await;
    let person = object(&store, ws, "person").await.id;
    let field = store
        .create_field(
            ws,
            relation(
                rocket,
                "company",
                company,
                "Rockets",
                RelationType::ManyToOne,
            ),
        )
        .await
        .expect("relation");
    let pilot = store
        .create_field(
            ws,
            relation(
                rocket,
                "pilot",
                person,
                "Piloted Rockets",
                RelationType::ManyToOne,
            ),
        )
        .await
        .expect("second relation");
    let acme = create_record(&store, ws, "company", json!({"name": "Acme"}))
        .await
        .expect("company");
    create_record(
        &store,
        ws,
        "rocket",
        json!({"name": "Falcon", "companyId": acme["id"]}),
    )
    .await
    .expect("rocket");

    // Delete from the inverse (one-to-many) side: the join column goes too.
    let objects = store.objects_metadata(ws).await.expect("objects");
    let inverse = inverse_of(&objects, &field);
    let version = store.metadata_version(ws).await.expect("version");
    let deleted = store
        .delete_field(ws, inverse.id)
        .await
        .expect("delete inverse");
    assert_eq!(deleted.name, "rockets");
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 1
    );
    let objects = store.objects_metadata(ws).await.expect("objects");
    assert!(
        !objects
            .iter()
            .flat_map(|o| &o.fields)
            .any(|f| f.id == field.id || f.id == inverse.id)
    );
    assert!(
        !columns(&store, ws, "_rocket")
            .await
            .contains(&"companyId".to_owned())
    );
    assert!(
        !indexes(&store, ws, "_rocket")
            .await
            .iter()
            .any(|i| i.contains("companyId"))
    );
    // The other relation and the data are intact; its foreign key still works.
    let rockets = find_all(&store, ws, "rocket").await;
    assert_eq!(rockets[0]["name"], json!("Falcon"));
    assert!(rockets[0].contains_key("pilotId"));
    let bad = create_record(
        &store,
        ws,
        "rocket",
        json!({"pilotId": Uuid::new_v4().to_string()}),
    )
    .await;
    assert!(bad.is_err(), "foreign key still enforced: {bad:?}");
    assert!(
        indexes(&store, ws, "_rocket")
            .await
            .contains(&"IDX__rocket_pilotId".to_owned())
    );

    // Delete from the many-to-one side.
    store
        .delete_field(ws, pilot.id)
        .await
        .expect("delete pilot");
    let person_meta = object(&store, ws, "person").await;
    assert!(
        !person_meta
            .fields
            .iter()
            .any(|f| f.name == "pilotedRockets")
    );
    assert!(
        !columns(&store, ws, "_rocket")
            .await
            .contains(&"pilotId".to_owned())
    );
    let model = store.workspace_model(ws).await.expect("model");
    assert!(
        model
            .object("person")
            .and_then(|p| p.field("pilotedRockets"))
            .is_none()
    );
    assert_eq!(find_all(&store, ws, "rocket").await.len(), 1);
}
both!(deleting_either_side_deletes_both);

async fn relation_validation(store: Store) {
    let ws = workspace(&store).await;
    let (rocket, company) = rocket_and_company(&store, ws).await;
    store
        .create_field(
            ws,
            relation(
                rocket,
                "company",
                company,
                "Rockets",
                RelationType::ManyToOne,
            ),
        )
        .await
        .expect("relation");
    let pad = store
        .create_object(ws, object_input("launchPad", "launchPads"))
        .await
        .expect("pad");
    store
        .update_object(
            ws,
            pad.id,
            UpdateObjectInput {
                is_active: Some(false),
                ..UpdateObjectInput::default()
            },
        )
        .await
        .expect("deactivate");
    let before = snapshot(&store, ws).await;
    let cases = vec![
        (
            relation(
                rocket,
                "owner",
                Uuid::new_v4(),
                "Owned",
                RelationType::ManyToOne,
            ),
            "does not exist",
        ),
        (
            relation(rocket, "pad", pad.id, "Rockets", RelationType::ManyToOne),
            "not active",
        ),
        (
            relation(rocket, "owner", company, "Rockets", RelationType::ManyToOne),
            "company.rockets",
        ),
        (
            relation(rocket, "company", company, "Owned", RelationType::ManyToOne),
            "rocket.company",
        ),
        (
            relation(rocket, "owner", company, " ", RelationType::ManyToOne),
            "label must not be empty",
        ),
        (
            relation(
                rocket,
                "owner",
                company,
                "Created At",
                RelationType::ManyToOne,
            ),
            "system field",
        ),
        (
            relation(rocket, "self", rocket, "Self", RelationType::ManyToOne),
            "rocket.self",
        ),
        (
            CreateFieldInput {
                settings: Some(json!({"onDelete": "EXPLODE"})),
                ..relation(rocket, "owner", company, "Owned", RelationType::ManyToOne)
            },
            "onDelete",
        ),
        (
            CreateFieldInput {
                relation_creation_payload: relation(
                    rocket,
                    "x",
                    company,
                    "Xs",
                    RelationType::ManyToOne,
                )
                .relation_creation_payload,
                ..field_input(rocket, "owner", FieldType::Text)
            },
            "only for RELATION",
        ),
        // A field named like the new join column of a many-to-one relation.
        (
            relation(company, "name", rocket, "Named", RelationType::ManyToOne),
            "company.name",
        ),
    ];
    for (input, needle) in cases {
        assert_invalid(store.create_field(ws, input).await, needle);
    }
    let mut clash = field_input(rocket, "ownerId", FieldType::Text);
    clash.label = "Owner id".into();
    store
        .create_field(ws, clash)
        .await
        .expect("text field ownerId");
    let before_clash = snapshot(&store, ws).await;
    assert_invalid(
        store
            .create_field(
                ws,
                relation(rocket, "owner", company, "Owned", RelationType::ManyToOne),
            )
            .await,
        "rocket.ownerId",
    );
    assert_eq!(snapshot(&store, ws).await, before_clash);
    assert_ne!(snapshot(&store, ws).await, before);
}
both!(relation_validation);

async fn self_relation(store: Store) {
    let ws = workspace(&store).await;
    let (rocket, _) = rocket_and_company(&store, ws).await;
    store
        .create_field(
            ws,
            relation(
                rocket,
                "parent",
                rocket,
                "Children",
                RelationType::ManyToOne,
            ),
        )
        .await
        .expect("self relation");
    let parent = create_record(&store, ws, "rocket", json!({"name": "Saturn"}))
        .await
        .expect("parent");
    create_record(
        &store,
        ws,
        "rocket",
        json!({"name": "Apollo", "parentId": parent["id"]}),
    )
    .await
    .expect("child");
    let rockets = find_all(&store, ws, "rocket").await;
    let child = rockets
        .iter()
        .find(|r| r["name"] == json!("Apollo"))
        .expect("child");
    assert_eq!(child["parentId"], parent["id"]);
    let meta = object(&store, ws, "rocket").await;
    let children = meta
        .fields
        .iter()
        .find(|f| f.name == "children")
        .expect("children");
    store.delete_field(ws, children.id).await.expect("delete");
    assert!(
        !columns(&store, ws, "_rocket")
            .await
            .contains(&"parentId".to_owned())
    );
    assert_eq!(find_all(&store, ws, "rocket").await.len(), 2);
}
both!(self_relation);
