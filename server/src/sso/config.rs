//! Configuration of social login (Google, Microsoft) and SSO, with Twenty's environment
//! names (`AUTH_GOOGLE_*`, `AUTH_MICROSOFT_*`, `SERVER_URL`; `config-variables.ts`).

use std::time::Duration;

/// Default issuer of Google sign-in.
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
/// Default issuer of Microsoft sign-in (multi-tenant endpoint; its metadata names the issuer
/// with a `{tenantid}` placeholder).
pub const MICROSOFT_ISSUER: &str = "https://login.microsoftonline.com/common/v2.0";

/// SSO and social-login settings. `Debug` hides the client secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct SsoConfig {
    /// Public base URL of this server (Twenty `SERVER_URL`), e.g. `http://localhost:3000`:
    /// callback URLs, SAML metadata and ACS URLs derive from it.
    pub server_url: String,
    /// Google sign-in, when `AUTH_GOOGLE_ENABLED`.
    pub google: Option<SocialProviderConfig>,
    /// Microsoft sign-in, when `AUTH_MICROSOFT_ENABLED`.
    pub microsoft: Option<SocialProviderConfig>,
    /// How long a started login may take before its callback is refused (default 10 min).
    pub login_state_ttl: Duration,
}

impl Default for SsoConfig {
    /// No social login; server at `http://localhost:3000`; 10-minute login states.
    fn default() -> Self {
        Self {
            server_url: "http://localhost:3000".to_owned(),
            google: None,
            microsoft: None,
            login_state_ttl: Duration::from_secs(600),
        }
    }
}

impl std::fmt::Debug for SsoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoConfig")
            .field("server_url", &self.server_url)
            .field("google", &self.google)
            .field("microsoft", &self.microsoft)
            .field("login_state_ttl", &self.login_state_ttl)
            .finish()
    }
}

impl SsoConfig {
    /// `SERVER_URL` without a trailing `/`.
    pub fn server_base(&self) -> &str {
        self.server_url.trim_end_matches('/')
    }
}

/// One OAuth/OpenID Connect social provider (Google or Microsoft).
#[derive(Clone, PartialEq, Eq)]
pub struct SocialProviderConfig {
    /// OAuth client id (`AUTH_GOOGLE_CLIENT_ID`, `AUTH_MICROSOFT_CLIENT_ID`).
    pub client_id: String,
    /// OAuth client secret (`AUTH_*_CLIENT_SECRET`); never logged.
    pub client_secret: String,
    /// The redirect URL registered with the provider (`AUTH_*_CALLBACK_URL`), e.g.
    /// `http://localhost:3000/auth/google/redirect`.
    pub callback_url: String,
    /// OpenID Connect issuer (discovery at `<issuer>/.well-known/openid-configuration`):
    /// [`GOOGLE_ISSUER`] / [`MICROSOFT_ISSUER`] unless overridden (`AUTH_*_ISSUER_URL`, a
    /// Tessera addition so tests can use a local provider).
    pub issuer_url: String,
}

impl std::fmt::Debug for SocialProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocialProviderConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("callback_url", &self.callback_url)
            .field("issuer_url", &self.issuer_url)
            .finish()
    }
}

/// Command-line / environment arguments of SSO (Twenty's names).
#[derive(Debug, Clone, clap::Args)]
pub struct SsoArgs {
    /// Public base URL of this server (callbacks, SAML metadata).
    #[arg(
        long,
        env = "SERVER_URL",
        default_value = "http://localhost:3000",
        global = true
    )]
    pub server_url: String,
    /// Enable "Sign in with Google".
    #[arg(long, env = "AUTH_GOOGLE_ENABLED", global = true)]
    pub auth_google_enabled: bool,
    /// Google OAuth client id.
    #[arg(long, env = "AUTH_GOOGLE_CLIENT_ID", global = true)]
    pub auth_google_client_id: Option<String>,
    /// Google OAuth client secret.
    #[arg(
        long,
        env = "AUTH_GOOGLE_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub auth_google_client_secret: Option<String>,
    /// Google redirect URL (default `<SERVER_URL>/auth/google/redirect`).
    #[arg(long, env = "AUTH_GOOGLE_CALLBACK_URL", global = true)]
    pub auth_google_callback_url: Option<String>,
    /// Google issuer (default https://accounts.google.com).
    #[arg(long, env = "AUTH_GOOGLE_ISSUER_URL", global = true)]
    pub auth_google_issuer_url: Option<String>,
    /// Enable "Sign in with Microsoft".
    #[arg(long, env = "AUTH_MICROSOFT_ENABLED", global = true)]
    pub auth_microsoft_enabled: bool,
    /// Microsoft OAuth client id.
    #[arg(long, env = "AUTH_MICROSOFT_CLIENT_ID", global = true)]
    pub auth_microsoft_client_id: Option<String>,
    /// Microsoft OAuth client secret.
    #[arg(
        long,
        env = "AUTH_MICROSOFT_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub auth_microsoft_client_secret: Option<String>,
    /// Microsoft redirect URL (default `<SERVER_URL>/auth/microsoft/redirect`).
    #[arg(long, env = "AUTH_MICROSOFT_CALLBACK_URL", global = true)]
    pub auth_microsoft_callback_url: Option<String>,
    /// Microsoft issuer (default https://login.microsoftonline.com/common/v2.0).
    #[arg(long, env = "AUTH_MICROSOFT_ISSUER_URL", global = true)]
    pub auth_microsoft_issuer_url: Option<String>,
}

impl SsoArgs {
    /// The configuration these arguments describe. A provider enabled without its client id
    /// or secret stays disabled (logged as a warning).
    pub fn config(&self) -> SsoConfig {
        let server_url = self.server_url.trim_end_matches('/').to_owned();
        let social = |name: &str,
                      enabled: bool,
                      id: &Option<String>,
                      secret: &Option<String>,
                      callback: &Option<String>,
                      issuer: &Option<String>,
                      default_issuer: &str,
                      path: &str| {
            if !enabled {
                return None;
            }
            let upper = name.to_uppercase();
            let (Some(client_id), Some(client_secret)) = (id.clone(), secret.clone()) else {
                tracing::warn!(
                    "AUTH_{upper}_ENABLED needs AUTH_{upper}_CLIENT_ID and AUTH_{upper}_CLIENT_SECRET: {name} sign-in stays disabled"
                );
                return None;
            };
            Some(SocialProviderConfig {
                client_id,
                client_secret,
                callback_url: callback
                    .clone()
                    .unwrap_or_else(|| format!("{server_url}{path}")),
                issuer_url: issuer.clone().unwrap_or_else(|| default_issuer.to_owned()),
            })
        };
        SsoConfig {
            google: social(
                "google",
                self.auth_google_enabled,
                &self.auth_google_client_id,
                &self.auth_google_client_secret,
                &self.auth_google_callback_url,
                &self.auth_google_issuer_url,
                GOOGLE_ISSUER,
                "/auth/google/redirect",
            ),
            microsoft: social(
                "microsoft",
                self.auth_microsoft_enabled,
                &self.auth_microsoft_client_id,
                &self.auth_microsoft_client_secret,
                &self.auth_microsoft_callback_url,
                &self.auth_microsoft_issuer_url,
                MICROSOFT_ISSUER,
                "/auth/microsoft/redirect",
            ),
            server_url,
            ..SsoConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_client_secrets() {
        let config = SsoConfig {
            google: Some(SocialProviderConfig {
                client_id: "id".into(),
                client_secret: "hunter2".into(),
                callback_url: "http://x/auth/google/redirect".into(),
                issuer_url: GOOGLE_ISSUER.into(),
            }),
            ..SsoConfig::default()
        };
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
