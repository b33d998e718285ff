//! Outgoing mail over SMTP (`lettre`), configured by Twenty's `EMAIL_SMTP_*` variables.
//! Without SMTP, a mail is skipped and only that fact (and its kind) is logged: never its
//! body, which may hold a secret link.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::{AuthConfig, SmtpConfig};

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

/// Sends plain-text mails, or skips them when no SMTP server is configured.
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("smtp", &self.transport.is_some())
            .finish()
    }
}

fn transport(smtp: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = if smtp.no_tls {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
    } else if smtp.port == 465 {
        AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host).map_err(|e| e.to_string())?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
            .map_err(|e| e.to_string())?
    };
    let mut builder = builder.port(smtp.port).timeout(Some(SMTP_TIMEOUT));
    if let Some(user) = &smtp.user {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            smtp.password.clone().unwrap_or_default(),
        ));
    }
    Ok(builder.build())
}

impl Mailer {
    /// A mailer for `config.smtp` (none: every mail is skipped). An unusable SMTP setting
    /// (bad sender address, TLS setup failure) is logged and mails are skipped.
    pub fn new(config: &AuthConfig) -> Self {
        let from = format!("{} <{}>", config.email_from_name, config.email_from_address)
            .parse::<Mailbox>()
            .map_err(|e| tracing::error!(error = %e, "EMAIL_FROM_ADDRESS is not a valid address"))
            .ok();
        let transport = config.smtp.as_ref().and_then(|smtp| {
            transport(smtp)
                .map_err(|e| tracing::error!(error = %e, "cannot set up SMTP"))
                .ok()
        });
        Self { transport, from }
    }

    /// Sends a plain-text mail; failures are logged (kind and error only), not returned, so
    /// that callers answer the same whether or not a mail went out.
    pub async fn send(&self, kind: &'static str, to: &str, subject: &str, text: String) {
        let (Some(transport), Some(from)) = (&self.transport, &self.from) else {
            tracing::info!(kind, "no SMTP server configured: mail skipped");
            return;
        };
        let to = match to.parse::<Mailbox>() {
            Ok(to) => to,
            Err(e) => {
                tracing::warn!(kind, error = %e, "mail not sent: bad recipient address");
                return;
            }
        };
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text);
        match message {
            Ok(message) => match transport.send(message).await {
                Ok(_) => tracing::info!(kind, "mail sent"),
                Err(e) => tracing::warn!(kind, error = %e, "mail not sent"),
            },
            Err(e) => tracing::warn!(kind, error = %e, "mail not built"),
        }
    }
}
