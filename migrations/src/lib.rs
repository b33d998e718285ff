//! System tables of Tessera (`workspace`, `objectMetadata`, `fieldMetadata`, `apiKey`, `user`,
//! `userWorkspace`, `appToken`, `workspaceSSOIdentityProvider`, `ssoLoginState`,
//! `ssoUsedAssertion`, roles and permissions), as
//! sea-orm migrations for SQLite and PostgreSQL.
//!
//! On PostgreSQL every system table lives in schema `core` (like Twenty); on SQLite they live in
//! the system database file. Column names are camelCase, quoted, like Twenty's. On SQLite, UUIDs
//! are lower-case hyphenated `TEXT` and timestamps are `TEXT` in `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC,
//! milliseconds); booleans are `INTEGER` 0/1 and JSON is `TEXT`.
//!
//! Usage: `Migrator::up(&connection, None).await` (the store does this at start-up, under a
//! PostgreSQL advisory lock).

mod columns;
mod m20260101_000001_system_tables;
mod m20261120_000001_accounts;
mod m20261120_000001_index_metadata;
mod m20261121_000001_roles;
mod m20261121_000001_sso;
mod m20261121_000002_webhooks;
mod m20261121_000003_trash_retention;
mod m20261121_000004_delivery_jobs;

use sea_orm_migration::prelude::*;

pub use columns::{CORE_SCHEMA, SQLITE_NOW};
/// The trait that runs migrations (`Migrator::up`), re-exported for callers.
pub use sea_orm_migration::MigratorTrait;

/// Runs every migration in order. Applied migrations are recorded in `tessera_migrations`
/// (in the connection's default schema on PostgreSQL).
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_system_tables::Migration),
            Box::new(m20261120_000001_index_metadata::Migration),
            Box::new(m20261120_000001_accounts::Migration),
            Box::new(m20261121_000001_sso::Migration),
            Box::new(m20261121_000001_roles::Migration),
            Box::new(m20261121_000002_webhooks::Migration),
            Box::new(m20261121_000003_trash_retention::Migration),
            Box::new(m20261121_000004_delivery_jobs::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("tessera_migrations").into_iden()
    }
}
