//! SAML 2.0 Web Browser SSO (SAML 2.0 Profiles §4.1) with `samael` (xmlsec): this server is
//! the service provider (SP) of each workspace SAML provider.
//!
//! - SP entity id: `SERVER_URL/auth/saml/login/<id>` (Twenty's issuer), ACS:
//!   `SERVER_URL/auth/saml/callback/<id>` (HTTP-POST binding), metadata with
//!   `WantAssertionsSigned="true"`.
//! - AuthnRequests go out on the HTTP-Redirect binding with a fresh random id kept in
//!   `ssoLoginState`; a response must answer that request (`InResponseTo`, once).
//! - A response is accepted only when its signature verifies against the provider's
//!   certificate (RSA/ECDSA with SHA-256 or stronger), its issuer is the provider's, its
//!   destination and the bearer confirmation's recipient are our ACS URL, its audience is our
//!   entity id, it is within its validity window (`NotBefore` / `NotOnOrAfter`, 3 min clock
//!   skew) and its assertion id was never accepted before.

use samael::crypto::AllowedSignatureAlgorithm;
use samael::metadata::EntityDescriptor;
use samael::schema::{Assertion, Response};
use samael::service_provider::{Error as SamlError, ServiceProvider, ServiceProviderBuilder};
use samael::traits::ToXml;
use tessera_store::{SsoProviderRecord, Store};
use uuid::Uuid;

use super::SsoError;
use super::finish::Identity;
use super::state::{FlowKind, PendingLogin, remember};

/// Our SP entity id for provider `id` (Twenty: the login URL), the expected audience.
pub fn sp_entity_id(server_base: &str, id: Uuid) -> String {
    format!("{server_base}/auth/saml/login/{id}")
}

/// Our assertion consumer service URL for provider `id`.
pub fn acs_url(server_base: &str, id: Uuid) -> String {
    format!("{server_base}/auth/saml/callback/{id}")
}

/// `s` escaped for an XML attribute or text.
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The provider's metadata as samael wants it: entity id, signing certificate, SSO URL.
fn idp_metadata(provider: &SsoProviderRecord) -> Result<EntityDescriptor, SsoError> {
    use base64::Engine;
    let invalid = SsoError::InvalidConfiguration("The SAML identity provider is misconfigured");
    let certificate = provider.certificate.as_deref().ok_or(invalid)?;
    let der = super::certificate_der(certificate).map_err(|_| {
        SsoError::InvalidConfiguration("The SAML identity provider is misconfigured")
    })?;
    let sso_url = provider
        .sso_url
        .as_deref()
        .ok_or(SsoError::InvalidConfiguration(
            "The SAML identity provider is misconfigured",
        ))?;
    let xml = format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{issuer}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso}"/></md:IDPSSODescriptor></md:EntityDescriptor>"#,
        issuer = xml_escape(&provider.issuer),
        cert = base64::engine::general_purpose::STANDARD.encode(der),
        sso = xml_escape(sso_url),
    );
    xml.parse().map_err(|e| {
        tracing::warn!(identity_provider_id = %provider.id, error = %e, "cannot build SAML IdP metadata");
        SsoError::InvalidConfiguration("The SAML identity provider is misconfigured")
    })
}

/// The service provider for `provider`.
fn service_provider(
    server_base: &str,
    provider: &SsoProviderRecord,
) -> Result<ServiceProvider, SsoError> {
    let metadata = idp_metadata(provider)?;
    ServiceProviderBuilder::default()
        .entity_id(sp_entity_id(server_base, provider.id))
        .acs_url(acs_url(server_base, provider.id))
        .metadata_url(format!("{server_base}/auth/saml/metadata/{}", provider.id))
        .slo_url(format!("{server_base}/auth/saml/logout/{}", provider.id))
        .idp_metadata(metadata)
        .allowed_signature_algorithms(vec![
            AllowedSignatureAlgorithm::RsaSha256,
            AllowedSignatureAlgorithm::RsaSha384,
            AllowedSignatureAlgorithm::RsaSha512,
            AllowedSignatureAlgorithm::EcdsaSha256,
            AllowedSignatureAlgorithm::EcdsaSha384,
            AllowedSignatureAlgorithm::EcdsaSha512,
        ])
        .build()
        .map_err(|e| {
            tracing::error!(error = %e, "cannot build the SAML service provider");
            SsoError::InvalidConfiguration("The SAML identity provider is misconfigured")
        })
}

/// `GET /auth/saml/metadata/{id}`: our SP metadata XML for the provider.
pub(crate) fn sp_metadata_xml(
    server_base: &str,
    provider: &SsoProviderRecord,
) -> Result<String, SsoError> {
    let sp = service_provider(server_base, provider)?;
    let mut descriptor = sp.metadata().map_err(|e| {
        tracing::error!(error = %e, "cannot build SP metadata");
        SsoError::InvalidConfiguration("The SAML identity provider is misconfigured")
    })?;
    // samael always advertises a single-logout endpoint; this SP has none.
    for sp_descriptor in descriptor.sp_sso_descriptors.iter_mut().flatten() {
        sp_descriptor.single_logout_services = None;
    }
    descriptor.to_string().map_err(|e| {
        tracing::error!(error = ?e, "cannot serialise SP metadata");
        SsoError::InvalidConfiguration("The SAML identity provider is misconfigured")
    })
}

/// Starts a login: an AuthnRequest with a fresh id (kept in the database for
/// `ttl`) and the provider's SSO URL carrying it (HTTP-Redirect binding, deflated).
pub(crate) async fn start(
    store: &Store,
    server_base: &str,
    provider: &SsoProviderRecord,
    ttl: std::time::Duration,
) -> Result<String, SsoError> {
    let sp = service_provider(server_base, provider)?;
    let sso_url = provider
        .sso_url
        .clone()
        .ok_or(SsoError::InvalidConfiguration(
            "The SAML identity provider is misconfigured",
        ))?;
    let mut request = sp.make_authentication_request(&sso_url).map_err(|e| {
        tracing::error!(error = %e, "cannot build an AuthnRequest");
        SsoError::InvalidConfiguration("The SAML identity provider is misconfigured")
    })?;
    request.id = format!("_{}", Uuid::new_v4().simple());
    let url = request
        .redirect("")
        .ok()
        .flatten()
        .ok_or(SsoError::InvalidConfiguration(
            "The SAML identity provider is misconfigured",
        ))?;
    remember(
        store,
        &request.id,
        PendingLogin {
            kind: FlowKind::Saml,
            provider_id: Some(provider.id),
            nonce: None,
            pkce_verifier: None,
            saml_request_id: Some(&request.id),
            context: Default::default(),
        },
        ttl,
    )
    .await?;
    Ok(url.to_string())
}

/// The XML of a POSTed `SAMLResponse` and the request id it claims to answer (read before
/// any verification: only used to find the stored request). Errors: [`SsoError::Refused`].
pub(crate) fn decode_response(encoded: &str) -> Result<(String, String), SsoError> {
    use base64::Engine;
    let unreadable = SsoError::Refused("the SAML response is unreadable");
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| SsoError::Refused("the SAML response is unreadable"))?;
    let xml = String::from_utf8(bytes)
        .map_err(|_| SsoError::Refused("the SAML response is unreadable"))?;
    let response: Response = xml.parse().map_err(|_| unreadable)?;
    let in_response_to = response.in_response_to.ok_or(SsoError::Refused(
        "the SAML response answers no request of ours",
    ))?;
    Ok((xml, in_response_to))
}

fn refused(error: &SamlError) -> SsoError {
    SsoError::Refused(match error {
        SamlError::FailedToValidateSignature | SamlError::CryptoXmlError(_) => {
            "the SAML response is not signed by the identity provider"
        }
        SamlError::DestinationValidationError { .. } => {
            "the SAML response is addressed to another destination"
        }
        SamlError::AssertionRecipientMismatch { .. } => {
            "the SAML assertion is for another recipient"
        }
        SamlError::AssertionConditionAudienceRestrictionFailed { .. } => {
            "the SAML assertion is for another audience"
        }
        SamlError::AssertionExpired { .. }
        | SamlError::ResponseExpired { .. }
        | SamlError::AssertionConditionExpired { .. }
        | SamlError::AssertionSubjectConfirmationExpired { .. } => "the SAML assertion has expired",
        SamlError::AssertionConditionExpiredBefore { .. }
        | SamlError::AssertionSubjectConfirmationExpiredBefore { .. } => {
            "the SAML assertion is not valid yet"
        }
        SamlError::AssertionInResponseToInvalid { .. }
        | SamlError::ResponseInResponseToInvalid { .. } => {
            "the SAML response answers no request of ours"
        }
        SamlError::AssertionIssuerMismatch { .. } | SamlError::ResponseIssuerMismatch { .. } => {
            "the SAML response is from another issuer"
        }
        SamlError::ResponseBadStatusCode { .. } => "the identity provider did not sign you in",
        _ => "the SAML response is invalid",
    })
}

/// The first value of the first attribute named one of `names`.
fn attribute(assertion: &Assertion, names: &[&str]) -> Option<String> {
    let statements = assertion.attribute_statements.as_ref()?;
    names.iter().find_map(|wanted| {
        statements
            .iter()
            .flat_map(|s| s.attributes.iter())
            .filter(|a| {
                a.name.as_deref() == Some(wanted) || a.friendly_name.as_deref() == Some(wanted)
            })
            .find_map(|a| a.values.iter().find_map(|v| v.value.clone()))
    })
}

/// Verifies a response answering `request_id` for `provider` and returns the identity it
/// asserts (e-mail from the `email` / `mail` attributes, else an e-mail NameID). The
/// assertion id is recorded: the same assertion is refused afterwards.
///
/// Errors: [`SsoError::Refused`] (see the module docs), [`SsoError::EmailRequired`].
pub(crate) async fn finish(
    store: &Store,
    server_base: &str,
    provider: &SsoProviderRecord,
    xml: String,
    request_id: String,
) -> Result<Identity, SsoError> {
    let sp = service_provider(server_base, provider)?;
    // xmlsec work is CPU-bound: off the async workers.
    let assertion = tokio::task::spawn_blocking(move || {
        sp.parse_xml_response(&xml, Some(&[request_id.as_str()]))
            .map_err(|e| (refused(&e), e.to_string()))
    })
    .await
    .map_err(|_| SsoError::Refused("the SAML response is invalid"))?
    .map_err(|(error, detail)| {
        tracing::warn!(identity_provider_id = %provider.id, error = %detail, "SAML response refused");
        error
    })?;
    // samael checks the audience and validity window only when present: require them.
    let conditions = assertion
        .conditions
        .as_ref()
        .ok_or(SsoError::Refused("the SAML assertion has no conditions"))?;
    if conditions
        .audience_restrictions
        .as_ref()
        .is_none_or(Vec::is_empty)
    {
        return Err(SsoError::Refused(
            "the SAML assertion is for another audience",
        ));
    }
    let expires_at = conditions
        .not_on_or_after
        .ok_or(SsoError::Refused("the SAML assertion has no expiry"))?
        + chrono::Duration::minutes(5);
    if !store
        .record_saml_assertion(provider.id, &assertion.id, expires_at)
        .await?
    {
        return Err(SsoError::Refused("this SAML assertion was already used"));
    }
    let name_id = assertion
        .subject
        .as_ref()
        .and_then(|s| s.name_id.as_ref())
        .map(|n| n.value.clone());
    let email = attribute(
        &assertion,
        &[
            "email",
            "mail",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        ],
    )
    .or(name_id);
    Identity::new(
        email.as_deref(),
        attribute(&assertion, &["firstName", "givenName"]).as_deref(),
        attribute(&assertion, &["lastName", "surname", "sn"]).as_deref(),
    )
}
