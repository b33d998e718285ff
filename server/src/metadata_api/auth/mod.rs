//! Accounts operations of `/metadata` (Twenty's auth, user and workspace resolvers; names and
//! shapes from `twenty-client-sdk@2.43.0`): sign-up, sign-in, tokens, the user's workspaces,
//! invitations and password reset. Thin wrappers over [`crate::accounts::Accounts`].
//!
//! Public operations (no token needed): `signUp`, `signIn`, `signUpInWorkspace`,
//! `getLoginTokenFromCredentials`, `getAuthTokensFromLoginToken`, `renewToken`, `signOut`,
//! `emailPasswordResetLink`, `validatePasswordResetToken`, `updatePasswordViaResetToken`,
//! `checkUserExists`. `currentUser` and `signUpInNewWorkspace` need a user token (ACCESS or
//! WORKSPACE_AGNOSTIC); the workspace operations need a workspace session.

mod types;

use std::net::IpAddr;
use std::sync::Arc;

use async_graphql::{Context, Object};
use tessera_core::{Actor, ErrorCode, PermissionFlag, Session, WorkspaceId};
use uuid::Uuid;

use super::errors::{ApiError, coded, context, require_flag};
use super::scalars::UuidScalar;
use super::workspace_member::WorkspaceMemberGql;
use crate::accounts::{Accounts, AccountsError, SentInvitations};
pub use types::*;

/// Per-request data of the accounts operations (next to [`MetadataContext`]).
#[derive(Clone)]
pub struct AuthRequest {
    /// The accounts service.
    pub accounts: Arc<Accounts>,
    /// The signed-in user (ACCESS or WORKSPACE_AGNOSTIC token), if any.
    pub user_id: Option<Uuid>,
    /// The client's IP (rate limits), if known.
    pub client_ip: Option<IpAddr>,
}

fn auth<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c AuthRequest> {
    ctx.data::<AuthRequest>()
}

fn err(e: AccountsError) -> async_graphql::Error {
    coded(&e)
}

fn unauthenticated(message: &str) -> async_graphql::Error {
    coded(&ApiError {
        code: ErrorCode::Unauthenticated,
        message: message.to_owned(),
    })
}

/// The signed-in user's id. Errors: `UNAUTHENTICATED` without a token, `FORBIDDEN` for an
/// API key.
fn user_id(ctx: &Context<'_>) -> async_graphql::Result<Uuid> {
    if let Some(id) = auth(ctx)?.user_id {
        return Ok(id);
    }
    if context(ctx)?.session.is_some() {
        return Err(coded(&ApiError {
            code: ErrorCode::Forbidden,
            message: "This operation needs a user's token, not an API key".to_owned(),
        }));
    }
    Err(unauthenticated("A user token is required"))
}

/// The session of a signed-in workspace member. Errors: `UNAUTHENTICATED` without a token,
/// `FORBIDDEN` for an API key.
/// The session of a user who may manage the workspace's members and invitations (Twenty's
/// `SettingsPermissionGuard(WORKSPACE_MEMBERS)`). Errors: `UNAUTHENTICATED`, `FORBIDDEN`.
fn inviting_session<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Session> {
    let session = member_session(ctx)?;
    require_flag(context(ctx)?, PermissionFlag::WorkspaceMembers)?;
    Ok(session)
}

fn member_session<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Session> {
    let session = context(ctx)?.session()?;
    match session.actor {
        Actor::User { .. } => Ok(session),
        _ => Err(coded(&ApiError {
            code: ErrorCode::Forbidden,
            message: "This operation needs a user's access token".to_owned(),
        })),
    }
}

async fn available_workspaces(
    accounts: &Accounts,
    user: &tessera_store::UserRecord,
    login_tokens: bool,
) -> async_graphql::Result<AvailableWorkspaces> {
    let front = &accounts.config().frontend_url;
    let list = accounts
        .available_workspaces(user, login_tokens)
        .await
        .map_err(err)?;
    let mut available = Vec::with_capacity(list.len());
    for a in list {
        let sso = super::sso::sso_connections(accounts.store(), a.workspace.id).await?;
        available.push(AvailableWorkspace {
            id: UuidScalar(a.workspace.id.0),
            display_name: Some(a.workspace.display_name.clone()),
            login_token: a.login_token.map(|t| t.token),
            personal_invite_token: None,
            invite_hash: None,
            workspace_urls: WorkspaceUrls::of(front, &a.workspace),
            logo: None,
            sso,
        });
    }
    Ok(AvailableWorkspaces {
        available_workspaces_for_sign_in: available,
        available_workspaces_for_sign_up: Vec::new(),
    })
}

fn sent(result: SentInvitations) -> SendInvitations {
    SendInvitations {
        success: result.errors.is_empty(),
        errors: result.errors,
        result: result
            .invitations
            .iter()
            .map(WorkspaceInvitation::from)
            .collect(),
    }
}

fn parse_id(id: &str) -> async_graphql::Result<Uuid> {
    Uuid::parse_str(id).map_err(|_| super::errors::bad(format!("Invalid id \"{id}\"")))
}

/// Accounts queries of `/metadata` (part of its `Query`).
#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The signed-in user, with their memberships and, for an ACCESS token, the current
    /// workspace and member record. Errors: `UNAUTHENTICATED` without a user token.
    async fn current_user(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let auth = auth(ctx)?;
        let id = user_id(ctx)?;
        let mc = context(ctx)?;
        let store = auth.accounts.store();
        let front = &auth.accounts.config().frontend_url;
        let user = store
            .user(id)
            .await
            .map_err(|e| coded(&e))?
            .ok_or_else(|| unauthenticated("User not found"))?;
        let memberships = store.user_workspaces(id).await.map_err(|e| coded(&e))?;
        let mut current_workspace = None;
        let mut current_user_workspace = None;
        let mut workspace_member = None;
        if let Some(session) = &mc.session {
            let ws = session.workspace_id;
            let membership = memberships.iter().find(|m| m.workspace_id == ws);
            current_user_workspace = membership.map(UserWorkspace::from);
            if let Some(w) = store.workspace(ws).await.map_err(|e| coded(&e))? {
                let members = store
                    .workspace_memberships(ws)
                    .await
                    .map_err(|e| coded(&e))?;
                if w.activation_status == "ACTIVE"
                    && let Some(m) = membership
                    && let Some(p) = store
                        .workspace_member_profile(ws, m.workspace_member_id)
                        .await
                        .map_err(|e| coded(&e))?
                {
                    workspace_member = Some(WorkspaceMemberGql::from_profile(p, Some(m.id)));
                }
                current_workspace = Some(Workspace::of(front, &w, Some(members.len())));
            }
        }
        let user_workspaces: Vec<UserWorkspace> =
            memberships.iter().map(UserWorkspace::from).collect();
        Ok(User {
            id: UuidScalar(user.id),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone(),
            is_email_verified: user.is_email_verified,
            disabled: Some(user.disabled),
            can_impersonate: false,
            can_access_full_admin_panel: false,
            created_at: dt(user.created_at),
            updated_at: dt(user.updated_at),
            deleted_at: None,
            locale: user.locale.clone(),
            workspace_member,
            workspaces: user_workspaces.clone(),
            user_workspaces,
            current_workspace,
            current_user_workspace,
            has_password: user.password_hash.is_some(),
            available_workspaces: available_workspaces(&auth.accounts, &user, false).await?,
        })
    }

    /// The session's workspace. Errors: `UNAUTHENTICATED`, `NOT_FOUND`.
    async fn current_workspace(&self, ctx: &Context<'_>) -> async_graphql::Result<Workspace> {
        let ws = context(ctx)?.session()?.workspace_id;
        let auth = auth(ctx)?;
        let store = auth.accounts.store();
        let w = store
            .workspace(ws)
            .await
            .map_err(|e| coded(&e))?
            .ok_or_else(|| super::errors::not_found("workspace", ws.0))?;
        let members = store
            .workspace_memberships(ws)
            .await
            .map_err(|e| coded(&e))?;
        Ok(Workspace::of(
            &auth.accounts.config().frontend_url,
            &w,
            Some(members.len()),
        ))
    }

    /// Whether a user has this e-mail (public, as in Twenty).
    async fn check_user_exists(
        &self,
        ctx: &Context<'_>,
        email: String,
        captcha_token: Option<String>,
    ) -> async_graphql::Result<CheckUserExist> {
        let _ = captcha_token;
        let auth = auth(ctx)?;
        auth.accounts
            .limiter_check_ip(auth.client_ip)
            .map_err(err)?;
        let store = auth.accounts.store();
        let user = store.user_by_email(&email).await.map_err(|e| coded(&e))?;
        let count = match &user {
            Some(u) => store
                .user_workspaces(u.id)
                .await
                .map_err(|e| coded(&e))?
                .len(),
            None => 0,
        };
        Ok(CheckUserExist {
            exists: user.is_some(),
            available_workspaces_count: count as f64,
            is_email_verified: user.is_some_and(|u| u.is_email_verified),
        })
    }

    /// The user a password-reset token belongs to. Errors: `FORBIDDEN` for an unknown, used
    /// or expired token.
    async fn validate_password_reset_token(
        &self,
        ctx: &Context<'_>,
        password_reset_token: String,
    ) -> async_graphql::Result<ValidatePasswordResetToken> {
        let user = auth(ctx)?
            .accounts
            .validate_reset_token(&password_reset_token)
            .await
            .map_err(err)?;
        Ok(ValidatePasswordResetToken {
            id: UuidScalar(user.id),
            email: user.email,
            has_password: user.password_hash.is_some(),
        })
    }

    /// The session workspace's pending invitations. Errors: `UNAUTHENTICATED`.
    async fn find_workspace_invitations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WorkspaceInvitation>> {
        let ws = require_flag(context(ctx)?, PermissionFlag::WorkspaceMembers)?.workspace_id;
        let list = auth(ctx)?.accounts.invitations(ws).await.map_err(err)?;
        Ok(list.iter().map(WorkspaceInvitation::from).collect())
    }
}

/// Accounts mutations of `/metadata` (part of its `Mutation`).
#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Creates a user with a password (no workspace) and returns a workspace-agnostic pair.
    /// Errors: `BAD_USER_INPUT` (e-mail, password rule), `CONFLICT` (e-mail taken),
    /// `RATE_LIMITED`.
    #[allow(clippy::too_many_arguments)]
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        captcha_token: Option<String>,
        locale: Option<String>,
        verify_email_redirect_path: Option<String>,
    ) -> async_graphql::Result<AvailableWorkspacesAndAccessTokens> {
        let _ = (captcha_token, verify_email_redirect_path);
        let auth = auth(ctx)?;
        let (user, pair) = auth
            .accounts
            .sign_up(&email, &password, locale.as_deref(), auth.client_ip)
            .await
            .map_err(err)?;
        Ok(AvailableWorkspacesAndAccessTokens {
            tokens: pair.into(),
            available_workspaces: available_workspaces(&auth.accounts, &user, true).await?,
        })
    }

    /// Checks the password and returns a workspace-agnostic pair and the user's workspaces,
    /// each with a LOGIN token. Errors: `FORBIDDEN` ("Invalid email or password.", the same
    /// for an unknown e-mail), `RATE_LIMITED`.
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        captcha_token: Option<String>,
        locale: Option<String>,
        verify_email_redirect_path: Option<String>,
    ) -> async_graphql::Result<AvailableWorkspacesAndAccessTokens> {
        let _ = (captcha_token, locale, verify_email_redirect_path);
        let auth = auth(ctx)?;
        let (user, pair) = auth
            .accounts
            .sign_in(&email, &password, auth.client_ip)
            .await
            .map_err(err)?;
        Ok(AvailableWorkspacesAndAccessTokens {
            tokens: pair.into(),
            available_workspaces: available_workspaces(&auth.accounts, &user, true).await?,
        })
    }

    /// Joins a workspace with a personal invitation (`workspacePersonalInviteToken`, from the
    /// invitation mail), creating the user if needed; returns a LOGIN token for it. Public
    /// invite links (`workspaceInviteHash`) are not supported. Errors: `FORBIDDEN`,
    /// `BAD_USER_INPUT`, `RATE_LIMITED`.
    #[allow(clippy::too_many_arguments)]
    async fn sign_up_in_workspace(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        workspace_id: Option<UuidScalar>,
        workspace_invite_hash: Option<String>,
        workspace_personal_invite_token: Option<String>,
        captcha_token: Option<String>,
        locale: Option<String>,
        verify_email_redirect_path: Option<String>,
    ) -> async_graphql::Result<SignUpOutput> {
        let _ = (
            workspace_invite_hash,
            captcha_token,
            locale,
            verify_email_redirect_path,
        );
        let auth = auth(ctx)?;
        let (ws, login) = auth
            .accounts
            .sign_up_with_invitation(
                &email,
                &password,
                workspace_id.map(|w| WorkspaceId(w.0)),
                workspace_personal_invite_token.as_deref(),
                auth.client_ip,
            )
            .await
            .map_err(err)?;
        sign_up_output(&auth.accounts, ws, login.into()).await
    }

    /// Creates a workspace pending creation with the signed-in user as first member and
    /// returns a LOGIN token for it. Errors: `UNAUTHENTICATED` without a user token,
    /// `BAD_USER_INPUT` / `CONFLICT` (subdomain).
    async fn sign_up_in_new_workspace(
        &self,
        ctx: &Context<'_>,
        input: Option<SignUpInNewWorkspaceInput>,
    ) -> async_graphql::Result<SignUpOutput> {
        let user = user_id(ctx)?;
        let input = input.unwrap_or_default();
        let auth = auth(ctx)?;
        let (workspace, login) = auth
            .accounts
            .sign_up_in_new_workspace(
                user,
                input.display_name.as_deref(),
                input.subdomain.as_deref(),
            )
            .await
            .map_err(err)?;
        Ok(SignUpOutput {
            login_token: login.into(),
            workspace: WorkspaceUrlsAndId {
                workspace_urls: WorkspaceUrls::of(&auth.accounts.config().frontend_url, &workspace),
                id: UuidScalar(workspace.id.0),
            },
        })
    }

    /// Creates the session workspace's storage, standard objects and member records.
    /// Errors: `UNAUTHENTICATED`, `FORBIDDEN` (API key), `CONFLICT` (not pending creation).
    async fn activate_workspace(
        &self,
        ctx: &Context<'_>,
        data: ActivateWorkspaceInput,
    ) -> async_graphql::Result<Workspace> {
        let _ = data;
        let session = member_session(ctx)?;
        let auth = auth(ctx)?;
        let w = auth
            .accounts
            .activate_workspace(session)
            .await
            .map_err(err)?;
        let members = auth
            .accounts
            .store()
            .workspace_memberships(w.id)
            .await
            .map_err(|e| coded(&e))?;
        Ok(Workspace::of(
            &auth.accounts.config().frontend_url,
            &w,
            Some(members.len()),
        ))
    }

    /// Checks the password and returns a LOGIN token for the origin's workspace (or the
    /// user's only / default one). Errors: `FORBIDDEN`, `RATE_LIMITED`.
    #[allow(clippy::too_many_arguments)]
    async fn get_login_token_from_credentials(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        captcha_token: Option<String>,
        locale: Option<String>,
        verify_email_redirect_path: Option<String>,
        origin: String,
    ) -> async_graphql::Result<LoginToken> {
        let _ = (captcha_token, locale, verify_email_redirect_path);
        let auth = auth(ctx)?;
        let token = auth
            .accounts
            .login_token_from_credentials(&email, &password, &origin, auth.client_ip)
            .await
            .map_err(err)?;
        Ok(LoginToken {
            login_token: token.into(),
        })
    }

    /// Exchanges a LOGIN token for an ACCESS + REFRESH pair. Errors: `UNAUTHENTICATED`,
    /// `FORBIDDEN`.
    async fn get_auth_tokens_from_login_token(
        &self,
        ctx: &Context<'_>,
        login_token: String,
        origin: String,
    ) -> async_graphql::Result<AuthTokens> {
        let pair = auth(ctx)?
            .accounts
            .tokens_from_login_token(&login_token, &origin)
            .await
            .map_err(err)?;
        Ok(AuthTokens {
            tokens: pair.into(),
        })
    }

    /// Uses up a refresh token and returns a new pair (same session). A refresh token used
    /// twice revokes its whole session. Errors: `UNAUTHENTICATED`.
    async fn renew_token(
        &self,
        ctx: &Context<'_>,
        app_token: String,
    ) -> async_graphql::Result<AuthTokens> {
        let pair = auth(ctx)?.accounts.renew(&app_token).await.map_err(err)?;
        Ok(AuthTokens {
            tokens: pair.into(),
        })
    }

    /// Ends the session of `refreshToken` (revokes its refresh-token family). Errors:
    /// `UNAUTHENTICATED` for an invalid token or one of another user.
    async fn sign_out(
        &self,
        ctx: &Context<'_>,
        refresh_token: Option<String>,
    ) -> async_graphql::Result<bool> {
        let auth = auth(ctx)?;
        auth.accounts
            .sign_out(auth.user_id, refresh_token.as_deref())
            .await
            .map_err(err)?;
        Ok(true)
    }

    /// Mails a password-reset link when a user has this e-mail; always answers success.
    /// Errors: `RATE_LIMITED` (3 per e-mail per 15 minutes).
    async fn email_password_reset_link(
        &self,
        ctx: &Context<'_>,
        email: String,
        workspace_id: Option<UuidScalar>,
        captcha_token: Option<String>,
    ) -> async_graphql::Result<EmailPasswordResetLink> {
        let _ = (workspace_id, captcha_token);
        auth(ctx)?
            .accounts
            .email_password_reset_link(&email)
            .await
            .map_err(err)?;
        Ok(EmailPasswordResetLink { success: true })
    }

    /// Sets a new password with a reset token (once); revokes the user's sessions.
    /// Errors: `FORBIDDEN` ("Token is invalid"), `BAD_USER_INPUT` (password rule).
    async fn update_password_via_reset_token(
        &self,
        ctx: &Context<'_>,
        password_reset_token: String,
        new_password: String,
    ) -> async_graphql::Result<InvalidatePassword> {
        auth(ctx)?
            .accounts
            .update_password_via_reset_token(&password_reset_token, &new_password)
            .await
            .map_err(err)?;
        Ok(InvalidatePassword { success: true })
    }

    /// Invites e-mails to the session's workspace (mails a personal link each).
    /// Errors: `UNAUTHENTICATED`, `FORBIDDEN` (API key).
    async fn send_invitations(
        &self,
        ctx: &Context<'_>,
        emails: Vec<String>,
        role_id: Option<UuidScalar>,
    ) -> async_graphql::Result<SendInvitations> {
        let session = inviting_session(ctx)?;
        let result = auth(ctx)?
            .accounts
            .send_invitations(session, &emails, role_id.map(|r| r.0))
            .await
            .map_err(err)?;
        Ok(sent(result))
    }

    /// Deletes a pending invitation of the session's workspace; answers `"success"`.
    /// Errors: `UNAUTHENTICATED`, `NOT_FOUND`.
    async fn delete_workspace_invitation(
        &self,
        ctx: &Context<'_>,
        app_token_id: String,
    ) -> async_graphql::Result<String> {
        let ws = require_flag(context(ctx)?, PermissionFlag::WorkspaceMembers)?.workspace_id;
        auth(ctx)?
            .accounts
            .delete_invitation(ws, parse_id(&app_token_id)?)
            .await
            .map_err(err)?;
        Ok("success".to_owned())
    }

    /// Replaces a pending invitation with a new one and mails it. Errors: `UNAUTHENTICATED`,
    /// `FORBIDDEN` (API key), `NOT_FOUND`.
    async fn resend_workspace_invitation(
        &self,
        ctx: &Context<'_>,
        app_token_id: String,
    ) -> async_graphql::Result<SendInvitations> {
        let session = inviting_session(ctx)?;
        let result = auth(ctx)?
            .accounts
            .resend_invitation(session, parse_id(&app_token_id)?)
            .await
            .map_err(err)?;
        Ok(sent(result))
    }
}

async fn sign_up_output(
    accounts: &Accounts,
    ws: WorkspaceId,
    login_token: AuthToken,
) -> async_graphql::Result<SignUpOutput> {
    let workspace = accounts
        .store()
        .workspace(ws)
        .await
        .map_err(|e| coded(&e))?
        .ok_or_else(|| super::errors::not_found("workspace", ws.0))?;
    Ok(SignUpOutput {
        login_token,
        workspace: WorkspaceUrlsAndId {
            workspace_urls: WorkspaceUrls::of(&accounts.config().frontend_url, &workspace),
            id: UuidScalar(ws.0),
        },
    })
}
