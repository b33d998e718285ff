//! Per-workspace stage locks: at most one holder per (stage, workspace) at a time, across
//! every process on one PostgreSQL database, or within the process on the embedded store
//! (which one process owns). The worker's outbox stages (timeline, webhook fan-out) run under
//! one so that two workers never apply the same events at the same moment.
//!
//! PostgreSQL: a transaction on the system pool holding `pg_advisory_xact_lock(hashtext(stage),
//! hashtext(workspace id))`; the lock ends with the transaction ([`StageLock::release`], or
//! the connection closing if the process dies). SQLite: an in-process async mutex.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction, Statement, TransactionTrait};
use tessera_core::WorkspaceId;

use crate::connect::Backend;
use crate::{Store, StoreError};

/// One in-process lock.
type LocalLock = Arc<tokio::sync::Mutex<()>>;

/// The in-process locks of the embedded store, by (stage, workspace).
#[derive(Default)]
pub(crate) struct LocalStageLocks(Mutex<HashMap<(String, WorkspaceId), LocalLock>>);

/// A held stage lock; [`StageLock::release`] ends it (dropping it also does, later).
#[derive(Debug)]
pub struct StageLock {
    inner: Held,
}

#[derive(Debug)]
enum Held {
    Postgres(DatabaseTransaction),
    Local(#[allow(dead_code)] tokio::sync::OwnedMutexGuard<()>),
}

impl StageLock {
    /// Releases the lock. Errors: [`StoreError::Database`] (PostgreSQL: the lock still ends
    /// when the connection's transaction does).
    pub async fn release(self) -> Result<(), StoreError> {
        match self.inner {
            Held::Postgres(txn) => Ok(txn.rollback().await?),
            Held::Local(_) => Ok(()),
        }
    }
}

impl Store {
    /// Waits (at most `wait`) for the lock of `stage` on workspace `ws` and returns it.
    /// Errors: [`StoreError::Database`] (PostgreSQL: the wait exceeded `wait`, reported as
    /// `lock_timeout`), [`StoreError::Config`] (SQLite: the wait exceeded `wait`).
    pub async fn lock_workspace_stage(
        &self,
        stage: &str,
        ws: WorkspaceId,
        wait: Duration,
    ) -> Result<StageLock, StoreError> {
        match self.backend() {
            Backend::Postgres(db) => {
                let txn = db.begin().await?;
                txn.execute_raw(Statement::from_string(
                    DatabaseBackend::Postgres,
                    format!("SET LOCAL lock_timeout = '{}ms'", wait.as_millis().max(1)),
                ))
                .await?;
                txn.execute_raw(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    "SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))",
                    [stage.into(), ws.to_string().into()],
                ))
                .await?;
                Ok(StageLock {
                    inner: Held::Postgres(txn),
                })
            }
            Backend::Sqlite(_) => {
                let mutex = {
                    let mut map = self
                        .inner
                        .stage_locks
                        .0
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    map.entry((stage.to_owned(), ws)).or_default().clone()
                };
                let guard = tokio::time::timeout(wait, mutex.lock_owned())
                    .await
                    .map_err(|_| {
                        StoreError::Config(format!(
                            "the {stage} stage of workspace {ws} stayed locked for {wait:?}"
                        ))
                    })?;
                Ok(StageLock {
                    inner: Held::Local(guard),
                })
            }
        }
    }
}
