//! The Tessera background worker as a library: timeline activities (outbox → `timelineActivity`
//! records through the query compiler) and outbound webhooks (outbox → durable delivery
//! queue → signed HTTP POSTs with retries and a dead-letter table). The `tessera-worker` binary
//! runs it against PostgreSQL or the embedded store; `tessera serve` runs the same loops
//! in-process.

pub mod shutdown;
pub mod timeline;
pub mod trash;
pub mod webhooks;
