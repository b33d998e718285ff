//! The Tessera background worker as a library: jobs on apalis ([`jobs`]) for timeline
//! activities (outbox → `timelineActivity` records through the query compiler), outbound
//! webhooks (outbox → delivery jobs → signed HTTP POSTs with retries and a dead-letter table)
//! and the trash purge. The `tessera-worker` binary runs them against PostgreSQL or the
//! embedded store; `tessera serve` runs the same jobs in-process on the embedded store.

pub mod jobs;
pub mod shutdown;
pub mod timeline;
pub mod trash;
pub mod webhooks;
