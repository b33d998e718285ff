//! Login states of flows in progress, kept in the database (`ssoLoginState`).

use serde::{Deserialize, Serialize};
use tessera_store::{NewSsoLoginState, SsoLoginStateRecord, Store};
use uuid::Uuid;

use super::SsoError;
use crate::accounts::token_hash;

/// The flow a login state belongs to (`ssoLoginState.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowKind {
    /// A workspace's OpenID Connect provider.
    Oidc,
    /// Sign in with Google.
    Google,
    /// Sign in with Microsoft.
    Microsoft,
    /// A workspace's SAML provider.
    Saml,
}

impl FlowKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FlowKind::Oidc => "oidc",
            FlowKind::Google => "google",
            FlowKind::Microsoft => "microsoft",
            FlowKind::Saml => "saml",
        }
    }
}

/// What the start URL asked for (Twenty packs these into the OAuth `state`; Tessera keeps
/// them server-side): a workspace hint and a personal invitation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoginContext {
    /// `workspaceId` of the start URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) workspace_id: Option<Uuid>,
    /// `workspacePersonalInviteToken` of the start URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) workspace_personal_invite_token: Option<String>,
}

/// Values to remember for the callback.
pub(crate) struct PendingLogin<'a> {
    pub(crate) kind: FlowKind,
    pub(crate) provider_id: Option<Uuid>,
    pub(crate) nonce: Option<&'a str>,
    pub(crate) pkce_verifier: Option<&'a str>,
    pub(crate) saml_request_id: Option<&'a str>,
    pub(crate) context: LoginContext,
}

/// Stores a login state under `key` (the OAuth `state` or the SAML request id; only its
/// SHA-256 is stored as the look-up key), valid for `ttl`.
pub(crate) async fn remember(
    store: &Store,
    key: &str,
    pending: PendingLogin<'_>,
    ttl: std::time::Duration,
) -> Result<(), SsoError> {
    let expires_at = chrono::Utc::now()
        + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::minutes(10));
    let context = serde_json::to_value(&pending.context).ok();
    store
        .create_sso_login_state(NewSsoLoginState {
            state_key: &token_hash(key),
            kind: pending.kind.as_str(),
            identity_provider_id: pending.provider_id,
            nonce: pending.nonce,
            pkce_verifier: pending.pkce_verifier,
            saml_request_id: pending.saml_request_id,
            context,
            expires_at,
        })
        .await?;
    Ok(())
}

/// Takes the login state stored under `key` (once). Errors: [`SsoError::InvalidState`]
/// when it is unknown, used or expired.
pub(crate) async fn take(store: &Store, key: &str) -> Result<SsoLoginStateRecord, SsoError> {
    if key.is_empty() {
        return Err(SsoError::InvalidState);
    }
    store
        .take_sso_login_state(&token_hash(key))
        .await?
        .ok_or(SsoError::InvalidState)
}

/// The context stored with a state.
pub(crate) fn context_of(record: &SsoLoginStateRecord) -> LoginContext {
    record
        .context
        .clone()
        .and_then(|c| serde_json::from_value(c).ok())
        .unwrap_or_default()
}
