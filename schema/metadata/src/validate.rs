//! Validation of metadata changes: pure functions, no I/O (Twenty's rules,
//! `shared/reference/twenty-metadata-auth.md` §2.5; `validate-metadata-name.utils.ts`,
//! `is-valid-metadata-name.decorator.ts`, `validate-object-metadata-input.util.ts`).
//!
//! The store checks each input with the functions here, applies it, then checks the whole
//! resulting metadata set with [`validate_workspace`] (which also runs
//! [`WorkspaceModel::build`]) before touching the database.

mod graphql;
mod options;

use std::collections::HashMap;

use tessera_core::{CodedError, ErrorCode, WorkspaceId};

use crate::{MetadataError, ObjectMetadata, ObjectModel, WorkspaceModel};

pub use graphql::{graphql_type_names, validate_graphql_names};
pub use options::{build_options, default_rating_options, validate_options};

/// The longest name, and the longest table / column / enum type name (PostgreSQL keeps 63
/// bytes of an identifier and silently truncates the rest).
pub const MAX_NAME_LENGTH: usize = 63;

/// Names refused for objects and fields (`IsValidMetadataName`).
pub const RESERVED_NAMES: [&str; 8] = [
    "not", "or", "and", "Int", "Float", "Boolean", "String", "ID",
];

/// Names of the system fields every object has; refused for new fields.
pub const SYSTEM_FIELD_NAMES: [&str; 7] = [
    "id",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "position",
    "createdBy",
    "updatedBy",
];

/// A metadata change that is not allowed. Every variant is
/// [`ErrorCode::MetadataValidationFailed`] and its message names the problem.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// A name that does not match `^[a-z][a-zA-Z0-9]*$`, is too long or is reserved.
    #[error("{kind} name \"{name}\" is invalid: {reason}")]
    InvalidName {
        /// `Object` or `Field`.
        kind: NameKind,
        /// The name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A label that is empty after trimming.
    #[error("{what} must not be empty")]
    EmptyLabel {
        /// Which label (`Object singular label`, `Field label`, ...).
        what: String,
    },
    /// `nameSingular` equals `namePlural` (case-insensitively).
    #[error("The singular and plural names of an object must differ (\"{0}\")")]
    SameSingularPlural(String),
    /// Another object already uses the name as its singular or plural name.
    #[error("An object with the name \"{0}\" already exists")]
    ObjectNameTaken(String),
    /// The object already has a field (or join column) with this name.
    #[error("Field \"{object}.{name}\" already exists")]
    FieldNameTaken {
        /// The object's `nameSingular`.
        object: String,
        /// The taken name.
        name: String,
    },
    /// Two fields of an object would be stored in the same column.
    #[error("Column \"{column}\" of object \"{object}\" would hold two fields")]
    ColumnClash {
        /// The object's `nameSingular`.
        object: String,
        /// The column.
        column: String,
    },
    /// A table, column or enum type name would exceed 63 characters.
    #[error("The database name \"{0}\" would be longer than 63 characters; use a shorter name")]
    IdentifierTooLong(String),
    /// Two generated GraphQL types (or a generated and a built-in type) would share a name.
    #[error("The GraphQL type name \"{type_name}\" would be generated twice ({first}; {second})")]
    GraphqlNameClash {
        /// The clashing type name.
        type_name: String,
        /// What generates it first.
        first: String,
        /// What generates it again.
        second: String,
    },
    /// Options of a SELECT / MULTI_SELECT / RATING field are invalid.
    #[error("Invalid options for field \"{field}\": {reason}")]
    InvalidOptions {
        /// The field's name.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A relation's target object does not exist.
    #[error("Relation target object {0} does not exist")]
    UnknownRelationTarget(uuid::Uuid),
    /// A relation's target object is inactive.
    #[error("Relation target object \"{0}\" is not active")]
    InactiveRelationTarget(String),
    /// An input that does not fit the field (options on a TEXT field, a RELATION without a
    /// payload, settings that are not an object, ...).
    #[error("Invalid field input: {0}")]
    InvalidInput(String),
    /// A change that is refused outright (deleting a standard object, renaming a system
    /// field, deleting the label identifier, ...).
    #[error("{0}")]
    NotAllowed(String),
    /// Existing records prevent the change (NULLs for a required field, duplicates for a
    /// unique one). Nothing was changed.
    #[error("Cannot change field \"{object}.{field}\": {reason}")]
    ExistingData {
        /// The object's `nameSingular`.
        object: String,
        /// The field.
        field: String,
        /// What the data holds.
        reason: String,
    },
    /// The resulting metadata does not resolve into a model.
    #[error(transparent)]
    Model(#[from] MetadataError),
}

impl CodedError for ValidationError {
    fn code(&self) -> ErrorCode {
        ErrorCode::MetadataValidationFailed
    }
}

/// What a name names, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// An object's singular or plural name.
    Object,
    /// A field's name.
    Field,
}

impl std::fmt::Display for NameKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NameKind::Object => "Object",
            NameKind::Field => "Field",
        })
    }
}

/// Checks a name: `^[a-z][a-zA-Z0-9]*$`, at most 63 characters, not reserved (`not`, `or`,
/// `and`, `Int`, ...), and for fields not a system field name (`id`, `createdAt`, ...).
pub fn validate_name(kind: NameKind, name: &str) -> Result<(), ValidationError> {
    let invalid = |reason: &str| ValidationError::InvalidName {
        kind,
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    let mut chars = name.chars();
    match chars.next() {
        None => return Err(invalid("it is empty")),
        Some(c) if !c.is_ascii_lowercase() => {
            return Err(invalid("it must start with a lower-case letter (a-z)"));
        }
        Some(_) => {}
    }
    if !chars.all(|c| c.is_ascii_alphanumeric()) {
        return Err(invalid(
            "only letters and digits are allowed (^[a-z][a-zA-Z0-9]*$)",
        ));
    }
    if name.len() > MAX_NAME_LENGTH {
        return Err(invalid("it exceeds 63 characters"));
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(invalid("it is reserved"));
    }
    if kind == NameKind::Field && SYSTEM_FIELD_NAMES.contains(&name) {
        return Err(invalid("it is the name of a system field"));
    }
    Ok(())
}

/// Checks that a label is not empty after trimming. `what` names it in the message.
pub fn validate_label(what: &str, label: &str) -> Result<(), ValidationError> {
    if label.trim().is_empty() {
        return Err(ValidationError::EmptyLabel {
            what: what.to_owned(),
        });
    }
    Ok(())
}

/// Checks an object's singular and plural names: both valid names, different from each other
/// (case-insensitively), and not used by any of `others` as singular or plural name.
pub fn validate_object_names<'a>(
    singular: &str,
    plural: &str,
    others: impl IntoIterator<Item = &'a ObjectMetadata>,
) -> Result<(), ValidationError> {
    validate_name(NameKind::Object, singular)?;
    validate_name(NameKind::Object, plural)?;
    if singular.eq_ignore_ascii_case(plural) {
        return Err(ValidationError::SameSingularPlural(singular.to_owned()));
    }
    for other in others {
        for name in [singular, plural] {
            if other.name_singular == name || other.name_plural == name {
                return Err(ValidationError::ObjectNameTaken(name.to_owned()));
            }
        }
    }
    Ok(())
}

/// The API name Twenty derives from a label (`computeMetadataNameFromLabel`): letters and
/// digits only, camelCased, prefixed with `n` when it starts with a digit.
/// `"Launch Sites"` → `launchSites`, `"Rockets"` → `rockets`, `"2nd stage"` → `n2ndStage`.
pub fn name_from_label(label: &str) -> String {
    let cleaned: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let name = heck::ToLowerCamelCase::to_lower_camel_case(cleaned.trim());
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{name}")
    } else {
        name
    }
}

/// `objects` with every object and field marked active: the model of what physically exists
/// (inactive objects keep their tables, inactive fields their columns).
///
/// Errors: the same as [`WorkspaceModel::build`].
pub fn physical_model(
    workspace_id: WorkspaceId,
    objects: &[ObjectMetadata],
) -> Result<WorkspaceModel, MetadataError> {
    let mut all = objects.to_vec();
    for object in &mut all {
        object.is_active = true;
        for field in &mut object.fields {
            field.is_active = true;
        }
    }
    WorkspaceModel::build(workspace_id, 0, &all)
}

/// Checks one object's storage: field names and join columns (`companyId`) unique, every
/// column used by one field only, and table, column and enum type names at most 63
/// characters. Pass the object of a [`physical_model`] so inactive fields count too.
pub fn validate_object_storage(object: &ObjectModel) -> Result<(), ValidationError> {
    let name = object.singular();
    if object.table.len() > MAX_NAME_LENGTH {
        return Err(ValidationError::IdentifierTooLong(object.table.clone()));
    }
    let mut api_names: HashMap<&str, ()> = HashMap::new();
    for field in &object.fields {
        let mut names = vec![field.name()];
        if let crate::FieldKind::ManyToOne { join_column, .. } = &field.kind {
            names.push(join_column.name.as_str());
        }
        for n in names {
            if api_names.insert(n, ()).is_some() {
                return Err(ValidationError::FieldNameTaken {
                    object: name.to_owned(),
                    name: n.to_owned(),
                });
            }
        }
    }
    let mut columns: HashMap<&str, ()> = HashMap::new();
    for col in object.columns() {
        if columns.insert(col.name.as_str(), ()).is_some() {
            return Err(ValidationError::ColumnClash {
                object: name.to_owned(),
                column: col.name.clone(),
            });
        }
        for ident in std::iter::once(&col.name).chain(col.pg_enum_type.as_ref()) {
            if ident.len() > MAX_NAME_LENGTH {
                return Err(ValidationError::IdentifierTooLong(ident.clone()));
            }
        }
    }
    Ok(())
}

/// Checks a complete metadata set after a change: it resolves into a model
/// ([`WorkspaceModel::build`], also with inactive parts included), object names are unique
/// across singular and plural names, each object's storage is sound
/// ([`validate_object_storage`]) and no GraphQL type name is generated twice
/// ([`validate_graphql_names`]). Returns the (active) model.
pub fn validate_workspace(
    workspace_id: WorkspaceId,
    objects: &[ObjectMetadata],
) -> Result<WorkspaceModel, ValidationError> {
    let model = WorkspaceModel::build(workspace_id, 0, objects)?;
    let physical = physical_model(workspace_id, objects)?;
    let mut names: HashMap<&str, uuid::Uuid> = HashMap::new();
    for object in objects {
        for name in [&object.name_singular, &object.name_plural] {
            if let Some(other) = names.insert(name, object.id)
                && other != object.id
            {
                return Err(ValidationError::ObjectNameTaken(name.clone()));
            }
        }
    }
    for object in &physical.objects {
        validate_object_storage(object)?;
    }
    validate_label_sync(objects)?;
    validate_graphql_names(&model)?;
    Ok(model)
}

/// Objects and fields with `isLabelSyncedWithName` must carry the names computed from their
/// labels ([`name_from_label`]; Twenty's `validateNameAndLabelAreSyncOrThrow`).
///
/// Errors: [`ValidationError::InvalidInput`] naming the name, the label and the expected name.
pub fn validate_label_sync(objects: &[ObjectMetadata]) -> Result<(), ValidationError> {
    let check = |name: &str, label: &str| -> Result<(), ValidationError> {
        let expected = name_from_label(label);
        if name == expected {
            Ok(())
        } else {
            Err(ValidationError::InvalidInput(format!(
                "Name \"{name}\" is not synced with label \"{label}\" (expected \"{expected}\")"
            )))
        }
    };
    for object in objects {
        if object.is_label_synced_with_name {
            check(&object.name_singular, &object.label_singular)?;
            check(&object.name_plural, &object.label_plural)?;
        }
        for field in object.fields.iter().filter(|f| f.is_label_synced_with_name) {
            check(&field.name, &field.label)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
