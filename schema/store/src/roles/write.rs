//! Changes to roles, their permission rows and their assignments. Each change is one
//! transaction that also bumps the workspace's permissions version.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait};
use sea_query::Value;
use tessera_core::{PermissionFlag, WorkspaceId};
use tessera_query::RunError;
use uuid::Uuid;

use super::read::bump_version;
use super::{
    FieldPermissionInput, FieldPermissionRecord, ObjectPermissionInput, ObjectPermissionRecord,
    PermissionFlagRecord, RoleError, RoleInput, RoleRecord,
};
use crate::classify::classify;
use crate::sql::ident;
use crate::{Store, StoreError};

/// Who receives a role.
#[derive(Debug, Clone, Copy)]
enum Holder {
    Member(Uuid),
    ApiKey(Uuid),
}

/// Role columns settable through [`RoleInput`] (besides the label), with their create default.
fn role_values(input: &RoleInput) -> [(&'static str, Option<bool>, bool); 9] {
    [
        ("canUpdateAllSettings", input.can_update_all_settings, false),
        ("canAccessAllTools", input.can_access_all_tools, false),
        (
            "canReadAllObjectRecords",
            input.can_read_all_object_records,
            false,
        ),
        (
            "canUpdateAllObjectRecords",
            input.can_update_all_object_records,
            false,
        ),
        (
            "canSoftDeleteAllObjectRecords",
            input.can_soft_delete_all_object_records,
            false,
        ),
        (
            "canDestroyAllObjectRecords",
            input.can_destroy_all_object_records,
            false,
        ),
        ("canBeAssignedToUsers", input.can_be_assigned_to_users, true),
        (
            "canBeAssignedToAgents",
            input.can_be_assigned_to_agents,
            true,
        ),
        (
            "canBeAssignedToApiKeys",
            input.can_be_assigned_to_api_keys,
            true,
        ),
    ]
}

fn label_of(input: &RoleInput) -> Result<Option<String>, RoleError> {
    match input.label.as_deref().map(str::trim) {
        Some("") => Err(RoleError::Invalid("Role label cannot be empty".to_owned())),
        other => Ok(other.map(str::to_owned)),
    }
}

fn label_conflict(e: DbErr) -> StoreError {
    match classify(&e) {
        RunError::UniqueViolation { .. } => RoleError::LabelExists.into(),
        _ => StoreError::Database(e),
    }
}

impl Store {
    async fn begin(&self) -> Result<DatabaseTransaction, StoreError> {
        Ok(self.backend().system().begin().await?)
    }

    /// The role, which must exist in `ws`. Errors: [`RoleError::NotFound`].
    async fn existing_role(&self, ws: WorkspaceId, id: Uuid) -> Result<RoleRecord, StoreError> {
        Ok(self.role(ws, id).await?.ok_or(RoleError::NotFound(id))?)
    }

    /// The role, which must exist and be editable (custom). Errors: [`RoleError::NotFound`],
    /// [`RoleError::NotEditable`].
    async fn editable_role(&self, ws: WorkspaceId, id: Uuid) -> Result<RoleRecord, StoreError> {
        let role = self.existing_role(ws, id).await?;
        if !role.is_editable {
            return Err(RoleError::NotEditable.into());
        }
        Ok(role)
    }

    /// Creates a custom role (`isEditable: true`; capabilities default to `false`,
    /// `canBeAssignedTo*` to `true`).
    ///
    /// Errors: [`RoleError::Invalid`] (no or empty label), [`RoleError::LabelExists`],
    /// [`StoreError::Database`].
    pub async fn create_role(
        &self,
        ws: WorkspaceId,
        input: &RoleInput,
    ) -> Result<RoleRecord, StoreError> {
        let label = label_of(input)?
            .ok_or_else(|| RoleError::Invalid("Role label is required".to_owned()))?;
        self.roles(ws).await?;
        let sys = self.sys();
        let id = input.id.unwrap_or_else(Uuid::new_v4);
        let flags = role_values(input);
        let mut columns = vec![
            "id",
            "workspaceId",
            "label",
            "description",
            "icon",
            "isEditable",
        ];
        let mut values = vec![
            sys.uuid(id),
            sys.uuid(ws.0),
            sys.text(label),
            sys.opt_text(input.description.as_deref()),
            sys.opt_text(input.icon.as_deref()),
            sys.boolean(true),
        ];
        for (column, value, default) in flags {
            columns.push(column);
            values.push(sys.boolean(value.unwrap_or(default)));
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            sys.table("role"),
            columns
                .iter()
                .map(|c| ident(c))
                .collect::<Vec<_>>()
                .join(", "),
            sys.tuple(1, columns.len())
        );
        let txn = self.begin().await?;
        txn.execute_raw(sys.stmt(sql, values))
            .await
            .map_err(label_conflict)?;
        bump_version(&txn, sys, ws).await?;
        txn.commit().await?;
        self.existing_role(ws, id).await
    }

    /// Changes a custom role; absent values are kept.
    ///
    /// Errors: [`RoleError::NotFound`], [`RoleError::NotEditable`] (Admin, Member),
    /// [`RoleError::Invalid`], [`RoleError::LabelExists`], [`StoreError::Database`].
    pub async fn update_role(
        &self,
        ws: WorkspaceId,
        id: Uuid,
        input: &RoleInput,
    ) -> Result<RoleRecord, StoreError> {
        self.editable_role(ws, id).await?;
        let sys = self.sys();
        let mut sets: Vec<(&str, Value)> = Vec::new();
        if let Some(label) = label_of(input)? {
            sets.push(("label", sys.text(label)));
        }
        if let Some(d) = &input.description {
            sets.push(("description", sys.text(d.clone())));
        }
        if let Some(i) = &input.icon {
            sets.push(("icon", sys.text(i.clone())));
        }
        for (column, value, _) in role_values(input) {
            if let Some(v) = value {
                sets.push((column, sys.boolean(v)));
            }
        }
        let txn = self.begin().await?;
        if !sets.is_empty() {
            let assignments: Vec<String> = sets
                .iter()
                .enumerate()
                .map(|(i, (c, _))| format!("{} = {}", ident(c), sys.p(i + 1)))
                .collect();
            let n = sets.len();
            let sql = format!(
                "UPDATE {} SET {}, \"updatedAt\" = {} WHERE \"workspaceId\" = {} AND \"id\" = {}",
                sys.table("role"),
                assignments.join(", "),
                sys.now(),
                sys.p(n + 1),
                sys.p(n + 2)
            );
            let mut values: Vec<Value> = sets.into_iter().map(|(_, v)| v).collect();
            values.push(sys.uuid(ws.0));
            values.push(sys.uuid(id));
            txn.execute_raw(sys.stmt(sql, values))
                .await
                .map_err(label_conflict)?;
        }
        bump_version(&txn, sys, ws).await?;
        txn.commit().await?;
        self.existing_role(ws, id).await
    }

    /// Deletes a custom role; its members and API keys move to the workspace's default role.
    /// Returns the id.
    ///
    /// Errors: [`RoleError::NotFound`], [`RoleError::NotEditable`],
    /// [`RoleError::DefaultRoleCannotBeDeleted`], [`StoreError::Database`].
    pub async fn delete_role(&self, ws: WorkspaceId, id: Uuid) -> Result<Uuid, StoreError> {
        self.editable_role(ws, id).await?;
        let default_role = self.default_role_id(ws).await?;
        if default_role == id {
            return Err(RoleError::DefaultRoleCannotBeDeleted.into());
        }
        let sys = self.sys();
        let txn = self.begin().await?;
        let sql = format!(
            "UPDATE {} SET \"roleId\" = {}, \"updatedAt\" = {} WHERE \"workspaceId\" = {} AND \"roleId\" = {}",
            sys.table("roleTarget"),
            sys.p(1),
            sys.now(),
            sys.p(2),
            sys.p(3)
        );
        txn.execute_raw(sys.stmt(
            sql,
            vec![sys.uuid(default_role), sys.uuid(ws.0), sys.uuid(id)],
        ))
        .await?;
        for table in [
            "objectPermission",
            "fieldPermission",
            "permissionFlag",
            "role",
        ] {
            let column = if table == "role" { "id" } else { "roleId" };
            let sql = format!(
                "DELETE FROM {} WHERE \"workspaceId\" = {} AND {} = {}",
                sys.table(table),
                sys.p(1),
                ident(column),
                sys.p(2)
            );
            txn.execute_raw(sys.stmt(sql, vec![sys.uuid(ws.0), sys.uuid(id)]))
                .await?;
        }
        bump_version(&txn, sys, ws).await?;
        txn.commit().await?;
        Ok(id)
    }

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
