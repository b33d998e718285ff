//! Outbound webhooks, Twenty-compatible (`shared/reference/twenty-worker.md` §6,
//! `twenty-metadata-auth.md` §10).
//!
//! - [`url_policy`]: target URLs resolving to loopback/private/link-local addresses are
//!   refused unless the operator allows them (checked at creation and at every delivery).
//! - [`payload`]: the JSON body and the idempotency key of one (event × webhook).
//! - [`signature`]: Twenty's `X-Twenty-Webhook-*` headers (HMAC-SHA256 over `"<ts>:" + body`).
//! - [`fanout`]: the outbox consumer `webhooks`, turning events into queued deliveries.
//! - [`deliver`]: claims due deliveries, POSTs them, records the outcome, retries with
//!   exponential backoff and jitter, dead-letters permanent failures.
//! - [`runtime`]: the loops that run both stages until shutdown.

pub mod deliver;
pub mod fanout;
pub mod payload;
pub mod runtime;
pub mod signature;
pub mod url_policy;
