//! Role assignments (`roleTarget`): one role per workspace member and per API key.

use sea_orm::ConnectionTrait;
use tessera_core::WorkspaceId;
use uuid::Uuid;

use super::RoleError;
use super::read::bump_version;
use crate::{Store, StoreError};

/// Who receives a role.
#[derive(Debug, Clone, Copy)]
enum Holder {
    Member(Uuid),
    ApiKey(Uuid),
}

impl Store {
    /// Gives a workspace member a role (replacing its previous one). The caller checks that
    /// the member exists (its record lives in the workspace's data).
    ///
    /// Errors: [`RoleError::NotFound`], [`RoleError::NotAssignable`] (`canBeAssignedToUsers`
    /// is false), [`StoreError::Database`].
    pub async fn assign_role_to_workspace_member(
        &self,
        ws: WorkspaceId,
        workspace_member_id: Uuid,
        role_id: Uuid,
    ) -> Result<(), StoreError> {
        let role = self.existing_role(ws, role_id).await?;
        if !role.can_be_assigned_to_users {
            return Err(RoleError::NotAssignable("users").into());
        }
        let txn = self.begin().await?;
        self.assign(&txn, ws, Holder::Member(workspace_member_id), role_id)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Gives an API key a role (replacing its previous one).
    ///
    /// Errors: [`StoreError::ApiKeyNotFound`], [`RoleError::NotFound`],
    /// [`RoleError::NotAssignable`] (`canBeAssignedToApiKeys` is false), [`StoreError::Database`].
    pub async fn assign_role_to_api_key(
        &self,
        ws: WorkspaceId,
        api_key_id: Uuid,
        role_id: Uuid,
    ) -> Result<(), StoreError> {
        if self.api_key(ws, api_key_id).await?.is_none() {
            return Err(StoreError::ApiKeyNotFound(api_key_id));
        }
        self.api_key_assignable_role(ws, role_id).await?;
        let txn = self.begin().await?;
        self.assign(&txn, ws, Holder::ApiKey(api_key_id), role_id)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Checks that `role_id` exists and may be given to API keys.
    pub(crate) async fn api_key_assignable_role(
        &self,
        ws: WorkspaceId,
        role_id: Uuid,
    ) -> Result<(), StoreError> {
        let role = self.existing_role(ws, role_id).await?;
        if !role.can_be_assigned_to_api_keys {
            return Err(RoleError::NotAssignable("API keys").into());
        }
        Ok(())
    }

    /// Writes a role target inside `txn` and bumps the permissions version.
    pub(crate) async fn assign_api_key_role_in<C: ConnectionTrait>(
        &self,
        conn: &C,
        ws: WorkspaceId,
        api_key_id: Uuid,
        role_id: Uuid,
    ) -> Result<(), StoreError> {
        self.assign(conn, ws, Holder::ApiKey(api_key_id), role_id)
            .await
    }

    async fn assign<C: ConnectionTrait>(
        &self,
        conn: &C,
        ws: WorkspaceId,
        holder: Holder,
        role_id: Uuid,
    ) -> Result<(), StoreError> {
        let sys = self.sys();
        let (column, id) = match holder {
            Holder::Member(id) => ("workspaceMemberId", id),
            Holder::ApiKey(id) => ("apiKeyId", id),
        };
        let sql = format!(
            "INSERT INTO {} (\"id\", \"workspaceId\", \"roleId\", \"{column}\") VALUES {} \
             ON CONFLICT (\"workspaceId\", \"{column}\") DO UPDATE SET \"roleId\" = excluded.\"roleId\", \
             \"updatedAt\" = {}",
            sys.table("roleTarget"),
            sys.tuple(1, 4),
            sys.now()
        );
        let values = vec![
            sys.uuid(Uuid::new_v4()),
            sys.uuid(ws.0),
            sys.uuid(role_id),
            sys.uuid(id),
        ];
        conn.execute_raw(sys.stmt(sql, values)).await?;
        bump_version(conn, sys, ws).await
    }
}
