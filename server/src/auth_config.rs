//! Configuration of accounts and sign-in: token lifetimes, the front-end URL mails link to,
//! login rate limits and SMTP. Environment names follow Twenty's `config-variables.ts`
//! (`ACCESS_TOKEN_EXPIRES_IN`, `EMAIL_SMTP_HOST`, ...); durations use Twenty's short form
//! (`30m`, `60d`, `1h`).

use std::time::Duration;

/// Token lifetimes, links, rate limits and mail settings of the accounts API.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// Lifetime of ACCESS tokens (Twenty `ACCESS_TOKEN_EXPIRES_IN`, default 30 min).
    pub access_token_expires_in: Duration,
    /// Lifetime of WORKSPACE_AGNOSTIC tokens (`WORKSPACE_AGNOSTIC_TOKEN_EXPIRES_IN`, 30 min).
    pub workspace_agnostic_token_expires_in: Duration,
    /// Lifetime of REFRESH tokens (`REFRESH_TOKEN_EXPIRES_IN`, 60 days).
    pub refresh_token_expires_in: Duration,
    /// Lifetime of LOGIN tokens (`LOGIN_TOKEN_EXPIRES_IN`, 15 min).
    pub login_token_expires_in: Duration,
    /// Lifetime of password-reset tokens (`PASSWORD_RESET_TOKEN_EXPIRES_IN`, 5 min).
    pub password_reset_token_expires_in: Duration,
    /// Lifetime of invitations (`INVITATION_TOKEN_EXPIRES_IN`, 30 days).
    pub invitation_token_expires_in: Duration,
    /// Base URL of the web front end that mails link to (Twenty `FRONTEND_URL`), e.g.
    /// `http://localhost:3001`. A workspace's URL is this with `<subdomain>.` before the host.
    pub frontend_url: String,
    /// Password checks allowed per e-mail address per [`Self::login_rate_window`] (default 10).
    pub login_attempts_per_email: u32,
    /// Password checks allowed per client IP per [`Self::login_rate_window`] (default 100).
    pub login_attempts_per_ip: u32,
    /// Window of the login rate limits (default 15 min).
    pub login_rate_window: Duration,
    /// Take the client IP from the last `X-Forwarded-For` entry (behind a trusted proxy)
    /// instead of the TCP peer.
    pub trust_forwarded_for: bool,
    /// SMTP server; `None`: mails are not sent (only the fact that one was skipped is logged).
    pub smtp: Option<SmtpConfig>,
    /// Sender address (Twenty `EMAIL_FROM_ADDRESS`).
    pub email_from_address: String,
    /// Sender name (Twenty `EMAIL_FROM_NAME`).
    pub email_from_name: String,
}

/// An SMTP server (Twenty `EMAIL_SMTP_*`). `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// Host name (`EMAIL_SMTP_HOST`).
    pub host: String,
    /// Port (`EMAIL_SMTP_PORT`, default 587; 465 means implicit TLS).
    pub port: u16,
    /// User name (`EMAIL_SMTP_USER`), if the server wants authentication.
    pub user: Option<String>,
    /// Password (`EMAIL_SMTP_PASSWORD`).
    pub password: Option<String>,
    /// Plain connection without TLS (`EMAIL_SMTP_NO_TLS`; local test servers only).
    pub no_tls: bool,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("no_tls", &self.no_tls)
            .finish()
    }
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("access_token_expires_in", &self.access_token_expires_in)
            .field("refresh_token_expires_in", &self.refresh_token_expires_in)
            .field("login_token_expires_in", &self.login_token_expires_in)
            .field("frontend_url", &self.frontend_url)
            .field("login_attempts_per_email", &self.login_attempts_per_email)
            .field("login_attempts_per_ip", &self.login_attempts_per_ip)
            .field("login_rate_window", &self.login_rate_window)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("smtp", &self.smtp)
            .field("email_from_address", &self.email_from_address)
            .finish_non_exhaustive()
    }
}

const MINUTE: u64 = 60;
const DAY: u64 = 24 * 60 * MINUTE;

impl Default for AuthConfig {
    /// Twenty's defaults; no SMTP; front end at `http://localhost:3001`.
    fn default() -> Self {
        Self {
            access_token_expires_in: Duration::from_secs(30 * MINUTE),
            workspace_agnostic_token_expires_in: Duration::from_secs(30 * MINUTE),
            refresh_token_expires_in: Duration::from_secs(60 * DAY),
            login_token_expires_in: Duration::from_secs(15 * MINUTE),
            password_reset_token_expires_in: Duration::from_secs(5 * MINUTE),
            invitation_token_expires_in: Duration::from_secs(30 * DAY),
            frontend_url: "http://localhost:3001".to_owned(),
            login_attempts_per_email: 10,
            login_attempts_per_ip: 100,
            login_rate_window: Duration::from_secs(15 * MINUTE),
            trust_forwarded_for: false,
            smtp: None,
            email_from_address: "noreply@tessera.localhost".to_owned(),
            email_from_name: "Tessera".to_owned(),
        }
    }
}

/// Parses a duration in Twenty's short form (`30m`, `60d`, `1h`, `100y`, `90s`).
/// Errors: a text that is not a number followed by a unit.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|e| format!("invalid duration \"{text}\": {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_durations_parse() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("60d"), Ok(Duration::from_secs(60 * DAY)));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn debug_hides_the_smtp_password() {
        let config = AuthConfig {
            smtp: Some(SmtpConfig {
                host: "mail".into(),
                port: 25,
                user: Some("u".into()),
                password: Some("hunter2".into()),
                no_tls: true,
            }),
            ..AuthConfig::default()
        };
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
