//! The stable error-code vocabulary (`extensions.code` in GraphQL errors).

use serde::Serialize;

/// Stable machine-readable error codes, as sent in a GraphQL error's `extensions.code`.
///
/// The names follow Twenty (`graphql-errors.util.ts`) so clients written for Twenty can branch on
/// them unchanged. `frontend-contracts/error-codes.json` is generated from [`ErrorCode::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The request is malformed or names something that does not exist (bad UUID, unknown
    /// field, invalid enum value, page size over the maximum, undecodable cursor, ...).
    BadUserInput,
    /// No credentials, or credentials that are expired, revoked, tampered or for another workspace.
    Unauthenticated,
    /// Valid credentials that are not allowed to do this.
    Forbidden,
    /// The record (or object) asked for does not exist or is soft-deleted.
    NotFound,
    /// The change conflicts with existing data (unique constraint, concurrent change).
    Conflict,
    /// A metadata change (object, field, relation) failed validation.
    MetadataValidationFailed,
    /// Too many requests; retry later.
    RateLimited,
    /// A bug or an unavailable dependency. The message sent to clients is generic.
    InternalServerError,
}

impl ErrorCode {
    /// Every code, in a stable order.
    pub const ALL: [ErrorCode; 8] = [
        ErrorCode::BadUserInput,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::MetadataValidationFailed,
        ErrorCode::RateLimited,
        ErrorCode::InternalServerError,
    ];

    /// The wire name, e.g. `"BAD_USER_INPUT"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::MetadataValidationFailed => "METADATA_VALIDATION_FAILED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status a non-GraphQL endpoint answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadUserInput | ErrorCode::MetadataValidationFailed => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::RateLimited => 429,
            ErrorCode::InternalServerError => 500,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error that knows its [`ErrorCode`] and whether its message may be shown to the client.
///
/// Every module's `thiserror` enum implements this; the API layer turns it into a GraphQL error
/// with `extensions.code` (and `extensions.subCode` when given). Errors that are not
/// user-facing reach the client as a generic message; the log gets the full text.
pub trait CodedError: std::error::Error {
    /// The stable code.
    fn code(&self) -> ErrorCode;
    /// A finer, stable reason (Twenty's `subCode`, e.g. `INVALID_CURSOR`), if any.
    fn sub_code(&self) -> Option<&'static str> {
        None
    }
    /// Whether `to_string()` may be sent to the client. Defaults to "yes unless internal".
    fn is_user_facing(&self) -> bool {
        self.code() != ErrorCode::InternalServerError
    }
}
