//! Reads of roles, their permission rows and their targets. Every query is scoped to the
//! workspace.

use sea_orm::{ConnectionTrait, QueryResult};
use sea_query::Value;
use tessera_core::WorkspaceId;
use uuid::Uuid;

use super::{
    FieldPermissionRecord, ObjectPermissionRecord, PermissionFlagRecord, ROLE_COLUMNS, RoleRecord,
    RoleTargetRecord,
};
use crate::sys::Sys;
use crate::{Store, StoreError};

pub(super) fn role_record(sys: Sys, row: &QueryResult) -> Result<RoleRecord, StoreError> {
    Ok(RoleRecord {
        id: sys.get_uuid(row, "id")?,
        standard_id: sys.get_opt_uuid(row, "standardId")?,
        label: sys.get_text(row, "label")?,
        description: sys.get_opt_text(row, "description")?,
        icon: sys.get_opt_text(row, "icon")?,
        is_editable: sys.get_bool(row, "isEditable")?,
        can_update_all_settings: sys.get_bool(row, "canUpdateAllSettings")?,
        can_access_all_tools: sys.get_bool(row, "canAccessAllTools")?,
        can_read_all_object_records: sys.get_bool(row, "canReadAllObjectRecords")?,
        can_update_all_object_records: sys.get_bool(row, "canUpdateAllObjectRecords")?,
        can_soft_delete_all_object_records: sys.get_bool(row, "canSoftDeleteAllObjectRecords")?,
        can_destroy_all_object_records: sys.get_bool(row, "canDestroyAllObjectRecords")?,
        can_be_assigned_to_users: sys.get_bool(row, "canBeAssignedToUsers")?,
        can_be_assigned_to_agents: sys.get_bool(row, "canBeAssignedToAgents")?,
        can_be_assigned_to_api_keys: sys.get_bool(row, "canBeAssignedToApiKeys")?,
    })
}

impl Store {
    async fn rows(&self, sql: String, values: Vec<Value>) -> Result<Vec<QueryResult>, StoreError> {
        let sys = self.sys();
        Ok(self
            .backend()
            .system()
            .query_all_raw(sys.stmt(sql, values))
            .await?)
    }

    /// Every role of the workspace, default roles first then by label (creating the default
    /// roles of a workspace older than roles). Errors: [`StoreError::Database`].
    pub async fn roles(&self, ws: WorkspaceId) -> Result<Vec<RoleRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {ROLE_COLUMNS} FROM {} WHERE \"workspaceId\" = {} \
             ORDER BY \"isEditable\", \"label\", \"id\"",
            sys.table("role"),
            sys.p(1)
        );
        let mut rows = self.rows(sql.clone(), vec![sys.uuid(ws.0)]).await?;
        if rows.is_empty() {
            self.ensure_default_roles(ws).await?;
            rows = self.rows(sql, vec![sys.uuid(ws.0)]).await?;
        }
        rows.iter().map(|r| role_record(sys, r)).collect()
    }

    /// One role of the workspace. Errors: [`StoreError::Database`].
    pub async fn role(&self, ws: WorkspaceId, id: Uuid) -> Result<Option<RoleRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {ROLE_COLUMNS} FROM {} WHERE \"workspaceId\" = {} AND \"id\" = {}",
            sys.table("role"),
            sys.p(1),
            sys.p(2)
        );
        let rows = self.rows(sql, vec![sys.uuid(ws.0), sys.uuid(id)]).await?;
        rows.first().map(|r| role_record(sys, r)).transpose()
    }

    /// The object overrides of a role (empty for an unknown role), by object id.
    /// Errors: [`StoreError::Database`].
    pub async fn object_permissions(
        &self,
        ws: WorkspaceId,
        role_id: Uuid,
    ) -> Result<Vec<ObjectPermissionRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT \"id\", \"roleId\", \"objectMetadataId\", \"canReadObjectRecords\", \
             \"canUpdateObjectRecords\", \"canSoftDeleteObjectRecords\", \"canDestroyObjectRecords\" \
             FROM {} WHERE \"workspaceId\" = {} AND \"roleId\" = {} ORDER BY \"objectMetadataId\"",
            sys.table("objectPermission"),
            sys.p(1),
            sys.p(2)
        );
        let rows = self
            .rows(sql, vec![sys.uuid(ws.0), sys.uuid(role_id)])
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ObjectPermissionRecord {
                    id: sys.get_uuid(r, "id")?,
                    role_id: sys.get_uuid(r, "roleId")?,
                    object_metadata_id: sys.get_uuid(r, "objectMetadataId")?,
                    can_read_object_records: sys.get_opt_bool(r, "canReadObjectRecords")?,
                    can_update_object_records: sys.get_opt_bool(r, "canUpdateObjectRecords")?,
                    can_soft_delete_object_records: sys
                        .get_opt_bool(r, "canSoftDeleteObjectRecords")?,
                    can_destroy_object_records: sys.get_opt_bool(r, "canDestroyObjectRecords")?,
                })
            })
            .collect()
    }

    /// The field restrictions of a role, by field id. Errors: [`StoreError::Database`].
    pub async fn field_permissions(
        &self,
        ws: WorkspaceId,
        role_id: Uuid,
    ) -> Result<Vec<FieldPermissionRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT \"id\", \"roleId\", \"objectMetadataId\", \"fieldMetadataId\", \
             \"canReadFieldValue\", \"canUpdateFieldValue\" \
             FROM {} WHERE \"workspaceId\" = {} AND \"roleId\" = {} ORDER BY \"fieldMetadataId\"",
            sys.table("fieldPermission"),
            sys.p(1),
            sys.p(2)
        );
        let rows = self
            .rows(sql, vec![sys.uuid(ws.0), sys.uuid(role_id)])
            .await?;
        rows.iter()
            .map(|r| {
                Ok(FieldPermissionRecord {
                    id: sys.get_uuid(r, "id")?,
                    role_id: sys.get_uuid(r, "roleId")?,
                    object_metadata_id: sys.get_uuid(r, "objectMetadataId")?,
                    field_metadata_id: sys.get_uuid(r, "fieldMetadataId")?,
                    can_read_field_value: sys.get_opt_bool(r, "canReadFieldValue")?,
                    can_update_field_value: sys.get_opt_bool(r, "canUpdateFieldValue")?,
                })
            })
            .collect()
    }

    /// The flags granted to a role, by flag name. Errors: [`StoreError::Database`].
    pub async fn permission_flags(
        &self,
        ws: WorkspaceId,
        role_id: Uuid,
    ) -> Result<Vec<PermissionFlagRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT \"id\", \"roleId\", \"flag\" FROM {} WHERE \"workspaceId\" = {} AND \"roleId\" = {} \
             ORDER BY \"flag\"",
            sys.table("permissionFlag"),
            sys.p(1),
            sys.p(2)
        );
        let rows = self
            .rows(sql, vec![sys.uuid(ws.0), sys.uuid(role_id)])
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PermissionFlagRecord {
                    id: sys.get_uuid(r, "id")?,
                    role_id: sys.get_uuid(r, "roleId")?,
                    flag: sys.get_text(r, "flag")?,
                })
            })
            .collect()
    }

    /// Every role assignment of the workspace. Errors: [`StoreError::Database`].
    pub async fn role_targets(&self, ws: WorkspaceId) -> Result<Vec<RoleTargetRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT \"roleId\", \"workspaceMemberId\", \"apiKeyId\" FROM {} WHERE \"workspaceId\" = {} \
             ORDER BY \"createdAt\", \"id\"",
            sys.table("roleTarget"),
            sys.p(1)
        );
        let rows = self.rows(sql, vec![sys.uuid(ws.0)]).await?;
        rows.iter()
            .map(|r| {
                Ok(RoleTargetRecord {
                    role_id: sys.get_uuid(r, "roleId")?,
                    workspace_member_id: sys.get_opt_uuid(r, "workspaceMemberId")?,
                    api_key_id: sys.get_opt_uuid(r, "apiKeyId")?,
                })
            })
            .collect()
    }
}

/// Bumps the workspace's permissions version (inside the caller's transaction).
pub(super) async fn bump_version<C: ConnectionTrait>(
    conn: &C,
    sys: Sys,
    ws: WorkspaceId,
) -> Result<(), StoreError> {
    let sql = format!(
        "UPDATE {} SET \"permissionsVersion\" = \"permissionsVersion\" + 1 WHERE \"id\" = {}",
        sys.table("workspace"),
        sys.p(1)
    );
    conn.execute_raw(sys.stmt(sql, vec![sys.uuid(ws.0)]))
        .await?;
    Ok(())
}
