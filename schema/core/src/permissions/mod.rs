//! Role-based permissions, as pure data: what one role may do, and the effective access to an
//! object or field computed the way Twenty does
//! (`WorkspacePermissionsCacheService.getObjectRecordPermissionsForRoles`,
//! `shared/reference/twenty-metadata-auth.md` §7.1–§7.4).
//!
//! The store loads a role's rows into a [`Permissions`]; the query compiler asks it before
//! compiling each root field; `/metadata` asks [`Permissions::has_flag`] for settings areas.

mod flags;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

pub use flags::PermissionFlag;

/// The four record capabilities on one object (Twenty's `canReadObjectRecords`,
/// `canUpdateObjectRecords`, `canSoftDeleteObjectRecords`, `canDestroyObjectRecords`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ObjectAccess {
    /// Select records.
    pub can_read: bool,
    /// Insert and update records (upserts too).
    pub can_update: bool,
    /// Soft delete and restore records.
    pub can_soft_delete: bool,
    /// Hard delete (destroy) records.
    pub can_destroy: bool,
}

impl ObjectAccess {
    /// Every capability.
    pub const ALL: ObjectAccess = ObjectAccess {
        can_read: true,
        can_update: true,
        can_soft_delete: true,
        can_destroy: true,
    };
}

/// One role's override for one object (a row of `objectPermission`); `None` inherits the
/// role-wide default (`canXAllObjectRecords`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ObjectOverride {
    /// `canReadObjectRecords`.
    pub can_read: Option<bool>,
    /// `canUpdateObjectRecords`.
    pub can_update: Option<bool>,
    /// `canSoftDeleteObjectRecords`.
    pub can_soft_delete: Option<bool>,
    /// `canDestroyObjectRecords`.
    pub can_destroy: Option<bool>,
}

/// One role's restriction on one field (a row of `fieldPermission`). Only an explicit `false`
/// restricts (Twenty: `canRead === false`); `None` means "as the object".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldOverride {
    /// `canReadFieldValue`.
    pub can_read: Option<bool>,
    /// `canUpdateFieldValue`.
    pub can_update: Option<bool>,
}

/// What an object is, as far as permissions care: its id, whether it is a system object
/// (always fully accessible, as in Twenty) and its `nameSingular` (workflow objects follow the
/// `WORKFLOWS` flag).
#[derive(Debug, Clone, Copy)]
pub struct ObjectKey<'a> {
    /// `objectMetadataId`.
    pub id: Uuid,
    /// `isSystem`.
    pub is_system: bool,
    /// `nameSingular`.
    pub name_singular: &'a str,
}

/// Objects whose record access follows `canUpdateAllSettings || WORKFLOWS` (Twenty).
const WORKFLOW_OBJECTS: [&str; 3] = ["workflow", "workflowRun", "workflowVersion"];

/// The effective permissions of one role (or of the system): role-wide defaults, per-object
/// and per-field overrides, and permission flags. Cheap to share (`Arc`) between requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Permissions {
    /// The role these were computed from (`None` for the system).
    pub role_id: Option<Uuid>,
    /// Internal callers (imports, seeds, workers acting as the system) bypass every check
    /// (Twenty's `shouldBypassPermissionChecks`).
    pub bypass: bool,
    /// `canUpdateAllSettings`: every settings flag.
    pub can_update_all_settings: bool,
    /// `canAccessAllTools`: every tool flag.
    pub can_access_all_tools: bool,
    /// Role-wide record capabilities (`canReadAllObjectRecords`, ...).
    pub all_objects: ObjectAccess,
    /// Per-object overrides, by `objectMetadataId`.
    pub objects: HashMap<Uuid, ObjectOverride>,
    /// Per-field restrictions, by `fieldMetadataId`.
    pub fields: HashMap<Uuid, FieldOverride>,
    /// Flags granted explicitly (`permissionFlag` rows).
    pub flags: BTreeSet<PermissionFlag>,
}

impl Permissions {
    /// Everything allowed, no checks: for [`crate::Actor::System`] sessions.
    pub fn all() -> Permissions {
        Permissions {
            role_id: None,
            bypass: true,
            can_update_all_settings: true,
            can_access_all_tools: true,
            all_objects: ObjectAccess::ALL,
            ..Permissions::default()
        }
    }

    /// Nothing allowed (a safe default for a principal without a role).
    pub fn none() -> Permissions {
        Permissions::default()
    }

    /// Whether the role has a settings or tool flag: `canUpdateAllSettings` grants every
    /// settings flag, `canAccessAllTools` every tool flag, else the flag must be granted
    /// (Twenty's `PermissionsService.userHasWorkspaceSettingPermission`).
    pub fn has_flag(&self, flag: PermissionFlag) -> bool {
        self.bypass
            || self.flags.contains(&flag)
            || if flag.is_tool() {
                self.can_access_all_tools
            } else {
                self.can_update_all_settings
            }
    }

    /// The record capabilities on an object: system objects allow everything; workflow
    /// objects follow `canUpdateAllSettings || WORKFLOWS`; otherwise each capability is the
    /// object's override, or the role-wide default when the override is unset.
    pub fn object(&self, object: ObjectKey<'_>) -> ObjectAccess {
        if self.bypass || object.is_system {
            return ObjectAccess::ALL;
        }
        if WORKFLOW_OBJECTS.contains(&object.name_singular) {
            let all =
                self.can_update_all_settings || self.flags.contains(&PermissionFlag::Workflows);
            return ObjectAccess {
                can_read: all,
                can_update: all,
                can_soft_delete: all,
                can_destroy: all,
            };
        }
        let o = self.objects.get(&object.id).copied().unwrap_or_default();
        let d = self.all_objects;
        ObjectAccess {
            can_read: o.can_read.unwrap_or(d.can_read),
            can_update: o.can_update.unwrap_or(d.can_update),
            can_soft_delete: o.can_soft_delete.unwrap_or(d.can_soft_delete),
            can_destroy: o.can_destroy.unwrap_or(d.can_destroy),
        }
    }

    /// Whether a field's value may be read (false only when restricted explicitly).
    pub fn can_read_field(&self, field_id: Uuid) -> bool {
        self.bypass || self.fields.get(&field_id).and_then(|f| f.can_read) != Some(false)
    }

    /// Whether a field's value may be written (false only when restricted explicitly).
    pub fn can_update_field(&self, field_id: Uuid) -> bool {
        self.bypass || self.fields.get(&field_id).and_then(|f| f.can_update) != Some(false)
    }
}

impl Permissions {
    /// Whether `self` grants nothing that `caller` lacks, over the given objects and fields and
    /// the role-wide values (used so a caller without the `ROLES` flag cannot bind an API key to
    /// a stronger role than its own: Twenty's API-key privilege-escalation rule).
    pub fn is_within<'a>(
        &self,
        caller: &Permissions,
        objects: impl IntoIterator<Item = ObjectKey<'a>>,
        fields: impl IntoIterator<Item = Uuid>,
    ) -> bool {
        if caller.bypass {
            return true;
        }
        if self.bypass {
            return false;
        }
        let implies = |a: bool, b: bool| !a || b;
        let access_within = |a: ObjectAccess, b: ObjectAccess| {
            implies(a.can_read, b.can_read)
                && implies(a.can_update, b.can_update)
                && implies(a.can_soft_delete, b.can_soft_delete)
                && implies(a.can_destroy, b.can_destroy)
        };
        implies(self.can_update_all_settings, caller.can_update_all_settings)
            && implies(self.can_access_all_tools, caller.can_access_all_tools)
            && access_within(self.all_objects, caller.all_objects)
            && PermissionFlag::ALL
                .into_iter()
                .all(|f| implies(self.has_flag(f), caller.has_flag(f)))
            && objects
                .into_iter()
                .all(|o| access_within(self.object(o), caller.object(o)))
            && fields.into_iter().all(|f| {
                implies(self.can_read_field(f), caller.can_read_field(f))
                    && implies(self.can_update_field(f), caller.can_update_field(f))
            })
    }
}
