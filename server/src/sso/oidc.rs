//! OpenID Connect authorization code flow with PKCE (S256), `state` and `nonce`
//! (OpenID Connect Core 1.0 §3.1, RFC 7636), on the `openidconnect` crate: used by the
//! workspaces' OIDC providers and by Google and Microsoft sign-in.
//!
//! The ID token's signature (provider's JWKS from discovery), issuer, audience (our client
//! id), expiry and nonce are checked by `openidconnect`'s verifier; an e-mail claim is
//! required.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJsonWebKeySet, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use tessera_store::{SsoLoginStateRecord, Store};

use super::SsoError;
use super::finish::Identity;
use super::state::{PendingLogin, remember};

/// How long one request to an identity provider may take.
const IDP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// One OpenID Connect relying-party configuration. `Debug` hides the secret.
#[derive(Clone)]
pub(crate) struct OidcSpec {
    /// Issuer URL (discovery base).
    pub(crate) issuer: String,
    /// Our client id (the ID token's audience).
    pub(crate) client_id: String,
    /// Our client secret.
    pub(crate) client_secret: String,
    /// Our redirect URL (callback).
    pub(crate) redirect_url: String,
    /// Microsoft's multi-tenant issuer: the discovery document names the issuer as
    /// `https://login.microsoftonline.com/{tenantid}/v2.0`; the token's `iss` must be that
    /// with its own `tid`.
    pub(crate) tenant_issuer: bool,
    /// Google: only `email_verified = true` addresses are accepted (Twenty's "No verified
    /// email found").
    pub(crate) require_verified_email: bool,
    /// Extra authorization-request parameters (Google: `prompt=select_account`).
    pub(crate) extra_params: Vec<(&'static str, &'static str)>,
}

impl std::fmt::Debug for OidcSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSpec")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .finish_non_exhaustive()
    }
}

/// An HTTP client for identity providers: no redirects followed, bounded time.
fn http_client() -> Result<openidconnect::reqwest::Client, SsoError> {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(IDP_TIMEOUT)
        .build()
        .map_err(|e| {
            tracing::error!(error = %e, "cannot build the HTTP client");
            SsoError::InvalidConfiguration("Cannot reach the identity provider")
        })
}

/// The provider's discovery document and keys. With `tenant_issuer` the document's issuer
/// may differ from `issuer` (Microsoft's `{tenantid}` template).
async fn discover(
    http: &openidconnect::reqwest::Client,
    issuer: &str,
    tenant_issuer: bool,
) -> Result<CoreProviderMetadata, SsoError> {
    const INVALID: SsoError = SsoError::InvalidConfiguration("Invalid issuer");
    let issuer_url = IssuerUrl::new(issuer.trim().to_owned()).map_err(|_| INVALID)?;
    if !tenant_issuer {
        return CoreProviderMetadata::discover_async(issuer_url, http)
            .await
            .map_err(|e| {
                tracing::warn!(issuer, error = %e, "OpenID Connect discovery failed");
                INVALID
            });
    }
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim().trim_end_matches('/')
    );
    let fetched = async {
        let bytes = http
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        Ok::<_, openidconnect::reqwest::Error>(bytes)
    }
    .await
    .map_err(|e| {
        tracing::warn!(issuer, error = %e, "OpenID Connect discovery failed");
        INVALID
    })?;
    let metadata: CoreProviderMetadata = serde_json::from_slice(&fetched).map_err(|e| {
        tracing::warn!(issuer, error = %e, "unreadable OpenID Connect discovery document");
        INVALID
    })?;
    let jwks = CoreJsonWebKeySet::fetch_async(metadata.jwks_uri(), http)
        .await
        .map_err(|e| {
            tracing::warn!(issuer, error = %e, "cannot fetch the provider's keys");
            INVALID
        })?;
    Ok(metadata.set_jwks(jwks))
}

/// The relying-party client and the issuer the provider's discovery document names.
async fn client(
    http: &openidconnect::reqwest::Client,
    spec: &OidcSpec,
) -> Result<(Client, String), SsoError> {
    let metadata = discover(http, &spec.issuer, spec.tenant_issuer).await?;
    let issuer = metadata.issuer().as_str().to_owned();
    let redirect = RedirectUrl::new(spec.redirect_url.clone())
        .map_err(|_| SsoError::InvalidConfiguration("Invalid callback URL"))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(spec.client_id.clone()),
        Some(ClientSecret::new(spec.client_secret.clone())),
    )
    .set_redirect_uri(redirect);
    Ok((client, issuer))
}

/// Checks that `issuer` is an OpenID Connect issuer (discovery and keys load). Used by
/// `createOIDCIdentityProvider`. Errors: [`SsoError::BadInput`] `Invalid issuer`.
pub async fn validate_oidc_issuer(issuer: &str) -> Result<(), SsoError> {
    let http = http_client()?;
    discover(&http, issuer, false)
        .await
        .map(|_| ())
        .map_err(|_| SsoError::BadInput("Invalid issuer".to_owned()))
}

/// Starts a login: discovery, a fresh `state`, `nonce` and PKCE verifier stored in the
/// database (`pending` says which flow), and the provider's authorization URL to redirect
/// the browser to (scopes `openid email profile`, `code_challenge_method=S256`).
pub(crate) async fn start(
    store: &Store,
    spec: &OidcSpec,
    pending: PendingLogin<'_>,
    ttl: std::time::Duration,
) -> Result<String, SsoError> {
    let http = http_client()?;
    let (client, _) = client(&http, spec).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge);
    for (name, value) in &spec.extra_params {
        request = request.add_extra_param(*name, *value);
    }
    let (url, state, nonce) = request.url();
    remember(
        store,
        state.secret(),
        PendingLogin {
            nonce: Some(nonce.secret()),
            pkce_verifier: Some(verifier.secret()),
            ..pending
        },
        ttl,
    )
    .await?;
    Ok(url.to_string())
}

fn refused(error: &ClaimsVerificationError) -> SsoError {
    SsoError::Refused(match error {
        ClaimsVerificationError::Expired(_) => "the ID token has expired",
        ClaimsVerificationError::InvalidAudience(_) => "the ID token is for another client",
        ClaimsVerificationError::InvalidIssuer(_) => "the ID token is from another issuer",
        ClaimsVerificationError::InvalidNonce(_) => "the ID token's nonce does not match",
        ClaimsVerificationError::SignatureVerification(_) => "the ID token's signature is invalid",
        _ => "the ID token is invalid",
    })
}

/// The `iss` and `tid` claims of a JWT whose signature was already verified.
fn token_issuer_and_tenant(jwt: &str) -> (Option<String>, Option<String>) {
    use base64::Engine;
    let claims: Option<serde_json::Value> = jwt.split('.').nth(1).and_then(|payload| {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    });
    let get = |name: &str| {
        claims
            .as_ref()
            .and_then(|c| c.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    (get("iss"), get("tid"))
}

/// Whether a token's `iss` matches the issuer of a multi-tenant discovery document:
/// `https://login.microsoftonline.com/{tenantid}/v2.0` with the token's own `tid`, or the
/// document's issuer verbatim when it has no `{tenantid}` template.
fn tenant_issuer_matches(expected: &str, iss: Option<&str>, tid: Option<&str>) -> bool {
    match (expected.contains("{tenantid}"), iss, tid) {
        (true, Some(iss), Some(tid)) => {
            !tid.is_empty() && !tid.contains('/') && iss == expected.replace("{tenantid}", tid)
        }
        (false, Some(iss), _) => iss == expected,
        _ => false,
    }
}

/// Finishes a login: exchanges `code` (with the stored PKCE verifier), verifies the ID
/// token (signature, issuer, audience, expiry, stored nonce) and returns the identity.
///
/// Errors: [`SsoError::Refused`] (code refused, no or invalid ID token),
/// [`SsoError::EmailRequired`], [`SsoError::InvalidConfiguration`] (discovery failed).
pub(crate) async fn finish(
    spec: &OidcSpec,
    record: &SsoLoginStateRecord,
    code: &str,
) -> Result<Identity, SsoError> {
    let (Some(verifier), Some(nonce)) = (record.pkce_verifier.clone(), record.nonce.clone()) else {
        return Err(SsoError::InvalidState);
    };
    let http = http_client()?;
    let (client, expected_issuer) = client(&http, spec).await?;
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|_| SsoError::InvalidConfiguration("The identity provider has no token endpoint"))?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&http)
        .await
        .map_err(|e| {
            tracing::warn!(issuer = %spec.issuer, error = %e, "authorization code exchange failed");
            SsoError::Refused("the authorization code was not accepted")
        })?;
    let id_token = response
        .id_token()
        .ok_or(SsoError::Refused("no ID token was returned"))?;
    let mut verifier = client.id_token_verifier();
    if spec.tenant_issuer {
        verifier = verifier.require_issuer_match(false);
    }
    let claims = id_token
        .claims(&verifier, &Nonce::new(nonce))
        .map_err(|e| {
            tracing::warn!(issuer = %spec.issuer, error = %e, "ID token refused");
            refused(&e)
        })?;
    if spec.tenant_issuer {
        let (iss, tid) = token_issuer_and_tenant(&id_token.to_string());
        if !tenant_issuer_matches(&expected_issuer, iss.as_deref(), tid.as_deref()) {
            return Err(SsoError::Refused("the ID token is from another issuer"));
        }
    }
    let verified = claims.email_verified();
    if verified == Some(false) || (spec.require_verified_email && verified != Some(true)) {
        return Err(SsoError::EmailRequired);
    }
    let given = claims
        .given_name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_owned());
    let family = claims
        .family_name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_owned());
    Identity::new(
        claims.email().map(|e| e.as_str()),
        given.as_deref(),
        family.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_tenant_issuers() {
        let template = "https://login.microsoftonline.com/{tenantid}/v2.0";
        let tid = "9188040d-6c67-4c5b-b112-36a304b66dad";
        let iss = format!("https://login.microsoftonline.com/{tid}/v2.0");
        assert!(tenant_issuer_matches(template, Some(&iss), Some(tid)));
        assert!(!tenant_issuer_matches(template, Some(&iss), Some("other")));
        assert!(!tenant_issuer_matches(template, Some(&iss), None));
        assert!(!tenant_issuer_matches(
            template,
            Some("https://evil.example/v2.0"),
            Some("x")
        ));
        assert!(!tenant_issuer_matches(template, None, Some(tid)));
        assert!(tenant_issuer_matches(
            "http://127.0.0.1:1",
            Some("http://127.0.0.1:1"),
            None
        ));
        assert!(!tenant_issuer_matches(
            "http://127.0.0.1:1",
            Some("http://127.0.0.1:2"),
            None
        ));
    }
}
