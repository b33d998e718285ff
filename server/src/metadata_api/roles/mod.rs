//! Roles of `/metadata` (Twenty's `role.resolver.ts`, `shared/reference/twenty-metadata-auth.md`
//! §7.3): `getRoles`, `createOneRole`, `updateOneRole`, `deleteOneRole`,
//! `updateWorkspaceMemberRole`, `upsertObjectPermissions`, `upsertFieldPermissions`,
//! `upsertPermissionFlags`. Every operation needs the `ROLES` flag (Twenty's class-level
//! `SettingsPermissionGuard(ROLES)`).

mod absent;
mod inputs;
mod types;

use async_graphql::{Context, Object};
use tessera_core::{Actor, ErrorCode, PermissionFlag};
use tessera_store::{FieldPermissionInput, ObjectPermissionInput, RoleInput};

use super::errors::{ApiError, bad, coded, context, convert, require_flag, store};
use super::scalars::UuidScalar;
use super::workspace_member::{WorkspaceMemberGql, member};
use inputs::{
    CreateRoleInput, UpdateRoleInput, UpsertFieldPermissionsInput, UpsertObjectPermissionsInput,
    UpsertPermissionFlagsInput,
};
pub(crate) use types::instant;
pub use types::{FieldPermissionGql, ObjectPermissionGql, RoleGql, RolePermissionFlag};

/// Role queries of `/metadata`.
#[derive(Default)]
pub struct RolesQuery;

#[Object]
impl RolesQuery {
    /// Every role of the workspace (default roles first). Needs `ROLES`.
    async fn get_roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RoleGql>> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::Roles)?.workspace_id;
        let roles = mc.store.roles(ws).await.map_err(store)?;
        Ok(roles.into_iter().map(RoleGql).collect())
    }
}

/// Role mutations of `/metadata`; each is one transaction that also bumps the workspace's
/// permissions version, so every session sees the change on its next request.
#[derive(Default)]
pub struct RolesMutation;

#[Object]
impl RolesMutation {
    /// Creates a custom role. Errors: `FORBIDDEN` (`A role with this label already exists`),
    /// `BAD_USER_INPUT`.
    async fn create_one_role(
        &self,
        ctx: &Context<'_>,
        create_role_input: CreateRoleInput,
    ) -> async_graphql::Result<RoleGql> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::Roles)?.workspace_id;
        let input: RoleInput = convert(&create_role_input)?;
        let role = mc.store.create_role(ws, &input).await.map_err(store)?;
        Ok(RoleGql(role))
    }

    /// Changes a custom role. Errors: `NOT_FOUND`, `FORBIDDEN` (`Role is not editable`, label
    /// taken), `BAD_USER_INPUT`.
    async fn update_one_role(
        &self,
        ctx: &Context<'_>,
        update_role_input: UpdateRoleInput,
    ) -> async_graphql::Result<RoleGql> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::Roles)?.workspace_id;
        let input: RoleInput = convert(&update_role_input.update)?;
        let role = mc
            .store
            .update_role(ws, update_role_input.id.0, &input)
            .await
            .map_err(store)?;
        Ok(RoleGql(role))
    }

    /// Deletes a custom role (its members and keys move to the default role); returns its id.
    /// Errors: `NOT_FOUND`, `FORBIDDEN` (default or non-editable role).
    async fn delete_one_role(
        &self,
        ctx: &Context<'_>,
        role_id: UuidScalar,
    ) -> async_graphql::Result<String> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::Roles)?.workspace_id;
        let id = mc.store.delete_role(ws, role_id.0).await.map_err(store)?;
        Ok(id.hyphenated().to_string())
    }

    /// Gives a workspace member a role; returns the member. Errors: `NOT_FOUND` (member or
    /// role), `FORBIDDEN` (`Cannot update self role`, `Cannot unassign last admin`, role not
    /// assignable to users).
    async fn update_workspace_member_role(
        &self,
        ctx: &Context<'_>,
        workspace_member_id: UuidScalar,
        role_id: UuidScalar,
    ) -> async_graphql::Result<WorkspaceMemberGql> {
        let mc = context(ctx)?;
        let session = require_flag(mc, PermissionFlag::Roles)?;
        let ws = session.workspace_id;
        let member_id = workspace_member_id.0;
        if matches!(&session.actor, Actor::User { workspace_member_id, .. } if *workspace_member_id == member_id)
        {
            return Err(forbidden("Cannot update self role"));
        }
        let found = member(mc, ws, member_id).await?;
        let role = mc
            .store
            .role(ws, role_id.0)
            .await
            .map_err(store)?
            .ok_or_else(|| store(tessera_store::RoleError::NotFound(role_id.0).into()))?;
        let admin = mc.store.admin_role_id(ws).await.map_err(store)?;
        let current = mc
            .store
            .workspace_member_role_id(ws, member_id)
            .await
            .map_err(store)?;
        if current == admin && role.id != admin {
            let targets = mc.store.role_targets(ws).await.map_err(store)?;
            let admins = targets
                .iter()
                .filter(|t| t.workspace_member_id.is_some() && t.role_id == admin)
                .count();
            if admins <= 1 {
                return Err(forbidden("Cannot unassign last admin"));
            }
        }
        mc.store
            .assign_role_to_workspace_member(ws, member_id, role.id)
            .await
            .map_err(store)?;
        Ok(found)
    }

    /// Sets object overrides of a custom role; returns all of its object overrides.
    async fn upsert_object_permissions(
        &self,
        ctx: &Context<'_>,
        upsert_object_permissions_input: UpsertObjectPermissionsInput,
    ) -> async_graphql::Result<Vec<ObjectPermissionGql>> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::Roles)?.workspace_id;
        let role_id = upsert_object_permissions_input.role_id.0;
        let inputs = upsert_object_permissions_input
            .object_permissions
            .iter()
            .map(convert::<ObjectPermissionInput>)
            .collect::<async_graphql::Result<Vec<_>>>()?;
        let objects = mc
            .store
            .upsert_object_permissions(ws, role_id, &inputs)
            .await
            .map_err(store)?;
        let fields = mc
            .store
            .field_permissions(ws, role_id)
            .await
            .map_err(store)?;
        Ok(ObjectPermissionGql::list(&objects, &fields))
    }

    /// Sets field restrictions of a custom role; returns all of its field restrictions.
    async fn upsert_field_permissions(
        &self,
        ctx: &Context<'_>,
        upsert_field_permissions_input: UpsertFieldPermissionsInput,
    ) -> async_graphql::Result<Vec<FieldPermissionGql>> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::Roles)?.workspace_id;
        let inputs = upsert_field_permissions_input
            .field_permissions
            .iter()
            .map(convert::<FieldPermissionInput>)
            .collect::<async_graphql::Result<Vec<_>>>()?;
        let fields = mc
            .store
            .upsert_field_permissions(ws, upsert_field_permissions_input.role_id.0, &inputs)
            .await
            .map_err(store)?;
        Ok(fields.into_iter().map(FieldPermissionGql::from).collect())
    }

    /// Replaces the flags of a custom role. Errors: `BAD_USER_INPUT` for an unknown flag.
    async fn upsert_permission_flags(
        &self,
        ctx: &Context<'_>,
        upsert_permission_flags_input: UpsertPermissionFlagsInput,
    ) -> async_graphql::Result<Vec<RolePermissionFlag>> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::Roles)?.workspace_id;
        let flags = upsert_permission_flags_input
            .permission_flag_keys
            .iter()
            .map(|k| {
                PermissionFlag::parse(k)
                    .ok_or_else(|| bad(format!("Invalid permission flag \"{k}\"")))
            })
            .collect::<async_graphql::Result<Vec<_>>>()?;
        let rows = mc
            .store
            .upsert_permission_flags(ws, upsert_permission_flags_input.role_id.0, &flags)
            .await
            .map_err(store)?;
        Ok(rows.into_iter().map(RolePermissionFlag::from).collect())
    }
}

fn forbidden(message: &str) -> async_graphql::Error {
    coded(&ApiError {
        code: ErrorCode::Forbidden,
        message: message.to_owned(),
    })
}
