//! The end of every login flow: the identity the provider vouched for becomes a signed-in
//! user of a workspace, and the browser is sent on with a LOGIN token (Twenty's
//! `signInUpWithSocialSSO` / SSO `generateLoginToken`, `computeRedirectURI`).

use tessera_core::{PermissionFlag, Session};
use tessera_store::{
    AppTokenType, NewUser, SsoProviderRecord, SsoProviderStatus, UserRecord, WorkspaceRecord,
};

use super::SsoError;
use super::state::LoginContext;
use crate::accounts::{
    Accounts, IssuedToken, invitation_email, normalize_email, token_hash, workspace_url,
};

/// Twenty's `AuthProviderEnum.SSO` (`authProvider` claim of LOGIN tokens from OIDC/SAML
/// providers).
pub(crate) const SSO_PROVIDER: &str = "sso";

/// Who the identity provider says the user is.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    /// Verified e-mail address (normalised: trimmed, lower-case).
    pub(crate) email: String,
    /// Given name, if sent.
    pub(crate) first_name: String,
    /// Family name, if sent.
    pub(crate) last_name: String,
}

impl Identity {
    /// An identity from the provider's claims. Errors: [`SsoError::EmailRequired`] when
    /// there is no valid e-mail address.
    pub(crate) fn new(
        email: Option<&str>,
        first_name: Option<&str>,
        last_name: Option<&str>,
    ) -> Result<Self, SsoError> {
        let email = email
            .and_then(|e| normalize_email(e).ok())
            .ok_or(SsoError::EmailRequired)?;
        Ok(Self {
            email,
            first_name: first_name.unwrap_or_default().to_owned(),
            last_name: last_name.unwrap_or_default().to_owned(),
        })
    }
}

/// The only place that decides whether a session may manage the workspace's identity
/// providers (`createOIDCIdentityProvider`, `createSAMLIdentityProvider`,
/// `getSSOIdentityProviders`, `editSSOIdentityProvider`, `deleteSSOIdentityProvider`): its
/// role needs the `SECURITY` settings permission (Twenty's
/// `SettingsPermissionGuard(SECURITY)`).
///
/// Errors: [`SsoError::Forbidden`] when the role lacks `SECURITY`.
pub fn ensure_can_manage_sso(session: &Session) -> Result<(), SsoError> {
    if session.permissions.has_flag(PermissionFlag::Security) {
        Ok(())
    } else {
        Err(SsoError::Forbidden("User does not have permission"))
    }
}

/// The user with the identity's e-mail, created without a password when new (the identity
/// provider vouched for the address). Errors: `FORBIDDEN` for a disabled user.
async fn user_for(accounts: &Accounts, identity: &Identity) -> Result<UserRecord, SsoError> {
    let store = accounts.store();
    let user = match store.user_by_email(&identity.email).await? {
        Some(user) => user,
        None => {
            let created = store
                .create_user(NewUser {
                    email: &identity.email,
                    first_name: &identity.first_name,
                    last_name: &identity.last_name,
                    password_hash: None,
                    locale: "en",
                })
                .await;
            match created {
                Ok(user) => {
                    tracing::info!(user_id = %user.id, "user signed up through SSO");
                    user
                }
                // Created concurrently by another login: use that one.
                Err(tessera_store::StoreError::UserExists) => store
                    .user_by_email(&identity.email)
                    .await?
                    .ok_or(SsoError::Forbidden("User not found"))?,
                Err(e) => return Err(e.into()),
            }
        }
    };
    if user.disabled {
        return Err(SsoError::Forbidden("This user is disabled"));
    }
    Ok(user)
}

async fn active_workspace(
    accounts: &Accounts,
    ws: tessera_core::WorkspaceId,
) -> Result<WorkspaceRecord, SsoError> {
    accounts
        .store()
        .workspace(ws)
        .await?
        .filter(|w| w.activation_status == "ACTIVE")
        .ok_or(SsoError::Forbidden("Workspace not found"))
}

/// A workspace provider's login (OIDC or SAML): the provider must still be `Active`; the
/// user (created when new) joins the provider's workspace when not yet a member (Twenty's
/// SSO sign-in-up), and gets a LOGIN token for that workspace only.
pub(crate) async fn provider_login(
    accounts: &Accounts,
    provider: &SsoProviderRecord,
    identity: &Identity,
) -> Result<(WorkspaceRecord, IssuedToken), SsoError> {
    if provider.status != SsoProviderStatus::Active {
        return Err(SsoError::ProviderInactive);
    }
    let workspace = active_workspace(accounts, provider.workspace_id).await?;
    let user = user_for(accounts, identity).await?;
    accounts.join_workspace(workspace.id, &user).await?;
    let token = accounts
        .login_token_for_provider(&user, workspace.id, SSO_PROVIDER)
        .await?;
    Ok((workspace, token))
}

/// A Google / Microsoft login (`auth_provider` = `google` / `microsoft`):
/// - with a personal invitation (`workspacePersonalInviteToken`): the invitation must be
///   usable and for this e-mail (and for `workspaceId` when given); the user is created when
///   new, joins, and the invitation is used up;
/// - otherwise the user must exist and be a member of `workspaceId` (when given), else of
///   their default or only workspace.
///
/// Errors: `FORBIDDEN` (no such user, not a member, invalid invitation).
pub(crate) async fn social_login(
    accounts: &Accounts,
    identity: &Identity,
    context: &LoginContext,
    auth_provider: &str,
) -> Result<(WorkspaceRecord, IssuedToken), SsoError> {
    const INVALID_INVITATION: &str = "This invitation is invalid or has expired";
    let store = accounts.store();
    let hint = context.workspace_id.map(tessera_core::WorkspaceId);
    if let Some(secret) = context
        .workspace_personal_invite_token
        .as_deref()
        .filter(|t| !t.is_empty())
    {
        let invitation = store
            .usable_app_token_by_hash(AppTokenType::InvitationToken, &token_hash(secret))
            .await?
            .ok_or(SsoError::Forbidden(INVALID_INVITATION))?;
        let ws = invitation
            .workspace_id
            .ok_or(SsoError::Forbidden(INVALID_INVITATION))?;
        if hint.is_some_and(|h| h != ws)
            || invitation_email(&invitation) != Some(identity.email.as_str())
        {
            return Err(SsoError::Forbidden(INVALID_INVITATION));
        }
        let workspace = active_workspace(accounts, ws).await?;
        let user = user_for(accounts, identity).await?;
        accounts.join_workspace(ws, &user).await?;
        store.consume_app_token(invitation.id).await?;
        let token = accounts
            .login_token_for_provider(&user, ws, auth_provider)
            .await?;
        return Ok((workspace, token));
    }
    let user = store
        .user_by_email(&identity.email)
        .await?
        .filter(|u| !u.disabled)
        .ok_or(SsoError::Forbidden(
            "No account with this email: ask for an invitation to a workspace",
        ))?;
    let memberships = store.user_workspaces(user.id).await?;
    let ws = match hint {
        Some(h) => memberships
            .iter()
            .find(|m| m.workspace_id == h)
            .map(|m| m.workspace_id)
            .ok_or(SsoError::Forbidden(
                "User is not a member of the workspace.",
            ))?,
        None => match memberships.as_slice() {
            [only] => only.workspace_id,
            many => many
                .iter()
                .find(|m| Some(m.workspace_id) == user.default_workspace_id)
                .map(|m| m.workspace_id)
                .ok_or(SsoError::Forbidden(
                    "User is not a member of any workspace.",
                ))?,
        },
    };
    let workspace = active_workspace(accounts, ws).await?;
    let token = accounts
        .login_token_for_provider(&user, ws, auth_provider)
        .await?;
    Ok((workspace, token))
}

/// `<workspace URL>/verify?loginToken=<token>` (Twenty's `AppPath.Verify`).
pub(crate) fn success_url(
    accounts: &Accounts,
    workspace: &WorkspaceRecord,
    token: &IssuedToken,
) -> String {
    let base = workspace_url(
        &accounts.config().frontend_url,
        workspace.subdomain.as_deref(),
    );
    format!(
        "{base}/verify?loginToken={}",
        crate::accounts::query_encode(&token.token)
    )
}

/// `<workspace or front-end URL>/verify?errorMessage=<message>`: the error's user-facing
/// message (internal errors are logged and shown as a generic message).
pub(crate) fn error_url(
    accounts: &Accounts,
    workspace: Option<&WorkspaceRecord>,
    error: &SsoError,
) -> String {
    use tessera_core::CodedError;
    let message = if error.is_user_facing() {
        error.to_string()
    } else {
        tracing::error!(error = %error, "login failed");
        "Internal server error".to_owned()
    };
    tracing::info!(reason = %message, "login refused");
    let base = workspace_url(
        &accounts.config().frontend_url,
        workspace.and_then(|w| w.subdomain.as_deref()),
    );
    format!(
        "{base}/verify?errorMessage={}",
        crate::accounts::query_encode(&message)
    )
}
