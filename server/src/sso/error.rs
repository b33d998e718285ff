//! Errors of the login flows and the SSO administration.

use tessera_core::{CodedError, ErrorCode};
use tessera_store::StoreError;

use crate::accounts::AccountsError;

/// Why a login flow or an SSO administration call failed. Messages are shown to the user
/// (`/verify?errorMessage=`) and never contain tokens, secrets or IdP responses.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// No identity provider with this id (in this workspace). `NOT_FOUND`.
    #[error("Identity provider not found")]
    ProviderNotFound,
    /// The provider is not `Active`. `FORBIDDEN`.
    #[error("Identity provider is not active")]
    ProviderInactive,
    /// Google / Microsoft sign-in is not enabled on this server. `FORBIDDEN`.
    #[error("{0} sign-in is not enabled")]
    SocialDisabled(&'static str),
    /// The callback's `state` (or SAML `InResponseTo`) is unknown, used or expired.
    /// `UNAUTHENTICATED`.
    #[error("This login attempt is invalid or has expired, please sign in again")]
    InvalidState,
    /// The identity provider's answer could not be verified (signature, issuer, audience,
    /// nonce, expiry, destination, replay, ...). `UNAUTHENTICATED`.
    #[error("The identity provider's response was refused: {0}")]
    Refused(&'static str),
    /// The identity provider reported an error or refused the login (`error=` on the
    /// callback). `UNAUTHENTICATED`.
    #[error("The identity provider did not sign you in")]
    IdpDenied,
    /// The provider's configuration cannot be used (discovery failed, bad certificate, ...).
    /// `BAD_USER_INPUT` on creation ("Invalid issuer"), `UNAUTHENTICATED` during a login.
    #[error("{0}")]
    InvalidConfiguration(&'static str),
    /// The identity provider sent no (verified) e-mail address. `FORBIDDEN`.
    #[error("No verified email found")]
    EmailRequired,
    /// The user may not sign in to this workspace (not a member, no invitation).
    /// `FORBIDDEN`.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Bad input to an administration call. `BAD_USER_INPUT`.
    #[error("{0}")]
    BadInput(String),
    /// The accounts layer failed (user creation, membership, token).
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CodedError for SsoError {
    fn code(&self) -> ErrorCode {
        match self {
            SsoError::ProviderNotFound => ErrorCode::NotFound,
            SsoError::ProviderInactive
            | SsoError::SocialDisabled(_)
            | SsoError::EmailRequired
            | SsoError::Forbidden(_) => ErrorCode::Forbidden,
            SsoError::InvalidState
            | SsoError::Refused(_)
            | SsoError::IdpDenied
            | SsoError::InvalidConfiguration(_) => ErrorCode::Unauthenticated,
            SsoError::BadInput(_) => ErrorCode::BadUserInput,
            SsoError::Accounts(e) => e.code(),
            SsoError::Store(e) => e.code(),
        }
    }
}
