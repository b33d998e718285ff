//! Metadata changes on SQLite and PostgreSQL: validation errors of creates and updates
//! (each one `METADATA_VALIDATION_FAILED`, changing nothing) and unknown ids (`NOT_FOUND`).

mod common;

use serde_json::json;
use tessera_core::{CodedError, ErrorCode};
use tessera_metadata::{
    CreateFieldInput, FieldType, RelationCreationPayload, RelationType, UpdateFieldInput,
    UpdateObjectInput,
};
use tessera_store::{Store, StoreError};
use uuid::Uuid;

use common::meta::{
    assert_invalid, field_id, field_input, object, object_input, option_inputs, snapshot, workspace,
};
use common::rocket::rocket;

async fn validation_errors_change_nothing(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    let company = common::meta::object(&store, ws, "company").await;
    let rocket_meta = common::meta::object(&store, ws, "rocket").await;
    let field_id = |name: &str| {
        rocket_meta
            .fields
            .iter()
            .find(|f| f.name == name)
            .expect(name)
            .id
    };
    let before = snapshot(&store, ws).await;

    let objects: Vec<(tessera_metadata::CreateObjectInput, &str)> = vec![
        (
            object_input("Rocket2", "rockets2"),
            "must start with a lower-case letter",
        ),
        (
            object_input("rocket_two", "rocketTwos"),
            "only letters and digits",
        ),
        (object_input(&"a".repeat(64), "as"), "exceeds 63 characters"),
        (object_input("not", "nots"), "reserved"),
        (object_input("fish", "FISH"), "must start with a lower-case"),
        (object_input("fish", "fish"), "must differ"),
        (object_input("rocket", "rocketz"), "already exists"),
        (object_input("spaceship", "rockets"), "already exists"),
        (object_input("people", "peoples"), "already exists"),
        (
            object_input("personConnection", "personConnections"),
            "PersonConnection",
        ),
        (object_input("pageInfo", "pageInfos"), "PageInfo"),
        (
            object_input("rocketFilterInput", "rocketFilterInputs"),
            "RocketFilterInput",
        ),
        (object_input("links", "linkss"), "Links"),
        (
            object_input("stringFilter", "stringFilters"),
            "StringFilter",
        ),
        (
            object_input("rocketStatusEnum", "rocketStatusEnums"),
            "RocketStatusEnum",
        ),
        (
            tessera_metadata::CreateObjectInput {
                label_singular: "  ".into(),
                ..object_input("drone", "drones")
            },
            "label must not be empty",
        ),
    ];
    for (input, needle) in objects {
        assert_invalid(store.create_object(ws, input).await, needle);
    }

    let mut fields: Vec<(CreateFieldInput, &str)> = Vec::new();
    for (name, needle) in [
        ("Power", "must start with a lower-case"),
        ("po wer", "only letters and digits"),
        ("id", "system field"),
        ("createdAt", "system field"),
        ("position", "system field"),
        ("and", "reserved"),
        ("codename", "already exists"),
        ("name", "already exists"),
    ] {
        fields.push((field_input(rocket_id, name, FieldType::Text), needle));
    }
    let mut f = field_input(rocket_id, "pilotFirstName", FieldType::Text);
    f.label = "First".into();
    fields.push((f, "would hold two fields"));
    fields.push((
        CreateFieldInput {
            label: "".into(),
            ..field_input(rocket_id, "power", FieldType::Text)
        },
        "label must not be empty",
    ));
    fields.push((
        field_input(rocket_id, "kind", FieldType::Select),
        "at least one option",
    ));
    for (values, needle) in [
        (vec!["A", "A"], "used twice"),
        (vec!["1A"], "must match"),
        (vec!["A-B"], "must match"),
    ] {
        let mut f = field_input(rocket_id, "kind", FieldType::MultiSelect);
        f.options = Some(option_inputs(&values));
        fields.push((f, needle));
    }
    let mut f = field_input(rocket_id, "power", FieldType::Text);
    f.options = Some(option_inputs(&["A"]));
    fields.push((f, "only SELECT"));
    let mut f = field_input(rocket_id, "power", FieldType::Text);
    f.settings = Some(json!([1]));
    fields.push((f, "settings must be a JSON object"));
    fields.push((
        field_input(rocket_id, "owner", FieldType::Relation),
        "relationCreationPayload",
    ));
    let mut f = field_input(rocket_id, &"a".repeat(60), FieldType::Select);
    f.options = Some(option_inputs(&["A"]));
    fields.push((f, "longer than 63"));
    for (input, needle) in fields {
        assert_invalid(store.create_field(ws, input).await, needle);
    }
    assert_eq!(snapshot(&store, ws).await, before);

    // Deleting system or standard fields, or the label identifier.
    assert_invalid(store.delete_field(ws, field_id("id")).await, "system field");
    assert_invalid(
        store.delete_field(ws, field_id("createdAt")).await,
        "system field",
    );
    assert_invalid(
        store.delete_field(ws, field_id("name")).await,
        "label identifier",
    );
    let company_name = company
        .fields
        .iter()
        .find(|f| f.name == "idealCustomerProfile")
        .expect("icp");
    assert_invalid(
        store.delete_field(ws, company_name.id).await,
        "standard field",
    );
    assert_eq!(snapshot(&store, ws).await, before);
}
both!(validation_errors_change_nothing);

/// `rocketStatusEnum` above clashes only because `rocket.status` exists; it is created by
/// `rocket()`. A select `rocket` on company would generate `CompanyRocketEnum`, which
/// clashes with nothing unless an object `companyRocketEnum` exists: create one first.
async fn enum_name_clash_setup(store: &Store, ws: tessera_core::WorkspaceId) {
    store
        .create_object(ws, object_input("companyRocketEnum", "companyRocketEnums"))
        .await
        .expect("object");
}

async fn unknown_ids_are_not_found(store: Store) {
    let ws = workspace(&store).await;
    enum_name_clash_setup(&store, ws).await;
    let before = snapshot(&store, ws).await;
    let nobody = Uuid::new_v4();
    let results: Vec<Result<(), StoreError>> = vec![
        store
            .create_field(ws, field_input(nobody, "x", FieldType::Text))
            .await
            .map(|_| ()),
        store
            .update_field(ws, nobody, UpdateFieldInput::default())
            .await
            .map(|_| ()),
        store.delete_field(ws, nobody).await.map(|_| ()),
        store
            .update_object(ws, nobody, UpdateObjectInput::default())
            .await
            .map(|_| ()),
        store.delete_object(ws, nobody).await.map(|_| ()),
    ];
    for r in results {
        match r {
            Err(e) => assert_eq!(e.code(), ErrorCode::NotFound, "{e}"),
            Ok(()) => panic!("expected NOT_FOUND"),
        }
    }
    let other = tessera_core::WorkspaceId::new_random();
    let e = store
        .create_object(other, object_input("rocket", "rockets"))
        .await
        .expect_err("no workspace");
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(snapshot(&store, ws).await, before);
    // The clash this workspace was set up for.
    let company = common::meta::object(&store, ws, "company").await;
    let mut f = field_input(company.id, "rocket", FieldType::Select);
    f.options = Some(option_inputs(&["A"]));
    assert_invalid(store.create_field(ws, f).await, "CompanyRocketEnum");
}
both!(unknown_ids_are_not_found);

#[test]
fn validation_errors_are_coded() {
    let e = StoreError::from(tessera_metadata::ValidationError::ObjectNameTaken(
        "x".into(),
    ));
    assert_eq!(e.code(), ErrorCode::MetadataValidationFailed);
    assert_eq!(
        StoreError::FieldNotFound(Uuid::nil()).code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        StoreError::ObjectNotFound(Uuid::nil()).code(),
        ErrorCode::NotFound
    );
}

fn update() -> UpdateFieldInput {
    UpdateFieldInput::default()
}

async fn update_validation(store: Store) {
    let ws = workspace(&store).await;
    let rocket_id = rocket(&store, ws).await;
    let company = object(&store, ws, "company").await;
    store
        .create_field(
            ws,
            CreateFieldInput {
                relation_creation_payload: Some(RelationCreationPayload {
                    target_object_metadata_id: company.id,
                    target_field_label: "Rockets".into(),
                    target_field_icon: None,
                    relation_type: RelationType::ManyToOne,
                }),
                ..field_input(rocket_id, "company", FieldType::Relation)
            },
        )
        .await
        .expect("relation");
    let id = |name: &str| {
        let store = store.clone();
        let name = name.to_owned();
        async move { field_id(&store, ws, "rocket", &name).await }
    };
    let before = snapshot(&store, ws).await;
    let cases: Vec<(Uuid, UpdateFieldInput, &str)> = vec![
        (
            id("codename").await,
            UpdateFieldInput {
                name: Some("thrust".into()),
                ..update()
            },
            "already exists",
        ),
        (
            id("codename").await,
            UpdateFieldInput {
                name: Some("Code".into()),
                ..update()
            },
            "lower-case",
        ),
        (
            id("codename").await,
            UpdateFieldInput {
                name: Some("deletedAt".into()),
                ..update()
            },
            "system field",
        ),
        (
            id("codename").await,
            UpdateFieldInput {
                name: Some("pilotFirstName".into()),
                ..update()
            },
            "two fields",
        ),
        (
            id("codename").await,
            UpdateFieldInput {
                label: Some("".into()),
                ..update()
            },
            "label must not be empty",
        ),
        (
            id("codename").await,
            UpdateFieldInput {
                options: Some(common::meta::option_inputs(&["A"])),
                ..update()
            },
            "only SELECT",
        ),
        (
            id("codename").await,
            UpdateFieldInput {
                settings: Some(json!("x")),
                ..update()
            },
            "JSON object",
        ),
        (
            id("status").await,
            UpdateFieldInput {
                options: Some(vec![]),
                ..update()
            },
            "at least one option",
        ),
        (
            id("status").await,
            UpdateFieldInput {
                options: Some(common::meta::option_inputs(&["a b"])),
                ..update()
            },
            "must match",
        ),
        (
            id("id").await,
            UpdateFieldInput {
                name: Some("key".into()),
                ..update()
            },
            "Cannot rename system field",
        ),
        (
            id("createdAt").await,
            UpdateFieldInput {
                is_nullable: Some(true),
                ..update()
            },
            "system field",
        ),
        (
            id("createdAt").await,
            UpdateFieldInput {
                default_value: Some(serde_json::Value::Null),
                ..update()
            },
            "system field",
        ),
        (
            id("position").await,
            UpdateFieldInput {
                is_active: Some(false),
                ..update()
            },
            "system field",
        ),
        (
            id("name").await,
            UpdateFieldInput {
                is_active: Some(false),
                ..update()
            },
            "label identifier",
        ),
        (
            id("company").await,
            UpdateFieldInput {
                is_nullable: Some(false),
                ..update()
            },
            "relation field",
        ),
        (
            id("company").await,
            UpdateFieldInput {
                is_unique: Some(true),
                ..update()
            },
            "relation field",
        ),
        (
            id("company").await,
            UpdateFieldInput {
                name: Some("name".into()),
                ..update()
            },
            "already exists",
        ),
    ];
    for (field, input, needle) in cases {
        assert_invalid(store.update_field(ws, field, input).await, needle);
    }
    let icp = company
        .fields
        .iter()
        .find(|f| f.name == "idealCustomerProfile")
        .expect("icp");
    assert_invalid(
        store
            .update_field(
                ws,
                icp.id,
                UpdateFieldInput {
                    name: Some("ideal".into()),
                    ..update()
                },
            )
            .await,
        "Cannot rename standard field",
    );
    // Renaming a relation so that its join column hits another field.
    let mut f = field_input(rocket_id, "ownerId", FieldType::Text);
    f.label = "Owner".into();
    store.create_field(ws, f).await.expect("ownerId");
    let before_owner = snapshot(&store, ws).await;
    assert_invalid(
        store
            .update_field(
                ws,
                id("company").await,
                UpdateFieldInput {
                    name: Some("owner".into()),
                    ..update()
                },
            )
            .await,
        "rocket.ownerId",
    );
    assert_eq!(snapshot(&store, ws).await, before_owner);
    assert_ne!(before_owner, before);
}
both!(update_validation);
