//! Accounts and sign-in: users, passwords, token pairs, workspaces created by users,
//! invitations and password reset (`shared/reference/twenty-metadata-auth.md` §5, §6). The
//! `/metadata` resolvers (`metadata_api::auth`) are thin wrappers over [`Accounts`].

mod flows;
mod invitations;
pub mod mail;
pub mod passwords;
pub mod rate_limit;
mod reset;
mod tokens;
mod urls;

use sha2::{Digest, Sha256};
use tessera_core::{CodedError, ErrorCode};
use tessera_store::{Store, StoreError};

pub use flows::AvailableWorkspace;
pub use invitations::{SentInvitations, invitation_email, invitation_role};
pub use tokens::{IssuedToken, TokenPair};
pub use urls::workspace_url;

use crate::AuthConfig;
use crate::auth::AuthError;
use mail::Mailer;
use rate_limit::LoginLimiter;

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// Wrong password, unknown e-mail, disabled user or a user without a password: one
    /// message for all (no account enumeration through sign-in). `FORBIDDEN`, like Twenty's
    /// "Wrong password".
    #[error("Invalid email or password.")]
    InvalidCredentials,
    /// Too many attempts. `RATE_LIMITED`.
    #[error("Too many attempts, please try again later.")]
    RateLimited,
    /// The password breaks the rule (8 to 128 characters). `BAD_USER_INPUT`.
    #[error("Password must be between 8 and 128 characters long.")]
    WeakPassword,
    /// Not an e-mail address. `BAD_USER_INPUT`.
    #[error("Invalid email address: {0}")]
    InvalidEmail(String),
    /// Other bad input. `BAD_USER_INPUT`.
    #[error("{0}")]
    BadInput(String),
    /// A token that is invalid, expired, used or revoked. `UNAUTHENTICATED`.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Valid credentials that do not allow this. `FORBIDDEN`.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Something named does not exist. `NOT_FOUND`.
    #[error("{0}")]
    NotFound(&'static str),
    /// A token failed verification.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or a failed background task. Internal.
    #[error("{0}")]
    Internal(String),
}

impl CodedError for AccountsError {
    fn code(&self) -> ErrorCode {
        match self {
            AccountsError::InvalidCredentials | AccountsError::Forbidden(_) => ErrorCode::Forbidden,
            AccountsError::RateLimited => ErrorCode::RateLimited,
            AccountsError::WeakPassword
            | AccountsError::InvalidEmail(_)
            | AccountsError::BadInput(_) => ErrorCode::BadUserInput,
            AccountsError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            AccountsError::NotFound(_) => ErrorCode::NotFound,
            AccountsError::Auth(e) => e.code(),
            AccountsError::Store(e) => e.code(),
            AccountsError::Internal(_) => ErrorCode::InternalServerError,
        }
    }
}

/// The accounts service of one server process: store, signing secret, configuration, rate
/// limiters and mailer.
pub struct Accounts {
    store: Store,
    app_secret: String,
    config: AuthConfig,
    limiter: LoginLimiter,
    mailer: Mailer,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("config", &self.config)
            .field("mailer", &self.mailer)
            .finish_non_exhaustive()
    }
}

impl Accounts {
    /// The service over `store`, signing with `app_secret`.
    pub fn new(store: Store, app_secret: String, config: AuthConfig) -> Self {
        Self {
            limiter: LoginLimiter::new(&config),
            mailer: Mailer::new(&config),
            store,
            app_secret,
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Counts one request from `ip` against the per-IP login budget (public look-ups such as
    /// `checkUserExists`). Errors: [`AccountsError::RateLimited`].
    pub fn limiter_check_ip(&self, ip: Option<std::net::IpAddr>) -> Result<(), AccountsError> {
        self.limiter.check_ip(ip)
    }
}

/// SHA-256 hex of a secret token value: what `appToken.value` stores.
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A fresh secret token value: 32 random bytes as lower-case hex.
pub fn random_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Checks and normalises an e-mail address (trimmed, lower-case; one `@` with text on both
/// sides, no spaces). Errors: [`AccountsError::InvalidEmail`].
pub fn normalize_email(email: &str) -> Result<String, AccountsError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if valid {
        Ok(email)
    } else {
        Err(AccountsError::InvalidEmail(email))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(normalize_email(" A@B.io ").ok().as_deref(), Some("a@b.io"));
        assert!(normalize_email("nope").is_err());
        assert!(normalize_email("a@b").is_err());
        assert!(normalize_email("a b@c.io").is_err());
    }

    #[test]
    fn token_hashes_are_sha256_hex() {
        assert_eq!(token_hash("abc").len(), 64);
        assert_ne!(random_secret(), random_secret());
    }
}
