//! Personal workspace invitations (Twenty's `sendInvitations`, `findWorkspaceInvitations`,
//! `deleteWorkspaceInvitation`, `resendWorkspaceInvitation`, and `signUpInWorkspace` with a
//! `workspacePersonalInviteToken`). An invitation is an `appToken` of type `InvitationToken`
//! holding the SHA-256 of a random secret; the secret only travels in the invitation mail.

use std::net::IpAddr;

use chrono::Utc;
use serde_json::json;
use tessera_core::{Actor, Session, WorkspaceId};
use tessera_store::{AppTokenRecord, AppTokenType, NewAppToken};
use uuid::Uuid;

use super::tokens::IssuedToken;
use super::urls::{query_encode, workspace_url};
use super::{Accounts, AccountsError, normalize_email, random_secret, token_hash};

/// The result of `sendInvitations`: the invitations created and one message per e-mail that
/// was not invited.
#[derive(Debug, Clone, Default)]
pub struct SentInvitations {
    /// Created invitations.
    pub invitations: Vec<AppTokenRecord>,
    /// Why some e-mails were skipped (invalid address, already a member).
    pub errors: Vec<String>,
}

/// The invited e-mail of an invitation row.
pub fn invitation_email(token: &AppTokenRecord) -> Option<&str> {
    token.context.as_ref()?.get("email")?.as_str()
}

/// The role of an invitation row, if one was chosen.
pub fn invitation_role(token: &AppTokenRecord) -> Option<Uuid> {
    token
        .context
        .as_ref()?
        .get("roleId")?
        .as_str()
        .and_then(|r| Uuid::parse_str(r).ok())
}

fn inviter(session: &Session) -> Result<&str, AccountsError> {
    match &session.actor {
        Actor::User { name, .. } => Ok(name),
        _ => Err(AccountsError::Forbidden(
            "Only a workspace member can invite",
        )),
    }
}

impl Accounts {
    /// `sendInvitations(emails, roleId)`: one invitation per new e-mail, each mailed with its
    /// link `<workspace URL>/invite?inviteToken=<secret>&email=<email>`.
    ///
    /// Errors: `FORBIDDEN` for a non-user session; store errors.
    pub async fn send_invitations(
        &self,
        session: &Session,
        emails: &[String],
        role_id: Option<Uuid>,
    ) -> Result<SentInvitations, AccountsError> {
        let inviter = inviter(session)?.to_owned();
        let ws = session.workspace_id;
        let mut out = SentInvitations::default();
        for raw in emails {
            let email = match normalize_email(raw) {
                Ok(email) => email,
                Err(e) => {
                    out.errors.push(e.to_string());
                    continue;
                }
            };
            if let Some(user) = self.store.user_by_email(&email).await?
                && self.store.user_workspace(user.id, ws).await?.is_some()
            {
                out.errors
                    .push(format!("{email} is already a member of this workspace"));
                continue;
            }
            let invitation = self.invite(ws, &email, role_id, &inviter).await?;
            out.invitations.push(invitation);
        }
        Ok(out)
    }

    async fn invite(
        &self,
        ws: WorkspaceId,
        email: &str,
        role_id: Option<Uuid>,
        inviter: &str,
    ) -> Result<AppTokenRecord, AccountsError> {
        let workspace = self
            .store
            .workspace(ws)
            .await?
            .ok_or(AccountsError::NotFound("Workspace not found"))?;
        let secret = random_secret();
        let expires_at = Utc::now()
            + chrono::Duration::from_std(self.config.invitation_token_expires_in)
                .unwrap_or_else(|_| chrono::Duration::days(30));
        let invitation = self
            .store
            .create_app_token(NewAppToken {
                token_type: AppTokenType::InvitationToken,
                user_id: None,
                workspace_id: Some(ws),
                value_hash: Some(&token_hash(&secret)),
                family_id: None,
                context: Some(json!({"email": email, "roleId": role_id})),
                expires_at,
            })
            .await?;
        let link = format!(
            "{}/invite?workspaceId={ws}&inviteToken={secret}&email={}",
            workspace_url(&self.config.frontend_url, workspace.subdomain.as_deref()),
            query_encode(email)
        );
        let name = if workspace.display_name.is_empty() {
            "a workspace"
        } else {
            workspace.display_name.as_str()
        };
        let inviter = if inviter.is_empty() {
            "A member"
        } else {
            inviter
        };
        let text = format!(
            "{inviter} invited you to join {name}.\n\nAccept the invitation:\n{link}\n\nThis invitation expires on {}.\n",
            expires_at.format("%Y-%m-%d")
        );
        self.mailer
            .send("invitation", email, &format!("Join {name}"), text)
            .await;
        Ok(invitation)
    }

    /// `findWorkspaceInvitations`: the workspace's pending invitations.
    pub async fn invitations(&self, ws: WorkspaceId) -> Result<Vec<AppTokenRecord>, AccountsError> {
        Ok(self.store.workspace_invitations(ws).await?)
    }

    /// `deleteWorkspaceInvitation(appTokenId)`. Errors: `NOT_FOUND` (also for another
    /// workspace's invitation).
    pub async fn delete_invitation(&self, ws: WorkspaceId, id: Uuid) -> Result<(), AccountsError> {
        Ok(self
            .store
            .delete_workspace_app_token(ws, AppTokenType::InvitationToken, id)
            .await?)
    }

    /// `resendWorkspaceInvitation(appTokenId)`: replaces the invitation with a new one (new
    /// secret, new expiry) and mails it.
    ///
    /// Errors: `NOT_FOUND`, `FORBIDDEN` for a non-user session.
    pub async fn resend_invitation(
        &self,
        session: &Session,
        id: Uuid,
    ) -> Result<SentInvitations, AccountsError> {
        let inviter = inviter(session)?.to_owned();
        let ws = session.workspace_id;
        let old = self
            .store
            .app_token(id)
            .await?
            .filter(|t| t.token_type == AppTokenType::InvitationToken && t.workspace_id == Some(ws))
            .ok_or(AccountsError::NotFound("Invitation not found"))?;
        let email = invitation_email(&old)
            .ok_or(AccountsError::NotFound("Invitation not found"))?
            .to_owned();
        self.delete_invitation(ws, id).await?;
        let invitation = self
            .invite(ws, &email, invitation_role(&old), &inviter)
            .await?;
        Ok(SentInvitations {
            invitations: vec![invitation],
            errors: Vec::new(),
        })
    }

    /// `signUpInWorkspace` with a personal invitation: the invitation (secret from the mail)
    /// must be usable, for this e-mail and, when given, for `workspace_id`. Creates the user
    /// (or checks the existing user's password), adds them to the workspace, uses up the
    /// invitation, and returns the workspace with a LOGIN token.
    ///
    /// Errors: `FORBIDDEN` (invalid, expired or used invitation; another e-mail's; public
    /// invite links are not supported), credential and password-rule errors.
    pub async fn sign_up_with_invitation(
        &self,
        email: &str,
        password: &str,
        workspace_id: Option<WorkspaceId>,
        personal_invite_token: Option<&str>,
        ip: Option<IpAddr>,
    ) -> Result<(WorkspaceId, IssuedToken), AccountsError> {
        const INVALID: &str = "This invitation is invalid or has expired";
        let secret =
            personal_invite_token
                .filter(|t| !t.is_empty())
                .ok_or(AccountsError::Forbidden(
                    "A personal invitation is required to join this workspace",
                ))?;
        let email = normalize_email(email)?;
        let invitation = self
            .store
            .usable_app_token_by_hash(AppTokenType::InvitationToken, &token_hash(secret))
            .await?
            .ok_or(AccountsError::Forbidden(INVALID))?;
        let ws = invitation
            .workspace_id
            .ok_or(AccountsError::Forbidden(INVALID))?;
        if workspace_id.is_some_and(|w| w != ws)
            || invitation_email(&invitation) != Some(email.as_str())
        {
            return Err(AccountsError::Forbidden(INVALID));
        }
        let user = self.user_for_sign_up(&email, password, ip).await?;
        self.join_workspace(ws, &user).await?;
        // Used up after joining: a failed join leaves the invitation usable.
        self.store.consume_app_token(invitation.id).await?;
        Ok((ws, self.login_token(&user, ws).await?))
    }
}
