//! The indexes of a workspace's objects as `/metadata` lists them (Twenty's `Index`): the
//! ones that follow from fields (join columns of many-to-one relations, unique fields) and
//! the custom ones (`createOneIndex`).

use std::collections::HashMap;

use tessera_core::WorkspaceId;
use tessera_metadata::validate::physical_model;
use tessera_metadata::{FieldKind, IndexType, ObjectMetadata};
use uuid::Uuid;

use crate::StoreError;
use crate::ddl::{field_indexes, unique_column};

/// One index of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexListing {
    /// Id: stored for custom indexes; for field indexes a stable UUID v5 of the object id
    /// and the index name.
    pub id: Uuid,
    /// Physical index name.
    pub name: String,
    /// Created by `createOneIndex`.
    pub is_custom: bool,
    /// A unique index.
    pub is_unique: bool,
    /// `BTREE` or `GIN`.
    pub index_type: IndexType,
    /// `"deletedAt" IS NULL` for partial (unique) indexes.
    pub index_where_clause: Option<String>,
    /// The indexed fields, in order.
    pub fields: Vec<IndexFieldListing>,
    /// Creation instant of a custom index (RFC 3339); `None` for field indexes (they share
    /// their field's timestamps).
    pub created_at: Option<String>,
}

/// One field of an [`IndexListing`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFieldListing {
    /// Id (stored, or UUID v5 of the index id and position).
    pub id: Uuid,
    /// The field.
    pub field_metadata_id: Uuid,
    /// The composite sub-field indexed, if one.
    pub sub_field_name: Option<String>,
    /// Position in the index, from 0.
    pub order: usize,
}

const PARTIAL: &str = "\"deletedAt\" IS NULL";

/// Every index of every object of `objects` (inactive objects and fields included), by
/// object id: field indexes in field order, then custom indexes in creation order.
///
/// Errors: [`StoreError::Metadata`] when the metadata does not resolve.
pub fn list_indexes(
    ws: WorkspaceId,
    objects: &[ObjectMetadata],
) -> Result<HashMap<Uuid, Vec<IndexListing>>, StoreError> {
    let model = physical_model(ws, objects)?;
    let mut out = HashMap::new();
    for object in &model.objects {
        let mut list = Vec::new();
        for field in &object.fields {
            for def in field_indexes(object, field) {
                let id = Uuid::new_v5(&object.meta.id, def.name.as_bytes());
                let sub_field_name = match &field.kind {
                    FieldKind::Composite { .. } if def.unique => unique_column(field)
                        .and_then(|c| field.sub_field_of_column(&c.name))
                        .map(str::to_owned),
                    _ => None,
                };
                list.push(IndexListing {
                    id,
                    name: def.name,
                    is_custom: false,
                    is_unique: def.unique,
                    index_type: IndexType::Btree,
                    index_where_clause: def.partial.then(|| PARTIAL.to_owned()),
                    fields: vec![IndexFieldListing {
                        id: Uuid::new_v5(&id, b"0"),
                        field_metadata_id: field.meta.id,
                        sub_field_name,
                        order: 0,
                    }],
                    created_at: None,
                });
            }
        }
        let has_deleted_at = object.field("deletedAt").is_some();
        for index in &object.meta.indexes {
            list.push(IndexListing {
                id: index.id,
                name: index.name.clone(),
                is_custom: true,
                is_unique: index.is_unique,
                index_type: index.index_type,
                index_where_clause: (index.is_unique && has_deleted_at).then(|| PARTIAL.to_owned()),
                fields: index
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(order, f)| IndexFieldListing {
                        id: f.id,
                        field_metadata_id: f.field_metadata_id,
                        sub_field_name: f.sub_field_name.clone(),
                        order,
                    })
                    .collect(),
                created_at: Some(index.created_at.clone()),
            });
        }
        out.insert(object.meta.id, list);
    }
    Ok(out)
}
