//! Custom indexes: `createOneIndex` / `deleteOneIndex` (Twenty 2.43), and dropping an index
//! together with a field it covers.

use tessera_metadata::{
    CompositeType, CreateIndexInput, FieldType, IndexFieldMetadata, IndexMetadata, IndexType,
    ObjectMetadata, RelationType,
};
use uuid::Uuid;

use super::field::invalid;
use super::object_index;
use crate::StoreError;

/// Most fields one index may cover.
pub(crate) const MAX_INDEX_FIELDS: usize = 8;

/// Adds a custom index to its object. The fields must belong to the object and be active;
/// a composite field takes an optional `subFieldName` of its type; one-to-many relation
/// sides and rich text cannot be indexed; `GIN` needs exactly one MULTI_SELECT, ARRAY or
/// RAW_JSON field and cannot be unique; two custom indexes cannot cover the same fields.
/// The physical name is `IDX_` + the first 24 hex digits of the index id: unique in the
/// workspace and untouched by later renames of the table or its columns.
///
/// Errors: [`StoreError::ObjectNotFound`], `ValidationError::InvalidInput` naming the problem.
pub(crate) fn create_index(
    objects: &mut [ObjectMetadata],
    input: CreateIndexInput,
) -> Result<IndexMetadata, StoreError> {
    let oi = object_index(objects, input.object_metadata_id)?;
    let object = &objects[oi];
    if input.fields.is_empty() {
        return Err(invalid("An index needs at least one field"));
    }
    if input.fields.len() > MAX_INDEX_FIELDS {
        return Err(invalid(&format!(
            "An index covers at most {MAX_INDEX_FIELDS} fields"
        )));
    }
    let mut fields = Vec::with_capacity(input.fields.len());
    for entry in &input.fields {
        let Some(field) = object
            .fields
            .iter()
            .find(|f| f.id == entry.field_metadata_id)
        else {
            return Err(invalid(&format!(
                "Field {} does not belong to object \"{}\"",
                entry.field_metadata_id, object.name_singular
            )));
        };
        let path = format!("{}.{}", object.name_singular, field.name);
        if !field.is_active {
            return Err(invalid(&format!("Field \"{path}\" is inactive")));
        }
        if field.field_type == FieldType::RichText
            || (field.field_type == FieldType::Relation
                && field
                    .relation_settings()
                    .is_none_or(|r| r.relation_type != RelationType::ManyToOne))
        {
            return Err(invalid(&format!("Field \"{path}\" cannot be indexed")));
        }
        match (&entry.sub_field_name, CompositeType::of(field.field_type)) {
            (Some(sub), Some(composite)) => {
                if !composite.sub_fields.iter().any(|s| s.name == sub) {
                    return Err(invalid(&format!(
                        "Field \"{path}\" has no sub-field \"{sub}\""
                    )));
                }
            }
            (Some(sub), None) => {
                return Err(invalid(&format!(
                    "Field \"{path}\" is not composite; it has no sub-field \"{sub}\""
                )));
            }
            (None, _) => {}
        }
        let same = |f: &IndexFieldMetadata| {
            f.field_metadata_id == entry.field_metadata_id
                && f.sub_field_name == entry.sub_field_name
        };
        if fields.iter().any(same) {
            return Err(invalid(&format!("Field \"{path}\" is listed twice")));
        }
        if input.index_type == IndexType::Gin
            && !matches!(
                field.field_type,
                FieldType::MultiSelect | FieldType::Array | FieldType::RawJson
            )
        {
            return Err(invalid(&format!(
                "A GIN index needs a MULTI_SELECT, ARRAY or RAW_JSON field; \"{path}\" is {:?}",
                field.field_type
            )));
        }
        fields.push(IndexFieldMetadata {
            id: Uuid::new_v4(),
            field_metadata_id: entry.field_metadata_id,
            sub_field_name: entry.sub_field_name.clone(),
        });
    }
    if input.index_type == IndexType::Gin && (fields.len() != 1 || input.is_unique) {
        return Err(invalid(
            "A GIN index covers exactly one field and cannot be unique",
        ));
    }
    let key = |fs: &[IndexFieldMetadata]| -> Vec<(Uuid, Option<String>)> {
        fs.iter()
            .map(|f| (f.field_metadata_id, f.sub_field_name.clone()))
            .collect()
    };
    if object
        .indexes
        .iter()
        .any(|i| key(&i.fields) == key(&fields))
    {
        return Err(invalid(&format!(
            "Object \"{}\" already has an index on these fields",
            object.name_singular
        )));
    }
    let id = Uuid::new_v4();
    let index = IndexMetadata {
        id,
        name: format!("IDX_{}", &id.simple().to_string()[..24]),
        is_unique: input.is_unique,
        index_type: input.index_type,
        fields,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    objects[oi].indexes.push(index.clone());
    Ok(index)
}

/// Removes a custom index; returns it as it was.
///
/// Errors: [`StoreError::IndexNotFound`] when no custom index has this id (the indexes of
/// join columns and unique fields go with their fields).
pub(crate) fn delete_index(
    objects: &mut [ObjectMetadata],
    id: Uuid,
) -> Result<IndexMetadata, StoreError> {
    for object in objects.iter_mut() {
        if let Some(i) = object.indexes.iter().position(|x| x.id == id) {
            return Ok(object.indexes.remove(i));
        }
    }
    Err(StoreError::IndexNotFound(id))
}

/// Drops the custom indexes that cover a field the object no longer has (a deleted field
/// takes its indexes with it, as in Twenty).
pub(crate) fn prune(objects: &mut [ObjectMetadata]) {
    for object in objects.iter_mut() {
        let ids: Vec<Uuid> = object.fields.iter().map(|f| f.id).collect();
        object.indexes.retain(|index| {
            index
                .fields
                .iter()
                .all(|f| ids.contains(&f.field_metadata_id))
        });
    }
}
