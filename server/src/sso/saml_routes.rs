//! The SAML routes (Twenty's `sso-auth.controller.ts`):
//!
//! | route | what |
//! |---|---|
//! | `GET /auth/saml/metadata/{identityProviderId}` | our SP metadata (XML) |
//! | `GET /auth/saml/login/{identityProviderId}` | 302 to the IdP with an AuthnRequest (HTTP-Redirect) |
//! | `POST /auth/saml/callback/{identityProviderId}` | the IdP's response (HTTP-POST, form `SAMLResponse`) |

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tessera_store::SsoProviderKind;
use uuid::Uuid;

use super::finish::{error_url, provider_login};
use super::routes::{ensure_active, find_provider, finish_redirect, found};
use super::state::{self, FlowKind};
use super::{SsoError, saml};
use crate::AppState;

/// The SAML routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/saml/metadata/{identityProviderId}", get(metadata))
        .route("/auth/saml/login/{identityProviderId}", get(login))
        .route("/auth/saml/callback/{identityProviderId}", post(callback))
}

fn server_base(state: &AppState) -> String {
    state.accounts().config().sso.server_base().to_owned()
}

async fn metadata(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let result = async {
        let id = Uuid::parse_str(&id).map_err(|_| SsoError::ProviderNotFound)?;
        let (provider, _) = find_provider(&state, id, SsoProviderKind::Saml).await?;
        saml::sp_metadata_xml(&server_base(&state), &provider)
    }
    .await;
    match result {
        Ok(xml) => ([(header::CONTENT_TYPE, "application/xml")], xml).into_response(),
        Err(SsoError::ProviderNotFound) => {
            (StatusCode::NOT_FOUND, "Identity provider not found").into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "SAML metadata failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "SP metadata unavailable").into_response()
        }
    }
}

async fn login(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let mut workspace = None;
    let started = async {
        let id = Uuid::parse_str(&id).map_err(|_| SsoError::ProviderNotFound)?;
        let (provider, ws) = find_provider(&state, id, SsoProviderKind::Saml).await?;
        workspace = ws;
        ensure_active(&provider)?;
        saml::start(
            state.store(),
            &server_base(&state),
            &provider,
            state.accounts().config().sso.login_state_ttl,
        )
        .await
    }
    .await;
    match started {
        Ok(url) => found(&url),
        Err(e) => found(&error_url(state.accounts(), workspace.as_ref(), &e)),
    }
}

/// The POSTed form of the IdP.
#[derive(Debug, Deserialize)]
struct SamlPost {
    #[serde(rename = "SAMLResponse")]
    saml_response: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<SamlPost>,
) -> Response {
    let mut workspace = None;
    let outcome = async {
        let id = Uuid::parse_str(&id).map_err(|_| SsoError::ProviderNotFound)?;
        let (provider, ws) = find_provider(&state, id, SsoProviderKind::Saml).await?;
        workspace = ws;
        let encoded = form
            .saml_response
            .as_deref()
            .ok_or(SsoError::Refused("no SAML response was posted"))?;
        let (xml, in_response_to) = saml::decode_response(encoded)?;
        let record = state::take(state.store(), &in_response_to).await?;
        if record.kind != FlowKind::Saml.as_str()
            || record.identity_provider_id != Some(provider.id)
            || record.saml_request_id.as_deref() != Some(in_response_to.as_str())
        {
            return Err(SsoError::Refused(
                "the SAML response is for another identity provider",
            ));
        }
        ensure_active(&provider)?;
        let identity = saml::finish(
            state.store(),
            &server_base(&state),
            &provider,
            xml,
            in_response_to,
        )
        .await?;
        provider_login(state.accounts(), &provider, &identity).await
    }
    .await;
    finish_redirect(&state, outcome, workspace.as_ref())
}
