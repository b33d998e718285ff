//! Mapping of errors to GraphQL errors with a stable `extensions.code`.

use async_graphql::{ErrorExtensionValues, Response, ServerError};
use tessera_core::{CodedError, ErrorCode};

/// Builds `extensions` for a coded error: `code`, plus `subCode` when present, plus
/// `userFriendlyMessage` (Twenty's shape).
pub fn error_extensions(error: &dyn CodedError) -> ErrorExtensionValues {
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", error.code().as_str());
    if let Some(sub) = error.sub_code() {
        ext.set("subCode", sub);
    }
    ext.set(
        "userFriendlyMessage",
        if error.is_user_facing() {
            error.to_string()
        } else {
            "An error occurred.".to_owned()
        },
    );
    ext
}

/// Gives every error of a response an `extensions.code`: errors raised by our resolvers already
/// carry one; parse and validation errors from async-graphql (unknown field, bad enum value,
/// bad scalar) become `BAD_USER_INPUT`.
pub fn finish_response(mut response: Response) -> Response {
    for error in &mut response.errors {
        ensure_code(error);
    }
    response
}

fn ensure_code(error: &mut ServerError) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    if !has_code {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", ErrorCode::BadUserInput.as_str());
    }
}
