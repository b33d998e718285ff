//! Single sign-on and social login (`shared/reference/twenty-metadata-auth.md` §6.6, §6.7):
//! "Sign in with Google / Microsoft" (OpenID Connect with Twenty's `AUTH_GOOGLE_*` /
//! `AUTH_MICROSOFT_*` settings), per-workspace OpenID Connect identity providers and
//! per-workspace SAML 2.0 identity providers (`samael` with xmlsec).
//!
//! Every flow keeps its in-flight data (OAuth `state`, OIDC `nonce`, PKCE verifier, SAML
//! request id) in the `ssoLoginState` system table, so any server instance can finish a flow
//! another one started; a state works once and expires ([`SsoConfig::login_state_ttl`]).
//! On success the browser is sent to `<workspace URL>/verify?loginToken=<LOGIN token>`
//! (Twenty's `AppPath.Verify`); on failure to `<workspace or front-end URL>/verify?errorMessage=`.

mod certificate;
pub mod config;
mod error;
mod finish;
mod oidc;
pub mod routes;
mod saml;
mod saml_routes;
mod state;

pub use certificate::{certificate_der, check_certificate};
pub use config::{SocialProviderConfig, SsoArgs, SsoConfig};
pub use error::SsoError;
pub use finish::ensure_can_manage_sso;
pub use oidc::validate_oidc_issuer;
pub use saml::{acs_url, sp_entity_id};
