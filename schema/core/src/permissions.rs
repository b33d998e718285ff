//! Role-based permissions, as pure data: what one role may do, and the effective access to an
//! object or field computed the way Twenty does
//! (`WorkspacePermissionsCacheService.getObjectRecordPermissionsForRoles`,
//! `shared/reference/twenty-metadata-auth.md` §7.1–§7.4).
//!
//! The store loads a role's rows into a [`Permissions`]; the query compiler asks it before
//! compiling each root field; `/metadata` asks [`Permissions::has_flag`] for settings areas.

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

/// A settings / tool permission flag, Twenty's `PermissionFlagType`
/// (`permission-flag-type.constants.ts`; `twenty-client-sdk@2.43.0` `PermissionFlagType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PermissionFlag {
    /// `API_KEYS_AND_WEBHOOKS`: manage API keys and webhooks.
    ApiKeysAndWebhooks,
    /// `WORKSPACE`: workspace name, logo, subdomain.
    Workspace,
    /// `WORKSPACE_MEMBERS`: invite and remove members.
    WorkspaceMembers,
    /// `ROLES`: create, change and assign roles.
    Roles,
    /// `DATA_MODEL`: create and change objects and fields.
    DataModel,
    /// `SECURITY`: authentication settings.
    Security,
    /// `WORKFLOWS`: workflow objects.
    Workflows,
    /// `IMPERSONATE`.
    Impersonate,
    /// `SSO_BYPASS`.
    SsoBypass,
    /// `APPLICATIONS`.
    Applications,
    /// `MARKETPLACE_APPS`.
    MarketplaceApps,
    /// `LAYOUTS`.
    Layouts,
    /// `BILLING`.
    Billing,
    /// `AI_SETTINGS`.
    AiSettings,
    /// `AI` (tool).
    Ai,
    /// `VIEWS`.
    Views,
    /// `UPLOAD_FILE` (tool).
    UploadFile,
    /// `DOWNLOAD_FILE` (tool).
    DownloadFile,
    /// `SEND_EMAIL_TOOL` (tool).
    SendEmailTool,
    /// `CREATE_CALENDAR_EVENT_TOOL` (tool).
    CreateCalendarEventTool,
    /// `HTTP_REQUEST_TOOL` (tool).
    HttpRequestTool,
    /// `CODE_INTERPRETER_TOOL` (tool).
    CodeInterpreterTool,
    /// `IMPORT_CSV` (tool).
    ImportCsv,
    /// `EXPORT_CSV` (tool).
    ExportCsv,
    /// `CONNECTED_ACCOUNTS` (tool).
    ConnectedAccounts,
    /// `PROFILE_INFORMATION` (tool).
    ProfileInformation,
}

impl PermissionFlag {
    /// Every flag, in Twenty's declaration order.
    pub const ALL: [PermissionFlag; 26] = [
        Self::ApiKeysAndWebhooks,
        Self::Workspace,
        Self::WorkspaceMembers,
        Self::Roles,
        Self::DataModel,
        Self::Security,
        Self::Workflows,
        Self::Impersonate,
        Self::SsoBypass,
        Self::Applications,
        Self::MarketplaceApps,
        Self::Layouts,
        Self::Billing,
        Self::AiSettings,
        Self::Ai,
        Self::Views,
        Self::UploadFile,
        Self::DownloadFile,
        Self::SendEmailTool,
        Self::CreateCalendarEventTool,
        Self::HttpRequestTool,
        Self::CodeInterpreterTool,
        Self::ImportCsv,
        Self::ExportCsv,
        Self::ConnectedAccounts,
        Self::ProfileInformation,
    ];

    /// The wire name, e.g. `"DATA_MODEL"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKeysAndWebhooks => "API_KEYS_AND_WEBHOOKS",
            Self::Workspace => "WORKSPACE",
            Self::WorkspaceMembers => "WORKSPACE_MEMBERS",
            Self::Roles => "ROLES",
            Self::DataModel => "DATA_MODEL",
            Self::Security => "SECURITY",
            Self::Workflows => "WORKFLOWS",
            Self::Impersonate => "IMPERSONATE",
            Self::SsoBypass => "SSO_BYPASS",
            Self::Applications => "APPLICATIONS",
            Self::MarketplaceApps => "MARKETPLACE_APPS",
            Self::Layouts => "LAYOUTS",
            Self::Billing => "BILLING",
            Self::AiSettings => "AI_SETTINGS",
            Self::Ai => "AI",
            Self::Views => "VIEWS",
            Self::UploadFile => "UPLOAD_FILE",
            Self::DownloadFile => "DOWNLOAD_FILE",
            Self::SendEmailTool => "SEND_EMAIL_TOOL",
            Self::CreateCalendarEventTool => "CREATE_CALENDAR_EVENT_TOOL",
            Self::HttpRequestTool => "HTTP_REQUEST_TOOL",
            Self::CodeInterpreterTool => "CODE_INTERPRETER_TOOL",
            Self::ImportCsv => "IMPORT_CSV",
            Self::ExportCsv => "EXPORT_CSV",
            Self::ConnectedAccounts => "CONNECTED_ACCOUNTS",
            Self::ProfileInformation => "PROFILE_INFORMATION",
        }
    }

    /// Parses a wire name (`None` for an unknown one).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether the flag is a tool permission (granted by `canAccessAllTools`) rather than a
    /// settings permission (granted by `canUpdateAllSettings`).
    pub fn is_tool(self) -> bool {
        matches!(
            self,
            Self::Ai
                | Self::UploadFile
                | Self::DownloadFile
                | Self::SendEmailTool
                | Self::CreateCalendarEventTool
                | Self::HttpRequestTool
                | Self::CodeInterpreterTool
                | Self::ImportCsv
                | Self::ExportCsv
                | Self::ConnectedAccounts
                | Self::ProfileInformation
        )
    }
}

impl std::fmt::Display for PermissionFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: Uuid, is_system: bool, name: &str) -> ObjectKey<'_> {
        ObjectKey {
            id,
            is_system,
            name_singular: name,
        }
    }

    #[test]
    fn overrides_win_over_role_defaults() {
        let person = Uuid::new_v4();
        let company = Uuid::new_v4();
        let mut p = Permissions {
            all_objects: ObjectAccess {
                can_read: true,
                ..ObjectAccess::default()
            },
            ..Permissions::default()
        };
        p.objects.insert(
            person,
            ObjectOverride {
                can_read: Some(false),
                can_update: Some(true),
                ..ObjectOverride::default()
            },
        );
        let a = p.object(key(person, false, "person"));
        assert!(!a.can_read && a.can_update && !a.can_soft_delete && !a.can_destroy);
        let b = p.object(key(company, false, "company"));
        assert!(b.can_read && !b.can_update);
        assert_eq!(p.object(key(person, true, "person")), ObjectAccess::ALL);
        assert_eq!(
            p.object(key(Uuid::new_v4(), false, "workflow")),
            ObjectAccess::default()
        );
        p.flags.insert(PermissionFlag::Workflows);
        assert_eq!(
            p.object(key(Uuid::new_v4(), false, "workflowRun")),
            ObjectAccess::ALL
        );
    }

    #[test]
    fn flags_follow_settings_and_tools() {
        let mut p = Permissions::none();
        assert!(!p.has_flag(PermissionFlag::DataModel));
        p.flags.insert(PermissionFlag::DataModel);
        assert!(p.has_flag(PermissionFlag::DataModel));
        assert!(!p.has_flag(PermissionFlag::Roles));
        p.can_update_all_settings = true;
        assert!(p.has_flag(PermissionFlag::Roles));
        assert!(!p.has_flag(PermissionFlag::ExportCsv));
        p.can_access_all_tools = true;
        assert!(p.has_flag(PermissionFlag::ExportCsv));
        assert!(Permissions::all().has_flag(PermissionFlag::Billing));
        for f in PermissionFlag::ALL {
            assert_eq!(PermissionFlag::parse(f.as_str()), Some(f));
        }
        assert_eq!(PermissionFlag::parse("NOPE"), None);
    }

    #[test]
    fn a_role_is_within_a_caller_only_when_it_grants_nothing_more() {
        let person = Uuid::new_v4();
        let city = Uuid::new_v4();
        let objects = [key(person, false, "person")];
        let mut caller = Permissions {
            all_objects: ObjectAccess {
                can_read: true,
                can_update: true,
                ..ObjectAccess::default()
            },
            ..Permissions::default()
        };
        caller.flags.insert(PermissionFlag::ApiKeysAndWebhooks);
        let same = caller.clone();
        assert!(same.is_within(&caller, objects, [city]));
        let admin = Permissions {
            bypass: false,
            ..Permissions::all()
        };
        assert!(!admin.is_within(&caller, objects, [city]));
        assert!(admin.is_within(&Permissions::all(), objects, [city]));
        let mut weaker = Permissions::none();
        weaker.all_objects.can_read = true;
        assert!(weaker.is_within(&caller, objects, [city]));
        let mut flagged = weaker.clone();
        flagged.flags.insert(PermissionFlag::Roles);
        assert!(!flagged.is_within(&caller, objects, [city]));
        // The caller cannot see person.city: a role that can is stronger.
        caller.fields.insert(
            city,
            FieldOverride {
                can_read: Some(false),
                can_update: Some(false),
            },
        );
        assert!(!weaker.is_within(&caller, objects, [city]));
        // The caller cannot destroy person (override): a role that can is stronger.
        let mut destroyer = same.clone();
        destroyer.fields = caller.fields.clone();
        destroyer.objects.insert(
            person,
            ObjectOverride {
                can_destroy: Some(true),
                ..ObjectOverride::default()
            },
        );
        assert!(!destroyer.is_within(&caller, objects, [city]));
    }

    #[test]
    fn fields_restrict_only_on_explicit_false() {
        let f = Uuid::new_v4();
        let mut p = Permissions::none();
        assert!(p.can_read_field(f) && p.can_update_field(f));
        p.fields.insert(
            f,
            FieldOverride {
                can_read: Some(false),
                can_update: None,
            },
        );
        assert!(!p.can_read_field(f) && p.can_update_field(f));
        assert!(Permissions::all().can_read_field(f));
    }
}
