//! Writing a change's metadata rows: the difference between the metadata before and after,
//! as DELETE / UPDATE / INSERT statements on `objectMetadata` and `fieldMetadata`.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use sea_query::Value;
use tessera_core::WorkspaceId;
use tessera_metadata::{FieldMetadata, ObjectMetadata};
use uuid::Uuid;

use crate::StoreError;
use crate::metadata_rows::{FIELD_COLUMNS, OBJECT_COLUMNS, field_row, object_row};
use crate::sql::ident;
use crate::sys::Sys;

/// Writes the rows that differ between `old` and `new`: deleted fields and objects first,
/// then updated objects, new objects, then new and updated fields. New rows are placed last
/// (`position` = the current maximum + 1).
pub(crate) async fn persist<C: ConnectionTrait>(
    conn: &C,
    sys: Sys,
    ws: WorkspaceId,
    old: &[ObjectMetadata],
    new: &[ObjectMetadata],
) -> Result<(), StoreError> {
    let old_objects: HashMap<Uuid, &ObjectMetadata> = old.iter().map(|o| (o.id, o)).collect();
    let new_objects: HashMap<Uuid, &ObjectMetadata> = new.iter().map(|o| (o.id, o)).collect();
    let fields = |objects: &[ObjectMetadata]| -> HashMap<Uuid, FieldMetadata> {
        objects
            .iter()
            .flat_map(|o| {
                o.fields.iter().map(|f| {
                    let f = FieldMetadata {
                        object_metadata_id: o.id,
                        ..f.clone()
                    };
                    (f.id, f)
                })
            })
            .collect()
    };
    let old_fields = fields(old);
    let new_fields = fields(new);
    let rows = Rows { sys, ws };

    for field in old.iter().flat_map(|o| &o.fields) {
        if !new_fields.contains_key(&field.id) {
            rows.delete(conn, "fieldMetadata", "id", field.id).await?;
        }
    }
    for object in old {
        if !new_objects.contains_key(&object.id) {
            rows.delete(conn, "fieldMetadata", "objectMetadataId", object.id)
                .await?;
            rows.delete(conn, "objectMetadata", "id", object.id).await?;
        }
    }
    for object in new {
        match old_objects.get(&object.id) {
            Some(before) if same_object(before, object) => {}
            Some(_) => {
                let values = object_row(sys, ws, object, 0)?;
                rows.update(conn, "objectMetadata", &OBJECT_COLUMNS, values, object.id)
                    .await?;
            }
            None => {
                let values = object_row(sys, ws, object, 0)?;
                rows.insert(
                    conn,
                    "objectMetadata",
                    &OBJECT_COLUMNS,
                    values,
                    "workspaceId",
                )
                .await?;
            }
        }
    }
    for object in new {
        for field in &object.fields {
            let Some(field) = new_fields.get(&field.id) else {
                continue;
            };
            let values = field_row(sys, ws, field, 0)?;
            match old_fields.get(&field.id) {
                Some(before) if before == field => {}
                Some(_) => {
                    rows.update(conn, "fieldMetadata", &FIELD_COLUMNS, values, field.id)
                        .await?;
                }
                None => {
                    rows.insert(
                        conn,
                        "fieldMetadata",
                        &FIELD_COLUMNS,
                        values,
                        "objectMetadataId",
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// Whether two objects' own columns (not their fields) are equal.
fn same_object(a: &ObjectMetadata, b: &ObjectMetadata) -> bool {
    ObjectMetadata {
        fields: Vec::new(),
        ..a.clone()
    } == ObjectMetadata {
        fields: Vec::new(),
        ..b.clone()
    }
}

/// Statement helpers for one workspace's metadata rows.
#[derive(Clone, Copy)]
struct Rows {
    sys: Sys,
    ws: WorkspaceId,
}

/// Columns never rewritten by an UPDATE.
const FIXED: [&str; 3] = ["id", "workspaceId", "position"];

impl Rows {
    async fn delete<C: ConnectionTrait>(
        self,
        conn: &C,
        table: &str,
        column: &str,
        id: Uuid,
    ) -> Result<(), StoreError> {
        let sys = self.sys;
        let sql = format!(
            "DELETE FROM {} WHERE {} = {} AND \"workspaceId\" = {}",
            sys.table(table),
            ident(column),
            sys.p(1),
            sys.p(2)
        );
        conn.execute_raw(sys.stmt(sql, vec![sys.uuid(id), sys.uuid(self.ws.0)]))
            .await?;
        Ok(())
    }

    async fn update<C: ConnectionTrait>(
        self,
        conn: &C,
        table: &str,
        columns: &[&str],
        values: Vec<Value>,
        id: Uuid,
    ) -> Result<(), StoreError> {
        let sys = self.sys;
        let mut sets = Vec::new();
        let mut bound = Vec::new();
        for (column, value) in columns.iter().zip(values) {
            if FIXED.contains(column) {
                continue;
            }
            bound.push(value);
            sets.push(format!("{} = {}", ident(column), sys.p(bound.len())));
        }
        sets.push(format!("\"updatedAt\" = {}", sys.now()));
        bound.push(sys.uuid(id));
        bound.push(sys.uuid(self.ws.0));
        let sql = format!(
            "UPDATE {} SET {} WHERE \"id\" = {} AND \"workspaceId\" = {}",
            sys.table(table),
            sets.join(", "),
            sys.p(bound.len() - 1),
            sys.p(bound.len())
        );
        conn.execute_raw(sys.stmt(sql, bound)).await?;
        Ok(())
    }

    /// Inserts one row placed after the rows sharing its `group` column (`workspaceId` for
    /// objects, `objectMetadataId` for fields).
    async fn insert<C: ConnectionTrait>(
        self,
        conn: &C,
        table: &str,
        columns: &[&str],
        values: Vec<Value>,
        group: &str,
    ) -> Result<(), StoreError> {
        let sys = self.sys;
        let group_index = columns
            .iter()
            .position(|c| *c == group)
            .ok_or_else(|| StoreError::corrupt(format!("{table} has no column {group}")))?;
        let mut exprs = Vec::new();
        let mut bound = Vec::new();
        for (column, value) in columns.iter().zip(values) {
            if *column == "position" {
                exprs.push(String::new());
                continue;
            }
            bound.push(value);
            exprs.push(sys.p(bound.len()));
        }
        let group_param = exprs[group_index].clone();
        for (column, expr) in columns.iter().zip(exprs.iter_mut()) {
            if *column == "position" {
                *expr = format!(
                    "(SELECT COALESCE(MAX(\"position\"), -1) + 1 FROM {} WHERE {} = {group_param})",
                    sys.table(table),
                    ident(group)
                );
            }
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            sys.table(table),
            crate::metadata_rows::column_list(columns),
            exprs.join(", ")
        );
        conn.execute_raw(sys.stmt(sql, bound)).await?;
        Ok(())
    }
}
