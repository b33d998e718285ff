//! Relations: a RELATION field and its inverse, created together (Twenty's
//! `relationCreationPayload`, `shared/reference/twenty-metadata-auth.md` §2.4).

use serde_json::Value;
use tessera_metadata::validate::{NameKind, name_from_label, validate_label, validate_name};
use tessera_metadata::{
    CreateFieldInput, FieldMetadata, FieldType, ObjectMetadata, OnDelete, RelationSettings,
    RelationType, ValidationError,
};
use uuid::Uuid;

use super::clean;
use super::field::{invalid, taken};
use crate::StoreError;

/// Creates the RELATION field `input` on `objects[source]` and its inverse on the target
/// object: the inverse is named `name_from_label(targetFieldLabel)` and has the opposite
/// relation type. The many-to-one side gets `settings.joinColumnName = "<name>Id"` and
/// `settings.onDelete` (from `input.settings.onDelete`, default `SET_NULL`).
pub(super) fn create(
    objects: &mut [ObjectMetadata],
    source: usize,
    input: CreateFieldInput,
) -> Result<FieldMetadata, StoreError> {
    let payload = input
        .relation_creation_payload
        .ok_or_else(|| invalid("a RELATION field needs a relationCreationPayload"))?;
    if input.options.is_some() || input.is_unique == Some(true) {
        return Err(invalid(
            "RELATION fields take no options and cannot be unique",
        ));
    }
    if input.default_value.as_ref().is_some_and(|v| !v.is_null()) {
        return Err(invalid("RELATION fields take no default value"));
    }
    let target = objects
        .iter()
        .position(|o| o.id == payload.target_object_metadata_id)
        .ok_or(ValidationError::UnknownRelationTarget(
            payload.target_object_metadata_id,
        ))?;
    if !objects[target].is_active {
        return Err(
            ValidationError::InactiveRelationTarget(objects[target].name_singular.clone()).into(),
        );
    }
    validate_label("Target field label", &payload.target_field_label)?;
    let inverse_name = name_from_label(&payload.target_field_label);
    validate_name(NameKind::Field, &inverse_name)?;
    taken(&objects[target], &inverse_name)?;
    if target == source && inverse_name == input.name {
        return Err(ValidationError::FieldNameTaken {
            object: objects[source].name_singular.clone(),
            name: inverse_name,
        }
        .into());
    }
    let on_delete = on_delete(input.settings.as_ref())?;
    let (field_settings, inverse_settings) = match payload.relation_type {
        RelationType::ManyToOne => (many_to_one(&input.name, on_delete), one_to_many()),
        RelationType::OneToMany => (one_to_many(), many_to_one(&inverse_name, on_delete)),
    };
    let source_id = objects[source].id;
    let target_id = objects[target].id;
    let field_id = Uuid::new_v4();
    let inverse_id = Uuid::new_v4();
    let relation_field =
        |id, object, name: String, label: String, settings, target, inverse| FieldMetadata {
            id,
            object_metadata_id: object,
            name,
            label,
            field_type: FieldType::Relation,
            description: None,
            icon: None,
            is_nullable: true,
            is_unique: false,
            is_system: false,
            is_custom: true,
            is_active: true,
            default_value: None,
            options: None,
            settings: Some(settings),
            relation_target_object_metadata_id: Some(target),
            relation_target_field_metadata_id: Some(inverse),
            is_label_synced_with_name: false,
        };
    let field = FieldMetadata {
        description: clean(input.description),
        icon: clean(input.icon),
        ..relation_field(
            field_id,
            source_id,
            input.name,
            input.label.trim().to_owned(),
            field_settings,
            target_id,
            inverse_id,
        )
    };
    let inverse = FieldMetadata {
        icon: clean(payload.target_field_icon),
        ..relation_field(
            inverse_id,
            target_id,
            inverse_name,
            payload.target_field_label.trim().to_owned(),
            inverse_settings,
            source_id,
            field_id,
        )
    };
    objects[source].fields.push(field.clone());
    objects[target].fields.push(inverse);
    Ok(field)
}

/// `settings.onDelete` of the input (`CASCADE`, `SET_NULL`, `RESTRICT`, `NO_ACTION`), default
/// `SET_NULL`.
fn on_delete(settings: Option<&Value>) -> Result<OnDelete, StoreError> {
    match settings.and_then(|s| s.get("onDelete")) {
        None | Some(Value::Null) => Ok(OnDelete::SetNull),
        Some(value) => serde_json::from_value(value.clone()).map_err(|_| {
            invalid("settings.onDelete must be CASCADE, SET_NULL, RESTRICT or NO_ACTION")
        }),
    }
}

fn many_to_one(name: &str, on_delete: OnDelete) -> Value {
    settings(RelationSettings {
        relation_type: RelationType::ManyToOne,
        on_delete: Some(on_delete),
        join_column_name: Some(format!("{name}Id")),
    })
}

fn one_to_many() -> Value {
    settings(RelationSettings {
        relation_type: RelationType::OneToMany,
        on_delete: None,
        join_column_name: None,
    })
}

fn settings(settings: RelationSettings) -> Value {
    serde_json::to_value(settings).unwrap_or(Value::Null)
}
