//! Twenty's permission flags.

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
