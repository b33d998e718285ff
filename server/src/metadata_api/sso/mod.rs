//! SSO identity-provider operations of `/metadata` (Twenty's `sso.resolver.ts`; names and
//! shapes from `twenty-client-sdk@2.43.0`): `getSSOIdentityProviders`,
//! `createOIDCIdentityProvider`, `createSAMLIdentityProvider`, `editSSOIdentityProvider`,
//! `deleteSSOIdentityProvider` (a workspace session allowed by
//! [`crate::sso::ensure_can_manage_sso`]) and the public `getAuthorizationUrlForSSO`.
//! Client secrets are stored but never returned.

mod types;

use async_graphql::{Context, Object};
use tessera_core::Session;
use tessera_store::{NewSsoProvider, SsoProviderKind};
use uuid::Uuid;

use super::errors::{coded, context};
use crate::metadata_api::auth::AuthRequest;
use crate::metadata_api::scalars::UuidScalar;
use crate::sso::{SsoError, ensure_can_manage_sso, validate_oidc_issuer};
pub use types::*;

/// The workspace's `Active` identity providers as `SSOConnection`s (Twenty lists them in
/// `availableWorkspaces[].sso` so the sign-in page can offer them).
pub(crate) async fn sso_connections(
    store: &tessera_store::Store,
    ws: tessera_core::WorkspaceId,
) -> async_graphql::Result<Vec<crate::metadata_api::auth::SsoConnection>> {
    let providers = store
        .workspace_sso_providers(ws)
        .await
        .map_err(|e| coded(&e))?;
    Ok(providers
        .iter()
        .filter(|p| p.status == tessera_store::SsoProviderStatus::Active)
        .map(|p| crate::metadata_api::auth::SsoConnection {
            kind: kind_of(p.kind),
            id: UuidScalar(p.id),
            issuer: p.issuer.clone(),
            name: p.name.clone(),
            status: status_of(p.status),
        })
        .collect())
}

fn err(e: SsoError) -> async_graphql::Error {
    coded(&e)
}

/// The session allowed to manage the workspace's providers. Errors: `UNAUTHENTICATED`
/// without a workspace session, `FORBIDDEN` from [`ensure_can_manage_sso`].
fn manager<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Session> {
    let session = context(ctx)?.session()?;
    ensure_can_manage_sso(session).map_err(err)?;
    Ok(session)
}

fn required(name: &str, value: &str) -> Result<String, SsoError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(SsoError::BadInput(format!("{name} must not be empty")));
    }
    Ok(value.to_owned())
}

/// Queries of the SSO area.
#[derive(Default)]
pub struct SsoQuery;

#[Object]
impl SsoQuery {
    /// The workspace's identity providers, oldest first.
    #[graphql(name = "getSSOIdentityProviders")]
    async fn get_sso_identity_providers(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<FindAvailableSsoIdp>> {
        let session = manager(ctx)?;
        let store = &context(ctx)?.store;
        let workspace = store
            .workspace(session.workspace_id)
            .await
            .map_err(|e| coded(&e))?;
        let providers = store
            .workspace_sso_providers(session.workspace_id)
            .await
            .map_err(|e| coded(&e))?;
        Ok(providers
            .iter()
            .map(|p| FindAvailableSsoIdp::new(p, workspace.as_ref()))
            .collect())
    }
}

/// Mutations of the SSO area.
#[derive(Default)]
pub struct SsoMutation;

#[Object]
impl SsoMutation {
    /// Adds an OpenID Connect provider to the workspace (status `Active`). The issuer must
    /// answer OpenID Connect discovery. Errors: `BAD_USER_INPUT` (`Invalid issuer`, empty
    /// fields).
    #[graphql(name = "createOIDCIdentityProvider")]
    async fn create_oidc_identity_provider(
        &self,
        ctx: &Context<'_>,
        input: SetupOidcSsoInput,
    ) -> async_graphql::Result<SetupSso> {
        let session = manager(ctx)?;
        let name = required("name", &input.name).map_err(err)?;
        let issuer = required("issuer", &input.issuer).map_err(err)?;
        let client_id = required("clientID", &input.client_id).map_err(err)?;
        let client_secret = required("clientSecret", &input.client_secret).map_err(err)?;
        validate_oidc_issuer(&issuer).await.map_err(err)?;
        let created = context(ctx)?
            .store
            .create_sso_provider(NewSsoProvider {
                id: Uuid::new_v4(),
                workspace_id: session.workspace_id,
                name: &name,
                kind: SsoProviderKind::Oidc,
                issuer: &issuer,
                client_id: Some(&client_id),
                client_secret: Some(&client_secret),
                sso_url: None,
                certificate: None,
                fingerprint: None,
            })
            .await
            .map_err(|e| coded(&e))?;
        tracing::info!(identity_provider_id = %created.id, "OIDC identity provider created");
        Ok(SetupSso::from(&created))
    }

    /// Adds a SAML provider to the workspace with the client-chosen id (status `Active`).
    /// Errors: `BAD_USER_INPUT` (empty fields, unreadable certificate, bad SSO URL),
    /// `CONFLICT` when the id is taken.
    #[graphql(name = "createSAMLIdentityProvider")]
    async fn create_saml_identity_provider(
        &self,
        ctx: &Context<'_>,
        input: SetupSamlSsoInput,
    ) -> async_graphql::Result<SetupSso> {
        let session = manager(ctx)?;
        let name = required("name", &input.name).map_err(err)?;
        let issuer = required("issuer", &input.issuer).map_err(err)?;
        let sso_url = required("ssoURL", &input.sso_url).map_err(err)?;
        url::Url::parse(&sso_url)
            .map_err(|_| err(SsoError::BadInput("Invalid ssoURL".to_owned())))?;
        let certificate = required("certificate", &input.certificate).map_err(err)?;
        crate::sso::check_certificate(&certificate).map_err(err)?;
        let store = &context(ctx)?.store;
        if store
            .sso_provider(input.id.0)
            .await
            .map_err(|e| coded(&e))?
            .is_some()
        {
            return Err(coded(&super::errors::ApiError {
                code: tessera_core::ErrorCode::Conflict,
                message: "An identity provider with this id already exists".to_owned(),
            }));
        }
        let created = store
            .create_sso_provider(NewSsoProvider {
                id: input.id.0,
                workspace_id: session.workspace_id,
                name: &name,
                kind: SsoProviderKind::Saml,
                issuer: &issuer,
                client_id: None,
                client_secret: None,
                sso_url: Some(&sso_url),
                certificate: Some(&certificate),
                fingerprint: input.fingerprint.as_deref(),
            })
            .await
            .map_err(|e| coded(&e))?;
        tracing::info!(identity_provider_id = %created.id, "SAML identity provider created");
        Ok(SetupSso::from(&created))
    }

    /// Sets a provider's status (`Inactive` / `Error` providers refuse logins). Errors:
    /// `NOT_FOUND` (no such provider in this workspace).
    #[graphql(name = "editSSOIdentityProvider")]
    async fn edit_sso_identity_provider(
        &self,
        ctx: &Context<'_>,
        input: EditSsoInput,
    ) -> async_graphql::Result<EditSso> {
        let session = manager(ctx)?;
        let updated = context(ctx)?
            .store
            .set_sso_provider_status(session.workspace_id, input.id.0, status_from(input.status))
            .await
            .map_err(|e| coded(&e))?
            .ok_or_else(|| err(SsoError::ProviderNotFound))?;
        Ok(EditSso::from(&updated))
    }

    /// Deletes a provider. Errors: `NOT_FOUND` (no such provider in this workspace).
    #[graphql(name = "deleteSSOIdentityProvider")]
    async fn delete_sso_identity_provider(
        &self,
        ctx: &Context<'_>,
        input: DeleteSsoInput,
    ) -> async_graphql::Result<DeleteSso> {
        let session = manager(ctx)?;
        let deleted = context(ctx)?
            .store
            .delete_sso_provider(session.workspace_id, input.identity_provider_id.0)
            .await
            .map_err(|e| coded(&e))?;
        if !deleted {
            return Err(err(SsoError::ProviderNotFound));
        }
        Ok(DeleteSso {
            identity_provider_id: input.identity_provider_id,
        })
    }

    /// Public: where to send the browser to log in with a provider,
    /// `SERVER_URL/auth/<oidc|saml>/login/<id>` (plus `?workspaceInviteHash=` when given;
    /// Twenty's `buildIssuerURL`). Errors: `NOT_FOUND`.
    #[graphql(name = "getAuthorizationUrlForSSO")]
    async fn get_authorization_url_for_sso(
        &self,
        ctx: &Context<'_>,
        input: GetAuthorizationUrlForSsoInput,
    ) -> async_graphql::Result<GetAuthorizationUrlForSso> {
        let provider = context(ctx)?
            .store
            .sso_provider(input.identity_provider_id.0)
            .await
            .map_err(|e| coded(&e))?
            .ok_or_else(|| err(SsoError::ProviderNotFound))?;
        let server = ctx
            .data::<AuthRequest>()?
            .accounts
            .config()
            .sso
            .server_base()
            .to_owned();
        let (path, kind) = match provider.kind {
            SsoProviderKind::Oidc => ("oidc", "OIDC"),
            SsoProviderKind::Saml => ("saml", "SAML"),
        };
        let mut url = format!("{server}/auth/{path}/login/{}", provider.id);
        if let Some(hash) = input.workspace_invite_hash.filter(|h| !h.is_empty()) {
            url.push_str("?workspaceInviteHash=");
            url.push_str(&crate::accounts::query_encode(&hash));
        }
        Ok(GetAuthorizationUrlForSso {
            authorization_url: url,
            kind: kind.to_owned(),
            id: UuidScalar(provider.id),
        })
    }
}
