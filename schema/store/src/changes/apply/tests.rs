use serde_json::json;
use tessera_metadata::standard::standard_objects;
use tessera_metadata::{
    CreateFieldInput, CreateObjectInput, FieldOptionInput, FieldType, ObjectMetadata,
    RelationCreationPayload, RelationSettings, RelationType, UpdateFieldInput, UpdateObjectInput,
    ValidationError,
};
use uuid::Uuid;

use super::*;

fn object_input(singular: &str, plural: &str) -> CreateObjectInput {
    CreateObjectInput {
        name_singular: singular.into(),
        name_plural: plural.into(),
        label_singular: format!(" {singular} "),
        label_plural: plural.into(),
        description: Some(" ".into()),
        icon: Some("IconRocket".into()),
        skip_name_field: false,
        is_label_synced_with_name: false,
    }
}

fn field_input(object: Uuid, name: &str, field_type: FieldType) -> CreateFieldInput {
    CreateFieldInput {
        object_metadata_id: object,
        field_type,
        name: name.into(),
        label: name.into(),
        description: None,
        icon: None,
        is_nullable: None,
        is_unique: None,
        default_value: None,
        options: None,
        settings: None,
        relation_creation_payload: None,
        is_label_synced_with_name: false,
    }
}

fn options(values: &[&str]) -> Vec<FieldOptionInput> {
    values
        .iter()
        .map(|v| FieldOptionInput {
            id: None,
            value: (*v).into(),
            label: (*v).into(),
            position: None,
            color: None,
        })
        .collect()
}

fn with_rocket() -> (Vec<ObjectMetadata>, Uuid) {
    let mut objects = standard_objects();
    let rocket = create_object(&mut objects, object_input("rocket", "rockets")).expect("rocket");
    (objects, rocket.id)
}

fn is_validation(result: Result<impl std::fmt::Debug, StoreError>) -> bool {
    matches!(result, Err(StoreError::Validation(_)))
}

#[test]
fn creates_custom_objects() {
    let (objects, id) = with_rocket();
    let rocket = objects.last().expect("rocket");
    assert_eq!(rocket.id, id);
    assert!(rocket.is_custom && !rocket.is_system && rocket.is_active);
    assert_eq!(rocket.label_singular, "rocket");
    assert_eq!(rocket.description, None);
    assert_eq!(rocket.icon.as_deref(), Some("IconRocket"));
    assert!(rocket.fields.iter().all(|f| f.object_metadata_id == id));
    let name = rocket
        .fields
        .iter()
        .find(|f| f.field_type == FieldType::Text)
        .expect("name");
    assert_eq!(name.name, "name");
    assert_eq!(rocket.label_identifier_field_metadata_id, Some(name.id));
    // The default relations: a one-to-many on the rocket per linked standard object, and a
    // many-to-one `rocket` (join column `rocketId`, cascading) on that object.
    let relations: Vec<&str> = rocket
        .fields
        .iter()
        .filter(|f| f.field_type == FieldType::Relation)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        relations,
        [
            "timelineActivities",
            "favorites",
            "attachments",
            "noteTargets",
            "taskTargets"
        ]
    );
    let note_target = objects
        .iter()
        .find(|o| o.name_singular == "noteTarget")
        .expect("noteTarget");
    let link = note_target
        .fields
        .iter()
        .find(|f| f.name == "rocket")
        .expect("noteTarget.rocket");
    assert!(link.is_custom && link.is_system);
    assert_eq!(link.relation_target_object_metadata_id, Some(id));
    let settings = link.relation_settings().expect("settings");
    assert_eq!(settings.join_column_name.as_deref(), Some("rocketId"));
    assert_eq!(
        settings.on_delete,
        Some(tessera_metadata::OnDelete::Cascade)
    );
}

#[test]
fn creates_fields_with_options() {
    let (mut objects, id) = with_rocket();
    let rating =
        create_field(&mut objects, field_input(id, "score", FieldType::Rating)).expect("rating");
    assert_eq!(rating.options.as_ref().map(Vec::len), Some(5));
    let mut select = field_input(id, "status", FieldType::Select);
    select.options = Some(options(&["A", "B"]));
    select.default_value = Some(serde_json::Value::Null);
    let status = create_field(&mut objects, select).expect("select");
    assert_eq!(status.default_value, None);
    assert!(status.is_custom && status.is_nullable && !status.is_unique);
    let mut dup = field_input(id, "status", FieldType::Text);
    dup.label = "Other".into();
    assert!(is_validation(create_field(&mut objects, dup)));
    let missing = field_input(Uuid::new_v4(), "x", FieldType::Text);
    assert!(matches!(
        create_field(&mut objects, missing),
        Err(StoreError::ObjectNotFound(_))
    ));
}

#[test]
fn relations_create_both_sides() {
    let (mut objects, rocket) = with_rocket();
    let company = objects
        .iter()
        .find(|o| o.name_singular == "company")
        .expect("company")
        .id;
    let mut input = field_input(rocket, "company", FieldType::Relation);
    input.settings = Some(json!({"onDelete": "CASCADE"}));
    input.relation_creation_payload = Some(RelationCreationPayload {
        target_object_metadata_id: company,
        target_field_label: "Launch Rockets".into(),
        target_field_icon: Some("IconRocket".into()),
        relation_type: RelationType::ManyToOne,
    });
    let field = create_field(&mut objects, input.clone()).expect("relation");
    let settings: RelationSettings =
        serde_json::from_value(field.settings.clone().expect("settings")).expect("settings");
    assert_eq!(settings.join_column_name.as_deref(), Some("companyId"));
    assert_eq!(
        settings.on_delete,
        Some(tessera_metadata::OnDelete::Cascade)
    );
    let inverse = objects
        .iter()
        .flat_map(|o| &o.fields)
        .find(|f| Some(f.id) == field.relation_target_field_metadata_id)
        .expect("inverse")
        .clone();
    assert_eq!(inverse.name, "launchRockets");
    assert_eq!(inverse.object_metadata_id, company);
    assert_eq!(inverse.relation_target_field_metadata_id, Some(field.id));
    assert_eq!(
        inverse.relation_settings().map(|s| s.relation_type),
        Some(RelationType::OneToMany)
    );
    // The inverse name is taken now.
    input.name = "owner".into();
    assert!(is_validation(create_field(&mut objects, input.clone())));
    // Unknown and inactive targets.
    let mut unknown = input.clone();
    if let Some(p) = unknown.relation_creation_payload.as_mut() {
        p.target_object_metadata_id = Uuid::new_v4();
    }
    assert!(matches!(
        create_field(&mut objects, unknown),
        Err(StoreError::Validation(
            ValidationError::UnknownRelationTarget(_)
        ))
    ));
    // Deleting one side deletes both.
    delete_field(&mut objects, inverse.id).expect("delete inverse");
    assert!(
        !objects
            .iter()
            .flat_map(|o| &o.fields)
            .any(|f| f.id == field.id)
    );
}

#[test]
fn update_rules() {
    let (mut objects, id) = with_rocket();
    let mut select = field_input(id, "status", FieldType::Select);
    select.options = Some(options(&["A", "B"]));
    select.default_value = Some(json!("'A'"));
    let status = create_field(&mut objects, select).expect("select");
    let a = status.options.as_ref().expect("options")[0].id;
    // Renaming option A (same id) moves the default along; dropping B is fine.
    let update = UpdateFieldInput {
        options: Some(vec![FieldOptionInput {
            id: Some(a),
            value: "ALPHA".into(),
            label: "Alpha".into(),
            position: None,
            color: None,
        }]),
        ..UpdateFieldInput::default()
    };
    let updated = update_field(&mut objects, status.id, update).expect("options");
    assert_eq!(updated.default_value, Some(json!("'ALPHA'")));
    // Removing the default's option drops the default.
    let update = UpdateFieldInput {
        options: Some(options(&["OTHER"])),
        ..UpdateFieldInput::default()
    };
    let updated = update_field(&mut objects, status.id, update).expect("options");
    assert_eq!(updated.default_value, None);

    let rocket = objects.iter().find(|o| o.id == id).expect("rocket").clone();
    let system = rocket
        .fields
        .iter()
        .find(|f| f.name == "createdAt")
        .expect("createdAt");
    for update in [
        UpdateFieldInput {
            name: Some("made".into()),
            ..UpdateFieldInput::default()
        },
        UpdateFieldInput {
            is_nullable: Some(true),
            ..UpdateFieldInput::default()
        },
        UpdateFieldInput {
            is_active: Some(false),
            ..UpdateFieldInput::default()
        },
    ] {
        assert!(is_validation(update_field(&mut objects, system.id, update)));
    }
    let relabel = UpdateFieldInput {
        label: Some("Made at".into()),
        ..UpdateFieldInput::default()
    };
    assert_eq!(
        update_field(&mut objects, system.id, relabel)
            .expect("label")
            .label,
        "Made at"
    );
    let name = rocket
        .fields
        .iter()
        .find(|f| f.name == "name")
        .expect("name");
    let hide = UpdateFieldInput {
        is_active: Some(false),
        ..UpdateFieldInput::default()
    };
    assert!(is_validation(update_field(&mut objects, name.id, hide)));

    let company = objects
        .iter()
        .find(|o| o.name_singular == "company")
        .expect("company")
        .clone();
    let rename = UpdateObjectInput {
        name_singular: Some("firm".into()),
        ..UpdateObjectInput::default()
    };
    assert!(is_validation(update_object(
        &mut objects,
        company.id,
        rename
    )));
    let same = UpdateObjectInput {
        name_singular: Some("company".into()),
        label_singular: Some("Firm".into()),
        ..UpdateObjectInput::default()
    };
    assert_eq!(
        update_object(&mut objects, company.id, same)
            .expect("relabel")
            .label_singular,
        "Firm"
    );
    assert!(is_validation(delete_object(&mut objects, company.id)));
    let deleted = delete_object(&mut objects, id).expect("delete rocket");
    assert_eq!(deleted.name_singular, "rocket");
    assert!(!objects.iter().any(|o| o.id == id));
}
