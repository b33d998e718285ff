//! Creating, changing and deleting roles. Each change is one transaction that also bumps the
//! workspace's permissions version.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait};
use sea_query::Value;
use tessera_core::WorkspaceId;
use tessera_query::RunError;
use uuid::Uuid;

use super::read::bump_version;
use super::{RoleError, RoleInput, RoleRecord};
use crate::classify::classify;
use crate::sql::ident;
use crate::{Store, StoreError};

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
    pub(super) async fn begin(&self) -> Result<DatabaseTransaction, StoreError> {
        Ok(self.backend().system().begin().await?)
    }

    /// The role, which must exist in `ws`. Errors: [`RoleError::NotFound`].
    pub(super) async fn existing_role(
        &self,
        ws: WorkspaceId,
        id: Uuid,
    ) -> Result<RoleRecord, StoreError> {
        Ok(self.role(ws, id).await?.ok_or(RoleError::NotFound(id))?)
    }

    /// The role, which must exist and be editable (custom). Errors: [`RoleError::NotFound`],
    /// [`RoleError::NotEditable`].
    pub(super) async fn editable_role(
        &self,
        ws: WorkspaceId,
        id: Uuid,
    ) -> Result<RoleRecord, StoreError> {
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
}
