//! Issuing, renewing and revoking token pairs (Twenty's `renewToken`, `signOut`,
//! `getAuthTokensFromLoginToken`; `shared/reference/twenty-metadata-auth.md` §6.4–6.5).
//!
//! Every sign-in starts a refresh-token *family*; each `renewToken` uses up the presented
//! refresh token (its `appToken` row is revoked) and issues a new one in the same family. A
//! refresh token presented after it was used revokes the whole family (stolen-token
//! detection: the thief's and the owner's newest tokens both stop working).

use chrono::{DateTime, Utc};
use tessera_core::WorkspaceId;
use tessera_store::{AppTokenType, NewAppToken, UserRecord, UserWorkspaceRecord};
use uuid::Uuid;

use super::{Accounts, AccountsError};
use crate::auth::user_tokens::{UserClaims, UserTokenType, sign_user_token, verify_user_token};

/// `authProvider` of password sign-ins.
const PASSWORD_PROVIDER: &str = "password";

/// A signed token and when it expires (Twenty's `AuthToken`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The JWT.
    pub token: String,
    /// Its `exp`.
    pub expires_at: DateTime<Utc>,
}

/// An access (or workspace-agnostic) token and its refresh token (Twenty's `AuthTokenPair`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// `ACCESS` or `WORKSPACE_AGNOSTIC` token.
    pub access: IssuedToken,
    /// `REFRESH` token.
    pub refresh: IssuedToken,
}

fn expiry(lifetime: std::time::Duration) -> DateTime<Utc> {
    Utc::now()
        + chrono::Duration::from_std(lifetime).unwrap_or_else(|_| chrono::Duration::days(36500))
}

impl Accounts {
    fn sign(&self, claims: UserClaims) -> IssuedToken {
        IssuedToken {
            token: sign_user_token(&self.app_secret, &claims),
            expires_at: chrono::DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now),
        }
    }

    /// A LOGIN token for `user` on `ws` (`LOGIN_TOKEN_EXPIRES_IN`), usable once: its `jti`
    /// is an `appToken` row that [`Accounts::tokens_from_login_token`] uses up.
    pub async fn login_token(
        &self,
        user: &UserRecord,
        ws: WorkspaceId,
    ) -> Result<IssuedToken, AccountsError> {
        let expires_at = expiry(self.config.login_token_expires_in);
        let row = self
            .store
            .create_app_token(NewAppToken {
                token_type: AppTokenType::LoginToken,
                user_id: Some(user.id),
                workspace_id: Some(ws),
                value_hash: None,
                family_id: None,
                context: None,
                expires_at,
            })
            .await?;
        let mut claims = UserClaims::new(UserTokenType::Login, user.email.clone(), expires_at);
        claims.workspace_id = Some(ws.to_string());
        claims.auth_provider = Some(PASSWORD_PROVIDER.to_owned());
        claims.jti = Some(row.id.to_string());
        Ok(self.sign(claims))
    }

    async fn refresh_token(
        &self,
        user_id: Uuid,
        ws: Option<WorkspaceId>,
        family: Uuid,
        targeted: UserTokenType,
    ) -> Result<IssuedToken, AccountsError> {
        let expires_at = expiry(self.config.refresh_token_expires_in);
        let row = self
            .store
            .create_app_token(NewAppToken {
                token_type: AppTokenType::RefreshToken,
                user_id: Some(user_id),
                workspace_id: ws,
                value_hash: None,
                family_id: Some(family),
                context: None,
                expires_at,
            })
            .await?;
        let mut claims = UserClaims::new(UserTokenType::Refresh, user_id.to_string(), expires_at);
        claims.user_id = Some(user_id.to_string());
        claims.workspace_id = ws.map(|w| w.to_string());
        claims.jti = Some(row.id.to_string());
        claims.targeted_token_type = Some(targeted.as_str().to_owned());
        claims.auth_provider = Some(PASSWORD_PROVIDER.to_owned());
        Ok(self.sign(claims))
    }

    /// An ACCESS token for the membership plus a refresh token (in `family`, or a new one).
    pub async fn workspace_pair(
        &self,
        user: &UserRecord,
        membership: &UserWorkspaceRecord,
        family: Option<Uuid>,
    ) -> Result<TokenPair, AccountsError> {
        let mut claims = UserClaims::new(
            UserTokenType::Access,
            user.id.to_string(),
            expiry(self.config.access_token_expires_in),
        );
        claims.user_id = Some(user.id.to_string());
        claims.workspace_id = Some(membership.workspace_id.to_string());
        claims.workspace_member_id = Some(membership.workspace_member_id.to_string());
        claims.user_workspace_id = Some(membership.id.to_string());
        claims.auth_provider = Some(PASSWORD_PROVIDER.to_owned());
        let refresh = self
            .refresh_token(
                user.id,
                Some(membership.workspace_id),
                family.unwrap_or_else(Uuid::new_v4),
                UserTokenType::Access,
            )
            .await?;
        Ok(TokenPair {
            access: self.sign(claims),
            refresh,
        })
    }

    /// A WORKSPACE_AGNOSTIC token plus a refresh token (in `family`, or a new one).
    pub async fn agnostic_pair(
        &self,
        user: &UserRecord,
        family: Option<Uuid>,
    ) -> Result<TokenPair, AccountsError> {
        let mut claims = UserClaims::new(
            UserTokenType::WorkspaceAgnostic,
            user.id.to_string(),
            expiry(self.config.workspace_agnostic_token_expires_in),
        );
        claims.user_id = Some(user.id.to_string());
        claims.auth_provider = Some(PASSWORD_PROVIDER.to_owned());
        let refresh = self
            .refresh_token(
                user.id,
                None,
                family.unwrap_or_else(Uuid::new_v4),
                UserTokenType::WorkspaceAgnostic,
            )
            .await?;
        Ok(TokenPair {
            access: self.sign(claims),
            refresh,
        })
    }

    /// `renewToken(appToken)`: uses up the refresh token and returns a new pair of the same
    /// kind in the same family. A refresh token that was already used revokes its family.
    ///
    /// Errors (all `UNAUTHENTICATED`): invalid, expired, used or revoked token; the user is
    /// gone or no longer a member of the token's workspace.
    pub async fn renew(&self, refresh_token: &str) -> Result<TokenPair, AccountsError> {
        let claims = verify_user_token(&self.app_secret, refresh_token, UserTokenType::Refresh)?;
        let parse = |v: Option<&str>| v.and_then(|v| Uuid::parse_str(v).ok());
        let (Some(jti), Some(user_id)) = (
            parse(claims.jti.as_deref()),
            parse(claims.user_id.as_deref()),
        ) else {
            return Err(AccountsError::Unauthenticated("Token invalid."));
        };
        let row = self
            .store
            .app_token(jti)
            .await?
            .filter(|r| r.token_type == AppTokenType::RefreshToken && r.user_id == Some(user_id))
            .ok_or(AccountsError::Unauthenticated("Token invalid."))?;
        if !self.store.consume_app_token(jti).await? {
            if let Some(family) = row.family_id
                && self
                    .store
                    .app_token(jti)
                    .await?
                    .is_some_and(|r| r.revoked_at.is_some())
            {
                let revoked = self.store.revoke_token_family(family).await?;
                tracing::warn!(%user_id, revoked, "refresh token reused: its session was revoked");
                return Err(AccountsError::Unauthenticated(
                    "Suspicious activity detected, this refresh token has been revoked. All tokens have been revoked.",
                ));
            }
            return Err(AccountsError::Unauthenticated("Token has expired."));
        }
        let user = self
            .store
            .user(user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(AccountsError::Unauthenticated("User not found"))?;
        match row.workspace_id {
            Some(ws) => {
                let membership = self.store.user_workspace(user_id, ws).await?.ok_or(
                    AccountsError::Unauthenticated("User is not a member of this workspace"),
                )?;
                self.workspace_pair(&user, &membership, row.family_id).await
            }
            None => self.agnostic_pair(&user, row.family_id).await,
        }
    }

    /// `signOut(refreshToken)`: revokes the session (refresh-token family) of a valid refresh
    /// token of `user_id`. Access tokens stay valid until they expire (they are not stored).
    /// Without a refresh token nothing is revoked.
    ///
    /// Errors: `UNAUTHENTICATED` for an invalid refresh token or one of another user.
    pub async fn sign_out(
        &self,
        user_id: Option<Uuid>,
        refresh_token: Option<&str>,
    ) -> Result<(), AccountsError> {
        let Some(token) = refresh_token else {
            return Ok(());
        };
        let claims = match verify_user_token(&self.app_secret, token, UserTokenType::Refresh) {
            Ok(claims) => claims,
            Err(crate::auth::AuthError::TokenExpired) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let jti = claims
            .jti
            .as_deref()
            .and_then(|v| Uuid::parse_str(v).ok())
            .ok_or(AccountsError::Unauthenticated("Token invalid."))?;
        let row = self
            .store
            .app_token(jti)
            .await?
            .filter(|r| r.token_type == AppTokenType::RefreshToken)
            .ok_or(AccountsError::Unauthenticated("Token invalid."))?;
        if user_id.is_some() && row.user_id != user_id {
            return Err(AccountsError::Unauthenticated("Token invalid."));
        }
        if let Some(family) = row.family_id {
            self.store.revoke_token_family(family).await?;
        }
        Ok(())
    }
}
