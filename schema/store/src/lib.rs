//! Storage of Tessera: connection pools, the system tables (workspaces, metadata, API keys,
//! users, memberships, app tokens, SSO identity providers, roles and permissions),
//! per-workspace DDL generated from the metadata model, bulk loads, and the
//! [`tessera_query::SqlRunner`] implementation ([`WorkspaceRunner`]).
//!
//! Two backends, chosen by [`StoreConfig::database_url`]:
//! - **PostgreSQL**: system tables in schema `core`, one schema per workspace
//!   (`workspace_<base36>`); every statement names its tables schema-qualified.
//! - **SQLite** (embedded): `<data_dir>/system.db` plus one file per workspace,
//!   `<data_dir>/workspaces/<workspace-uuid>.db`, each with its own small pool.

mod accounts;
mod api_keys;
mod bind;
mod changes;
mod classify;
mod connect;
mod ddl;
mod error;
mod insert;
mod metadata_rows;
pub mod outbox;
mod roles;
mod runner;
mod sql;
mod sso;
mod stage_lock;
mod sys;
mod timestamps;
mod trash;
mod webhook_deliveries;
mod webhooks;
mod workspaces;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tessera_core::WorkspaceId;
use tessera_query::Dialect;

pub use accounts::{
    AppTokenRecord, AppTokenType, NewAppToken, NewUser, UserRecord, UserWorkspaceRecord,
    WorkspaceMemberProfile, WorkspaceMemberSeed,
};
pub use api_keys::ApiKeyRecord;
pub use changes::{IndexFieldListing, IndexListing, list_indexes};
pub use error::StoreError;
pub use outbox::{DispatchOutcome, PUBSUB_CONSUMER};
pub use roles::{
    ADMIN_ROLE_STANDARD_ID, FieldPermissionInput, FieldPermissionRecord, MEMBER_ROLE_STANDARD_ID,
    ObjectPermissionInput, ObjectPermissionRecord, PermissionFlagRecord, RoleError, RoleInput,
    RoleRecord, RoleTargetRecord,
};
pub use runner::WorkspaceRunner;
pub use sea_orm::sqlx;
pub use sso::{
    NewSsoLoginState, NewSsoProvider, SsoLoginStateRecord, SsoProviderKind, SsoProviderRecord,
    SsoProviderStatus,
};
pub use stage_lock::StageLock;
pub use timestamps::MetadataTimestamps;
pub use webhook_deliveries::{
    DeliveryStatus, NewWebhookDelivery, WebhookDeadLetter, WebhookDeliveryRecord,
};
pub use webhooks::{WebhookPatch, WebhookRecord};
pub use workspaces::WorkspaceRecord;

use connect::Backend;
use sys::Sys;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// `postgres://…` for PostgreSQL; `None` for the embedded SQLite store.
    pub database_url: Option<String>,
    /// Directory of the embedded store's files (unused with PostgreSQL).
    pub data_dir: PathBuf,
}

/// Handle to the database(s). Cheap to clone (an `Arc` inside); share one per process.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    /// One runner per workspace, created on first use.
    runners: Mutex<HashMap<WorkspaceId, Arc<WorkspaceRunner>>>,
    /// Workspaces whose mutations committed outbox events (woken dispatcher).
    events: Arc<runner::EventSignal>,
    /// Role permissions by (workspace, role), labelled with the permissions version.
    permissions: roles::PermissionsCache,
    /// In-process stage locks of the embedded store ([`Store::lock_workspace_stage`]).
    stage_locks: stage_lock::LocalStageLocks,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dialect", &self.dialect())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Connects: PostgreSQL when `config.database_url` is set, else SQLite files under
    /// `config.data_dir` (created if missing). Runs the system migrations (on PostgreSQL inside
    /// `pg_advisory_xact_lock`, so many processes can start at once).
    ///
    /// Errors: [`StoreError::Database`] (unreachable database, failed migration),
    /// [`StoreError::Io`] (data directory not writable).
    pub async fn connect(config: &StoreConfig) -> Result<Store, StoreError> {
        let backend = match &config.database_url {
            Some(url) => connect::postgres(url).await?,
            None => connect::sqlite(&config.data_dir).await?,
        };
        Ok(Store {
            inner: Arc::new(Inner {
                backend,
                runners: Mutex::new(HashMap::new()),
                events: Arc::default(),
                permissions: roles::PermissionsCache::default(),
                stage_locks: stage_lock::LocalStageLocks::default(),
            }),
        })
    }

    /// The SQL dialect of the backend.
    pub fn dialect(&self) -> Dialect {
        match self.inner.backend {
            Backend::Postgres(_) => Dialect::Postgres,
            Backend::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// The embedded store's data directory (`None` on PostgreSQL).
    pub fn data_dir(&self) -> Option<PathBuf> {
        match &self.inner.backend {
            Backend::Postgres(_) => None,
            Backend::Sqlite(files) => files.system_path.parent().map(std::path::Path::to_path_buf),
        }
    }

    /// Checks that the (system) database answers. Errors: [`StoreError::Database`].
    pub async fn ping(&self) -> Result<(), StoreError> {
        Ok(self.inner.backend.system().ping().await?)
    }

    /// Creates the PostgreSQL database named in `database_url` if it does not exist, by
    /// connecting to the `postgres` maintenance database of the same server (first-run setups
    /// and tests). Concurrent callers may race; "already exists" counts as success.
    ///
    /// Errors: [`StoreError::Database`] (server unreachable, no privilege),
    /// [`StoreError::Config`] (a URL without a database name).
    pub async fn ensure_database(database_url: &str) -> Result<(), StoreError> {
        connect::ensure_database(database_url).await
    }

    /// Waits until a mutation through this store commits outbox events, then returns every
    /// workspace that did so since the last call (each once). For the outbox dispatcher: the
    /// in-process wake-up right after a commit.
    pub async fn committed_event_workspaces(&self) -> Vec<WorkspaceId> {
        self.inner.events.take().await
    }

    fn sys(&self) -> Sys {
        Sys {
            dialect: self.dialect(),
        }
    }

    fn backend(&self) -> &Backend {
        &self.inner.backend
    }
}
