//! HTTP surface on SQLite and PostgreSQL: the API-key authentication matrix, health and
//! readiness probes, GraphiQL, malformed requests.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use chrono::{Duration, Utc};
use tessera_server::auth::mint_token;
use tessera_server::{AppState, create_workspace, mint_api_key_token};
use uuid::Uuid;

use common::{SECRET, post_graphql, send};

const QUERY: &str = r#"{"query":"{ __typename }"}"#;

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn assert_unauthenticated(state: &AppState, authorization: Option<&str>, case: &str) {
    let reply = post_graphql(state, authorization, QUERY).await;
    assert_eq!(reply.status, StatusCode::OK, "{case}: {}", reply.body);
    assert_eq!(
        reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "{case}"
    );
    let json = reply.json();
    assert_eq!(
        json["data"],
        serde_json::Value::Null,
        "{case}: {}",
        reply.body
    );
    assert_eq!(
        reply.error_code().as_deref(),
        Some("UNAUTHENTICATED"),
        "{case}: {}",
        reply.body
    );
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{case}"
    );
}

async fn auth_matrix(state: AppState) {
    let store = state.store().clone();
    let (ws, token) = create_workspace(&state, "auth", false)
        .await
        .expect("workspace");
    let (other_ws, _) = create_workspace(&state, "auth other", false)
        .await
        .expect("workspace");
    let in_an_hour = Utc::now() + Duration::hours(1);

    // Accepted: the minted key, and a legacy ACCESS-typed API-key token. Until the lead's
    // schema builder lands the request then fails with INTERNAL_SERVER_ERROR, never with
    // UNAUTHENTICATED.
    for (case, token) in [
        ("api key", token.clone()),
        ("legacy", {
            let key = store
                .create_api_key(ws, "legacy", in_an_hour, None)
                .await
                .expect("key");
            mint_token(SECRET, ws, key.id, in_an_hour, "ACCESS")
        }),
    ] {
        let reply = post_graphql(&state, Some(&bearer(&token)), QUERY).await;
        assert_eq!(reply.status, StatusCode::OK, "{case}");
        assert_ne!(
            reply.error_code().as_deref(),
            Some("UNAUTHENTICATED"),
            "{case}: {}",
            reply.body
        );
    }

    assert_unauthenticated(&state, None, "no header").await;
    assert_unauthenticated(&state, Some("Bearer"), "empty bearer").await;
    assert_unauthenticated(&state, Some("Basic dXNlcjpwdw=="), "basic auth").await;
    assert_unauthenticated(&state, Some("Bearer garbage"), "garbage").await;
    assert_unauthenticated(&state, Some("Bearer a.b.c"), "three garbage parts").await;

    let key = store
        .create_api_key(ws, "matrix", in_an_hour, None)
        .await
        .expect("key");
    let wrong_secret = mint_api_key_token("another secret", ws, key.id, in_an_hour);
    assert_unauthenticated(&state, Some(&bearer(&wrong_secret)), "wrong signature").await;

    let good = mint_api_key_token(SECRET, ws, key.id, in_an_hour);
    let payload = good.split('.').nth(1).expect("payload");
    let none_header =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    assert_unauthenticated(
        &state,
        Some(&bearer(&format!("{none_header}.{payload}."))),
        "alg none",
    )
    .await;
    let mut tampered = good.clone();
    tampered.push('x');
    assert_unauthenticated(&state, Some(&bearer(&tampered)), "tampered signature").await;

    let expired = mint_api_key_token(SECRET, ws, key.id, Utc::now() - Duration::minutes(1));
    assert_unauthenticated(&state, Some(&bearer(&expired)), "expired token").await;

    let refresh = mint_token(SECRET, ws, key.id, in_an_hour, "REFRESH");
    assert_unauthenticated(&state, Some(&bearer(&refresh)), "other token type").await;

    let unknown_key = mint_api_key_token(SECRET, ws, Uuid::new_v4(), in_an_hour);
    assert_unauthenticated(&state, Some(&bearer(&unknown_key)), "unknown key").await;

    // A key of workspace A presented in a token for workspace B.
    let cross = mint_api_key_token(SECRET, other_ws, key.id, in_an_hour);
    assert_unauthenticated(&state, Some(&bearer(&cross)), "another workspace's key").await;

    let stale = store
        .create_api_key(ws, "stale", Utc::now() - Duration::minutes(1), None)
        .await
        .expect("expired key");
    let stale_token = mint_api_key_token(SECRET, ws, stale.id, in_an_hour);
    assert_unauthenticated(&state, Some(&bearer(&stale_token)), "expired key row").await;

    let revoked = store
        .create_api_key(ws, "revoked", in_an_hour, None)
        .await
        .expect("key");
    let revoked_token = mint_api_key_token(SECRET, ws, revoked.id, in_an_hour);
    store.revoke_api_key(ws, revoked.id).await.expect("revoke");
    assert_unauthenticated(&state, Some(&bearer(&revoked_token)), "revoked key").await;

    let deleted = store
        .create_api_key(ws, "deleted", in_an_hour, None)
        .await
        .expect("key");
    let deleted_token = mint_api_key_token(SECRET, ws, deleted.id, in_an_hour);
    store.delete_api_key(ws, deleted.id).await.expect("delete");
    assert_unauthenticated(&state, Some(&bearer(&deleted_token)), "deleted key").await;
}
both!(auth_matrix);

async fn probes_and_graphiql(state: AppState) {
    let health = send(
        &state,
        Request::get("/healthz")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    assert!(
        health.headers.get("x-request-id").is_some(),
        "request id is echoed"
    );
    let ready = send(
        &state,
        Request::get("/readyz")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(ready.status, StatusCode::OK);
    let page = send(
        &state,
        Request::get("/graphql")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.to_lowercase().contains("graphiql"));
    assert!(page.body.contains("/graphql"));
    let traced = send(
        &state,
        Request::get("/healthz")
            .header("x-request-id", "abc-123")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(
        traced
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("abc-123")
    );
}
both!(probes_and_graphiql);

async fn malformed_requests(state: AppState) {
    let (_, token) = create_workspace(&state, "malformed", false)
        .await
        .expect("workspace");
    for body in ["{not json", "\"just a string\"", "{\"query\": 42}"] {
        let reply = post_graphql(&state, Some(&bearer(&token)), body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(
            reply.error_code().as_deref(),
            Some("BAD_USER_INPUT"),
            "{body}"
        );
    }
}
both!(malformed_requests);
