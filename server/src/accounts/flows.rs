//! Sign-up, sign-in and the user's workspaces (Twenty's `signUp`, `signIn`,
//! `signUpInNewWorkspace`, `activateWorkspace`, `getLoginTokenFromCredentials`,
//! `getAuthTokensFromLoginToken`; `shared/reference/twenty-metadata-auth.md` §5.2, §6.4).

use std::net::IpAddr;

use tessera_core::{Actor, Session};
use tessera_store::{
    AppTokenType, NewUser, StoreError, UserRecord, UserWorkspaceRecord, WorkspaceRecord,
};
use uuid::Uuid;

use super::passwords::{check_password_rule, hash_password, verify_password};
use super::tokens::{IssuedToken, TokenPair};
use super::urls::origin_subdomain;
use super::{Accounts, AccountsError, normalize_email};
use crate::auth::user_tokens::{UserTokenType, verify_user_token};

/// A workspace the user can sign in to (Twenty's `AvailableWorkspace`).
#[derive(Debug, Clone)]
pub struct AvailableWorkspace {
    /// The workspace.
    pub workspace: WorkspaceRecord,
    /// The user's membership.
    pub membership: UserWorkspaceRecord,
    /// A LOGIN token for it (sign-in answers only).
    pub login_token: Option<IssuedToken>,
}

/// Default locale of new users.
const DEFAULT_LOCALE: &str = "en";

/// A subdomain from a display name: lower-case letters, digits and `-`, plus a random suffix
/// (`Acme Inc` → `acme-inc-3fa2c1`).
fn generated_subdomain(display_name: Option<&str>) -> String {
    let mut base: String = display_name
        .unwrap_or_default()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    base = base
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    base.truncate(40);
    let base = base.trim_matches('-');
    let suffix = hex::encode(rand::random::<[u8; 3]>());
    if base.is_empty() {
        format!("workspace-{suffix}")
    } else {
        format!("{base}-{suffix}")
    }
}

/// Checks a requested subdomain: 3 to 63 characters of `a-z`, `0-9`, `-`, not starting or
/// ending with `-`. Errors: [`AccountsError::BadInput`].
fn check_subdomain(subdomain: &str) -> Result<String, AccountsError> {
    let s = subdomain.trim().to_lowercase();
    let ok = (3..=63).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s)
    } else {
        Err(AccountsError::BadInput(format!(
            "Invalid subdomain \"{subdomain}\""
        )))
    }
}

impl Accounts {
    /// Checks an e-mail and password, rate-limited per e-mail and per `ip`
    /// ([`super::rate_limit`]). An unknown e-mail costs the same hashing work as a known
    /// one and gets the same error.
    ///
    /// Errors: [`AccountsError::RateLimited`], [`AccountsError::InvalidCredentials`].
    pub async fn verify_credentials(
        &self,
        email: &str,
        password: &str,
        ip: Option<IpAddr>,
    ) -> Result<UserRecord, AccountsError> {
        self.limiter.check_login(email, ip)?;
        let user = self.store.user_by_email(email).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let matches = verify_password(password.to_owned(), hash).await;
        match user {
            Some(user) if matches && !user.disabled => Ok(user),
            _ => Err(AccountsError::InvalidCredentials),
        }
    }

    /// `signUp`: creates a user with a password (no workspace) and returns a
    /// workspace-agnostic pair. Rate-limited per `ip`.
    ///
    /// Errors: [`AccountsError::InvalidEmail`], [`AccountsError::WeakPassword`],
    /// [`AccountsError::RateLimited`], `CONFLICT` when the e-mail is taken.
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        locale: Option<&str>,
        ip: Option<IpAddr>,
    ) -> Result<(UserRecord, TokenPair), AccountsError> {
        let user = self.create_user(email, password, locale, ip).await?;
        let pair = self.agnostic_pair(&user, None).await?;
        Ok((user, pair))
    }

    async fn create_user(
        &self,
        email: &str,
        password: &str,
        locale: Option<&str>,
        ip: Option<IpAddr>,
    ) -> Result<UserRecord, AccountsError> {
        let email = normalize_email(email)?;
        check_password_rule(password)?;
        self.limiter.check_ip(ip)?;
        let hash = hash_password(password.to_owned()).await?;
        let user = self
            .store
            .create_user(NewUser {
                email: &email,
                first_name: "",
                last_name: "",
                password_hash: Some(&hash),
                locale: locale.filter(|l| !l.is_empty()).unwrap_or(DEFAULT_LOCALE),
            })
            .await?;
        tracing::info!(user_id = %user.id, "user signed up");
        Ok(user)
    }

    /// `signIn`: checks the password and returns a workspace-agnostic pair.
    ///
    /// Errors: see [`Accounts::verify_credentials`].
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        ip: Option<IpAddr>,
    ) -> Result<(UserRecord, TokenPair), AccountsError> {
        let user = self.verify_credentials(email, password, ip).await?;
        let pair = self.agnostic_pair(&user, None).await?;
        Ok((user, pair))
    }

    /// The user's workspaces, oldest membership first; with `login_tokens`, each with a
    /// LOGIN token (sign-in).
    pub async fn available_workspaces(
        &self,
        user: &UserRecord,
        login_tokens: bool,
    ) -> Result<Vec<AvailableWorkspace>, AccountsError> {
        let mut out = Vec::new();
        for membership in self.store.user_workspaces(user.id).await? {
            let Some(workspace) = self.store.workspace(membership.workspace_id).await? else {
                continue;
            };
            let login_token = if login_tokens {
                Some(self.login_token(user, workspace.id).await?)
            } else {
                None
            };
            out.push(AvailableWorkspace {
                workspace,
                membership,
                login_token,
            });
        }
        Ok(out)
    }

    /// `signUpInNewWorkspace`: creates a workspace pending creation (display name,
    /// subdomain: given or generated) with the user as its first member, and returns it with
    /// a LOGIN token for it.
    ///
    /// Errors: `NOT_FOUND` (user gone), [`AccountsError::BadInput`] (subdomain), `CONFLICT`
    /// (subdomain taken).
    pub async fn sign_up_in_new_workspace(
        &self,
        user_id: Uuid,
        display_name: Option<&str>,
        subdomain: Option<&str>,
    ) -> Result<(WorkspaceRecord, IssuedToken), AccountsError> {
        let user = self
            .store
            .user(user_id)
            .await?
            .ok_or(AccountsError::NotFound("User not found"))?;
        let display_name = display_name.map(str::trim).filter(|n| !n.is_empty());
        let subdomain = match subdomain.filter(|s| !s.trim().is_empty()) {
            Some(s) => check_subdomain(s)?,
            None => generated_subdomain(display_name),
        };
        let (workspace, _) = self
            .store
            .create_pending_workspace(display_name.unwrap_or(""), &subdomain, &user)
            .await?;
        let token = self.login_token(&user, workspace.id).await?;
        Ok((workspace, token))
    }

    /// `activateWorkspace`: creates the session's workspace storage with the standard objects
    /// and every member's `workspaceMember` record, then makes it the user's default.
    /// `display_name`, when given and non-empty, names a workspace that has no name yet.
    ///
    /// Errors: `FORBIDDEN` for a non-user session; `CONFLICT` when the workspace is not
    /// pending creation; store errors.
    pub async fn activate_workspace(
        &self,
        session: &Session,
    ) -> Result<WorkspaceRecord, AccountsError> {
        let Actor::User { user_id, .. } = &session.actor else {
            return Err(AccountsError::Forbidden(
                "Only a user can activate a workspace",
            ));
        };
        let objects = tessera_metadata::standard::standard_objects();
        let workspace = self
            .store
            .activate_workspace(session.workspace_id, objects)
            .await?;
        self.store
            .set_default_workspace(*user_id, session.workspace_id)
            .await?;
        Ok(workspace)
    }

    /// The workspace a browser origin names (`http://<subdomain>.<front-end host>`), if any.
    pub async fn workspace_for_origin(
        &self,
        origin: &str,
    ) -> Result<Option<WorkspaceRecord>, AccountsError> {
        match origin_subdomain(&self.config.frontend_url, origin) {
            Some(sub) => Ok(self.store.workspace_by_subdomain(&sub).await?),
            None => Ok(None),
        }
    }

    /// `getLoginTokenFromCredentials`: checks the password, picks the workspace (the one the
    /// origin names; else the user's only or default workspace) and returns a LOGIN token.
    ///
    /// Errors: see [`Accounts::verify_credentials`]; `FORBIDDEN` when the user is not a
    /// member of the origin's workspace or the workspace cannot be chosen.
    pub async fn login_token_from_credentials(
        &self,
        email: &str,
        password: &str,
        origin: &str,
        ip: Option<IpAddr>,
    ) -> Result<IssuedToken, AccountsError> {
        let user = self.verify_credentials(email, password, ip).await?;
        let memberships = self.store.user_workspaces(user.id).await?;
        let ws = match self.workspace_for_origin(origin).await? {
            Some(workspace) => memberships
                .iter()
                .find(|m| m.workspace_id == workspace.id)
                .map(|m| m.workspace_id)
                .ok_or(AccountsError::Forbidden(
                    "User is not a member of the workspace.",
                ))?,
            None => match memberships.as_slice() {
                [only] => only.workspace_id,
                many => many
                    .iter()
                    .find(|m| Some(m.workspace_id) == user.default_workspace_id)
                    .map(|m| m.workspace_id)
                    .ok_or(AccountsError::Forbidden(
                        "Cannot tell which workspace to sign in to from this origin",
                    ))?,
            },
        };
        self.login_token(&user, ws).await
    }

    /// `getAuthTokensFromLoginToken`: verifies a LOGIN token, uses it up (once only), and
    /// returns an ACCESS pair for its workspace (new session).
    ///
    /// Errors: `UNAUTHENTICATED` (invalid, expired or used token, unknown user), `FORBIDDEN`
    /// ('Token is not valid for this workspace' when the origin names another workspace;
    /// not a member).
    pub async fn tokens_from_login_token(
        &self,
        login_token: &str,
        origin: &str,
    ) -> Result<TokenPair, AccountsError> {
        let claims = verify_user_token(&self.app_secret, login_token, UserTokenType::Login)?;
        let ws: tessera_core::WorkspaceId = claims
            .workspace_id
            .as_deref()
            .and_then(|w| w.parse().ok())
            .ok_or(AccountsError::Unauthenticated("Token invalid."))?;
        if let Some(origin_ws) = self.workspace_for_origin(origin).await?
            && origin_ws.id != ws
        {
            return Err(AccountsError::Forbidden(
                "Token is not valid for this workspace",
            ));
        }
        let user = self
            .store
            .user_by_email(&claims.sub)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(AccountsError::Unauthenticated("User not found"))?;
        let membership =
            self.store
                .user_workspace(user.id, ws)
                .await?
                .ok_or(AccountsError::Forbidden(
                    "User is not a member of the workspace.",
                ))?;
        let jti = claims
            .jti
            .as_deref()
            .and_then(|j| Uuid::parse_str(j).ok())
            .ok_or(AccountsError::Unauthenticated("Token invalid."))?;
        let row = self
            .store
            .app_token(jti)
            .await?
            .filter(|r| r.token_type == AppTokenType::LoginToken && r.user_id == Some(user.id));
        if row.is_none() || !self.store.consume_app_token(jti).await? {
            return Err(AccountsError::Unauthenticated(
                "This login token was already used or has expired",
            ));
        }
        self.workspace_pair(&user, &membership, None).await
    }

    /// Adds `user` to the active workspace `ws` (invitation accepted); an existing
    /// membership is kept.
    pub(crate) async fn join_workspace(
        &self,
        ws: tessera_core::WorkspaceId,
        user: &UserRecord,
    ) -> Result<(), AccountsError> {
        match self.store.add_workspace_member(ws, user).await {
            Ok(_) | Err(StoreError::AlreadyMember) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates a user with a password, or checks the password of the existing user with this
    /// e-mail (sign-up through an invitation).
    pub(crate) async fn user_for_sign_up(
        &self,
        email: &str,
        password: &str,
        ip: Option<IpAddr>,
    ) -> Result<UserRecord, AccountsError> {
        if self.store.user_by_email(email).await?.is_some() {
            self.verify_credentials(email, password, ip).await
        } else {
            self.create_user(email, password, None, ip).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains() {
        let s = generated_subdomain(Some("Acme  Inc!"));
        assert!(s.starts_with("acme-inc-"), "{s}");
        assert!(check_subdomain(&s).is_ok());
        assert!(generated_subdomain(None).starts_with("workspace-"));
        assert!(check_subdomain("-bad").is_err());
        assert!(check_subdomain("ab").is_err());
        assert_eq!(check_subdomain("Good-1").ok().as_deref(), Some("good-1"));
    }
}
