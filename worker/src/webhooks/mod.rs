//! Outbound webhooks, Twenty-compatible (`shared/reference/twenty-worker.md` §6,
//! `twenty-metadata-auth.md` §10).
//!
//! - [`url_policy`]: target URLs resolving to loopback/private/link-local addresses are
//!   refused unless the operator allows them (checked at creation and at every delivery).
//! - [`payload`]: the JSON body and the idempotency key of one (event × webhook).
//! - [`signature`]: Twenty's `X-Twenty-Webhook-*` headers (HMAC-SHA256 over `"<ts>:" + body`).
//! - [`fanout`]: the outbox consumer `webhooks`, turning events into queued deliveries and
//!   their first attempt jobs.
//! - [`deliver`]: one signed attempt, and the retry delay (exponential backoff with jitter);
//!   the attempts run as jobs ([`crate::jobs::delivery`]).

pub mod deliver;
pub mod fanout;
pub mod payload;
pub mod signature;
pub mod url_policy;
