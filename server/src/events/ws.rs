//! GraphQL over WebSocket on `GET /graphql` (upgrade): both sub-protocols,
//! `graphql-transport-ws` (the `graphql-ws` npm library) and the legacy `graphql-ws`
//! (Apollo `subscriptions-transport-ws`).
//!
//! Authentication happens in `connection_init`: its payload carries
//! `{"Authorization": "Bearer <token>"}` (or `authorization`), checked like the HTTP header
//! ([`crate::auth::authenticate_token`]). A missing or bad token refuses the connection:
//! `graphql-transport-ws` closes the socket (code 1002, the reason in the close frame), the
//! legacy protocol answers `connection_error` and closes (async-graphql's behaviour). Every
//! operation then runs on the authenticated workspace's schema (cached per metadata version)
//! with its runner and the event feed.

use std::sync::Arc;

use async_graphql::{Data, Executor, Request, Response, ServerError};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::WebSocketUpgrade;
use axum::response::Response as HttpResponse;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use tessera_core::{CodedError, Session};
use tessera_graphql::{EventFeed, RequestContext, error_extensions};

use crate::{AppState, auth};

/// Upgrades `GET /graphql` to a GraphQL WebSocket.
pub(crate) fn upgrade(
    state: AppState,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let executor = WorkspaceExecutor {
                state: state.clone(),
            };
            GraphQLWebSocket::new(socket, executor, protocol)
                .on_connection_init(move |payload| connection_init(state, payload))
                .serve()
        })
}

/// The bearer token of a `connection_init` payload: `Authorization` or `authorization`,
/// `Bearer <token>` (scheme case-insensitive).
pub fn token_from_init_payload(payload: &serde_json::Value) -> Option<&str> {
    let value = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))?
        .as_str()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

async fn connection_init(
    state: AppState,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let token = token_from_init_payload(&payload)
        .ok_or_else(|| coded_error(&auth::AuthError::MissingToken))?;
    let session = auth::authenticate_token(state.store(), state.app_secret(), token)
        .await
        .map_err(|e| coded_error(&e))?;
    tracing::info!(workspace_id = %session.workspace_id, "websocket connection authenticated");
    let mut data = Data::default();
    data.insert(session);
    Ok(data)
}

fn coded_error(e: &dyn CodedError) -> async_graphql::Error {
    let message = if e.is_user_facing() {
        e.to_string()
    } else {
        tracing::error!(error = %e, "websocket authentication failed");
        "Internal server error".to_owned()
    };
    async_graphql::Error {
        message,
        source: None,
        extensions: Some(error_extensions(e)),
    }
}

/// Runs WebSocket operations on the schema of the workspace authenticated in
/// `connection_init` (found in the connection's session data).
#[derive(Clone)]
struct WorkspaceExecutor {
    state: AppState,
}

fn error_response(e: &dyn CodedError) -> Response {
    let message = if e.is_user_facing() {
        e.to_string()
    } else {
        tracing::error!(error = %e, "websocket operation failed");
        "Internal server error".to_owned()
    };
    let mut error = ServerError::new(message, None);
    error.extensions = Some(error_extensions(e));
    Response::from_errors(vec![error])
}

impl Executor for WorkspaceExecutor {
    async fn execute(&self, _request: Request) -> Response {
        // The WebSocket protocols run every operation through `execute_stream` with the
        // connection's data; a bare `execute` has no session.
        error_response(&auth::AuthError::MissingToken)
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let state = self.state.clone();
        let session = session_data.as_ref().and_then(|data| {
            data.get(&std::any::TypeId::of::<Session>())
                .and_then(|v| v.downcast_ref::<Session>())
                .cloned()
        });
        futures_util::stream::once(async move {
            let Some(session) = session else {
                return futures_util::stream::once(async {
                    error_response(&auth::AuthError::MissingToken)
                })
                .boxed();
            };
            let ws = session.workspace_id;
            let prepared = async {
                let version = state.store().metadata_version(ws).await?;
                let schema = state.schema(ws, version).await?;
                let runner = state.store().runner(ws).await?;
                Ok::<_, crate::ServerError>((schema, runner))
            }
            .await;
            match prepared {
                Ok((schema, runner)) => {
                    let request = request
                        .data(RequestContext { session, runner })
                        .data(EventFeed(Arc::new(state.pubsub().clone())));
                    Executor::execute_stream(schema.as_ref(), request, session_data)
                        .map(tessera_graphql::finish_response)
                        .boxed()
                }
                Err(e) => futures_util::stream::once(async move { error_response(&e) }).boxed(),
            }
        })
        .flatten()
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn init_payload_tokens() {
        assert_eq!(
            token_from_init_payload(&json!({"Authorization": "Bearer abc"})),
            Some("abc")
        );
        assert_eq!(
            token_from_init_payload(&json!({"authorization": "bearer  abc "})),
            Some("abc")
        );
        assert_eq!(
            token_from_init_payload(&json!({"Authorization": "Basic abc"})),
            None
        );
        assert_eq!(token_from_init_payload(&json!({})), None);
        assert_eq!(token_from_init_payload(&json!(null)), None);
    }
}
