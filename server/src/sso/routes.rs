//! The browser-facing login routes (Twenty's `google-auth.controller.ts`,
//! `microsoft-auth.controller.ts`, `sso-auth.controller.ts`):
//!
//! | route | what |
//! |---|---|
//! | `GET /auth/google`, `GET /auth/microsoft` | 302 to the provider (query: `workspaceId`, `workspacePersonalInviteToken`) |
//! | `GET /auth/google/redirect`, `GET /auth/microsoft/redirect` | provider callback (`code`, `state`) |
//! | `GET /auth/oidc/login/{identityProviderId}` | 302 to the workspace's OIDC provider |
//! | `GET /auth/oidc/callback` | the single OIDC callback; the provider comes from the stored state |
//!
//! Every route ends in a 302: to `<workspace URL>/verify?loginToken=` on success, to
//! `<workspace or front-end URL>/verify?errorMessage=` on failure.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tessera_store::{SsoProviderKind, SsoProviderRecord, SsoProviderStatus, WorkspaceRecord};
use uuid::Uuid;

use super::config::{MICROSOFT_ISSUER, SocialProviderConfig};
use super::finish::{error_url, provider_login, social_login, success_url};
use super::oidc::{self, OidcSpec};
use super::state::{self, FlowKind, LoginContext, PendingLogin};
use super::{SsoConfig, SsoError};
use crate::AppState;

/// The login routes, to merge into the application router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/google", get(google_start))
        .route("/auth/google/redirect", get(google_callback))
        .route("/auth/microsoft", get(microsoft_start))
        .route("/auth/microsoft/redirect", get(microsoft_callback))
        .route("/auth/oidc/login/{identityProviderId}", get(oidc_start))
        .route("/auth/oidc/callback", get(oidc_callback))
        .merge(super::saml_routes::routes())
}

/// A `302 Found` to `url`.
pub(crate) fn found(url: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, url.to_owned())]).into_response()
}

/// The outcome of a flow as a redirect.
pub(crate) fn finish_redirect(
    state: &AppState,
    outcome: Result<(WorkspaceRecord, crate::accounts::IssuedToken), SsoError>,
    workspace_hint: Option<&WorkspaceRecord>,
) -> Response {
    let accounts = state.accounts();
    match outcome {
        Ok((workspace, token)) => found(&success_url(accounts, &workspace, &token)),
        Err(e) => found(&error_url(accounts, workspace_hint, &e)),
    }
}

/// Query of the Google / Microsoft start routes (Twenty's names).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SocialStart {
    workspace_id: Option<Uuid>,
    workspace_personal_invite_token: Option<String>,
}

/// Query of a callback (`code` and `state`, or `error`).
#[derive(Debug, Default, Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn sso_config(state: &AppState) -> &SsoConfig {
    &state.accounts().config().sso
}

fn social_spec(kind: FlowKind, config: &SocialProviderConfig) -> OidcSpec {
    OidcSpec {
        issuer: config.issuer_url.clone(),
        client_id: config.client_id.clone(),
        client_secret: config.client_secret.clone(),
        redirect_url: config.callback_url.clone(),
        tenant_issuer: kind == FlowKind::Microsoft && config.issuer_url == MICROSOFT_ISSUER,
        require_verified_email: kind == FlowKind::Google,
        extra_params: if kind == FlowKind::Google {
            vec![("prompt", "select_account")]
        } else {
            Vec::new()
        },
    }
}

fn social_config(state: &AppState, kind: FlowKind) -> Result<&SocialProviderConfig, SsoError> {
    let config = sso_config(state);
    match kind {
        FlowKind::Google => config
            .google
            .as_ref()
            .ok_or(SsoError::SocialDisabled("Google")),
        _ => config
            .microsoft
            .as_ref()
            .ok_or(SsoError::SocialDisabled("Microsoft")),
    }
}

async fn social_start(state: &AppState, kind: FlowKind, query: SocialStart) -> Response {
    let started = async {
        let config = social_config(state, kind)?;
        oidc::start(
            state.store(),
            &social_spec(kind, config),
            PendingLogin {
                kind,
                provider_id: None,
                nonce: None,
                pkce_verifier: None,
                saml_request_id: None,
                context: LoginContext {
                    workspace_id: query.workspace_id,
                    workspace_personal_invite_token: query.workspace_personal_invite_token,
                },
            },
            sso_config(state).login_state_ttl,
        )
        .await
    }
    .await;
    match started {
        Ok(url) => found(&url),
        Err(e) => found(&error_url(state.accounts(), None, &e)),
    }
}

async fn social_callback(state: &AppState, kind: FlowKind, query: Callback) -> Response {
    let provider = if kind == FlowKind::Google {
        "google"
    } else {
        "microsoft"
    };
    let outcome = async {
        let config = social_config(state, kind)?;
        let record = state::take(state.store(), query.state.as_deref().unwrap_or("")).await?;
        if record.kind != kind.as_str() {
            return Err(SsoError::InvalidState);
        }
        if query.error.is_some() {
            return Err(SsoError::IdpDenied);
        }
        let code = query.code.as_deref().ok_or(SsoError::IdpDenied)?;
        let identity = oidc::finish(&social_spec(kind, config), &record, code).await?;
        social_login(
            state.accounts(),
            &identity,
            &state::context_of(&record),
            provider,
        )
        .await
    }
    .await;
    finish_redirect(state, outcome, None)
}

async fn google_start(State(state): State<AppState>, Query(q): Query<SocialStart>) -> Response {
    social_start(&state, FlowKind::Google, q).await
}

async fn google_callback(State(state): State<AppState>, Query(q): Query<Callback>) -> Response {
    social_callback(&state, FlowKind::Google, q).await
}

async fn microsoft_start(State(state): State<AppState>, Query(q): Query<SocialStart>) -> Response {
    social_start(&state, FlowKind::Microsoft, q).await
}

async fn microsoft_callback(State(state): State<AppState>, Query(q): Query<Callback>) -> Response {
    social_callback(&state, FlowKind::Microsoft, q).await
}

/// The provider `id` if it exists and is of `kind`, with its workspace (callers check the
/// status with [`ensure_active`] once they know where to send errors).
pub(crate) async fn find_provider(
    state: &AppState,
    id: Uuid,
    kind: SsoProviderKind,
) -> Result<(SsoProviderRecord, Option<WorkspaceRecord>), SsoError> {
    let provider = state
        .store()
        .sso_provider(id)
        .await?
        .filter(|p| p.kind == kind)
        .ok_or(SsoError::ProviderNotFound)?;
    let workspace = state.store().workspace(provider.workspace_id).await?;
    Ok((provider, workspace))
}

/// Errors: [`SsoError::ProviderInactive`] unless the provider is `Active`.
pub(crate) fn ensure_active(provider: &SsoProviderRecord) -> Result<(), SsoError> {
    if provider.status == SsoProviderStatus::Active {
        Ok(())
    } else {
        Err(SsoError::ProviderInactive)
    }
}

/// The relying-party configuration of a workspace's OIDC provider.
fn provider_spec(state: &AppState, provider: &SsoProviderRecord) -> Result<OidcSpec, SsoError> {
    let (Some(client_id), Some(client_secret)) =
        (provider.client_id.clone(), provider.client_secret.clone())
    else {
        return Err(SsoError::InvalidConfiguration(
            "The identity provider has no client id or secret",
        ));
    };
    Ok(OidcSpec {
        issuer: provider.issuer.clone(),
        client_id,
        client_secret,
        redirect_url: format!("{}/auth/oidc/callback", sso_config(state).server_base()),
        tenant_issuer: false,
        require_verified_email: false,
        extra_params: Vec::new(),
    })
}

async fn oidc_start(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let mut workspace = None;
    let started = async {
        let id = Uuid::parse_str(&id).map_err(|_| SsoError::ProviderNotFound)?;
        let (provider, ws) = find_provider(&state, id, SsoProviderKind::Oidc).await?;
        workspace = ws;
        ensure_active(&provider)?;
        oidc::start(
            state.store(),
            &provider_spec(&state, &provider)?,
            PendingLogin {
                kind: FlowKind::Oidc,
                provider_id: Some(provider.id),
                nonce: None,
                pkce_verifier: None,
                saml_request_id: None,
                context: LoginContext::default(),
            },
            sso_config(&state).login_state_ttl,
        )
        .await
    }
    .await;
    match started {
        Ok(url) => found(&url),
        Err(e) => found(&error_url(state.accounts(), workspace.as_ref(), &e)),
    }
}

async fn oidc_callback(State(state): State<AppState>, Query(q): Query<Callback>) -> Response {
    let mut workspace = None;
    let outcome = async {
        let record = state::take(state.store(), q.state.as_deref().unwrap_or("")).await?;
        let provider_id = record
            .identity_provider_id
            .filter(|_| record.kind == FlowKind::Oidc.as_str())
            .ok_or(SsoError::InvalidState)?;
        let (provider, ws) = find_provider(&state, provider_id, SsoProviderKind::Oidc).await?;
        workspace = ws;
        ensure_active(&provider)?;
        if q.error.is_some() {
            return Err(SsoError::IdpDenied);
        }
        let code = q.code.as_deref().ok_or(SsoError::IdpDenied)?;
        let identity = oidc::finish(&provider_spec(&state, &provider)?, &record, code).await?;
        provider_login(state.accounts(), &provider, &identity).await
    }
    .await;
    finish_redirect(&state, outcome, workspace.as_ref())
}
