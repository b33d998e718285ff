//! Authentication, compatible with Twenty: bearer tokens are HS256 JWTs signed with the key
//! `hex(sha256(APP_SECRET + body + type))` (the lower-case hex string is the HMAC key).
//!
//! - API keys: `{sub: workspaceId, type: "API_KEY", workspaceId, iat, exp, jti: apiKeyId}`
//!   (legacy keys: `type: "ACCESS"` with a `jti` and no `userId`). The key row decides
//!   whether a valid token is still accepted (revoked, deleted, expired keys are refused).
//! - Users: `ACCESS` tokens for one workspace (accepted while the user is still a member) and
//!   `WORKSPACE_AGNOSTIC` tokens (only `/metadata`'s account operations); see
//!   [`user_tokens`].

pub mod user_tokens;

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tessera_core::{Actor, ApiKeyId, CodedError, ErrorCode, Session, WorkspaceId};
use tessera_store::{Store, StoreError};
use user_tokens::{UserTokenType, verify_user_token};
use uuid::Uuid;

/// `type` claim of API-key tokens.
pub const API_KEY_TOKEN_TYPE: &str = "API_KEY";
/// `type` of legacy API-key tokens (Twenty signed API keys as `ACCESS` before PR #16504);
/// accepted when the token carries a `jti`.
pub const LEGACY_ACCESS_TOKEN_TYPE: &str = "ACCESS";

/// Why a request is not authenticated. All but [`AuthError::Store`] answer `UNAUTHENTICATED`.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer …` header.
    #[error("Missing authentication token")]
    MissingToken,
    /// Malformed token, wrong signature, unsupported algorithm or token type.
    #[error("Token invalid.")]
    InvalidToken,
    /// The token's `exp` has passed.
    #[error("Token has expired.")]
    TokenExpired,
    /// The key does not exist in the token's workspace (or was deleted).
    #[error("API Key not found")]
    KeyNotFound,
    /// The key was revoked.
    #[error("This API Key is revoked")]
    KeyRevoked,
    /// The key's `expiresAt` has passed.
    #[error("This API Key has expired")]
    KeyExpired,
    /// The user of a user token no longer exists or is disabled.
    #[error("User not found")]
    UserNotFound,
    /// The user of an access token is not (or no longer) a member of its workspace.
    #[error("User is not a member of this workspace")]
    NotAMember,
    /// The key could not be looked up (database down). Internal.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CodedError for AuthError {
    fn code(&self) -> ErrorCode {
        match self {
            AuthError::Store(e) => e.code(),
            _ => ErrorCode::Unauthenticated,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    #[serde(rename = "type")]
    token_type: String,
    #[serde(rename = "workspaceId")]
    workspace_id: String,
    iat: i64,
    exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    jti: Option<String>,
}

/// The claims read before the signature is checked: only what picks the verification key.
#[derive(Debug, Deserialize)]
struct Unverified {
    #[serde(rename = "type")]
    token_type: Option<String>,
    #[serde(rename = "workspaceId")]
    workspace_id: Option<String>,
}

/// The HMAC key of a token: the lower-case hex string of `sha256(app_secret + body + type)`,
/// where `body` is the workspace id (Twenty's `JwtWrapperService.generateAppSecret`).
pub fn signing_key(app_secret: &str, body: &str, token_type: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(app_secret.as_bytes());
    hasher.update(body.as_bytes());
    hasher.update(token_type.as_bytes());
    hex::encode(hasher.finalize())
}

/// Mints an API-key token (HS256 JWT, `type: API_KEY`, `jti = key_id`, `exp = expires_at`).
///
/// Never fails in practice: HS256 signing of these claims cannot fail; if it ever did, the
/// result would be an empty string, which no verifier accepts.
pub fn mint_api_key_token(
    app_secret: &str,
    ws: WorkspaceId,
    key_id: Uuid,
    expires_at: DateTime<Utc>,
) -> String {
    mint_token(app_secret, ws, key_id, expires_at, API_KEY_TOKEN_TYPE)
}

/// Mints a token of any `type` (tests use it for legacy `ACCESS` tokens).
pub fn mint_token(
    app_secret: &str,
    ws: WorkspaceId,
    key_id: Uuid,
    expires_at: DateTime<Utc>,
    token_type: &str,
) -> String {
    let claims = Claims {
        sub: ws.to_string(),
        token_type: token_type.to_owned(),
        workspace_id: ws.to_string(),
        iat: Utc::now().timestamp(),
        exp: expires_at.timestamp(),
        jti: Some(key_id.hyphenated().to_string()),
    };
    let key = signing_key(app_secret, &ws.to_string(), token_type);
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap_or_default()
}

/// A token whose signature and `exp` are valid: which workspace and key it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedToken {
    /// The workspace (claim `workspaceId`).
    pub workspace_id: WorkspaceId,
    /// The API key (claim `jti`).
    pub key_id: Uuid,
}

/// Verifies a token's signature (HS256 only, with the key derived from its own `workspaceId`
/// and `type`) and `exp` (no leeway). Accepts `type` `API_KEY`, and `ACCESS` when it has a
/// `jti` (legacy API keys).
///
/// Errors: [`AuthError::InvalidToken`], [`AuthError::TokenExpired`].
pub fn verify_token(app_secret: &str, token: &str) -> Result<VerifiedToken, AuthError> {
    let unverified: Unverified = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|_| AuthError::InvalidToken)?;
    let (Some(token_type), Some(workspace)) = (unverified.token_type, unverified.workspace_id)
    else {
        return Err(AuthError::InvalidToken);
    };
    if token_type != API_KEY_TOKEN_TYPE && token_type != LEGACY_ACCESS_TOKEN_TYPE {
        return Err(AuthError::InvalidToken);
    }
    let key = signing_key(app_secret, &workspace, &token_type);
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(key.as_bytes()),
        &validation,
    )
    .map_err(|e| match e.kind() {
        ErrorKind::ExpiredSignature => AuthError::TokenExpired,
        _ => AuthError::InvalidToken,
    })?;
    let claims = data.claims;
    if claims.workspace_id != workspace || claims.token_type != token_type {
        return Err(AuthError::InvalidToken);
    }
    let key_id = claims
        .jti
        .as_deref()
        .and_then(|j| Uuid::parse_str(j).ok())
        .ok_or(AuthError::InvalidToken)?;
    let workspace_id = workspace.parse().map_err(|_| AuthError::InvalidToken)?;
    Ok(VerifiedToken {
        workspace_id,
        key_id,
    })
}

/// The bearer token of a request, if any.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Who a verified bearer token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A workspace session: an API key, or a user's ACCESS token.
    Workspace(Session),
    /// A signed-in user outside any workspace (a `WORKSPACE_AGNOSTIC` token).
    User {
        /// The user.
        user_id: Uuid,
    },
}

impl Principal {
    /// The signed-in user, if the token is a user's.
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Principal::Workspace(Session {
                actor: Actor::User { user_id, .. },
                ..
            })
            | Principal::User { user_id } => Some(*user_id),
            Principal::Workspace(_) => None,
        }
    }
}

/// The claims read before the signature is checked: which kind of token this is.
#[derive(Debug, Deserialize)]
struct Peek {
    #[serde(rename = "type")]
    token_type: Option<String>,
    #[serde(rename = "userId")]
    user_id: Option<String>,
}

/// Authenticates a request for a workspace: like [`authenticate_principal`], but a
/// workspace-agnostic user token is refused ([`AuthError::InvalidToken`]).
///
/// Errors: every [`AuthError`]; only [`AuthError::Store`] is not `UNAUTHENTICATED`.
pub async fn authenticate(
    store: &Store,
    app_secret: &str,
    headers: &HeaderMap,
) -> Result<Session, AuthError> {
    let token = bearer_token(headers).ok_or(AuthError::MissingToken)?;
    authenticate_token(store, app_secret, token).await
}

/// Authenticates a bearer token (the part after `Bearer `), from an HTTP header or a
/// WebSocket `connection_init` payload, as a workspace session: see [`authenticate`].
///
/// Errors: every [`AuthError`] but [`AuthError::MissingToken`].
pub async fn authenticate_token(
    store: &Store,
    app_secret: &str,
    token: &str,
) -> Result<Session, AuthError> {
    match principal_of_token(store, app_secret, token).await? {
        Principal::Workspace(session) => Ok(session),
        Principal::User { .. } => Err(AuthError::InvalidToken),
    }
}

/// Authenticates a request's bearer token:
/// - a user `ACCESS` token (has `userId`): signature and expiry, then the membership named
///   by the token must still exist (same `userWorkspaceId`) and the user must be enabled →
///   `Session { actor: Actor::User { .. } }`;
/// - a `WORKSPACE_AGNOSTIC` token: signature, expiry, user exists → [`Principal::User`];
/// - otherwise an API-key token (`API_KEY`, or legacy `ACCESS` with `jti`): the key must not
///   be deleted, revoked or expired → `Session { actor: Actor::ApiKey { .. } }`.
///
/// Errors: every [`AuthError`]; only [`AuthError::Store`] is not `UNAUTHENTICATED`.
pub async fn authenticate_principal(
    store: &Store,
    app_secret: &str,
    headers: &HeaderMap,
) -> Result<Principal, AuthError> {
    let token = bearer_token(headers).ok_or(AuthError::MissingToken)?;
    principal_of_token(store, app_secret, token).await
}

/// [`authenticate_principal`] for a bare token.
async fn principal_of_token(
    store: &Store,
    app_secret: &str,
    token: &str,
) -> Result<Principal, AuthError> {
    let peek: Peek = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|_| AuthError::InvalidToken)?;
    match (peek.token_type.as_deref(), peek.user_id.is_some()) {
        (Some("ACCESS"), true) => user_session(store, app_secret, token)
            .await
            .map(Principal::Workspace),
        (Some("WORKSPACE_AGNOSTIC"), _) => {
            let claims = verify_user_token(app_secret, token, UserTokenType::WorkspaceAgnostic)?;
            let user_id = parse_uuid(claims.user_id.as_deref())?;
            store
                .user(user_id)
                .await?
                .filter(|u| !u.disabled)
                .ok_or(AuthError::UserNotFound)?;
            Ok(Principal::User { user_id })
        }
        _ => api_key_session(store, app_secret, token)
            .await
            .map(Principal::Workspace),
    }
}

fn parse_uuid(value: Option<&str>) -> Result<Uuid, AuthError> {
    value
        .and_then(|v| Uuid::parse_str(v).ok())
        .ok_or(AuthError::InvalidToken)
}

/// The session of a user ACCESS token (see [`authenticate_principal`]).
async fn user_session(store: &Store, app_secret: &str, token: &str) -> Result<Session, AuthError> {
    let claims = verify_user_token(app_secret, token, UserTokenType::Access)?;
    let user_id = parse_uuid(claims.user_id.as_deref())?;
    let ws = WorkspaceId(parse_uuid(claims.workspace_id.as_deref())?);
    let user_workspace_id = parse_uuid(claims.user_workspace_id.as_deref())?;
    let membership = store
        .user_workspace(user_id, ws)
        .await?
        .ok_or(AuthError::NotAMember)?;
    if membership.id != user_workspace_id {
        return Err(AuthError::NotAMember);
    }
    let user = store
        .user(user_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or(AuthError::UserNotFound)?;
    let permissions = store
        .workspace_member_permissions(ws, membership.workspace_member_id)
        .await?;
    Ok(Session {
        workspace_id: ws,
        actor: Actor::User {
            user_id,
            workspace_member_id: membership.workspace_member_id,
            name: format!("{} {}", user.first_name, user.last_name)
                .trim()
                .to_owned(),
        },
        permissions,
    })
}

/// The session of an API-key token: verifies it, then loads the API key from the token's
/// workspace and checks it is not deleted, revoked or expired.
async fn api_key_session(
    store: &Store,
    app_secret: &str,
    token: &str,
) -> Result<Session, AuthError> {
    let verified = verify_token(app_secret, token)?;
    let (key, permissions) = match store
        .api_key_session(verified.workspace_id, verified.key_id)
        .await
    {
        Ok(Some(found)) => found,
        Ok(None) | Err(StoreError::WorkspaceNotFound(_)) => return Err(AuthError::KeyNotFound),
        Err(e) => return Err(e.into()),
    };
    if key.revoked_at.is_some() {
        return Err(AuthError::KeyRevoked);
    }
    if key.expires_at <= Utc::now() {
        return Err(AuthError::KeyExpired);
    }
    Ok(Session {
        workspace_id: verified.workspace_id,
        actor: Actor::ApiKey {
            id: ApiKeyId(key.id),
            name: key.name,
        },
        permissions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use chrono::Duration;

    const SECRET: &str = "replace_me_with_a_random_string";

    #[test]
    fn key_derivation_matches_twenty() {
        // Twenty's test API key token validates with sha256_hex(APP_SECRET + workspaceId + "ACCESS").
        let key = signing_key(SECRET, "20202020-1c25-4d02-bf25-6aeccf7ea419", "ACCESS");
        assert_eq!(key.len(), 64);
        assert!(
            key.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn minted_tokens_verify() {
        let ws = WorkspaceId::new_random();
        let key = Uuid::new_v4();
        let token = mint_api_key_token(SECRET, ws, key, Utc::now() + Duration::hours(1));
        assert_eq!(
            verify_token(SECRET, &token).ok(),
            Some(VerifiedToken {
                workspace_id: ws,
                key_id: key
            })
        );
        let legacy = mint_token(SECRET, ws, key, Utc::now() + Duration::hours(1), "ACCESS");
        assert!(verify_token(SECRET, &legacy).is_ok());
        let refresh = mint_token(SECRET, ws, key, Utc::now() + Duration::hours(1), "REFRESH");
        assert!(matches!(
            verify_token(SECRET, &refresh),
            Err(AuthError::InvalidToken)
        ));
        assert!(matches!(
            verify_token("other secret", &token),
            Err(AuthError::InvalidToken)
        ));
        let expired = mint_api_key_token(SECRET, ws, key, Utc::now() - Duration::seconds(5));
        assert!(matches!(
            verify_token(SECRET, &expired),
            Err(AuthError::TokenExpired)
        ));
        assert!(matches!(
            verify_token(SECRET, "garbage"),
            Err(AuthError::InvalidToken)
        ));
    }

    #[test]
    fn alg_none_is_refused() {
        let ws = WorkspaceId::new_random();
        let token = mint_api_key_token(SECRET, ws, Uuid::new_v4(), Utc::now() + Duration::hours(1));
        let payload = token.split('.').nth(1).expect("payload");
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(matches!(
            verify_token(SECRET, &format!("{header}.{payload}.")),
            Err(AuthError::InvalidToken)
        ));
        let hs512 = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"alg":"HS512","typ":"JWT"}"#);
        let sig = token.split('.').nth(2).expect("sig");
        assert!(matches!(
            verify_token(SECRET, &format!("{hs512}.{payload}.{sig}")),
            Err(AuthError::InvalidToken)
        ));
    }

    #[test]
    fn bearer_parsing() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert("authorization", "Bearer abc".parse().expect("header"));
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert("authorization", "bearer  abc ".parse().expect("header"));
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert("authorization", "Basic abc".parse().expect("header"));
        assert_eq!(bearer_token(&headers), None);
    }
}
