//! Errors and small helpers shared by the `/metadata` resolvers.

use async_graphql::Context;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tessera_core::{CodedError, ErrorCode, PermissionFlag, Session};
use uuid::Uuid;

use super::MetadataContext;

/// A coded error as a GraphQL error (`extensions.code`, `subCode`, `userFriendlyMessage`).
pub(crate) fn coded(e: &dyn CodedError) -> async_graphql::Error {
    if !e.is_user_facing() {
        tracing::error!(error = %e, "metadata request failed");
    }
    async_graphql::Error {
        message: if e.is_user_facing() {
            e.to_string()
        } else {
            "Internal server error".to_owned()
        },
        source: None,
        extensions: Some(tessera_graphql::error_extensions(e)),
    }
}

/// An error with a code and a message.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct ApiError {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl CodedError for ApiError {
    fn code(&self) -> ErrorCode {
        self.code
    }
}

/// Twenty's `SettingsPermissionGuard` refusal (`PermissionsException('User does not have
/// permission', PERMISSION_DENIED)` → `FORBIDDEN`).
#[derive(Debug, thiserror::Error)]
#[error("User does not have permission")]
pub(crate) struct PermissionDenied;

impl CodedError for PermissionDenied {
    fn code(&self) -> ErrorCode {
        ErrorCode::Forbidden
    }

    fn sub_code(&self) -> Option<&'static str> {
        Some("PERMISSION_DENIED")
    }
}

/// The session, if its role has `flag` (Twenty's `SettingsPermissionGuard(flag)`).
/// Errors: `UNAUTHENTICATED` without a session, `FORBIDDEN` (`User does not have permission`).
pub(crate) fn require_flag(
    mc: &MetadataContext,
    flag: PermissionFlag,
) -> async_graphql::Result<&Session> {
    let session = mc.session()?;
    if session.permissions.has_flag(flag) {
        Ok(session)
    } else {
        Err(coded(&PermissionDenied))
    }
}

/// A store error as a GraphQL error.
pub(crate) fn store(e: tessera_store::StoreError) -> async_graphql::Error {
    coded(&e)
}

pub(crate) fn not_found(what: &str, id: Uuid) -> async_graphql::Error {
    coded(&ApiError {
        code: ErrorCode::NotFound,
        message: format!("Unable to find {what} with id: {id}"),
    })
}

/// Converts a GraphQL input into the store's input type (same camelCase names); absent and
/// null keys mean "unchanged".
pub(crate) fn convert<T: DeserializeOwned>(input: &impl Serialize) -> async_graphql::Result<T> {
    let mut value = serde_json::to_value(input).map_err(|e| bad(e.to_string()))?;
    if let serde_json::Value::Object(map) = &mut value {
        map.retain(|_, v| !v.is_null());
    }
    serde_json::from_value(value).map_err(|e| bad(format!("Invalid input: {e}")))
}

pub(crate) fn bad(message: String) -> async_graphql::Error {
    coded(&ApiError {
        code: ErrorCode::BadUserInput,
        message,
    })
}

pub(crate) fn context<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c MetadataContext> {
    ctx.data::<MetadataContext>()
}
