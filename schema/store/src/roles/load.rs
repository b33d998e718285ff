//! Loading a session's permissions: one small query finds the principal's role and the
//! workspace's permissions version (for an API key, in the same query as the key's row); the role's [`Permissions`] come from a cache keyed by
//! (workspace, role) and labelled with that version, reloaded (4 queries) when the version
//! moved. Every role change bumps `workspace.permissionsVersion` in its transaction, so every
//! server instance sees it on its next request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::ConnectionTrait;
use tessera_core::{
    FieldOverride, ObjectAccess, ObjectOverride, PermissionFlag, Permissions, WorkspaceId,
};
use uuid::Uuid;

use super::{ADMIN_ROLE_STANDARD_ID, RoleError};
use crate::ApiKeyRecord;
use crate::{Store, StoreError};

/// A role's permissions with the permissions version they were read at.
type Versioned = (i64, Arc<Permissions>);

/// Role permissions by (workspace, role), with the permissions version they were read at.
#[derive(Default)]
pub(crate) struct PermissionsCache {
    entries: Mutex<HashMap<(WorkspaceId, Uuid), Versioned>>,
}

impl PermissionsCache {
    fn get(&self, ws: WorkspaceId, role: Uuid, version: i64) -> Option<Arc<Permissions>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.get(&(ws, role)) {
            Some((v, p)) if *v == version => Some(p.clone()),
            _ => None,
        }
    }

    fn put(&self, ws: WorkspaceId, role: Uuid, version: i64, p: Arc<Permissions>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.get(&(ws, role)) {
            Some((v, _)) if *v > version => {}
            _ => {
                entries.insert((ws, role), (version, p));
            }
        }
    }
}

/// Who a session's role is looked up for (`Nobody` reads just the workspace's roles).
#[derive(Debug, Clone, Copy)]
enum Principal {
    ApiKey(Uuid),
    Member(Uuid),
    Nobody,
}

/// The role lookup of one principal: its role and the version to read its permissions at.
struct RoleLookup {
    role_id: Uuid,
    version: i64,
    /// The workspace's default role (members without a role).
    default_role: Uuid,
    /// The workspace's Admin role (API keys without a role).
    admin: Uuid,
    /// The API key row (API-key principals only; `None` when missing or deleted).
    key: Option<ApiKeyRecord>,
}

impl Store {
    /// The effective permissions of an API key's session: its assigned role, or Admin when the
    /// key has none (keys created before roles existed, or by the CLI without a role).
    ///
    /// One query when the role's permissions are cached at the current version.
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub async fn api_key_permissions(
        &self,
        ws: WorkspaceId,
        api_key_id: Uuid,
    ) -> Result<Arc<Permissions>, StoreError> {
        self.principal_permissions(ws, Principal::ApiKey(api_key_id))
            .await
    }

    /// The effective permissions of a workspace member's session (`Actor::User`): the role
    /// assigned with `updateWorkspaceMemberRole` (or [`Store::assign_role_to_workspace_member`]),
    /// else the workspace's default role (Member).
    ///
    /// One query when the role's permissions are cached at the current version.
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub async fn workspace_member_permissions(
        &self,
        ws: WorkspaceId,
        workspace_member_id: Uuid,
    ) -> Result<Arc<Permissions>, StoreError> {
        self.principal_permissions(ws, Principal::Member(workspace_member_id))
            .await
    }

    /// The id of the role an API key acts with (its own, else Admin).
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub async fn api_key_role_id(
        &self,
        ws: WorkspaceId,
        api_key_id: Uuid,
    ) -> Result<Uuid, StoreError> {
        Ok(self
            .lookup(ws, Principal::ApiKey(api_key_id))
            .await?
            .role_id)
    }

    /// The id of the role a workspace member acts with (its own, else the default role).
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub async fn workspace_member_role_id(
        &self,
        ws: WorkspaceId,
        workspace_member_id: Uuid,
    ) -> Result<Uuid, StoreError> {
        Ok(self
            .lookup(ws, Principal::Member(workspace_member_id))
            .await?
            .role_id)
    }

    /// The workspace's default role (given to members without a role): Member unless changed.
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub async fn default_role_id(&self, ws: WorkspaceId) -> Result<Uuid, StoreError> {
        Ok(self.lookup(ws, Principal::Nobody).await?.default_role)
    }

    /// An API key of `ws` (unless missing or soft-deleted; revoked and expired keys are
    /// returned, check [`ApiKeyRecord::is_usable_at`]) with the permissions it acts with (its
    /// role, else Admin): ONE query when the role's permissions are cached at the current
    /// permissions version. The server's auth calls this on every request.
    ///
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub async fn api_key_session(
        &self,
        ws: WorkspaceId,
        api_key_id: Uuid,
    ) -> Result<Option<(ApiKeyRecord, Arc<Permissions>)>, StoreError> {
        let lookup = self.lookup(ws, Principal::ApiKey(api_key_id)).await?;
        let Some(key) = lookup.key else {
            return Ok(None);
        };
        let permissions = self
            .cached_role_permissions(ws, lookup.role_id, lookup.version)
            .await?;
        Ok(Some((key, permissions)))
    }

    /// The workspace's Admin role (API keys without a role act with it).
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub async fn admin_role_id(&self, ws: WorkspaceId) -> Result<Uuid, StoreError> {
        Ok(self.lookup(ws, Principal::Nobody).await?.admin)
    }

    /// The permissions of one role at the workspace's current permissions version.
    /// Errors: [`StoreError::Role`] (`NOT_FOUND`), [`StoreError::Database`].
    pub async fn role_permissions(
        &self,
        ws: WorkspaceId,
        role_id: Uuid,
    ) -> Result<Arc<Permissions>, StoreError> {
        let version = self.permissions_version(ws).await?;
        self.cached_role_permissions(ws, role_id, version).await
    }

    async fn principal_permissions(
        &self,
        ws: WorkspaceId,
        principal: Principal,
    ) -> Result<Arc<Permissions>, StoreError> {
        let lookup = self.lookup(ws, principal).await?;
        self.cached_role_permissions(ws, lookup.role_id, lookup.version)
            .await
    }

    async fn cached_role_permissions(
        &self,
        ws: WorkspaceId,
        role_id: Uuid,
        version: i64,
    ) -> Result<Arc<Permissions>, StoreError> {
        if let Some(p) = self.inner.permissions.get(ws, role_id, version) {
            return Ok(p);
        }
        let p = Arc::new(self.load_role_permissions(ws, role_id).await?);
        self.inner.permissions.put(ws, role_id, version, p.clone());
        Ok(p)
    }

    pub(crate) async fn permissions_version(&self, ws: WorkspaceId) -> Result<i64, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT \"permissionsVersion\" FROM {} WHERE \"id\" = {} AND \"deletedAt\" IS NULL",
            sys.table("workspace"),
            sys.p(1)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.uuid(ws.0)]))
            .await?
            .ok_or(StoreError::WorkspaceNotFound(ws))?;
        sys.get_int(&row, "permissionsVersion")
    }

    /// One query: the principal's role target, the fallback role and the permissions version
    /// (creating the default roles first for a workspace older than roles).
    async fn lookup(
        &self,
        ws: WorkspaceId,
        principal: Principal,
    ) -> Result<RoleLookup, StoreError> {
        for _ in 0..2 {
            let sys = self.sys();
            let (column, id) = match principal {
                Principal::ApiKey(id) => ("apiKeyId", Some(id)),
                Principal::Member(id) => ("workspaceMemberId", Some(id)),
                Principal::Nobody => ("apiKeyId", None),
            };
            let with_key = matches!(principal, Principal::ApiKey(_));
            let (key_columns, key_join) = if with_key {
                (
                    "k.\"id\", k.\"workspaceId\", k.\"name\", k.\"expiresAt\", k.\"revokedAt\", \
                     k.\"createdAt\", k.\"updatedAt\", "
                        .to_owned(),
                    format!(
                        " LEFT JOIN {} k ON k.\"workspaceId\" = w.\"id\" AND k.\"id\" = {} AND k.\"deletedAt\" IS NULL",
                        sys.table("apiKey"),
                        sys.p(2)
                    ),
                )
            } else {
                (String::new(), String::new())
            };
            let sql = format!(
                "SELECT {key_columns}w.\"permissionsVersion\" AS v, w.\"defaultRoleId\" AS d, \
                 (SELECT t.\"roleId\" FROM {rt} t WHERE t.\"workspaceId\" = w.\"id\" AND t.\"{column}\" = {p2}) AS r, \
                 (SELECT a.\"id\" FROM {role} a WHERE a.\"workspaceId\" = w.\"id\" AND a.\"standardId\" = {p3}) AS a \
                 FROM {w} w{key_join} WHERE w.\"id\" = {p1} AND w.\"deletedAt\" IS NULL",
                rt = sys.table("roleTarget"),
                role = sys.table("role"),
                w = sys.table("workspace"),
                p1 = sys.p(1),
                p2 = sys.p(2),
                p3 = sys.p(3),
            );
            let row = self
                .backend()
                .system()
                .query_one_raw(sys.stmt(
                    sql,
                    vec![
                        sys.uuid(ws.0),
                        sys.opt_uuid(id),
                        sys.uuid(ADMIN_ROLE_STANDARD_ID),
                    ],
                ))
                .await?
                .ok_or(StoreError::WorkspaceNotFound(ws))?;
            let version = sys.get_int(&row, "v")?;
            let (Some(default_role), Some(admin)) =
                (sys.get_opt_uuid(&row, "d")?, sys.get_opt_uuid(&row, "a")?)
            else {
                self.ensure_default_roles(ws).await?;
                continue;
            };
            let own = sys.get_opt_uuid(&row, "r")?;
            let role_id = match principal {
                Principal::ApiKey(_) | Principal::Nobody => own.unwrap_or(admin),
                Principal::Member(_) => own.unwrap_or(default_role),
            };
            let key = if with_key && sys.get_opt_uuid(&row, "id")?.is_some() {
                Some(self.api_key_record(&row)?)
            } else {
                None
            };
            return Ok(RoleLookup {
                role_id,
                version,
                default_role,
                admin,
                key,
            });
        }
        Err(StoreError::corrupt("default roles cannot be created"))
    }

    /// Reads one role's row, object and field overrides and flags into [`Permissions`].
    async fn load_role_permissions(
        &self,
        ws: WorkspaceId,
        role_id: Uuid,
    ) -> Result<Permissions, StoreError> {
        let role = self
            .role(ws, role_id)
            .await?
            .ok_or(RoleError::NotFound(role_id))?;
        let objects = self.object_permissions(ws, role_id).await?;
        let fields = self.field_permissions(ws, role_id).await?;
        let flags = self.permission_flags(ws, role_id).await?;
        Ok(Permissions {
            role_id: Some(role.id),
            bypass: false,
            can_update_all_settings: role.can_update_all_settings,
            can_access_all_tools: role.can_access_all_tools,
            all_objects: ObjectAccess {
                can_read: role.can_read_all_object_records,
                can_update: role.can_update_all_object_records,
                can_soft_delete: role.can_soft_delete_all_object_records,
                can_destroy: role.can_destroy_all_object_records,
            },
            objects: objects
                .iter()
                .map(|o| {
                    (
                        o.object_metadata_id,
                        ObjectOverride {
                            can_read: o.can_read_object_records,
                            can_update: o.can_update_object_records,
                            can_soft_delete: o.can_soft_delete_object_records,
                            can_destroy: o.can_destroy_object_records,
                        },
                    )
                })
                .collect(),
            fields: fields
                .iter()
                .map(|f| {
                    (
                        f.field_metadata_id,
                        FieldOverride {
                            can_read: f.can_read_field_value,
                            can_update: f.can_update_field_value,
                        },
                    )
                })
                .collect(),
            flags: flags
                .iter()
                .filter_map(|f| PermissionFlag::parse(&f.flag))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keeps_the_newest_version() {
        let cache = PermissionsCache::default();
        let ws = WorkspaceId::new_random();
        let role = Uuid::new_v4();
        assert!(cache.get(ws, role, 1).is_none());
        cache.put(ws, role, 2, Arc::new(Permissions::none()));
        assert!(cache.get(ws, role, 2).is_some());
        assert!(cache.get(ws, role, 3).is_none(), "a newer version misses");
        cache.put(ws, role, 1, Arc::new(Permissions::all()));
        assert_eq!(
            cache.get(ws, role, 2).map(|p| p.bypass),
            Some(false),
            "an older read does not replace a newer entry"
        );
        assert!(cache.get(WorkspaceId::new_random(), role, 2).is_none());
    }
}
