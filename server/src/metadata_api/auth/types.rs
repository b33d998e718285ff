//! Output and input types of the accounts operations, with Twenty's names and shapes
//! (`twenty-client-sdk@2.43.0` `dist/metadata/generated/schema.d.ts`). Types whose Twenty
//! shape has many more fields (`User`, `Workspace`, `WorkspaceMember`, `UserWorkspace`) carry
//! the subset Tessera can answer truthfully; every field present has Twenty's name and type.

use async_graphql::{Enum, InputObject, SimpleObject};
use chrono::{DateTime, SecondsFormat, Utc};
use tessera_store::{AppTokenRecord, UserWorkspaceRecord, WorkspaceRecord};

use super::super::scalars::{DateTimeScalar, UuidScalar};
use crate::accounts::{IssuedToken, TokenPair, invitation_email, invitation_role, workspace_url};

/// An instant as `DateTime` (`2026-01-31T09:00:00.000Z`).
pub(crate) fn dt(t: DateTime<Utc>) -> DateTimeScalar {
    DateTimeScalar(t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// A signed token and its expiry.
#[derive(SimpleObject, Debug, Clone)]
pub struct AuthToken {
    /// The JWT.
    pub token: String,
    /// When it expires.
    pub expires_at: DateTimeScalar,
}

impl From<IssuedToken> for AuthToken {
    fn from(t: IssuedToken) -> Self {
        Self {
            token: t.token,
            expires_at: dt(t.expires_at),
        }
    }
}

/// An access (or workspace-agnostic) token with its refresh token.
#[derive(SimpleObject, Debug, Clone)]
pub struct AuthTokenPair {
    /// `ACCESS` token (workspace) or `WORKSPACE_AGNOSTIC` token (sign-in, sign-up).
    pub access_or_workspace_agnostic_token: AuthToken,
    /// `REFRESH` token (single use; see `renewToken`).
    pub refresh_token: AuthToken,
}

impl From<TokenPair> for AuthTokenPair {
    fn from(p: TokenPair) -> Self {
        Self {
            access_or_workspace_agnostic_token: p.access.into(),
            refresh_token: p.refresh.into(),
        }
    }
}

/// `getAuthTokensFromLoginToken` / `renewToken` answer.
#[derive(SimpleObject, Debug, Clone)]
pub struct AuthTokens {
    /// The pair.
    pub tokens: AuthTokenPair,
}

/// `getLoginTokenFromCredentials` answer.
#[derive(SimpleObject, Debug, Clone)]
pub struct LoginToken {
    /// A LOGIN token for `getAuthTokensFromLoginToken`.
    pub login_token: AuthToken,
}

/// A workspace's URLs.
#[derive(SimpleObject, Debug, Clone)]
pub struct WorkspaceUrls {
    /// Custom domain URL (not supported: always null).
    pub custom_url: Option<String>,
    /// `FRONTEND_URL` with the workspace's subdomain before its host.
    pub subdomain_url: String,
}

impl WorkspaceUrls {
    /// The URLs of `workspace` under `frontend_url`.
    pub fn of(frontend_url: &str, workspace: &WorkspaceRecord) -> Self {
        Self {
            custom_url: None,
            subdomain_url: workspace_url(frontend_url, workspace.subdomain.as_deref()),
        }
    }
}

/// A workspace id with its URLs.
#[derive(SimpleObject, Debug, Clone)]
pub struct WorkspaceUrlsAndId {
    /// URLs.
    pub workspace_urls: WorkspaceUrls,
    /// Workspace id.
    pub id: UuidScalar,
}

/// `signUpInNewWorkspace` / `signUpInWorkspace` answer.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "SignUp")]
pub struct SignUpOutput {
    /// A LOGIN token for the workspace.
    pub login_token: AuthToken,
    /// The workspace.
    pub workspace: WorkspaceUrlsAndId,
}

/// Twenty's `IdentityProviderType`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum IdentityProviderType {
    /// OpenID Connect.
    Oidc,
    /// SAML 2.0.
    Saml,
}

/// Twenty's `SSOIdentityProviderStatus`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "SSOIdentityProviderStatus", rename_items = "PascalCase")]
pub enum SsoIdentityProviderStatus {
    /// Usable.
    Active,
    /// Switched off.
    Inactive,
    /// Misconfigured.
    Error,
}

/// An active SSO identity provider of a workspace (`metadata_api::sso::sso_connections`).
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "SSOConnection")]
pub struct SsoConnection {
    /// Kind.
    #[graphql(name = "type")]
    pub kind: IdentityProviderType,
    /// Id.
    pub id: UuidScalar,
    /// Issuer URL.
    pub issuer: String,
    /// Name.
    pub name: String,
    /// Status.
    pub status: SsoIdentityProviderStatus,
}

/// A workspace the user can sign in to or join.
#[derive(SimpleObject, Debug, Clone)]
pub struct AvailableWorkspace {
    /// Workspace id.
    pub id: UuidScalar,
    /// Display name.
    pub display_name: Option<String>,
    /// A LOGIN token for it (sign-in only).
    pub login_token: Option<String>,
    /// Personal invitation token (never returned: only the invitation mail carries it).
    pub personal_invite_token: Option<String>,
    /// Public invite hash (not supported: null).
    pub invite_hash: Option<String>,
    /// URLs.
    pub workspace_urls: WorkspaceUrls,
    /// Logo URL (null).
    pub logo: Option<String>,
    /// SSO connections (empty).
    pub sso: Vec<SsoConnection>,
}

/// The user's workspaces.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct AvailableWorkspaces {
    /// Workspaces the user is a member of.
    pub available_workspaces_for_sign_in: Vec<AvailableWorkspace>,
    /// Workspaces the user could join (not listed yet: empty).
    pub available_workspaces_for_sign_up: Vec<AvailableWorkspace>,
}

/// `signIn` / `signUp` answer.
#[derive(SimpleObject, Debug, Clone)]
pub struct AvailableWorkspacesAndAccessTokens {
    /// Workspace-agnostic token pair.
    pub tokens: AuthTokenPair,
    /// The user's workspaces.
    pub available_workspaces: AvailableWorkspaces,
}

/// `checkUserExists` answer.
#[derive(SimpleObject, Debug, Clone)]
pub struct CheckUserExist {
    /// Whether a user has this e-mail.
    pub exists: bool,
    /// How many workspaces the user belongs to.
    pub available_workspaces_count: f64,
    /// Whether the user's e-mail is verified.
    pub is_email_verified: bool,
}

/// `validatePasswordResetToken` answer.
#[derive(SimpleObject, Debug, Clone)]
pub struct ValidatePasswordResetToken {
    /// User id.
    pub id: UuidScalar,
    /// User e-mail.
    pub email: String,
    /// Whether the user has a password.
    pub has_password: bool,
}

/// `emailPasswordResetLink` answer.
#[derive(SimpleObject, Debug, Clone)]
pub struct EmailPasswordResetLink {
    /// Always true (the answer does not tell whether the e-mail exists).
    pub success: bool,
}

/// `updatePasswordViaResetToken` answer.
#[derive(SimpleObject, Debug, Clone)]
pub struct InvalidatePassword {
    /// True once the password is changed.
    pub success: bool,
}

/// A pending invitation.
#[derive(SimpleObject, Debug, Clone)]
pub struct WorkspaceInvitation {
    /// Invitation id (`appTokenId` of `deleteWorkspaceInvitation`).
    pub id: UuidScalar,
    /// Invited e-mail.
    pub email: String,
    /// Role given on joining, if chosen.
    pub role_id: Option<UuidScalar>,
    /// Expiry.
    pub expires_at: DateTimeScalar,
}

impl From<&AppTokenRecord> for WorkspaceInvitation {
    fn from(t: &AppTokenRecord) -> Self {
        Self {
            id: UuidScalar(t.id),
            email: invitation_email(t).unwrap_or_default().to_owned(),
            role_id: invitation_role(t).map(UuidScalar),
            expires_at: dt(t.expires_at),
        }
    }
}

/// `sendInvitations` / `resendWorkspaceInvitation` answer.
#[derive(SimpleObject, Debug, Clone)]
pub struct SendInvitations {
    /// True when every e-mail was invited.
    pub success: bool,
    /// Why some e-mails were not invited.
    pub errors: Vec<String>,
    /// The invitations created.
    pub result: Vec<WorkspaceInvitation>,
}

/// A membership of the user.
#[derive(SimpleObject, Debug, Clone)]
pub struct UserWorkspace {
    /// Membership id.
    pub id: UuidScalar,
    /// The user.
    pub user_id: UuidScalar,
    /// Locale in the workspace.
    pub locale: String,
    /// Creation time.
    pub created_at: DateTimeScalar,
    /// Update time.
    pub updated_at: DateTimeScalar,
    /// Deletion time (always null: deleted memberships are not listed).
    pub deleted_at: Option<DateTimeScalar>,
}

impl From<&UserWorkspaceRecord> for UserWorkspace {
    fn from(m: &UserWorkspaceRecord) -> Self {
        Self {
            id: UuidScalar(m.id),
            user_id: UuidScalar(m.user_id),
            locale: m.locale.clone(),
            created_at: dt(m.created_at),
            updated_at: dt(m.updated_at),
            deleted_at: None,
        }
    }
}

/// Twenty's `WorkspaceActivationStatus`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum WorkspaceActivationStatus {
    /// Storage being created.
    OngoingCreation,
    /// Created by `signUpInNewWorkspace`, waiting for `activateWorkspace`.
    PendingCreation,
    /// Created.
    Created,
    /// In use.
    Active,
    /// Switched off.
    Inactive,
    /// Suspended.
    Suspended,
}

impl WorkspaceActivationStatus {
    fn parse(s: &str) -> Self {
        match s {
            "ONGOING_CREATION" => Self::OngoingCreation,
            "PENDING_CREATION" => Self::PendingCreation,
            "CREATED" => Self::Created,
            "INACTIVE" => Self::Inactive,
            "SUSPENDED" => Self::Suspended,
            _ => Self::Active,
        }
    }
}

/// A workspace (the fields Tessera supports; the rest of Twenty's `Workspace` is absent).
#[derive(SimpleObject, Debug, Clone)]
pub struct Workspace {
    /// Id.
    pub id: UuidScalar,
    /// Display name.
    pub display_name: Option<String>,
    /// Logo URL (null).
    pub logo: Option<String>,
    /// Deletion time (null: deleted workspaces are not served).
    pub deleted_at: Option<DateTimeScalar>,
    /// Creation time.
    pub created_at: DateTimeScalar,
    /// Update time.
    pub updated_at: DateTimeScalar,
    /// Impersonation (not supported: false).
    pub allow_impersonation: bool,
    /// Public invite link (not supported: false).
    pub is_public_invite_link_enabled: bool,
    /// Days soft-deleted records are kept (14, Twenty's default).
    pub trash_retention_days: f64,
    /// Number of members.
    pub workspace_members_count: Option<f64>,
    /// Lifecycle state.
    pub activation_status: WorkspaceActivationStatus,
    /// Metadata version.
    pub metadata_version: f64,
    /// Subdomain.
    pub subdomain: String,
    /// Custom domain (null).
    pub custom_domain: Option<String>,
    /// Google sign-in (false).
    pub is_google_auth_enabled: bool,
    /// Microsoft sign-in (false).
    pub is_microsoft_auth_enabled: bool,
    /// E-mail/password sign-in (true).
    pub is_password_auth_enabled: bool,
    /// 2FA enforced (false).
    pub is_two_factor_authentication_enforced: bool,
    /// Custom domain enabled (false).
    pub is_custom_domain_enabled: bool,
    /// URLs.
    pub workspace_urls: WorkspaceUrls,
}

impl Workspace {
    /// The GraphQL view of a workspace row.
    pub fn of(frontend_url: &str, w: &WorkspaceRecord, members: Option<usize>) -> Self {
        Self {
            id: UuidScalar(w.id.0),
            display_name: Some(w.display_name.clone()),
            logo: None,
            deleted_at: None,
            created_at: dt(w.created_at),
            updated_at: dt(w.updated_at),
            allow_impersonation: false,
            is_public_invite_link_enabled: false,
            trash_retention_days: 14.0,
            workspace_members_count: members.map(|n| n as f64),
            activation_status: WorkspaceActivationStatus::parse(&w.activation_status),
            metadata_version: w.metadata_version as f64,
            subdomain: w.subdomain.clone().unwrap_or_default(),
            custom_domain: None,
            is_google_auth_enabled: false,
            is_microsoft_auth_enabled: false,
            is_password_auth_enabled: true,
            is_two_factor_authentication_enforced: false,
            is_custom_domain_enabled: false,
            workspace_urls: WorkspaceUrls::of(frontend_url, w),
        }
    }
}

/// The signed-in user (`currentUser`).
#[derive(SimpleObject, Debug, Clone)]
pub struct User {
    /// Id.
    pub id: UuidScalar,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail.
    pub email: String,
    /// Whether the e-mail is verified.
    pub is_email_verified: bool,
    /// Disabled users cannot sign in.
    pub disabled: Option<bool>,
    /// Impersonation right (false).
    pub can_impersonate: bool,
    /// Admin panel right (false).
    pub can_access_full_admin_panel: bool,
    /// Creation time.
    pub created_at: DateTimeScalar,
    /// Update time.
    pub updated_at: DateTimeScalar,
    /// Deletion time (null).
    pub deleted_at: Option<DateTimeScalar>,
    /// Locale.
    pub locale: String,
    /// The user's member record in the current workspace (ACCESS tokens).
    pub workspace_member: Option<crate::metadata_api::workspace_member::WorkspaceMemberGql>,
    /// Memberships.
    pub user_workspaces: Vec<UserWorkspace>,
    /// The current workspace (ACCESS tokens).
    pub current_workspace: Option<Workspace>,
    /// The current membership (ACCESS tokens).
    pub current_user_workspace: Option<UserWorkspace>,
    /// Whether the user has a password.
    pub has_password: bool,
    /// Memberships (Twenty's newer name for `userWorkspaces`).
    pub workspaces: Vec<UserWorkspace>,
    /// Workspaces to sign in to.
    pub available_workspaces: AvailableWorkspaces,
}

/// `signUpInNewWorkspace` input.
#[derive(InputObject, Debug, Clone, Default)]
pub struct SignUpInNewWorkspaceInput {
    /// Display name.
    pub display_name: Option<String>,
    /// Subdomain (generated from the display name when absent).
    pub subdomain: Option<String>,
}

/// `activateWorkspace` input.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ActivateWorkspaceInput {
    /// Deprecated: the workspace name is set at creation (signUpInNewWorkspace) and this
    /// field is ignored during activation. Kept for backward compatibility.
    pub display_name: Option<String>,
}
