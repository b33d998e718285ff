//! One attempt of a webhook delivery: POST its body to the webhook's current target URL with
//! Twenty's headers plus `Idempotency-Key`. The attempt jobs (`crate::jobs::delivery`) call
//! [`Deliverer::attempt`] and record the outcome; the rules are:
//!
//! - Success: a 2xx answer within [`DeliveryOptions::timeout`].
//! - Retry: any other answer or a transport error, while attempts < [`DeliveryOptions::max_attempts`];
//!   the next attempt waits an exponential delay with jitter ([`retry_delay`], computed by
//!   `backon`'s `ExponentialBuilder`: min delay × 2^(attempt-1), capped, plus a random jitter
//!   of up to the delay itself).
//! - Permanent failure: attempts exhausted, the webhook was deleted, or its URL is now refused
//!   by the [`UrlPolicy`] → `DEAD` + a dead-letter row (replayable).
//!
//! Deviation from Twenty: Twenty's job catches errors and never retries; Tessera retries.

use std::time::Duration;

use backon::BackoffBuilder;
use chrono::Utc;
use tessera_store::{Store, WebhookDeliveryRecord};

use super::signature;
use super::url_policy::{self, GuardedResolver, UrlPolicy};

/// Delivery settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryOptions {
    /// Per-request timeout (Twenty: 5 s).
    pub timeout: Duration,
    /// Attempts before a delivery is dead-lettered (≥ 1).
    pub max_attempts: u32,
    /// Delay before the first retry (grows ×2 per attempt, plus jitter).
    pub min_delay: Duration,
    /// Largest delay between attempts (before jitter).
    pub max_delay: Duration,
    /// Which target addresses are allowed.
    pub policy: UrlPolicy,
    /// Deliveries attempted at the same time (per worker process).
    pub concurrency: usize,
}

impl Default for DeliveryOptions {
    /// 5 s timeout, 5 attempts, 10 s → 1 h backoff, private targets refused, 16 at a time.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            max_attempts: 5,
            min_delay: Duration::from_secs(10),
            max_delay: Duration::from_secs(3600),
            policy: UrlPolicy::default(),
            concurrency: 16,
        }
    }
}

/// The wait before attempt `attempts + 1`, after `attempts` (≥ 1) failed attempts.
pub fn retry_delay(options: &DeliveryOptions, attempts: u32) -> Duration {
    backon::ExponentialBuilder::default()
        .with_min_delay(options.min_delay)
        .with_max_delay(options.max_delay)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
        .build()
        .nth(attempts.saturating_sub(1) as usize)
        .unwrap_or(options.max_delay)
}

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptError {
    /// What went wrong (transport error without the URL, or `HTTP <status>`).
    pub message: String,
    /// The HTTP status of the answer (0: none).
    pub status: u16,
    /// No retry can succeed (webhook deleted, target refused by the URL policy).
    pub permanent: bool,
}

/// Attempts webhook deliveries with one HTTP client.
#[derive(Debug, Clone)]
pub struct Deliverer {
    store: Store,
    client: reqwest::Client,
    options: DeliveryOptions,
}

impl Deliverer {
    /// A deliverer over `store`. Errors: the HTTP client cannot be built (TLS setup).
    pub fn new(store: Store, options: DeliveryOptions) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(GuardedResolver::shared(options.policy))
            .user_agent(concat!("Tessera-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            store,
            client,
            options,
        })
    }

    /// The settings.
    pub fn options(&self) -> &DeliveryOptions {
        &self.options
    }

    /// The store the deliverer reads webhooks from.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// One attempt of `d`: reads its webhook (deleted → permanent failure), checks the target
    /// against the [`UrlPolicy`] (refused → permanent; unresolvable → retryable), POSTs the
    /// stored body signed now. Returns the 2xx status. Errors: [`AttemptError`].
    pub async fn attempt(&self, d: &WebhookDeliveryRecord) -> Result<u16, AttemptError> {
        let permanent = |message: String| AttemptError {
            message,
            status: 0,
            permanent: true,
        };
        let webhook = self
            .store
            .webhook(d.workspace_id, d.webhook_id)
            .await
            .map_err(|e| AttemptError {
                message: format!("cannot read the webhook: {e}"),
                status: 0,
                permanent: false,
            })?
            .ok_or_else(|| permanent("webhook deleted".to_owned()))?;
        url_policy::check(&webhook.target_url, self.options.policy)
            .await
            .map_err(|e| match e {
                url_policy::UrlError::Unresolvable(_) => AttemptError {
                    message: e.to_string(),
                    status: 0,
                    permanent: false,
                },
                other => permanent(other.to_string()),
            })?;
        let body = d.payload.clone().into_bytes();
        let mut request = self
            .client
            .post(&webhook.target_url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(signature::IDEMPOTENCY_HEADER, &d.idempotency_key);
        for (name, value) in
            signature::headers(&webhook.secret, Utc::now().timestamp_millis(), &body)
        {
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.map_err(|e| AttemptError {
            message: without_url(&e),
            status: 0,
            permanent: false,
        })?;
        let status = response.status();
        if status.is_success() {
            Ok(status.as_u16())
        } else {
            Err(AttemptError {
                message: format!("HTTP {}", status.as_u16()),
                status: status.as_u16(),
                permanent: false,
            })
        }
    }
}

/// A transport error's text without its URL (which may carry credentials or tokens).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_request() {
        "request failed"
    } else {
        "transport error"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_with_bounded_jitter() {
        let options = DeliveryOptions {
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            ..DeliveryOptions::default()
        };
        for attempts in 1..=10u32 {
            let base = Duration::from_secs(1u64 << (attempts - 1).min(20)).min(options.max_delay);
            for _ in 0..20 {
                let d = retry_delay(&options, attempts);
                assert!(
                    d >= base && d <= base * 2,
                    "attempt {attempts}: {d:?} vs {base:?}"
                );
            }
        }
    }
}
