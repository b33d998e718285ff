//! Errors raised while resolving metadata into a [`crate::WorkspaceModel`].

use tessera_core::{CodedError, ErrorCode};

/// Metadata that cannot be turned into a working schema.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MetadataError {
    /// Two objects or two fields share a name.
    #[error("Duplicate name \"{0}\"")]
    DuplicateName(String),
    /// A relation points at an object or field that does not exist.
    #[error("Relation field \"{object}.{field}\" targets an unknown object or field")]
    UnknownRelationTarget {
        /// Object holding the relation field.
        object: String,
        /// The relation field.
        field: String,
    },
    /// A field's settings or options do not fit its type.
    #[error("Field \"{object}.{field}\" is invalid: {reason}")]
    InvalidField {
        /// Object holding the field.
        object: String,
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

impl CodedError for MetadataError {
    fn code(&self) -> ErrorCode {
        ErrorCode::MetadataValidationFailed
    }
}
