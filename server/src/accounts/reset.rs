//! Password reset by mail (Twenty's `emailPasswordResetLink`, `validatePasswordResetToken`,
//! `updatePasswordViaResetToken`). The reset token is a random secret sent only in the mail
//! (link `<front end>/reset-password/<token>`); the store keeps its SHA-256. A token works
//! once, within `PASSWORD_RESET_TOKEN_EXPIRES_IN`; using it revokes every refresh token of
//! the user.

use chrono::Utc;
use tessera_store::{AppTokenType, NewAppToken, UserRecord};

use super::passwords::{check_password_rule, hash_password};
use super::{Accounts, AccountsError, random_secret, token_hash};

const INVALID: &str = "Token is invalid";

impl Accounts {
    /// `emailPasswordResetLink(email)`: when a user has this e-mail, stores a reset token
    /// and mails the link. Answers the same whether or not the user exists.
    ///
    /// Errors: [`AccountsError::RateLimited`] (3 per e-mail per 15 minutes, as Twenty).
    pub async fn email_password_reset_link(&self, email: &str) -> Result<(), AccountsError> {
        self.limiter.check_reset(email)?;
        let Some(user) = self
            .store
            .user_by_email(email)
            .await?
            .filter(|u| !u.disabled)
        else {
            return Ok(());
        };
        let secret = random_secret();
        let expires_at = Utc::now()
            + chrono::Duration::from_std(self.config.password_reset_token_expires_in)
                .unwrap_or_else(|_| chrono::Duration::minutes(5));
        self.store
            .create_app_token(NewAppToken {
                token_type: AppTokenType::PasswordResetToken,
                user_id: Some(user.id),
                workspace_id: None,
                value_hash: Some(&token_hash(&secret)),
                family_id: None,
                context: None,
                expires_at,
            })
            .await?;
        let link = format!(
            "{}/reset-password/{secret}",
            self.config.frontend_url.trim_end_matches('/')
        );
        let minutes = self
            .config
            .password_reset_token_expires_in
            .as_secs()
            .div_ceil(60);
        let text = format!(
            "Someone asked to reset the password of your account.\n\nSet a new password:\n{link}\n\n\
             This link works once and expires in {minutes} minute(s). If you did not ask for it, ignore this mail.\n"
        );
        self.mailer
            .send("password-reset", &user.email, "Reset your password", text)
            .await;
        Ok(())
    }

    /// `validatePasswordResetToken`: the user a usable reset token belongs to.
    ///
    /// Errors: `FORBIDDEN` ("Token is invalid") for an unknown, used or expired token.
    pub async fn validate_reset_token(&self, secret: &str) -> Result<UserRecord, AccountsError> {
        let token = self
            .store
            .usable_app_token_by_hash(AppTokenType::PasswordResetToken, &token_hash(secret))
            .await?
            .ok_or(AccountsError::Forbidden(INVALID))?;
        let user_id = token.user_id.ok_or(AccountsError::Forbidden(INVALID))?;
        self.store
            .user(user_id)
            .await?
            .ok_or(AccountsError::Forbidden(INVALID))
    }

    /// `updatePasswordViaResetToken`: sets the new password, uses up the token and revokes
    /// every refresh token of the user, atomically.
    ///
    /// Errors: [`AccountsError::WeakPassword`], `FORBIDDEN` ("Token is invalid").
    pub async fn update_password_via_reset_token(
        &self,
        secret: &str,
        new_password: &str,
    ) -> Result<(), AccountsError> {
        check_password_rule(new_password)?;
        let hash = hash_password(new_password.to_owned()).await?;
        let user = self
            .store
            .reset_password_with_token(&token_hash(secret), &hash)
            .await?
            .ok_or(AccountsError::Forbidden(INVALID))?;
        tracing::info!(user_id = %user, "password reset");
        Ok(())
    }
}
