//! Inputs of the role operations (Twenty's names and shapes, `twenty-client-sdk@2.43.0`).

use async_graphql::InputObject;
use serde::Serialize;

use crate::metadata_api::scalars::UuidScalar;

/// `createOneRole(createRoleInput:)`.
#[derive(InputObject, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct CreateRoleInput {
    /// Role id to use (a UUID; a fresh one when absent).
    pub id: Option<String>,
    /// Label, unique in the workspace.
    pub label: String,
    /// Description.
    pub description: Option<String>,
    /// Icon name.
    pub icon: Option<String>,
    /// Every settings flag.
    pub can_update_all_settings: Option<bool>,
    /// Every tool flag.
    pub can_access_all_tools: Option<bool>,
    /// Read every object's records (unless overridden).
    pub can_read_all_object_records: Option<bool>,
    /// Create and update every object's records (unless overridden).
    pub can_update_all_object_records: Option<bool>,
    /// Soft delete and restore every object's records (unless overridden).
    pub can_soft_delete_all_object_records: Option<bool>,
    /// Destroy every object's records (unless overridden).
    pub can_destroy_all_object_records: Option<bool>,
    /// Assignable to workspace members (default true).
    pub can_be_assigned_to_users: Option<bool>,
    /// Assignable to agents (default true).
    pub can_be_assigned_to_agents: Option<bool>,
    /// Assignable to API keys (default true).
    pub can_be_assigned_to_api_keys: Option<bool>,
}

/// `updateOneRole(updateRoleInput:)`.
#[derive(InputObject, Debug, Clone)]
pub struct UpdateRoleInput {
    /// The changes.
    pub update: UpdateRolePayload,
    /// The id of the role to update.
    pub id: UuidScalar,
}

/// The changes of `updateOneRole`; absent values are kept.
#[derive(InputObject, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRolePayload {
    /// Label.
    pub label: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Icon.
    pub icon: Option<String>,
    /// `canUpdateAllSettings`.
    pub can_update_all_settings: Option<bool>,
    /// `canAccessAllTools`.
    pub can_access_all_tools: Option<bool>,
    /// `canReadAllObjectRecords`.
    pub can_read_all_object_records: Option<bool>,
    /// `canUpdateAllObjectRecords`.
    pub can_update_all_object_records: Option<bool>,
    /// `canSoftDeleteAllObjectRecords`.
    pub can_soft_delete_all_object_records: Option<bool>,
    /// `canDestroyAllObjectRecords`.
    pub can_destroy_all_object_records: Option<bool>,
    /// `canBeAssignedToUsers`.
    pub can_be_assigned_to_users: Option<bool>,
    /// `canBeAssignedToAgents`.
    pub can_be_assigned_to_agents: Option<bool>,
    /// `canBeAssignedToApiKeys`.
    pub can_be_assigned_to_api_keys: Option<bool>,
}

/// `upsertObjectPermissions(upsertObjectPermissionsInput:)`.
#[derive(InputObject, Debug, Clone)]
pub struct UpsertObjectPermissionsInput {
    /// The role (a custom role).
    pub role_id: UuidScalar,
    /// One entry per object.
    pub object_permissions: Vec<ObjectPermissionInput>,
}

/// One object's override; null inherits the role-wide value.
#[derive(InputObject, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ObjectPermissionInput {
    /// The object.
    pub object_metadata_id: UuidScalar,
    /// `canReadObjectRecords`.
    pub can_read_object_records: Option<bool>,
    /// `canUpdateObjectRecords`.
    pub can_update_object_records: Option<bool>,
    /// `canSoftDeleteObjectRecords`.
    pub can_soft_delete_object_records: Option<bool>,
    /// `canDestroyObjectRecords`.
    pub can_destroy_object_records: Option<bool>,
}

/// `upsertFieldPermissions(upsertFieldPermissionsInput:)`.
#[derive(InputObject, Debug, Clone)]
pub struct UpsertFieldPermissionsInput {
    /// The role (a custom role).
    pub role_id: UuidScalar,
    /// One entry per field.
    pub field_permissions: Vec<FieldPermissionInput>,
}

/// One field's restriction (`false` restricts; both null removes the restriction).
#[derive(InputObject, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct FieldPermissionInput {
    /// The field's object.
    pub object_metadata_id: UuidScalar,
    /// The field.
    pub field_metadata_id: UuidScalar,
    /// `canReadFieldValue`.
    pub can_read_field_value: Option<bool>,
    /// `canUpdateFieldValue`.
    pub can_update_field_value: Option<bool>,
}

/// `upsertPermissionFlags(upsertPermissionFlagsInput:)`.
#[derive(InputObject, Debug, Clone)]
pub struct UpsertPermissionFlagsInput {
    /// The role (a custom role).
    pub role_id: UuidScalar,
    /// The role's complete set of flags (`PermissionFlagType` names; others are removed).
    pub permission_flag_keys: Vec<String>,
}
