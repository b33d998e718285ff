//! Objects: create (custom object with its system fields), update, delete.

use tessera_metadata::standard::{ObjectBuilder, field};
use tessera_metadata::validate::{validate_label, validate_object_names};
use tessera_metadata::{
    CreateObjectInput, FieldType, ObjectMetadata, UpdateObjectInput, ValidationError,
};
use uuid::Uuid;

use super::{clean, object_index, update_text};
use crate::StoreError;

/// A new custom object (`isCustom`, table `_<nameSingular>`) with the system fields every
/// object has (`id`, `createdAt`, `updatedAt`, `deletedAt`, `position`, `createdBy`,
/// `updatedBy`) and, unless `skip_name_field`, a `name` TEXT field as label identifier
/// (Twenty's `buildDefaultFlatFieldMetadatasForCustomObject`). Appended to `objects`.
pub(crate) fn create_object(
    objects: &mut Vec<ObjectMetadata>,
    input: CreateObjectInput,
) -> Result<ObjectMetadata, StoreError> {
    validate_object_names(&input.name_singular, &input.name_plural, objects.iter())?;
    validate_label("Object singular label", &input.label_singular)?;
    validate_label("Object plural label", &input.label_plural)?;
    let mut builder = ObjectBuilder::new(
        &input.name_singular,
        &input.name_plural,
        input.label_singular.trim(),
        input.label_plural.trim(),
    )
    .flags(true, false);
    if !input.skip_name_field {
        builder = builder.label_identifier(field("name", "Name", FieldType::Text));
    }
    let mut object = builder.build();
    object.description = clean(input.description);
    object.icon = clean(input.icon);
    objects.push(object.clone());
    Ok(object)
}

/// Updates an object's names, labels, description, icon, visibility or label identifier.
/// Renaming is for custom objects only; system objects cannot be deactivated; the label
/// identifier must be a non-relation field of the object.
pub(crate) fn update_object(
    objects: &mut [ObjectMetadata],
    id: Uuid,
    input: UpdateObjectInput,
) -> Result<ObjectMetadata, StoreError> {
    let index = object_index(objects, id)?;
    let mut object = objects[index].clone();
    let singular = input
        .name_singular
        .unwrap_or_else(|| object.name_singular.clone());
    let plural = input
        .name_plural
        .unwrap_or_else(|| object.name_plural.clone());
    if singular != object.name_singular || plural != object.name_plural {
        if !object.is_custom {
            return Err(not_allowed(format!(
                "Cannot rename standard object \"{}\"",
                object.name_singular
            )));
        }
        let others = objects.iter().filter(|o| o.id != id);
        validate_object_names(&singular, &plural, others)?;
        object.name_singular = singular;
        object.name_plural = plural;
    }
    if let Some(label) = input.label_singular {
        validate_label("Object singular label", &label)?;
        object.label_singular = label.trim().to_owned();
    }
    if let Some(label) = input.label_plural {
        validate_label("Object plural label", &label)?;
        object.label_plural = label.trim().to_owned();
    }
    object.description = update_text(&object.description, input.description);
    object.icon = update_text(&object.icon, input.icon);
    if let Some(active) = input.is_active
        && active != object.is_active
    {
        if object.is_system {
            return Err(not_allowed(format!(
                "Cannot change the visibility of system object \"{}\"",
                object.name_singular
            )));
        }
        object.is_active = active;
    }
    if let Some(field_id) = input.label_identifier_field_metadata_id {
        let Some(field) = object.fields.iter().find(|f| f.id == field_id) else {
            return Err(ValidationError::InvalidInput(format!(
                "label identifier {field_id} is not a field of object \"{}\"",
                object.name_singular
            ))
            .into());
        };
        if field.field_type == FieldType::Relation {
            return Err(ValidationError::InvalidInput(format!(
                "relation field \"{}\" cannot be the label identifier",
                field.name
            ))
            .into());
        }
        object.label_identifier_field_metadata_id = Some(field_id);
    }
    objects[index] = object.clone();
    Ok(object)
}

/// Deletes a custom object with its fields and every relation field of other objects that
/// targets it. Returns the object as it was.
pub(crate) fn delete_object(
    objects: &mut Vec<ObjectMetadata>,
    id: Uuid,
) -> Result<ObjectMetadata, StoreError> {
    let index = object_index(objects, id)?;
    let object = objects[index].clone();
    if !object.is_custom {
        return Err(not_allowed(format!(
            "Cannot delete standard object \"{}\"; deactivate it instead",
            object.name_singular
        )));
    }
    objects.remove(index);
    for other in objects.iter_mut() {
        other
            .fields
            .retain(|f| f.relation_target_object_metadata_id != Some(id));
    }
    Ok(object)
}

fn not_allowed(message: String) -> StoreError {
    ValidationError::NotAllowed(message).into()
}
