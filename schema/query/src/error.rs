//! Errors of compiling and running an operation.

use tessera_core::{CodedError, ErrorCode};

use crate::RunError;

/// Why an operation failed. Every variant carries its [`ErrorCode`] (see [`CodedError`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// Bad input: unknown field, invalid value, bad paging arguments, undecodable cursor...
    /// `sub_code` is Twenty's finer reason (`INVALID_CURSOR`, `ARGS_CONFLICT`,
    /// `INVALID_QUERY_INPUT`, ...).
    #[error("{message}")]
    BadInput {
        /// Human-readable text naming the field.
        message: String,
        /// Stable finer reason.
        sub_code: &'static str,
    },
    /// The session's role does not allow this (Twenty's `PERMISSION_DENIED` → `FORBIDDEN`); the
    /// message names the object or field.
    #[error("{message}")]
    Forbidden {
        /// `User does not have permission: ...` naming what is refused.
        message: String,
    },
    /// No record matched (`Record not found`).
    #[error("Record not found")]
    NotFound,
    /// The write conflicts with existing data (unique value taken).
    #[error("{message}")]
    Conflict {
        /// Names the field whose value is taken.
        message: String,
    },
    /// A database or internal failure (not shown to clients).
    #[error("{0}")]
    Internal(String),
}

impl QueryError {
    /// A `BAD_USER_INPUT` error with sub-code `INVALID_QUERY_INPUT`.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::BadInput {
            message: message.into(),
            sub_code: "INVALID_QUERY_INPUT",
        }
    }

    /// A `BAD_USER_INPUT` error with the given sub-code.
    pub fn bad_with(sub_code: &'static str, message: impl Into<String>) -> Self {
        Self::BadInput {
            message: message.into(),
            sub_code,
        }
    }
}

impl CodedError for QueryError {
    fn code(&self) -> ErrorCode {
        match self {
            QueryError::BadInput { .. } => ErrorCode::BadUserInput,
            QueryError::Forbidden { .. } => ErrorCode::Forbidden,
            QueryError::NotFound => ErrorCode::NotFound,
            QueryError::Conflict { .. } => ErrorCode::Conflict,
            QueryError::Internal(_) => ErrorCode::InternalServerError,
        }
    }

    fn sub_code(&self) -> Option<&'static str> {
        match self {
            QueryError::BadInput { sub_code, .. } => Some(sub_code),
            QueryError::Forbidden { .. } => Some("PERMISSION_DENIED"),
            QueryError::NotFound => Some("RECORD_NOT_FOUND"),
            QueryError::Conflict { .. } => Some("DUPLICATE_ENTRY_DETECTED"),
            QueryError::Internal(_) => None,
        }
    }
}

impl From<RunError> for QueryError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::UniqueViolation { constraint } => QueryError::Conflict {
                message: format!(
                    "A duplicate entry was detected: {constraint} is already used by another record"
                ),
            },
            RunError::ForeignKeyViolation { constraint } => {
                QueryError::bad(format!("A related record does not exist ({constraint})"))
            }
            RunError::NotNullViolation { column } => {
                QueryError::bad(format!("Field \"{column}\" cannot be null"))
            }
            RunError::InvalidValue(message) => QueryError::bad(message),
            RunError::Other(message) => QueryError::Internal(message),
        }
    }
}
