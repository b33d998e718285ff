//! GraphQL inputs and outputs of the SSO operations (Twenty's names and shapes,
//! `twenty-client-sdk@2.43.0` `schema.d.ts`).

use async_graphql::{InputObject, SimpleObject};
use tessera_store::{SsoProviderKind, SsoProviderRecord, SsoProviderStatus, WorkspaceRecord};

use crate::metadata_api::auth::{IdentityProviderType, SsoIdentityProviderStatus};
use crate::metadata_api::scalars::UuidScalar;

/// `createOIDCIdentityProvider` input.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "SetupOIDCSsoInput")]
pub struct SetupOidcSsoInput {
    /// Display name.
    pub name: String,
    /// Issuer URL (checked by OpenID Connect discovery).
    pub issuer: String,
    /// OAuth client id registered at the provider.
    #[graphql(name = "clientID")]
    pub client_id: String,
    /// OAuth client secret (stored, never returned).
    pub client_secret: String,
}

/// `createSAMLIdentityProvider` input (`id` is chosen by the client so the service-provider
/// metadata URL can be shown before the provider exists).
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "SetupSAMLSsoInput")]
pub struct SetupSamlSsoInput {
    /// Display name.
    pub name: String,
    /// The IdP's entity id (`Issuer` of its responses).
    pub issuer: String,
    /// Provider id.
    pub id: UuidScalar,
    /// The IdP's single sign-on URL (HTTP-Redirect binding).
    #[graphql(name = "ssoURL")]
    pub sso_url: String,
    /// The IdP's signing certificate (PEM, or bare base64 DER).
    pub certificate: String,
    /// Certificate fingerprint (informational).
    pub fingerprint: Option<String>,
}

/// `deleteSSOIdentityProvider` input.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "DeleteSsoInput")]
pub struct DeleteSsoInput {
    /// Provider id.
    pub identity_provider_id: UuidScalar,
}

/// `editSSOIdentityProvider` input.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "EditSsoInput")]
pub struct EditSsoInput {
    /// Provider id.
    pub id: UuidScalar,
    /// New status.
    pub status: SsoIdentityProviderStatus,
}

/// `getAuthorizationUrlForSSO` input.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "GetAuthorizationUrlForSSOInput")]
pub struct GetAuthorizationUrlForSsoInput {
    /// Provider id.
    pub identity_provider_id: UuidScalar,
    /// Public invite link hash (passed on to the login URL).
    pub workspace_invite_hash: Option<String>,
}

/// A provider as `createOIDCIdentityProvider` / `createSAMLIdentityProvider` return it.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "SetupSso")]
pub struct SetupSso {
    /// Provider id.
    pub id: UuidScalar,
    /// OIDC or SAML.
    #[graphql(name = "type")]
    pub kind: IdentityProviderType,
    /// Issuer.
    pub issuer: String,
    /// Display name.
    pub name: String,
    /// Status.
    pub status: SsoIdentityProviderStatus,
}

/// A provider as `editSSOIdentityProvider` returns it.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "EditSso")]
pub struct EditSso {
    /// Provider id.
    pub id: UuidScalar,
    /// OIDC or SAML.
    #[graphql(name = "type")]
    pub kind: IdentityProviderType,
    /// Issuer.
    pub issuer: String,
    /// Display name.
    pub name: String,
    /// Status.
    pub status: SsoIdentityProviderStatus,
}

/// `deleteSSOIdentityProvider` answer.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "DeleteSso")]
pub struct DeleteSso {
    /// The deleted provider's id.
    pub identity_provider_id: UuidScalar,
}

/// A workspace's name and id.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "WorkspaceNameAndId")]
pub struct WorkspaceNameAndId {
    /// Display name.
    pub display_name: Option<String>,
    /// Workspace id.
    pub id: UuidScalar,
}

/// A provider as `getSSOIdentityProviders` lists it.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "FindAvailableSSOIDP")]
pub struct FindAvailableSsoIdp {
    /// OIDC or SAML.
    #[graphql(name = "type")]
    pub kind: IdentityProviderType,
    /// Provider id.
    pub id: UuidScalar,
    /// Issuer.
    pub issuer: String,
    /// Display name.
    pub name: String,
    /// Status.
    pub status: SsoIdentityProviderStatus,
    /// The provider's workspace.
    pub workspace: WorkspaceNameAndId,
}

/// `getAuthorizationUrlForSSO` answer.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "GetAuthorizationUrlForSSO")]
pub struct GetAuthorizationUrlForSso {
    /// Where to send the browser: `SERVER_URL/auth/<oidc|saml>/login/<id>`.
    #[graphql(name = "authorizationURL")]
    pub authorization_url: String,
    /// `OIDC` or `SAML`.
    #[graphql(name = "type")]
    pub kind: String,
    /// Provider id.
    pub id: UuidScalar,
}

pub(crate) fn kind_of(kind: SsoProviderKind) -> IdentityProviderType {
    match kind {
        SsoProviderKind::Oidc => IdentityProviderType::Oidc,
        SsoProviderKind::Saml => IdentityProviderType::Saml,
    }
}

pub(crate) fn status_of(status: SsoProviderStatus) -> SsoIdentityProviderStatus {
    match status {
        SsoProviderStatus::Active => SsoIdentityProviderStatus::Active,
        SsoProviderStatus::Inactive => SsoIdentityProviderStatus::Inactive,
        SsoProviderStatus::Error => SsoIdentityProviderStatus::Error,
    }
}

pub(crate) fn status_from(status: SsoIdentityProviderStatus) -> SsoProviderStatus {
    match status {
        SsoIdentityProviderStatus::Active => SsoProviderStatus::Active,
        SsoIdentityProviderStatus::Inactive => SsoProviderStatus::Inactive,
        SsoIdentityProviderStatus::Error => SsoProviderStatus::Error,
    }
}

impl From<&SsoProviderRecord> for SetupSso {
    fn from(p: &SsoProviderRecord) -> Self {
        Self {
            id: UuidScalar(p.id),
            kind: kind_of(p.kind),
            issuer: p.issuer.clone(),
            name: p.name.clone(),
            status: status_of(p.status),
        }
    }
}

impl From<&SsoProviderRecord> for EditSso {
    fn from(p: &SsoProviderRecord) -> Self {
        Self {
            id: UuidScalar(p.id),
            kind: kind_of(p.kind),
            issuer: p.issuer.clone(),
            name: p.name.clone(),
            status: status_of(p.status),
        }
    }
}

impl FindAvailableSsoIdp {
    pub(crate) fn new(p: &SsoProviderRecord, workspace: Option<&WorkspaceRecord>) -> Self {
        Self {
            kind: kind_of(p.kind),
            id: UuidScalar(p.id),
            issuer: p.issuer.clone(),
            name: p.name.clone(),
            status: status_of(p.status),
            workspace: WorkspaceNameAndId {
                display_name: workspace.map(|w| w.display_name.clone()),
                id: UuidScalar(p.workspace_id.0),
            },
        }
    }
}
