//! SAML identity-provider signing certificates.

use super::SsoError;

/// The DER bytes of a certificate given as PEM (`-----BEGIN CERTIFICATE-----`) or as bare
/// base64 (what IdP metadata `<ds:X509Certificate>` holds). Errors:
/// [`SsoError::BadInput`] `Invalid certificate` when it is not a readable X.509 certificate.
pub fn certificate_der(certificate: &str) -> Result<Vec<u8>, SsoError> {
    use base64::Engine;
    let invalid = || SsoError::BadInput("Invalid certificate".to_owned());
    let body: String = certificate
        .lines()
        .filter(|l| !l.trim_start().starts_with("-----"))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| invalid())?;
    openssl::x509::X509::from_der(&der).map_err(|_| invalid())?;
    Ok(der)
}

/// Checks that `certificate` is a readable X.509 certificate (PEM or bare base64 DER).
/// Errors: [`SsoError::BadInput`] `Invalid certificate`.
pub fn check_certificate(certificate: &str) -> Result<(), SsoError> {
    certificate_der(certificate).map(|_| ())
}
