//! Roles and permissions of a workspace (system tables `role`, `roleTarget`,
//! `objectPermission`, `fieldPermission`, `permissionFlag`; Twenty's model,
//! `shared/reference/twenty-metadata-auth.md` §7): the default roles, reads, changes,
//! assignments to workspace members and API keys, and the per-session permission loading
//! (cached per (workspace, role, permissions version)).

mod defaults;
mod grants;
mod load;
mod read;
mod targets;
mod write;

use serde::Deserialize;
use tessera_core::{CodedError, ErrorCode};
use uuid::Uuid;

pub use defaults::{ADMIN_ROLE_STANDARD_ID, MEMBER_ROLE_STANDARD_ID};
pub(crate) use defaults::{assign_admin, insert_default_roles};
pub(crate) use load::PermissionsCache;

/// A row of `role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRecord {
    /// Role id.
    pub id: Uuid,
    /// Stable id of a default role ([`ADMIN_ROLE_STANDARD_ID`], [`MEMBER_ROLE_STANDARD_ID`]);
    /// `None` for custom roles.
    pub standard_id: Option<Uuid>,
    /// Display label, unique in the workspace.
    pub label: String,
    /// Description.
    pub description: Option<String>,
    /// UI icon name.
    pub icon: Option<String>,
    /// `false` for the default roles: their settings and permissions cannot change.
    pub is_editable: bool,
    /// Every settings flag.
    pub can_update_all_settings: bool,
    /// Every tool flag.
    pub can_access_all_tools: bool,
    /// Role-wide default for reading records.
    pub can_read_all_object_records: bool,
    /// Role-wide default for creating and updating records.
    pub can_update_all_object_records: bool,
    /// Role-wide default for soft-deleting and restoring records.
    pub can_soft_delete_all_object_records: bool,
    /// Role-wide default for destroying records.
    pub can_destroy_all_object_records: bool,
    /// Assignable to workspace members.
    pub can_be_assigned_to_users: bool,
    /// Assignable to agents.
    pub can_be_assigned_to_agents: bool,
    /// Assignable to API keys.
    pub can_be_assigned_to_api_keys: bool,
}

/// The settable columns of a role (Twenty's `CreateRoleInput` / `UpdateRolePayload`, same
/// camelCase names). `None` keeps the current value (update) or takes the default (create:
/// `false` for capabilities, `true` for `canBeAssignedTo*`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleInput {
    /// Role id to use on create (a fresh one when absent).
    pub id: Option<Uuid>,
    /// Label; required on create.
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

/// A row of `objectPermission`: one role's override on one object (`None` = inherit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectPermissionRecord {
    /// Row id.
    pub id: Uuid,
    /// The role.
    pub role_id: Uuid,
    /// The object.
    pub object_metadata_id: Uuid,
    /// `canReadObjectRecords`.
    pub can_read_object_records: Option<bool>,
    /// `canUpdateObjectRecords`.
    pub can_update_object_records: Option<bool>,
    /// `canSoftDeleteObjectRecords`.
    pub can_soft_delete_object_records: Option<bool>,
    /// `canDestroyObjectRecords`.
    pub can_destroy_object_records: Option<bool>,
}

/// One object override to upsert (Twenty's `ObjectPermissionInput`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectPermissionInput {
    /// The object.
    pub object_metadata_id: Uuid,
    /// `canReadObjectRecords` (`None` = inherit).
    pub can_read_object_records: Option<bool>,
    /// `canUpdateObjectRecords`.
    pub can_update_object_records: Option<bool>,
    /// `canSoftDeleteObjectRecords`.
    pub can_soft_delete_object_records: Option<bool>,
    /// `canDestroyObjectRecords`.
    pub can_destroy_object_records: Option<bool>,
}

/// A row of `fieldPermission`: one role's restriction on one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldPermissionRecord {
    /// Row id.
    pub id: Uuid,
    /// The role.
    pub role_id: Uuid,
    /// The field's object.
    pub object_metadata_id: Uuid,
    /// The field.
    pub field_metadata_id: Uuid,
    /// `canReadFieldValue` (`Some(false)` restricts).
    pub can_read_field_value: Option<bool>,
    /// `canUpdateFieldValue` (`Some(false)` restricts).
    pub can_update_field_value: Option<bool>,
}

/// One field restriction to upsert (Twenty's `FieldPermissionInput`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldPermissionInput {
    /// The field's object.
    pub object_metadata_id: Uuid,
    /// The field.
    pub field_metadata_id: Uuid,
    /// `canReadFieldValue`.
    pub can_read_field_value: Option<bool>,
    /// `canUpdateFieldValue`.
    pub can_update_field_value: Option<bool>,
}

/// A row of `permissionFlag` (Twenty's `RolePermissionFlag`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionFlagRecord {
    /// Row id.
    pub id: Uuid,
    /// The role.
    pub role_id: Uuid,
    /// The flag's wire name (`DATA_MODEL`, ...).
    pub flag: String,
}

/// A row of `roleTarget`: who holds a role (exactly one of the two ids is set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleTargetRecord {
    /// The role.
    pub role_id: Uuid,
    /// A workspace member (record of the workspace's `workspaceMember` object).
    pub workspace_member_id: Option<Uuid>,
    /// An API key.
    pub api_key_id: Option<Uuid>,
}

/// Why a role operation was refused. Messages follow Twenty's `PermissionsException`s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    /// No role with this id in the workspace (`ROLE_NOT_FOUND` → `NOT_FOUND`).
    #[error("Role not found")]
    NotFound(Uuid),
    /// Another role of the workspace has this label (`ROLE_LABEL_ALREADY_EXISTS` → `FORBIDDEN`).
    #[error("A role with this label already exists")]
    LabelExists,
    /// A default role (Admin, Member) cannot be changed (`ROLE_NOT_EDITABLE` → `FORBIDDEN`).
    #[error("Role is not editable")]
    NotEditable,
    /// The workspace's default role cannot be deleted (`DEFAULT_ROLE_CANNOT_BE_DELETED`).
    #[error("Default role cannot be deleted")]
    DefaultRoleCannotBeDeleted,
    /// The role's `canBeAssignedTo*` forbids this kind of target.
    #[error("Role cannot be assigned to {0}")]
    NotAssignable(&'static str),
    /// Invalid input (empty label, unknown flag, object or field of another workspace, ...).
    #[error("{0}")]
    Invalid(String),
}

impl CodedError for RoleError {
    fn code(&self) -> ErrorCode {
        match self {
            RoleError::NotFound(_) => ErrorCode::NotFound,
            RoleError::Invalid(_) => ErrorCode::BadUserInput,
            RoleError::LabelExists
            | RoleError::NotEditable
            | RoleError::DefaultRoleCannotBeDeleted
            | RoleError::NotAssignable(_) => ErrorCode::Forbidden,
        }
    }

    fn sub_code(&self) -> Option<&'static str> {
        Some(match self {
            RoleError::NotFound(_) => "ROLE_NOT_FOUND",
            RoleError::LabelExists => "ROLE_LABEL_ALREADY_EXISTS",
            RoleError::NotEditable => "ROLE_NOT_EDITABLE",
            RoleError::DefaultRoleCannotBeDeleted => "DEFAULT_ROLE_CANNOT_BE_DELETED",
            RoleError::NotAssignable(_) => "ROLE_CANNOT_BE_ASSIGNED",
            RoleError::Invalid(_) => "INVALID_ARG",
        })
    }
}

const ROLE_COLUMNS: &str = "\"id\", \"standardId\", \"label\", \"description\", \"icon\", \
     \"isEditable\", \"canUpdateAllSettings\", \"canAccessAllTools\", \"canReadAllObjectRecords\", \
     \"canUpdateAllObjectRecords\", \"canSoftDeleteAllObjectRecords\", \"canDestroyAllObjectRecords\", \
     \"canBeAssignedToUsers\", \"canBeAssignedToAgents\", \"canBeAssignedToApiKeys\"";
