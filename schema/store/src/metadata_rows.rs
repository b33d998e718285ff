//! Rows of `objectMetadata` / `fieldMetadata`: writing a workspace's metadata and reading it
//! back in its original order (`position`).

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use sea_query::Value;
use tessera_core::WorkspaceId;
use tessera_metadata::{FieldMetadata, FieldType, ObjectMetadata};
use uuid::Uuid;

use crate::StoreError;
use crate::sys::Sys;

pub(crate) const OBJECT_COLUMNS: [&str; 15] = [
    "id",
    "workspaceId",
    "nameSingular",
    "namePlural",
    "labelSingular",
    "labelPlural",
    "description",
    "icon",
    "isCustom",
    "isSystem",
    "isActive",
    "labelIdentifierFieldMetadataId",
    "position",
    "indexes",
    "isLabelSyncedWithName",
];

pub(crate) const FIELD_COLUMNS: [&str; 20] = [
    "id",
    "workspaceId",
    "objectMetadataId",
    "name",
    "label",
    "type",
    "description",
    "icon",
    "isNullable",
    "isUnique",
    "isSystem",
    "isCustom",
    "isActive",
    "defaultValue",
    "options",
    "settings",
    "relationTargetObjectMetadataId",
    "relationTargetFieldMetadataId",
    "position",
    "isLabelSyncedWithName",
];

/// Rows per multi-row INSERT (keeps parameters well under SQLite's and PostgreSQL's limits).
const ROWS_PER_INSERT: usize = 200;

pub(crate) fn column_list(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| crate::sql::ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    sys: Sys,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let tuples: Vec<String> = (0..chunk.len())
            .map(|i| sys.tuple(i * columns.len() + 1, columns.len()))
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            sys.table(table),
            column_list(columns),
            tuples.join(", ")
        );
        let values = chunk.iter().flatten().cloned().collect();
        conn.execute_raw(sys.stmt(sql, values)).await?;
    }
    Ok(())
}

fn field_type_text(t: FieldType) -> Result<String, StoreError> {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StoreError::corrupt(format!("field type {t:?} has no name"))),
    }
}

fn position(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

/// The values of an `objectMetadata` row, in [`OBJECT_COLUMNS`] order.
pub(crate) fn object_row(
    sys: Sys,
    ws: WorkspaceId,
    o: &ObjectMetadata,
    position: i64,
) -> Result<Vec<Value>, StoreError> {
    let indexes = if o.indexes.is_empty() {
        None
    } else {
        Some(
            serde_json::to_value(&o.indexes)
                .map_err(|e| StoreError::corrupt(format!("indexes of {}: {e}", o.name_singular)))?,
        )
    };
    Ok(vec![
        sys.uuid(o.id),
        sys.uuid(ws.0),
        sys.text(&o.name_singular),
        sys.text(&o.name_plural),
        sys.text(&o.label_singular),
        sys.text(&o.label_plural),
        sys.opt_text(o.description.as_deref()),
        sys.opt_text(o.icon.as_deref()),
        sys.boolean(o.is_custom),
        sys.boolean(o.is_system),
        sys.boolean(o.is_active),
        sys.opt_uuid(o.label_identifier_field_metadata_id),
        sys.int(position),
        sys.json(indexes.as_ref()),
        sys.boolean(o.is_label_synced_with_name),
    ])
}

/// The values of a `fieldMetadata` row, in [`FIELD_COLUMNS`] order.
pub(crate) fn field_row(
    sys: Sys,
    ws: WorkspaceId,
    f: &FieldMetadata,
    position: i64,
) -> Result<Vec<Value>, StoreError> {
    let options = f
        .options
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| StoreError::corrupt(format!("options of {}: {e}", f.name)))?;
    Ok(vec![
        sys.uuid(f.id),
        sys.uuid(ws.0),
        sys.uuid(f.object_metadata_id),
        sys.text(&f.name),
        sys.text(&f.label),
        sys.text(field_type_text(f.field_type)?),
        sys.opt_text(f.description.as_deref()),
        sys.opt_text(f.icon.as_deref()),
        sys.boolean(f.is_nullable),
        sys.boolean(f.is_unique),
        sys.boolean(f.is_system),
        sys.boolean(f.is_custom),
        sys.boolean(f.is_active),
        sys.json(f.default_value.as_ref()),
        sys.json(options.as_ref()),
        sys.json(f.settings.as_ref()),
        sys.opt_uuid(f.relation_target_object_metadata_id),
        sys.opt_uuid(f.relation_target_field_metadata_id),
        sys.int(position),
        sys.boolean(f.is_label_synced_with_name),
    ])
}

/// Inserts the metadata rows of `objects` (fields keep their object's id as
/// `objectMetadataId`). Run inside the transaction that creates the workspace.
pub(crate) async fn insert<C: ConnectionTrait>(
    conn: &C,
    sys: Sys,
    ws: WorkspaceId,
    objects: &[ObjectMetadata],
) -> Result<(), StoreError> {
    let mut object_rows = Vec::with_capacity(objects.len());
    let mut field_rows = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        object_rows.push(object_row(sys, ws, o, position(i))?);
        for (j, f) in o.fields.iter().enumerate() {
            let f = FieldMetadata {
                object_metadata_id: o.id,
                ..f.clone()
            };
            field_rows.push(field_row(sys, ws, &f, position(j))?);
        }
    }
    insert_rows(conn, sys, "objectMetadata", &OBJECT_COLUMNS, object_rows).await?;
    insert_rows(conn, sys, "fieldMetadata", &FIELD_COLUMNS, field_rows).await?;
    Ok(())
}

/// Loads a workspace's objects with their fields, in stored order (`position`, then id),
/// inactive ones included.
pub(crate) async fn load<C: ConnectionTrait>(
    conn: &C,
    sys: Sys,
    ws: WorkspaceId,
) -> Result<Vec<ObjectMetadata>, StoreError> {
    let fields_sql = format!(
        "SELECT {} FROM {} WHERE \"workspaceId\" = {} ORDER BY \"objectMetadataId\", \"position\", \"id\"",
        column_list(&FIELD_COLUMNS),
        sys.table("fieldMetadata"),
        sys.p(1)
    );
    let mut fields: HashMap<Uuid, Vec<FieldMetadata>> = HashMap::new();
    for row in conn
        .query_all_raw(sys.stmt(fields_sql, vec![sys.uuid(ws.0)]))
        .await?
    {
        let type_text = sys.get_text(&row, "type")?;
        let field_type: FieldType = serde_json::from_value(serde_json::Value::String(type_text))
            .map_err(|e| StoreError::corrupt(format!("field type: {e}")))?;
        let options = sys
            .get_json(&row, "options")?
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| StoreError::corrupt(format!("field options: {e}")))?;
        let object_id = sys.get_uuid(&row, "objectMetadataId")?;
        fields.entry(object_id).or_default().push(FieldMetadata {
            id: sys.get_uuid(&row, "id")?,
            object_metadata_id: object_id,
            name: sys.get_text(&row, "name")?,
            label: sys.get_text(&row, "label")?,
            field_type,
            description: sys.get_opt_text(&row, "description")?,
            icon: sys.get_opt_text(&row, "icon")?,
            is_nullable: sys.get_bool(&row, "isNullable")?,
            is_unique: sys.get_bool(&row, "isUnique")?,
            is_system: sys.get_bool(&row, "isSystem")?,
            is_custom: sys.get_bool(&row, "isCustom")?,
            is_active: sys.get_bool(&row, "isActive")?,
            default_value: sys.get_json(&row, "defaultValue")?,
            options,
            settings: sys.get_json(&row, "settings")?,
            relation_target_object_metadata_id: sys
                .get_opt_uuid(&row, "relationTargetObjectMetadataId")?,
            relation_target_field_metadata_id: sys
                .get_opt_uuid(&row, "relationTargetFieldMetadataId")?,
            is_label_synced_with_name: sys.get_bool(&row, "isLabelSyncedWithName")?,
        });
    }
    let objects_sql = format!(
        "SELECT {} FROM {} WHERE \"workspaceId\" = {} ORDER BY \"position\", \"id\"",
        column_list(&OBJECT_COLUMNS),
        sys.table("objectMetadata"),
        sys.p(1)
    );
    let rows = conn
        .query_all_raw(sys.stmt(objects_sql, vec![sys.uuid(ws.0)]))
        .await?;
    rows.iter()
        .map(|row| {
            let id = sys.get_uuid(row, "id")?;
            Ok(ObjectMetadata {
                id,
                name_singular: sys.get_text(row, "nameSingular")?,
                name_plural: sys.get_text(row, "namePlural")?,
                label_singular: sys.get_text(row, "labelSingular")?,
                label_plural: sys.get_text(row, "labelPlural")?,
                description: sys.get_opt_text(row, "description")?,
                icon: sys.get_opt_text(row, "icon")?,
                is_custom: sys.get_bool(row, "isCustom")?,
                is_system: sys.get_bool(row, "isSystem")?,
                is_active: sys.get_bool(row, "isActive")?,
                label_identifier_field_metadata_id: sys
                    .get_opt_uuid(row, "labelIdentifierFieldMetadataId")?,
                fields: fields.remove(&id).unwrap_or_default(),
                is_label_synced_with_name: sys.get_bool(row, "isLabelSyncedWithName")?,
                indexes: sys
                    .get_json(row, "indexes")?
                    .map(serde_json::from_value)
                    .transpose()
                    .map_err(|e| StoreError::corrupt(format!("object indexes: {e}")))?
                    .unwrap_or_default(),
            })
        })
        .collect()
}
