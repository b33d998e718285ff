//! Errors of the store.

use std::path::PathBuf;

use tessera_core::{CodedError, ErrorCode, WorkspaceId};
use tessera_metadata::{MetadataError, ValidationError};
use tessera_query::RunError;
use uuid::Uuid;

/// Why a store operation failed. Every variant says its [`ErrorCode`] (see [`CodedError`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or lost a statement (connection, migration, bug). Internal.
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// A statement against workspace data failed, classified (unique, foreign key, ...).
    #[error(transparent)]
    Run(#[from] RunError),
    /// The metadata cannot be turned into tables (duplicate names, bad relations, ...).
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// A metadata change was refused (invalid name, name clash, forbidden change, existing
    /// data in the way, ...). Nothing was changed.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// No object metadata with this id in the workspace.
    #[error("Object metadata {0} not found")]
    ObjectNotFound(Uuid),
    /// No field metadata with this id in the workspace.
    #[error("Field metadata {0} not found")]
    FieldNotFound(Uuid),
    /// No custom index with this id in the workspace.
    #[error("Index metadata {0} not found")]
    IndexNotFound(Uuid),
    /// A field's stored default value cannot be turned into SQL.
    #[error("invalid default value for column \"{column}\": {reason}")]
    InvalidDefault {
        /// The column.
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// No workspace with this id (or it is deleted).
    #[error("workspace {0} not found")]
    WorkspaceNotFound(WorkspaceId),
    /// The workspace has no active object with this `nameSingular`.
    #[error("object \"{0}\" does not exist")]
    UnknownObject(String),
    /// A row names a column the object does not have.
    #[error("object \"{object}\" has no column \"{column}\"")]
    UnknownColumn {
        /// The object's `nameSingular`.
        object: String,
        /// The unknown column.
        column: String,
    },
    /// A row's value does not fit its column type.
    #[error("invalid value for column \"{column}\": {reason}")]
    InvalidValue {
        /// The column.
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// No (non-deleted) API key with this id in the workspace.
    #[error("API key {0} not found")]
    ApiKeyNotFound(Uuid),
    /// An API key with this id already exists in the workspace.
    #[error("API key {0} already exists")]
    ApiKeyExists(Uuid),
    /// A non-deleted user already has this e-mail address (compared case-insensitively).
    #[error("A user with this email already exists")]
    UserExists,
    /// No (non-deleted) user with this id.
    #[error("User {0} not found")]
    UserNotFound(Uuid),
    /// The user is already a member of the workspace.
    #[error("User is already a member of this workspace")]
    AlreadyMember,
    /// Another workspace has this subdomain.
    #[error("This subdomain is already taken")]
    SubdomainTaken,
    /// A workspace cannot be activated in its current state (Twenty's messages: "Workspace is
    /// not pending creation", "Workspace is already being created").
    #[error("{0}")]
    WorkspaceActivation(&'static str),
    /// No (non-deleted) app token with this id in the workspace.
    #[error("App token {0} not found")]
    AppTokenNotFound(Uuid),
    /// A role operation was refused (not found, label taken, not editable, ...).
    #[error(transparent)]
    Role(#[from] crate::roles::RoleError),
    /// The configuration cannot be used (e.g. a database URL without a database name).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Stored system rows that cannot be read back (corrupt or foreign data). Internal.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// A file of the embedded store could not be created, opened or removed. Internal.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl StoreError {
    /// A [`StoreError::Corrupt`] with a message.
    pub(crate) fn corrupt(message: impl Into<String>) -> Self {
        Self::Corrupt(message.into())
    }
}

impl CodedError for StoreError {
    fn code(&self) -> ErrorCode {
        match self {
            StoreError::Database(_)
            | StoreError::Corrupt(_)
            | StoreError::Io { .. }
            | StoreError::Config(_) => ErrorCode::InternalServerError,
            StoreError::Run(run) => match run {
                RunError::UniqueViolation { .. } => ErrorCode::Conflict,
                RunError::ForeignKeyViolation { .. }
                | RunError::NotNullViolation { .. }
                | RunError::InvalidValue(_) => ErrorCode::BadUserInput,
                RunError::Other(_) => ErrorCode::InternalServerError,
            },
            StoreError::Metadata(_)
            | StoreError::Validation(_)
            | StoreError::InvalidDefault { .. } => ErrorCode::MetadataValidationFailed,
            StoreError::WorkspaceNotFound(_)
            | StoreError::ApiKeyNotFound(_)
            | StoreError::ObjectNotFound(_)
            | StoreError::FieldNotFound(_)
            | StoreError::IndexNotFound(_) => ErrorCode::NotFound,
            StoreError::UnknownObject(_)
            | StoreError::UnknownColumn { .. }
            | StoreError::InvalidValue { .. } => ErrorCode::BadUserInput,
            StoreError::ApiKeyExists(_)
            | StoreError::UserExists
            | StoreError::AlreadyMember
            | StoreError::SubdomainTaken
            | StoreError::WorkspaceActivation(_) => ErrorCode::Conflict,
            StoreError::UserNotFound(_) | StoreError::AppTokenNotFound(_) => ErrorCode::NotFound,
            StoreError::Role(e) => e.code(),
        }
    }

    fn sub_code(&self) -> Option<&'static str> {
        match self {
            StoreError::Role(e) => e.sub_code(),
            _ => None,
        }
    }
}
