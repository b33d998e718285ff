//! The axum application: routes, layers and the thin `/graphql` handler.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use async_graphql::{ParseRequestError, ServerError as GqlError};
use async_graphql_axum::GraphQLRequest;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use tessera_core::CodedError;
use tessera_graphql::{RequestContext, error_extensions, finish_response};
use tower::ServiceBuilder;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::{AppState, auth};

/// Largest accepted request body (10 MiB).
pub const BODY_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// The HTTP application: `POST /graphql` (API key or user ACCESS token required),
/// `POST /metadata` (same tokens, plus workspace-agnostic user tokens; public account
/// operations without a token), `GET /graphql` (GraphiQL, or a GraphQL WebSocket for
/// subscriptions when the request is an upgrade), `GET /metadata` (GraphiQL),
/// `GET /healthz` (liveness, `ok`), `GET /readyz` (200 when the database and Redis, if
/// configured, answer; else 503).
/// Layers: request id (`x-request-id`, generated when absent, echoed back), tracing (one span
/// per request with method, path, request id and, once authenticated, workspace and user
/// id; one INFO line per response), CORS (permissive), body limit ([`BODY_LIMIT_BYTES`]).
pub fn app(state: AppState) -> Router {
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id = %request_id,
                        workspace_id = tracing::field::Empty,
                        user_id = tracing::field::Empty,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(CorsLayer::permissive().max_age(Duration::from_secs(3600)));
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql))
        .route("/metadata", get(metadata_graphiql).post(metadata))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(crate::sso::routes::routes())
        .layer(layers)
        .with_state(state)
}

/// `GET /graphql`: a WebSocket upgrade (GraphQL subscriptions, see
/// [`crate::events`]) when the request asks for one, else GraphiQL.
async fn graphql_get(
    State(state): State<AppState>,
    request: Request<axum::body::Body>,
) -> Response {
    use axum::extract::FromRequestParts;
    let wants_upgrade = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !wants_upgrade {
        return graphiql().await.into_response();
    }
    let (mut parts, _) = request.into_parts();
    let protocol =
        match async_graphql_axum::GraphQLProtocol::from_request_parts(&mut parts, &state).await {
            Ok(p) => p,
            Err(rejection) => return rejection.into_response(),
        };
    match axum::extract::WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => crate::events::ws::upgrade(state, protocol, upgrade),
        Err(rejection) => rejection.into_response(),
    }
}

async fn graphiql() -> Html<String> {
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql")
            .finish(),
    )
}

async fn metadata_graphiql() -> Html<String> {
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/metadata")
            .finish(),
    )
}

/// `POST /metadata`: authenticate when a token is sent (a bad token fails the request), then
/// run the static metadata schema. Without a token only public operations answer; the others
/// fail with `UNAUTHENTICATED`.
async fn metadata(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    request: GraphQLRequest<BadRequest>,
) -> Response {
    let principal = if auth::bearer_token(&headers).is_some() {
        match auth::authenticate_principal(state.store(), state.app_secret(), &headers).await {
            Ok(principal) => Some(principal),
            Err(e) => return error_response(&e, &headers),
        }
    } else {
        None
    };
    let request = match non_empty(request) {
        Ok(request) => request,
        Err(e) => return error_response(&e, &headers),
    };
    let user_id = principal.as_ref().and_then(auth::Principal::user_id);
    if let Some(user_id) = user_id {
        tracing::Span::current().record("user_id", tracing::field::display(user_id));
    }
    let session = match principal {
        Some(auth::Principal::Workspace(session)) => {
            tracing::Span::current().record(
                "workspace_id",
                tracing::field::display(session.workspace_id),
            );
            Some(session)
        }
        _ => None,
    };
    let client_ip = client_ip(
        peer.map(|Extension(ConnectInfo(addr))| addr),
        &headers,
        state.accounts().config().trust_forwarded_for,
    );
    let request = request
        .data(crate::metadata_api::MetadataContext {
            session,
            store: state.store().clone(),
            app_secret: state.app_secret().to_owned(),
        })
        .data(state.webhook_url_policy())
        .data(crate::metadata_api::AuthRequest {
            accounts: state.accounts().clone(),
            user_id,
            client_ip,
        });
    let response = state.metadata_schema().execute(request).await;
    graphql_response(finish_response(response), &headers)
}

/// The client's IP: the last `X-Forwarded-For` entry when `trust_forwarded_for` (the one
/// the nearest, trusted proxy appended), else the TCP peer (unknown without connect info).
pub fn client_ip(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    trust_forwarded_for: bool,
) -> Option<IpAddr> {
    if trust_forwarded_for
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return Some(ip);
    }
    peer.map(|addr| addr.ip())
}

/// The session of a GraphQL request (bearer token) and the request itself; an error response
/// for a missing or bad token or an empty query. Records the workspace on the request's span.
async fn authenticated(
    state: &AppState,
    headers: &HeaderMap,
    request: GraphQLRequest<BadRequest>,
) -> Result<(tessera_core::Session, async_graphql::Request), Response> {
    let session = auth::authenticate(state.store(), state.app_secret(), headers)
        .await
        .map_err(|e| error_response(&e, headers))?;
    let request = non_empty(request).map_err(|e| error_response(&e, headers))?;
    tracing::Span::current().record(
        "workspace_id",
        tracing::field::display(session.workspace_id),
    );
    if let tessera_core::Actor::User { user_id, .. } = &session.actor {
        tracing::Span::current().record("user_id", tracing::field::display(user_id));
    }
    Ok((session, request))
}

/// The request, unless its query is empty (`BAD_USER_INPUT`).
fn non_empty(
    request: GraphQLRequest<BadRequest>,
) -> Result<async_graphql::Request, tessera_query::QueryError> {
    let request = request.into_inner();
    if request.query.trim().is_empty() {
        return Err(tessera_query::QueryError::bad(
            "The request body has no GraphQL \"query\"",
        ));
    }
    Ok(request)
}

/// `GET /readyz`: 200 `ready` when the database (and Redis, when configured) answers; 503
/// `database unavailable` / `redis unavailable` otherwise.
async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(e) = state.store().ping().await {
        tracing::warn!(error = %e, "readiness check failed");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
    }
    if let Err(e) = state.pubsub().ping().await {
        tracing::warn!(error = %e, "readiness check failed: redis");
        return (StatusCode::SERVICE_UNAVAILABLE, "redis unavailable").into_response();
    }
    (StatusCode::OK, "ready").into_response()
}

/// `POST /graphql`: authenticate, pick the workspace's schema (cached per metadata version),
/// execute with the workspace's runner.
async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest<BadRequest>,
) -> Response {
    let (session, request) = match authenticated(&state, &headers, request).await {
        Ok(parts) => parts,
        Err(response) => return response,
    };
    let ws = session.workspace_id;
    let prepared = async {
        let version = state.store().metadata_version(ws).await?;
        let schema = state.schema(ws, version).await?;
        let runner = state.store().runner(ws).await?;
        Ok::<_, crate::ServerError>((schema, runner))
    }
    .await;
    let (schema, runner) = match prepared {
        Ok(parts) => parts,
        Err(e) => return error_response(&e, &headers),
    };
    let request = request.data(RequestContext { session, runner });
    graphql_response(finish_response(schema.execute(request).await), &headers)
}

/// Serialises a GraphQL response (HTTP 200). The content type is
/// `application/graphql-response+json` when the client's `Accept` asks for it, else
/// `application/json` (what most clients and Twenty's tests expect).
pub fn graphql_response(
    response: async_graphql::Response,
    request_headers: &HeaderMap,
) -> Response {
    let wants_graphql_json = request_headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/graphql-response+json"));
    let content_type = if wants_graphql_json {
        "application/graphql-response+json"
    } else {
        "application/json"
    };
    let extra_headers = response.http_headers.clone();
    match serde_json::to_vec(&response) {
        Ok(body) => {
            let mut reply = (
                [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
                body,
            )
                .into_response();
            reply.headers_mut().extend(extra_headers);
            reply
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot serialise a GraphQL response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A GraphQL response (HTTP 200) carrying one error with `extensions.code`. Internal errors
/// are logged in full and sent with a generic message.
pub fn error_response(error: &dyn CodedError, request_headers: &HeaderMap) -> Response {
    let message = if error.is_user_facing() {
        error.to_string()
    } else {
        tracing::error!(error = %error, "request failed");
        "Internal server error".to_owned()
    };
    let mut gql = GqlError::new(message, None);
    gql.extensions = Some(error_extensions(error));
    graphql_response(
        async_graphql::Response::from_errors(vec![gql]),
        request_headers,
    )
}

/// Rejection of an unreadable GraphQL request body: HTTP 400 (413 when too large) with a
/// GraphQL-shaped JSON error, `extensions.code = "BAD_USER_INPUT"`.
#[derive(Debug)]
pub struct BadRequest(pub ParseRequestError);

impl From<ParseRequestError> for BadRequest {
    fn from(e: ParseRequestError) -> Self {
        Self(e)
    }
}

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        let status = match self.0 {
            ParseRequestError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        let body = serde_json::json!({
            "data": null,
            "errors": [{
                "message": format!("Invalid GraphQL request: {}", self.0),
                "extensions": {"code": "BAD_USER_INPUT"}
            }]
        });
        (status, Json(body)).into_response()
    }
}
