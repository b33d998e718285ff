//! Fields: create, update, delete.

use serde_json::Value;
use tessera_metadata::validate::{
    NameKind, build_options, default_rating_options, validate_label, validate_name,
    validate_options,
};
use tessera_metadata::{
    CreateFieldInput, FieldMetadata, FieldOption, FieldType, ObjectMetadata, RelationType,
    UpdateFieldInput, ValidationError,
};
use uuid::Uuid;

use super::{clean, field_index, object_index, relation, update_text};
use crate::StoreError;

/// A new custom field on `input.object_metadata_id`; for RELATION fields also the inverse
/// field on the target object. Returns the requested field.
pub(crate) fn create_field(
    objects: &mut [ObjectMetadata],
    input: CreateFieldInput,
) -> Result<FieldMetadata, StoreError> {
    let index = object_index(objects, input.object_metadata_id)?;
    validate_name(NameKind::Field, &input.name)?;
    validate_label("Field label", &input.label)?;
    taken(&objects[index], &input.name)?;
    if let Some(settings) = &input.settings
        && !settings.is_object()
    {
        return Err(invalid("settings must be a JSON object"));
    }
    if input.field_type == FieldType::Relation {
        return relation::create(objects, index, input);
    }
    if input.relation_creation_payload.is_some() {
        return Err(invalid(
            "relationCreationPayload is only for RELATION fields",
        ));
    }
    let options = match (&input.options, input.field_type) {
        (None, FieldType::Rating) => Some(default_rating_options()),
        (None, _) => None,
        (Some(inputs), _) => Some(build_options(inputs, &[])),
    };
    validate_options(&input.name, input.field_type, options.as_deref())?;
    let field = FieldMetadata {
        id: Uuid::new_v4(),
        object_metadata_id: input.object_metadata_id,
        name: input.name,
        label: input.label.trim().to_owned(),
        field_type: input.field_type,
        description: clean(input.description),
        icon: clean(input.icon),
        is_nullable: input.is_nullable.unwrap_or(true),
        is_unique: input.is_unique.unwrap_or(false),
        is_system: false,
        is_custom: true,
        is_active: true,
        default_value: input.default_value.filter(|v| !v.is_null()),
        options,
        settings: input.settings,
        relation_target_object_metadata_id: None,
        relation_target_field_metadata_id: None,
        is_label_synced_with_name: input.is_label_synced_with_name,
    };
    objects[index].fields.push(field.clone());
    Ok(field)
}

/// Refuses a name the object already uses.
pub(super) fn taken(object: &ObjectMetadata, name: &str) -> Result<(), StoreError> {
    if object.fields.iter().any(|f| f.name == name) {
        return Err(ValidationError::FieldNameTaken {
            object: object.name_singular.clone(),
            name: name.to_owned(),
        }
        .into());
    }
    Ok(())
}

pub(super) fn invalid(message: &str) -> StoreError {
    ValidationError::InvalidInput(message.to_owned()).into()
}

fn not_allowed(message: String) -> StoreError {
    ValidationError::NotAllowed(message).into()
}

/// Updates a field. Labels, description and icon are free; system fields allow nothing else;
/// standard fields cannot be renamed; relation fields take no nullability, uniqueness,
/// default, options or settings; the label identifier cannot be deactivated. New options
/// keep identities by id; a default naming a renamed option follows it, one naming a
/// removed option is dropped (unless the input sets a default).
pub(crate) fn update_field(
    objects: &mut [ObjectMetadata],
    id: Uuid,
    input: UpdateFieldInput,
) -> Result<FieldMetadata, StoreError> {
    let (oi, fi) = field_index(objects, id)?;
    let object = &objects[oi];
    let old = object.fields[fi].clone();
    let mut field = old.clone();
    let path = format!("{}.{}", object.name_singular, old.name);
    let is_relation = old.field_type == FieldType::Relation;
    let refuse = |what: &str| -> Result<(), StoreError> {
        if old.is_system {
            return Err(not_allowed(format!(
                "Cannot change {what} of system field \"{path}\""
            )));
        }
        if is_relation {
            return Err(not_allowed(format!(
                "Cannot change {what} of relation field \"{path}\""
            )));
        }
        Ok(())
    };

    if let Some(label) = input.label {
        validate_label("Field label", &label)?;
        field.label = label.trim().to_owned();
    }
    if let Some(synced) = input.is_label_synced_with_name {
        field.is_label_synced_with_name = synced;
    }
    field.description = update_text(&old.description, input.description);
    field.icon = update_text(&old.icon, input.icon);
    if let Some(name) = input.name
        && name != old.name
    {
        if old.is_system || !old.is_custom {
            return Err(not_allowed(format!(
                "Cannot rename {} field \"{path}\"",
                if old.is_system { "system" } else { "standard" }
            )));
        }
        validate_name(NameKind::Field, &name)?;
        taken(object, &name)?;
        if let Some(mut settings) = old.relation_settings()
            && settings.relation_type == RelationType::ManyToOne
        {
            settings.join_column_name = Some(format!("{name}Id"));
            field.settings = Some(
                serde_json::to_value(settings)
                    .map_err(|e| StoreError::corrupt(format!("relation settings: {e}")))?,
            );
        }
        field.name = name;
    }
    if let Some(active) = input.is_active
        && active != old.is_active
    {
        if old.is_system {
            return Err(not_allowed(format!(
                "Cannot change the visibility of system field \"{path}\""
            )));
        }
        if !active && object.label_identifier_field_metadata_id == Some(id) {
            return Err(not_allowed(format!(
                "Cannot deactivate the label identifier field \"{path}\"; choose another label identifier first"
            )));
        }
        field.is_active = active;
    }
    if let Some(nullable) = input.is_nullable
        && nullable != old.is_nullable
    {
        refuse("the nullability")?;
        field.is_nullable = nullable;
    }
    if let Some(unique) = input.is_unique
        && unique != old.is_unique
    {
        refuse("the uniqueness")?;
        field.is_unique = unique;
    }
    if let Some(default) = &input.default_value {
        let default = Some(default.clone()).filter(|v| !v.is_null());
        if default != old.default_value {
            refuse("the default value")?;
            field.default_value = default;
        }
    }
    if let Some(inputs) = &input.options {
        let before = old.options.clone().unwrap_or_default();
        let options = build_options(inputs, &before);
        if Some(&options) != old.options.as_ref() {
            refuse("the options")?;
            validate_options(&old.name, old.field_type, Some(&options))?;
            if input.default_value.is_none() {
                field.default_value = remap_default(old.default_value.as_ref(), &before, &options);
            }
            field.options = Some(options);
        }
    }
    if let Some(settings) = input.settings
        && Some(&settings) != old.settings.as_ref()
    {
        refuse("the settings")?;
        if !settings.is_object() {
            return Err(invalid("settings must be a JSON object"));
        }
        field.settings = Some(settings);
    }
    objects[oi].fields[fi] = field.clone();
    Ok(field)
}

/// A SELECT / MULTI_SELECT default (`"'A'"` or `["'A'", "'B'"]`) after an options change:
/// values of renamed options follow them, values of removed options are dropped.
fn remap_default(
    default: Option<&Value>,
    before: &[FieldOption],
    after: &[FieldOption],
) -> Option<Value> {
    let remap = |value: &Value| -> Option<Value> {
        let text = value.as_str()?;
        let bare = text.trim_matches('\'');
        let id = before.iter().find(|o| o.value == bare).map(|o| o.id);
        let new = match id {
            Some(id) => after.iter().find(|o| o.id == id),
            None => after.iter().find(|o| o.value == bare),
        }?;
        Some(Value::String(format!("'{}'", new.value)))
    };
    match default? {
        Value::Array(items) => Some(Value::Array(items.iter().filter_map(remap).collect())),
        value => remap(value),
    }
}

/// Deletes a custom field (with the inverse of a relation). System and standard fields
/// cannot be deleted (deactivate them), nor the label identifier. Returns the field as it
/// was.
pub(crate) fn delete_field(
    objects: &mut [ObjectMetadata],
    id: Uuid,
) -> Result<FieldMetadata, StoreError> {
    let (oi, fi) = field_index(objects, id)?;
    let object = &objects[oi];
    let field = object.fields[fi].clone();
    let path = format!("{}.{}", object.name_singular, field.name);
    if field.is_system {
        return Err(not_allowed(format!(
            "Cannot delete system field \"{path}\""
        )));
    }
    if !field.is_custom {
        return Err(not_allowed(format!(
            "Cannot delete standard field \"{path}\"; deactivate it instead"
        )));
    }
    if object.label_identifier_field_metadata_id == Some(id) {
        return Err(not_allowed(format!(
            "Cannot delete \"{path}\", please update the label identifier field first"
        )));
    }
    objects[oi].fields.remove(fi);
    if field.field_type == FieldType::Relation
        && let Some(inverse) = field.relation_target_field_metadata_id
        && let Ok((ti, tfi)) = field_index(objects, inverse)
    {
        objects[ti].fields.remove(tfi);
    }
    Ok(field)
}
