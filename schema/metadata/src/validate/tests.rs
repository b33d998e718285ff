use tessera_core::{CodedError, ErrorCode, WorkspaceId};

use super::*;
use crate::inputs::FieldOptionInput;
use crate::standard::{ObjectBuilder, field, options, standard_objects};
use crate::{FieldMetadata, FieldOption, FieldType};

fn invalid(kind: NameKind, name: &str) -> bool {
    matches!(
        validate_name(kind, name),
        Err(ValidationError::InvalidName { .. })
    )
}

#[test]
fn names() {
    assert!(validate_name(NameKind::Object, "rocket").is_ok());
    assert!(validate_name(NameKind::Field, "launchDate2").is_ok());
    for bad in [
        "",
        "Rocket",
        "2rocket",
        "rocket_ship",
        "rocket ship",
        "rocket.x",
        "é",
    ] {
        assert!(invalid(NameKind::Object, bad), "{bad}");
    }
    assert!(invalid(NameKind::Object, &"a".repeat(64)));
    assert!(validate_name(NameKind::Object, &"a".repeat(63)).is_ok());
    for reserved in ["not", "or", "and"] {
        assert!(invalid(NameKind::Object, reserved));
        assert!(invalid(NameKind::Field, reserved));
    }
    for system in SYSTEM_FIELD_NAMES {
        assert!(invalid(NameKind::Field, system), "{system}");
    }
    // System field names are fine as object names (an object called `position` is allowed).
    assert!(validate_name(NameKind::Object, "position").is_ok());
    let err = validate_name(NameKind::Field, "createdAt").expect_err("system");
    assert_eq!(err.code(), ErrorCode::MetadataValidationFailed);
    assert!(err.to_string().contains("createdAt"), "{err}");
}

#[test]
fn labels() {
    assert!(validate_label("Field label", "Power").is_ok());
    let err = validate_label("Field label", "  ").expect_err("empty");
    assert_eq!(err.to_string(), "Field label must not be empty");
}

#[test]
fn object_names() {
    let objects = standard_objects();
    assert!(validate_object_names("rocket", "rockets", &objects).is_ok());
    assert_eq!(
        validate_object_names("rocket", "Rocket", &objects),
        Err(ValidationError::InvalidName {
            kind: NameKind::Object,
            name: "Rocket".into(),
            reason: "it must start with a lower-case letter (a-z)".into()
        })
    );
    assert_eq!(
        validate_object_names("fish", "fish", &objects),
        Err(ValidationError::SameSingularPlural("fish".into()))
    );
    // Taken as a singular or as a plural name of another object.
    assert_eq!(
        validate_object_names("person", "persons", &objects),
        Err(ValidationError::ObjectNameTaken("person".into()))
    );
    assert_eq!(
        validate_object_names("human", "people", &objects),
        Err(ValidationError::ObjectNameTaken("people".into()))
    );
    assert_eq!(
        validate_object_names("people", "peoples", &objects),
        Err(ValidationError::ObjectNameTaken("people".into()))
    );
}

#[test]
fn label_names() {
    assert_eq!(name_from_label("Rockets"), "rockets");
    assert_eq!(name_from_label("Launch Sites"), "launchSites");
    assert_eq!(name_from_label("  launch-site's ID "), "launchSiteSId");
    assert_eq!(name_from_label("2nd stage"), "n2ndStage");
}

fn with_object(object: crate::ObjectMetadata) -> Vec<crate::ObjectMetadata> {
    let mut objects = standard_objects();
    objects.push(object);
    objects
}

fn custom(singular: &str, plural: &str) -> ObjectBuilder {
    ObjectBuilder::new(singular, plural, "X", "Xs").flags(true, false)
}

#[test]
fn graphql_name_clashes() {
    let ws = WorkspaceId::new_random();
    assert!(validate_workspace(ws, &standard_objects()).is_ok());
    for (singular, plural, clash) in [
        ("personConnection", "personConnections", "PersonConnection"),
        ("pageInfo", "pageInfos", "PageInfo"),
        (
            "companyFilterInput",
            "companyFilterInputs",
            "CompanyFilterInput",
        ),
        ("fullName", "fullNames", "FullName"),
        ("uUID", "uUIDs", "UUID"),
        ("stringFilter", "stringFilters", "StringFilter"),
        (
            "opportunityStageEnum",
            "opportunityStageEnums",
            "OpportunityStageEnum",
        ),
        ("query", "queries", "Query"),
    ] {
        let objects = with_object(custom(singular, plural).build());
        match validate_workspace(ws, &objects) {
            Err(ValidationError::GraphqlNameClash { type_name, .. }) => {
                assert_eq!(type_name, clash)
            }
            other => panic!("{singular}: expected a clash, got {other:?}"),
        }
    }
    // A field's enum type can clash with another object's type too.
    let rocket = custom("rocket", "rockets")
        .with(FieldMetadata {
            options: Some(options(&[("A", "A", "red")])),
            ..field("ship", "Ship", FieldType::Select)
        })
        .build();
    let rocket_ship_enum = custom("rocketShipEnum", "rocketShipEnums").build();
    let mut objects = with_object(rocket);
    objects.push(rocket_ship_enum);
    assert!(matches!(
        validate_workspace(ws, &objects),
        Err(ValidationError::GraphqlNameClash { .. })
    ));
    // An inactive object generates nothing.
    let mut objects = with_object(custom("pageInfo", "pageInfos").build());
    if let Some(o) = objects.last_mut() {
        o.is_active = false;
    }
    assert!(validate_workspace(ws, &objects).is_ok());
}

#[test]
fn storage_clashes() {
    let ws = WorkspaceId::new_random();
    // A TEXT field named like a composite's column.
    let objects = with_object(
        custom("rocket", "rockets")
            .with(field("crew", "Crew", FieldType::FullName))
            .with(field("crewFirstName", "First", FieldType::Text))
            .build(),
    );
    assert_eq!(
        validate_workspace(ws, &objects).err(),
        Some(ValidationError::ColumnClash {
            object: "rocket".into(),
            column: "crewFirstName".into()
        })
    );
    // A field named like a many-to-one's join column (`companyId` on person).
    let mut objects = standard_objects();
    if let Some(person) = objects.iter_mut().find(|o| o.name_singular == "person") {
        let id = person.id;
        person.fields.push(FieldMetadata {
            object_metadata_id: id,
            ..field("companyId", "Company id", FieldType::Text)
        });
    }
    assert_eq!(
        validate_workspace(ws, &objects).err(),
        Some(ValidationError::FieldNameTaken {
            object: "person".into(),
            name: "companyId".into()
        })
    );
    // Inactive fields still hold their column.
    let mut objects = with_object(
        custom("rocket", "rockets")
            .with(field("power", "Power", FieldType::Text))
            .with(field("power", "Power", FieldType::Number))
            .build(),
    );
    if let Some(f) = objects.last_mut().and_then(|o| o.fields.last_mut()) {
        f.is_active = false;
    }
    assert!(matches!(
        validate_workspace(ws, &objects),
        Err(ValidationError::Model(_))
    ));
    // Enum type names longer than 63 characters.
    let long = "a".repeat(55);
    let objects = with_object(
        custom("rocket", "rockets")
            .with(FieldMetadata {
                options: Some(options(&[("A", "A", "red")])),
                ..field(&long, "Long", FieldType::Select)
            })
            .build(),
    );
    assert!(matches!(
        validate_workspace(ws, &objects),
        Err(ValidationError::IdentifierTooLong(_))
    ));
}

#[test]
fn duplicate_object_names_across_singular_and_plural() {
    let ws = WorkspaceId::new_random();
    let objects = with_object(custom("human", "people").build());
    assert!(matches!(
        validate_workspace(ws, &objects),
        Err(ValidationError::ObjectNameTaken(_) | ValidationError::Model(_))
    ));
}

fn opt(value: &str) -> FieldOption {
    FieldOption {
        id: uuid::Uuid::new_v4(),
        value: value.to_owned(),
        label: value.to_owned(),
        position: 0,
        color: None,
    }
}

#[test]
fn option_rules() {
    let select = FieldType::Select;
    assert!(validate_options("s", select, Some(&[opt("A"), opt("_b2")])).is_ok());
    assert!(validate_options("s", select, None).is_err());
    assert!(validate_options("s", FieldType::MultiSelect, Some(&[])).is_err());
    assert!(validate_options("s", FieldType::Rating, None).is_ok());
    assert!(validate_options("t", FieldType::Text, None).is_ok());
    let err = validate_options("t", FieldType::Text, Some(&[opt("A")])).expect_err("text");
    assert!(err.to_string().contains("only SELECT"), "{err}");
    for bad in ["1A", "A-B", "", "A B", "é"] {
        assert!(
            validate_options("s", select, Some(&[opt(bad)])).is_err(),
            "{bad}"
        );
    }
    let err = validate_options("s", select, Some(&[opt("A"), opt("A")])).expect_err("dup");
    assert_eq!(
        err.to_string(),
        "Invalid options for field \"s\": value \"A\" is used twice"
    );
    let same_id = opt("A");
    let mut other = opt("B");
    other.id = same_id.id;
    assert!(validate_options("s", select, Some(&[same_id, other])).is_err());
    let mut unlabelled = opt("A");
    unlabelled.label = " ".into();
    assert!(validate_options("s", select, Some(&[unlabelled])).is_err());
}

#[test]
fn option_inputs_keep_identities() {
    let existing = vec![opt("A"), opt("B")];
    let inputs = vec![
        FieldOptionInput {
            id: Some(existing[0].id),
            value: "A2".into(),
            label: "A2".into(),
            position: None,
            color: None,
        },
        FieldOptionInput {
            id: None,
            value: "B".into(),
            label: "B".into(),
            position: Some(7),
            color: Some("red".into()),
        },
        FieldOptionInput {
            id: None,
            value: "C".into(),
            label: "C".into(),
            position: None,
            color: None,
        },
    ];
    let built = build_options(&inputs, &existing);
    assert_eq!(built[0].id, existing[0].id);
    assert_eq!(built[0].value, "A2");
    assert_eq!(built[0].position, 0);
    assert_eq!(built[1].id, existing[1].id);
    assert_eq!(built[1].position, 7);
    assert!(built[2].id != existing[0].id && built[2].id != existing[1].id);
    assert_eq!(built[2].position, 2);
    let rating = default_rating_options();
    assert_eq!(rating.len(), 5);
    assert_eq!(rating[0].value, "RATING_1");
    assert_eq!(rating[4].label, "5");
    assert!(validate_options("r", FieldType::Rating, Some(&rating)).is_ok());
}
