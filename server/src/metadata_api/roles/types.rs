//! Output types of the role operations (Twenty's `Role`, `ObjectPermission`,
//! `FieldPermission`, `RolePermissionFlag`, `ApiKeyForRole`).

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value as Json, json};
use tessera_store::{
    ApiKeyRecord, FieldPermissionRecord, ObjectPermissionRecord, PermissionFlagRecord, RoleRecord,
};

use super::absent::{Agent, RowLevelPermissionPredicate, RowLevelPermissionPredicateGroup};
use crate::metadata_api::errors::{context, store};
use crate::metadata_api::scalars::{DateTimeScalar, JsonScalar, UuidScalar};
use crate::metadata_api::workspace_member::{WorkspaceMemberGql, members};

/// An instant as `/metadata` writes it: `2026-01-31T09:00:00.000Z`.
pub(crate) fn instant(t: DateTime<Utc>) -> DateTimeScalar {
    DateTimeScalar(t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// A role (Twenty's `Role`); lists resolve on demand from the store.
#[derive(Debug, Clone)]
pub struct RoleGql(pub RoleRecord);

#[Object(name = "Role")]
impl RoleGql {
    /// Role id.
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    /// Stable id across workspaces: the standard id of a default role, else the role id.
    async fn universal_identifier(&self) -> Option<UuidScalar> {
        Some(UuidScalar(self.0.standard_id.unwrap_or(self.0.id)))
    }
    /// Label, unique in the workspace.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// Description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Icon name.
    async fn icon(&self) -> Option<&str> {
        self.0.icon.as_deref()
    }
    /// `false` for the default roles (Admin, Member).
    async fn is_editable(&self) -> bool {
        self.0.is_editable
    }
    /// Assignable to workspace members.
    async fn can_be_assigned_to_users(&self) -> bool {
        self.0.can_be_assigned_to_users
    }
    /// Assignable to agents.
    async fn can_be_assigned_to_agents(&self) -> bool {
        self.0.can_be_assigned_to_agents
    }
    /// Assignable to API keys.
    async fn can_be_assigned_to_api_keys(&self) -> bool {
        self.0.can_be_assigned_to_api_keys
    }
    /// Members acting with this role (assigned, or without a role when this is the default).
    async fn workspace_members(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WorkspaceMemberGql>> {
        let mc = context(ctx)?;
        let ws = mc.session()?.workspace_id;
        let targets = mc.store.role_targets(ws).await.map_err(store)?;
        let default_role = mc.store.default_role_id(ws).await.map_err(store)?;
        let all = members(mc, ws, None).await?;
        Ok(all
            .into_iter()
            .filter(|m| {
                let own = targets
                    .iter()
                    .find(|t| t.workspace_member_id == Some(m.uuid()))
                    .map(|t| t.role_id);
                own.unwrap_or(default_role) == self.0.id
            })
            .collect())
    }
    /// AI agents with this role: always empty (Tessera has no agents).
    async fn agents(&self) -> Vec<Agent> {
        Vec::new()
    }
    /// API keys acting with this role (assigned, or without a role when this is Admin).
    async fn api_keys(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiKeyForRole>> {
        let mc = context(ctx)?;
        let ws = mc.session()?.workspace_id;
        let targets = mc.store.role_targets(ws).await.map_err(store)?;
        let admin = mc.store.admin_role_id(ws).await.map_err(store)?;
        let keys = mc.store.api_keys(ws).await.map_err(store)?;
        Ok(keys
            .into_iter()
            .filter(|k| {
                let own = targets
                    .iter()
                    .find(|t| t.api_key_id == Some(k.id))
                    .map(|t| t.role_id);
                own.unwrap_or(admin) == self.0.id
            })
            .map(ApiKeyForRole::from)
            .collect())
    }
    /// Every settings flag.
    async fn can_update_all_settings(&self) -> bool {
        self.0.can_update_all_settings
    }
    /// Every tool flag.
    async fn can_access_all_tools(&self) -> bool {
        self.0.can_access_all_tools
    }
    /// Role-wide read of records.
    async fn can_read_all_object_records(&self) -> bool {
        self.0.can_read_all_object_records
    }
    /// Role-wide create/update of records.
    async fn can_update_all_object_records(&self) -> bool {
        self.0.can_update_all_object_records
    }
    /// Role-wide soft delete/restore of records.
    async fn can_soft_delete_all_object_records(&self) -> bool {
        self.0.can_soft_delete_all_object_records
    }
    /// Role-wide destroy of records.
    async fn can_destroy_all_object_records(&self) -> bool {
        self.0.can_destroy_all_object_records
    }
    /// Flags granted explicitly.
    async fn permission_flags(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<RolePermissionFlag>>> {
        let mc = context(ctx)?;
        let ws = mc.session()?.workspace_id;
        let flags = mc
            .store
            .permission_flags(ws, self.0.id)
            .await
            .map_err(store)?;
        Ok(Some(
            flags.into_iter().map(RolePermissionFlag::from).collect(),
        ))
    }
    /// Object overrides, each with its `restrictedFields`.
    async fn object_permissions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<ObjectPermissionGql>>> {
        let mc = context(ctx)?;
        let ws = mc.session()?.workspace_id;
        let objects = mc
            .store
            .object_permissions(ws, self.0.id)
            .await
            .map_err(store)?;
        let fields = mc
            .store
            .field_permissions(ws, self.0.id)
            .await
            .map_err(store)?;
        Ok(Some(ObjectPermissionGql::list(&objects, &fields)))
    }
    /// Row-level predicates: always empty (Tessera has no row-level permissions).
    async fn row_level_permission_predicates(&self) -> Option<Vec<RowLevelPermissionPredicate>> {
        Some(Vec::new())
    }
    /// Row-level predicate groups: always empty (Tessera has no row-level permissions).
    async fn row_level_permission_predicate_groups(
        &self,
    ) -> Option<Vec<RowLevelPermissionPredicateGroup>> {
        Some(Vec::new())
    }
    /// Field restrictions.
    async fn field_permissions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<FieldPermissionGql>>> {
        let mc = context(ctx)?;
        let ws = mc.session()?.workspace_id;
        let fields = mc
            .store
            .field_permissions(ws, self.0.id)
            .await
            .map_err(store)?;
        Ok(Some(
            fields.into_iter().map(FieldPermissionGql::from).collect(),
        ))
    }
}

/// One role's access to one object (Twenty's `ObjectPermission`); `restrictedFields` maps a
/// field id to `{canRead, canUpdate}`.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "ObjectPermission")]
pub struct ObjectPermissionGql {
    /// The object.
    pub object_metadata_id: UuidScalar,
    /// `null` inherits the role-wide value.
    pub can_read_object_records: Option<bool>,
    /// `null` inherits the role-wide value.
    pub can_update_object_records: Option<bool>,
    /// `null` inherits the role-wide value.
    pub can_soft_delete_object_records: Option<bool>,
    /// `null` inherits the role-wide value.
    pub can_destroy_object_records: Option<bool>,
    /// `{ "<fieldMetadataId>": { "canRead": bool|null, "canUpdate": bool|null } }`.
    pub restricted_fields: Option<JsonScalar>,
    /// Row-level predicates on this object: always empty (Tessera has none).
    pub row_level_permission_predicates: Option<Vec<RowLevelPermissionPredicate>>,
    /// Row-level predicate groups on this object: always empty (Tessera has none).
    pub row_level_permission_predicate_groups: Option<Vec<RowLevelPermissionPredicateGroup>>,
}

impl ObjectPermissionGql {
    /// The object overrides with the field restrictions of each object.
    pub(crate) fn list(
        objects: &[ObjectPermissionRecord],
        fields: &[FieldPermissionRecord],
    ) -> Vec<ObjectPermissionGql> {
        objects
            .iter()
            .map(|o| {
                let restricted: Map<String, Json> = fields
                    .iter()
                    .filter(|f| f.object_metadata_id == o.object_metadata_id)
                    .map(|f| {
                        (
                            f.field_metadata_id.to_string(),
                            json!({"canRead": f.can_read_field_value, "canUpdate": f.can_update_field_value}),
                        )
                    })
                    .collect();
                ObjectPermissionGql {
                    object_metadata_id: UuidScalar(o.object_metadata_id),
                    can_read_object_records: o.can_read_object_records,
                    can_update_object_records: o.can_update_object_records,
                    can_soft_delete_object_records: o.can_soft_delete_object_records,
                    can_destroy_object_records: o.can_destroy_object_records,
                    restricted_fields: Some(JsonScalar(Json::Object(restricted))),
                    row_level_permission_predicates: Some(Vec::new()),
                    row_level_permission_predicate_groups: Some(Vec::new()),
                }
            })
            .collect()
    }
}

/// One role's restriction on one field (Twenty's `FieldPermission`).
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "FieldPermission")]
pub struct FieldPermissionGql {
    /// Row id.
    pub id: UuidScalar,
    /// The field's object.
    pub object_metadata_id: UuidScalar,
    /// The field.
    pub field_metadata_id: UuidScalar,
    /// The role.
    pub role_id: UuidScalar,
    /// `false` hides the field from the role.
    pub can_read_field_value: Option<bool>,
    /// `false` makes the field read-only for the role.
    pub can_update_field_value: Option<bool>,
}

impl From<FieldPermissionRecord> for FieldPermissionGql {
    fn from(f: FieldPermissionRecord) -> Self {
        FieldPermissionGql {
            id: UuidScalar(f.id),
            object_metadata_id: UuidScalar(f.object_metadata_id),
            field_metadata_id: UuidScalar(f.field_metadata_id),
            role_id: UuidScalar(f.role_id),
            can_read_field_value: f.can_read_field_value,
            can_update_field_value: f.can_update_field_value,
        }
    }
}

/// A flag granted to a role (Twenty's `RolePermissionFlag`).
#[derive(SimpleObject, Debug, Clone)]
pub struct RolePermissionFlag {
    /// Row id.
    pub id: UuidScalar,
    /// The role.
    pub role_id: UuidScalar,
    /// The flag (`PermissionFlagType` name).
    pub flag: String,
}

impl From<PermissionFlagRecord> for RolePermissionFlag {
    fn from(f: PermissionFlagRecord) -> Self {
        RolePermissionFlag {
            id: UuidScalar(f.id),
            role_id: UuidScalar(f.role_id),
            flag: f.flag,
        }
    }
}

/// An API key as listed on a role (Twenty's `ApiKeyForRole`).
#[derive(SimpleObject, Debug, Clone)]
pub struct ApiKeyForRole {
    /// Key id.
    pub id: UuidScalar,
    /// Name.
    pub name: String,
    /// Expiry.
    pub expires_at: DateTimeScalar,
    /// Revocation time, if revoked.
    pub revoked_at: Option<DateTimeScalar>,
}

impl From<ApiKeyRecord> for ApiKeyForRole {
    fn from(k: ApiKeyRecord) -> Self {
        ApiKeyForRole {
            id: UuidScalar(k.id),
            name: k.name,
            expires_at: instant(k.expires_at),
            revoked_at: k.revoked_at.map(instant),
        }
    }
}
