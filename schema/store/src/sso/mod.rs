//! Single sign-on storage: per-workspace identity providers
//! (`workspaceSSOIdentityProvider`, Twenty's `core.workspaceSSOIdentityProvider`,
//! `shared/reference/twenty-metadata-auth.md` §6.7), login states of flows in progress
//! (`ssoLoginState`, so any server instance can finish a flow another one started) and
//! used SAML assertion ids (`ssoUsedAssertion`, replay protection).

mod assertions;
mod login_state;
mod providers;

pub use login_state::{NewSsoLoginState, SsoLoginStateRecord};
pub use providers::{NewSsoProvider, SsoProviderKind, SsoProviderRecord, SsoProviderStatus};
