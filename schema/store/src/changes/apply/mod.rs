//! Applying a change's input to the workspace's metadata, in memory: each function validates
//! its input ([`tessera_metadata::validate`]), changes the metadata set and returns the result
//! the store method answers with. Pure; the caller then checks the whole set and works out
//! the DDL from the before/after difference.

mod field;
mod index;
mod object;
mod relation;

pub(crate) use field::{create_field, delete_field, update_field};
pub(crate) use index::{create_index, delete_index, prune as prune_indexes};
pub(crate) use object::{create_object, delete_object, update_object};

use tessera_metadata::ObjectMetadata;
use uuid::Uuid;

use crate::StoreError;

/// Index of the object with this id. Errors: [`StoreError::ObjectNotFound`].
fn object_index(objects: &[ObjectMetadata], id: Uuid) -> Result<usize, StoreError> {
    objects
        .iter()
        .position(|o| o.id == id)
        .ok_or(StoreError::ObjectNotFound(id))
}

/// Indexes (object, field) of the field with this id. Errors: [`StoreError::FieldNotFound`].
fn field_index(objects: &[ObjectMetadata], id: Uuid) -> Result<(usize, usize), StoreError> {
    objects
        .iter()
        .enumerate()
        .find_map(|(oi, o)| o.fields.iter().position(|f| f.id == id).map(|fi| (oi, fi)))
        .ok_or(StoreError::FieldNotFound(id))
}

/// An optional text as stored: `None` for absent or blank.
fn clean(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// An update of an optional text: absent keeps `current`, blank clears it.
fn update_text(current: &Option<String>, update: Option<String>) -> Option<String> {
    match update {
        None => current.clone(),
        Some(text) => clean(Some(text)),
    }
}

#[cfg(test)]
mod tests;
