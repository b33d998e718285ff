//! Errors of the server crate.

use std::path::PathBuf;

use tessera_core::{CodedError, ErrorCode};
use tessera_store::StoreError;

/// Why starting the server or an administrative command failed.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The store failed (see [`StoreError`]).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// PostgreSQL mode needs an explicit app secret (every instance must share it).
    #[error("APP_SECRET (--app-secret) is required when DATABASE_URL is set")]
    MissingAppSecret,
    /// A file of the data directory could not be read or written.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The GraphQL schema of a workspace could not be built.
    #[error(transparent)]
    Schema(#[from] tessera_graphql::SchemaError),
    /// The embedded demo data set is unreadable (a build problem).
    #[error("demo data {file}: {reason}")]
    DemoData {
        /// The file.
        file: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// No test fixture with this name.
    #[error("unknown fixture \"{0}\"")]
    UnknownFixture(String),
    /// The event pub/sub (Redis) is unreachable or misconfigured.
    #[error(transparent)]
    PubSub(#[from] crate::events::PubSubError),
}

impl CodedError for ServerError {
    fn code(&self) -> ErrorCode {
        match self {
            ServerError::Store(e) => e.code(),
            ServerError::UnknownFixture(_) => ErrorCode::BadUserInput,
            ServerError::MissingAppSecret
            | ServerError::Io { .. }
            | ServerError::Schema(_)
            | ServerError::PubSub(_)
            | ServerError::DemoData { .. } => ErrorCode::InternalServerError,
        }
    }
}
