//! Objects: create (custom object with its system fields), update, delete.

use tessera_metadata::standard::{ObjectBuilder, RelationSpec, add_relation, field};
use tessera_metadata::validate::{validate_label, validate_object_names};
use tessera_metadata::{
    CreateObjectInput, FieldType, ObjectMetadata, OnDelete, UpdateObjectInput, ValidationError,
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
    object.is_label_synced_with_name = input.is_label_synced_with_name;
    let id = object.id;
    objects.push(object);
    add_default_relations(objects)?;
    let index = object_index(objects, id)?;
    Ok(objects[index].clone())
}

/// The standard objects every custom object is linked to, with the one-to-many field the
/// custom object gets and its label (Twenty's
/// `build-default-relation-flat-field-metadatas-for-custom-object.util.ts`): each gets a
/// many-to-one field named after the custom object (`noteTarget.rocket`, join column
/// `rocketId`; `timelineActivity.targetRocket`), ON DELETE CASCADE, so notes, tasks, attachments, favorites and timeline
/// entries can point at its records.
pub(crate) const DEFAULT_RELATIONS: [(&str, &str, &str); 5] = [
    (
        "timelineActivity",
        "timelineActivities",
        "Timeline Activities",
    ),
    ("favorite", "favorites", "Favorites"),
    ("attachment", "attachments", "Attachments"),
    ("noteTarget", "noteTargets", "Notes"),
    ("taskTarget", "taskTargets", "Tasks"),
];

/// The many-to-one field a [`DEFAULT_RELATIONS`] object gets for custom object `singular`,
/// named like the standard ones: `timelineActivity.targetRocket`, `noteTarget.rocket`.
fn link_name(from: &str, singular: &str) -> String {
    if from == "timelineActivity" {
        format!("target{}", tessera_metadata::pascal_case(singular))
    } else {
        singular.to_owned()
    }
}

/// Adds [`DEFAULT_RELATIONS`] between the last object of `objects` (a new custom object) and
/// the standard objects present. Both sides are custom system fields (as in Twenty: hidden
/// from the data model settings, removed with the object).
///
/// Errors: `ValidationError::FieldNameTaken` when a standard object already has a field
/// named like the new object (or its join column).
fn add_default_relations(objects: &mut [ObjectMetadata]) -> Result<(), StoreError> {
    let Some(new) = objects.last() else {
        return Ok(());
    };
    let (singular, label, new_id) = (
        new.name_singular.clone(),
        new.label_singular.clone(),
        new.id,
    );
    for (from, inverse, inverse_label) in DEFAULT_RELATIONS {
        let Some(from_object) = objects.iter().find(|o| o.name_singular == from) else {
            continue;
        };
        let link = link_name(from, &singular);
        let join = format!("{link}Id");
        if from_object
            .fields
            .iter()
            .any(|f| f.name == link || f.name == join)
        {
            return Err(ValidationError::FieldNameTaken {
                object: from.to_owned(),
                name: link,
            }
            .into());
        }
        let spec = RelationSpec {
            from,
            field: &link,
            label: &label,
            to: &singular,
            inverse,
            inverse_label,
            on_delete: OnDelete::Cascade,
        };
        if !add_relation(objects, &spec) {
            return Err(ValidationError::FieldNameTaken {
                object: singular.clone(),
                name: inverse.to_owned(),
            }
            .into());
        }
        for object in objects.iter_mut() {
            if (object.name_singular == from || object.id == new_id)
                && let Some(field) = object.fields.last_mut()
            {
                field.is_custom = true;
                field.is_system = true;
            }
        }
    }
    Ok(())
}

/// After a custom object's rename from `old` to `new`, renames the many-to-one fields that
/// [`DEFAULT_RELATIONS`] gave the standard objects (`noteTarget.rocket` →
/// `noteTarget.spaceship`, join column `spaceshipId`).
fn rename_default_relations(objects: &mut [ObjectMetadata], id: Uuid, old: &str, new: &str) {
    for object in objects.iter_mut() {
        if !DEFAULT_RELATIONS
            .iter()
            .any(|(from, ..)| *from == object.name_singular)
        {
            continue;
        }
        let (old_link, new_link) = (
            link_name(&object.name_singular, old),
            link_name(&object.name_singular, new),
        );
        for field in &mut object.fields {
            if field.relation_target_object_metadata_id == Some(id) && field.name == old_link {
                field.name = new_link.clone();
                if let Some(mut settings) = field.relation_settings() {
                    settings.join_column_name = Some(format!("{new_link}Id"));
                    field.settings = serde_json::to_value(settings).ok();
                }
            }
        }
    }
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
    if let Some(synced) = input.is_label_synced_with_name {
        object.is_label_synced_with_name = synced;
    }
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
    let old_singular = objects[index].name_singular.clone();
    objects[index] = object.clone();
    if old_singular != object.name_singular {
        rename_default_relations(objects, id, &old_singular, &object.name_singular);
    }
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
