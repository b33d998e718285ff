//! Permission rows of a custom role: object overrides, field restrictions and flags. Each
//! change is one transaction that also bumps the workspace's permissions version.

use sea_orm::ConnectionTrait;
use tessera_core::{PermissionFlag, WorkspaceId};
use uuid::Uuid;

use super::read::bump_version;
use super::{
    FieldPermissionInput, FieldPermissionRecord, ObjectPermissionInput, ObjectPermissionRecord,
    PermissionFlagRecord, RoleError,
};
use crate::{Store, StoreError};

impl Store {
    /// Sets object overrides of a custom role (one row per object; `None` = inherit) and
    /// returns all of the role's object overrides.
    ///
    /// Errors: [`RoleError::NotFound`], [`RoleError::NotEditable`], [`RoleError::Invalid`]
    /// (an object of another workspace, or a capability granted on an object that cannot be
    /// read), [`StoreError::Database`].
    pub async fn upsert_object_permissions(
        &self,
        ws: WorkspaceId,
        role_id: Uuid,
        inputs: &[ObjectPermissionInput],
    ) -> Result<Vec<ObjectPermissionRecord>, StoreError> {
        self.editable_role(ws, role_id).await?;
        let sys = self.sys();
        let txn = self.begin().await?;
        for input in inputs {
            if !self
                .metadata_row_exists(&txn, ws, "objectMetadata", input.object_metadata_id, None)
                .await?
            {
                return Err(RoleError::Invalid(format!(
                    "Object metadata {} not found",
                    input.object_metadata_id
                ))
                .into());
            }
            let grants = [
                input.can_update_object_records,
                input.can_soft_delete_object_records,
                input.can_destroy_object_records,
            ];
            if input.can_read_object_records == Some(false) && grants.contains(&Some(true)) {
                return Err(RoleError::Invalid(
                    "Cannot grant update, soft delete or destroy on an object that cannot be read"
                        .to_owned(),
                )
                .into());
            }
            let sql = format!(
                "INSERT INTO {} (\"id\", \"workspaceId\", \"roleId\", \"objectMetadataId\", \
                 \"canReadObjectRecords\", \"canUpdateObjectRecords\", \"canSoftDeleteObjectRecords\", \
                 \"canDestroyObjectRecords\") VALUES {} ON CONFLICT (\"roleId\", \"objectMetadataId\") \
                 DO UPDATE SET \"canReadObjectRecords\" = excluded.\"canReadObjectRecords\", \
                 \"canUpdateObjectRecords\" = excluded.\"canUpdateObjectRecords\", \
                 \"canSoftDeleteObjectRecords\" = excluded.\"canSoftDeleteObjectRecords\", \
                 \"canDestroyObjectRecords\" = excluded.\"canDestroyObjectRecords\", \"updatedAt\" = {}",
                sys.table("objectPermission"),
                sys.tuple(1, 8),
                sys.now()
            );
            let values = vec![
                sys.uuid(Uuid::new_v4()),
                sys.uuid(ws.0),
                sys.uuid(role_id),
                sys.uuid(input.object_metadata_id),
                sys.opt_boolean(input.can_read_object_records),
                sys.opt_boolean(input.can_update_object_records),
                sys.opt_boolean(input.can_soft_delete_object_records),
                sys.opt_boolean(input.can_destroy_object_records),
            ];
            txn.execute_raw(sys.stmt(sql, values)).await?;
        }
        bump_version(&txn, sys, ws).await?;
        txn.commit().await?;
        self.object_permissions(ws, role_id).await
    }

    /// Sets field restrictions of a custom role (a row with both values unset is removed) and
    /// returns all of the role's field restrictions.
    ///
    /// Errors: [`RoleError::NotFound`], [`RoleError::NotEditable`], [`RoleError::Invalid`]
    /// (a field not of the given object of this workspace), [`StoreError::Database`].
    pub async fn upsert_field_permissions(
        &self,
        ws: WorkspaceId,
        role_id: Uuid,
        inputs: &[FieldPermissionInput],
    ) -> Result<Vec<FieldPermissionRecord>, StoreError> {
        self.editable_role(ws, role_id).await?;
        let sys = self.sys();
        let txn = self.begin().await?;
        for input in inputs {
            if !self
                .metadata_row_exists(
                    &txn,
                    ws,
                    "fieldMetadata",
                    input.field_metadata_id,
                    Some(input.object_metadata_id),
                )
                .await?
            {
                return Err(RoleError::Invalid(format!(
                    "Field metadata {} not found on object {}",
                    input.field_metadata_id, input.object_metadata_id
                ))
                .into());
            }
            if input.can_read_field_value.is_none() && input.can_update_field_value.is_none() {
                let sql = format!(
                    "DELETE FROM {} WHERE \"workspaceId\" = {} AND \"roleId\" = {} AND \"fieldMetadataId\" = {}",
                    sys.table("fieldPermission"),
                    sys.p(1),
                    sys.p(2),
                    sys.p(3)
                );
                txn.execute_raw(sys.stmt(
                    sql,
                    vec![
                        sys.uuid(ws.0),
                        sys.uuid(role_id),
                        sys.uuid(input.field_metadata_id),
                    ],
                ))
                .await?;
                continue;
            }
            let sql = format!(
                "INSERT INTO {} (\"id\", \"workspaceId\", \"roleId\", \"objectMetadataId\", \
                 \"fieldMetadataId\", \"canReadFieldValue\", \"canUpdateFieldValue\") VALUES {} \
                 ON CONFLICT (\"roleId\", \"fieldMetadataId\") DO UPDATE SET \
                 \"canReadFieldValue\" = excluded.\"canReadFieldValue\", \
                 \"canUpdateFieldValue\" = excluded.\"canUpdateFieldValue\", \"updatedAt\" = {}",
                sys.table("fieldPermission"),
                sys.tuple(1, 7),
                sys.now()
            );
            let values = vec![
                sys.uuid(Uuid::new_v4()),
                sys.uuid(ws.0),
                sys.uuid(role_id),
                sys.uuid(input.object_metadata_id),
                sys.uuid(input.field_metadata_id),
                sys.opt_boolean(input.can_read_field_value),
                sys.opt_boolean(input.can_update_field_value),
            ];
            txn.execute_raw(sys.stmt(sql, values)).await?;
        }
        bump_version(&txn, sys, ws).await?;
        txn.commit().await?;
        self.field_permissions(ws, role_id).await
    }

    /// Replaces the flags of a custom role with `flags` (Twenty's `upsertPermissionFlags`:
    /// flags not listed are removed) and returns them.
    ///
    /// Errors: [`RoleError::NotFound`], [`RoleError::NotEditable`], [`StoreError::Database`].
    pub async fn upsert_permission_flags(
        &self,
        ws: WorkspaceId,
        role_id: Uuid,
        flags: &[PermissionFlag],
    ) -> Result<Vec<PermissionFlagRecord>, StoreError> {
        self.editable_role(ws, role_id).await?;
        let sys = self.sys();
        let txn = self.begin().await?;
        let sql = format!(
            "DELETE FROM {} WHERE \"workspaceId\" = {} AND \"roleId\" = {}",
            sys.table("permissionFlag"),
            sys.p(1),
            sys.p(2)
        );
        txn.execute_raw(sys.stmt(sql, vec![sys.uuid(ws.0), sys.uuid(role_id)]))
            .await?;
        for flag in flags {
            let sql = format!(
                "INSERT INTO {} (\"id\", \"workspaceId\", \"roleId\", \"flag\") VALUES {} ON CONFLICT DO NOTHING",
                sys.table("permissionFlag"),
                sys.tuple(1, 4)
            );
            let values = vec![
                sys.uuid(Uuid::new_v4()),
                sys.uuid(ws.0),
                sys.uuid(role_id),
                sys.text(flag.as_str()),
            ];
            txn.execute_raw(sys.stmt(sql, values)).await?;
        }
        bump_version(&txn, sys, ws).await?;
        txn.commit().await?;
        self.permission_flags(ws, role_id).await
    }

    /// Whether a metadata row with `id` exists in `ws` (and, for fields, on `object`).
    async fn metadata_row_exists<C: ConnectionTrait>(
        &self,
        conn: &C,
        ws: WorkspaceId,
        table: &str,
        id: Uuid,
        object: Option<Uuid>,
    ) -> Result<bool, StoreError> {
        let sys = self.sys();
        let mut sql = format!(
            "SELECT \"id\" FROM {} WHERE \"workspaceId\" = {} AND \"id\" = {}",
            sys.table(table),
            sys.p(1),
            sys.p(2)
        );
        let mut values = vec![sys.uuid(ws.0), sys.uuid(id)];
        if let Some(object) = object {
            sql.push_str(&format!(" AND \"objectMetadataId\" = {}", sys.p(3)));
            values.push(sys.uuid(object));
        }
        Ok(conn.query_one_raw(sys.stmt(sql, values)).await?.is_some())
    }
}
