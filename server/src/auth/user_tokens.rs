//! User tokens, compatible with Twenty (`shared/reference/twenty-metadata-auth.md` §6.1–6.2):
//! HS256 JWTs signed with `hex(sha256(APP_SECRET + body + type))`, where `body` is the
//! `workspaceId` claim when present, else the `userId` claim.
//!
//! | type | claims | `sub` |
//! |---|---|---|
//! | `ACCESS` | `userId, workspaceId, workspaceMemberId, userWorkspaceId, authProvider` | userId |
//! | `WORKSPACE_AGNOSTIC` | `userId, authProvider` | userId |
//! | `REFRESH` | `userId, workspaceId?, jti (appToken id), targetedTokenType` | userId |
//! | `LOGIN` | `workspaceId, authProvider` | e-mail |

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

use super::{AuthError, signing_key};

/// The `type` claim of user tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserTokenType {
    /// Short-lived token for one workspace (`ACCESS`).
    Access,
    /// Short-lived token of a user outside any workspace (`WORKSPACE_AGNOSTIC`).
    WorkspaceAgnostic,
    /// Long-lived, single-use token that renews a pair (`REFRESH`).
    Refresh,
    /// Short-lived token exchanged for a pair on a workspace (`LOGIN`).
    Login,
}

impl UserTokenType {
    /// The wire name, e.g. `ACCESS`.
    pub fn as_str(self) -> &'static str {
        match self {
            UserTokenType::Access => "ACCESS",
            UserTokenType::WorkspaceAgnostic => "WORKSPACE_AGNOSTIC",
            UserTokenType::Refresh => "REFRESH",
            UserTokenType::Login => "LOGIN",
        }
    }
}

/// The claims of a user token (absent claims are omitted from the JWT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserClaims {
    /// userId (e-mail for LOGIN tokens).
    pub sub: String,
    /// `ACCESS`, `WORKSPACE_AGNOSTIC`, `REFRESH`, `LOGIN`.
    #[serde(rename = "type")]
    pub token_type: String,
    /// The user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The workspace (ACCESS, LOGIN, workspace REFRESH).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    /// The user's `workspaceMember` record (ACCESS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_member_id: Option<String>,
    /// The membership (`userWorkspace.id`, ACCESS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_workspace_id: Option<String>,
    /// `password` (Twenty's `AuthProviderEnum`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_provider: Option<String>,
    /// What a REFRESH token renews: `ACCESS` or `WORKSPACE_AGNOSTIC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targeted_token_type: Option<String>,
    /// REFRESH: the `appToken` row id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
}

impl UserClaims {
    /// Claims of `token_type` for `sub`, issued now, expiring at `expires_at`; other claims
    /// empty.
    pub fn new(token_type: UserTokenType, sub: String, expires_at: DateTime<Utc>) -> Self {
        Self {
            sub,
            token_type: token_type.as_str().to_owned(),
            user_id: None,
            workspace_id: None,
            workspace_member_id: None,
            user_workspace_id: None,
            auth_provider: None,
            targeted_token_type: None,
            jti: None,
            iat: Utc::now().timestamp(),
            exp: expires_at.timestamp(),
        }
    }

    fn key_body(&self) -> Option<&str> {
        self.workspace_id.as_deref().or(self.user_id.as_deref())
    }
}

/// Signs `claims` (HS256, key from the `workspaceId` or else `userId` claim and the `type`).
///
/// Never fails in practice: HS256 signing of these claims cannot fail; if it ever did, the
/// result would be an empty string, which no verifier accepts.
pub fn sign_user_token(app_secret: &str, claims: &UserClaims) -> String {
    let key = signing_key(
        app_secret,
        claims.key_body().unwrap_or_default(),
        &claims.token_type,
    );
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap_or_default()
}

/// Verifies a user token of type `expected`: HS256 only (`alg: none` and other algorithms
/// are refused), signature with the key derived from the token's own body claim and type,
/// `exp` without leeway, and the `type` claim.
///
/// Errors: [`AuthError::InvalidToken`], [`AuthError::TokenExpired`].
pub fn verify_user_token(
    app_secret: &str,
    token: &str,
    expected: UserTokenType,
) -> Result<UserClaims, AuthError> {
    let unverified: UserClaims = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|_| AuthError::InvalidToken)?;
    if unverified.token_type != expected.as_str() {
        return Err(AuthError::InvalidToken);
    }
    let body = unverified.key_body().ok_or(AuthError::InvalidToken)?;
    let key = signing_key(app_secret, body, expected.as_str());
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<UserClaims>(
        token,
        &DecodingKey::from_secret(key.as_bytes()),
        &validation,
    )
    .map_err(|e| match e.kind() {
        ErrorKind::ExpiredSignature => AuthError::TokenExpired,
        _ => AuthError::InvalidToken,
    })?;
    Ok(data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const SECRET: &str = "s";

    fn access(ws: &str) -> UserClaims {
        let mut claims = UserClaims::new(
            UserTokenType::Access,
            "u1".into(),
            Utc::now() + Duration::minutes(5),
        );
        claims.user_id = Some("u1".into());
        claims.workspace_id = Some(ws.into());
        claims
    }

    #[test]
    fn round_trip_and_type_check() {
        let token = sign_user_token(SECRET, &access("w1"));
        let claims = verify_user_token(SECRET, &token, UserTokenType::Access).expect("valid");
        assert_eq!(claims.workspace_id.as_deref(), Some("w1"));
        assert!(matches!(
            verify_user_token(SECRET, &token, UserTokenType::Refresh),
            Err(AuthError::InvalidToken)
        ));
        assert!(matches!(
            verify_user_token("other", &token, UserTokenType::Access),
            Err(AuthError::InvalidToken)
        ));
    }

    #[test]
    fn a_changed_workspace_claim_breaks_the_signature() {
        use base64::Engine;
        let token = sign_user_token(SECRET, &access("w1"));
        let parts: Vec<&str> = token.split('.').collect();
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&access("w2")).expect("json"));
        let tampered = format!("{}.{}.{}", parts[0], forged, parts[2]);
        assert!(matches!(
            verify_user_token(SECRET, &tampered, UserTokenType::Access),
            Err(AuthError::InvalidToken)
        ));
    }
}
