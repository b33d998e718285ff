//! The atomic unit of a metadata change: one transaction covering the metadata rows, the
//! workspace's DDL and the `metadataVersion` bump.
//!
//! - PostgreSQL: one transaction on the shared pool (PostgreSQL DDL is transactional); the
//!   workspace row is locked `FOR UPDATE`, so changes to one workspace run one at a time.
//! - SQLite: a dedicated connection on `system.db` with the workspace file attached
//!   ([`crate::connect::open_change_connection`]) and one `BEGIN IMMEDIATE` transaction over
//!   both files: a failure anywhere rolls both back. (In WAL mode SQLite commits attached
//!   files one after the other, so only a power loss in the middle of the final COMMIT could
//!   leave them apart.)

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use tessera_core::WorkspaceId;
use tessera_metadata::ValidationError;
use tessera_query::{Dialect, RunError};

use super::plan::Step;
use crate::classify::classify;
use crate::connect::{ATTACHED_WORKSPACE, Backend, open_change_connection};
use crate::sys::Sys;
use crate::{Store, StoreError};

/// An open metadata change.
pub(crate) struct ChangeTxn {
    txn: DatabaseTransaction,
    /// SQLite: the dedicated connection, closed when the change ends.
    sqlite: Option<DatabaseConnection>,
    pub(crate) sys: Sys,
    /// The schema naming the workspace's tables in DDL: the PostgreSQL workspace schema, or
    /// the attached workspace file on SQLite.
    pub(crate) schema: String,
}

impl ChangeTxn {
    /// Begins a change of workspace `ws` and locks it against concurrent changes.
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub(crate) async fn begin(store: &Store, ws: WorkspaceId) -> Result<Self, StoreError> {
        let sys = store.sys();
        match store.backend() {
            Backend::Postgres(db) => {
                let txn = db.begin().await?;
                let change = Self {
                    txn,
                    sqlite: None,
                    sys,
                    schema: String::new(),
                };
                match change.lock(ws, " FOR UPDATE").await {
                    Ok(Some(schema)) => Ok(Self { schema, ..change }),
                    Ok(None) => {
                        change.rollback().await;
                        Err(StoreError::WorkspaceNotFound(ws))
                    }
                    Err(e) => {
                        change.rollback().await;
                        Err(e)
                    }
                }
            }
            Backend::Sqlite(files) => {
                store
                    .workspace(ws)
                    .await?
                    .ok_or(StoreError::WorkspaceNotFound(ws))?;
                let path = files.path(ws);
                if !path.exists() {
                    return Err(StoreError::corrupt(format!(
                        "the file of workspace {ws} is missing"
                    )));
                }
                let db = open_change_connection(&files.system_path, &path).await?;
                let options = TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..TransactionOptions::default()
                };
                let txn = match db.begin_with_options(options).await {
                    Ok(txn) => txn,
                    Err(e) => {
                        close(db).await;
                        return Err(e.into());
                    }
                };
                let change = Self {
                    txn,
                    sqlite: Some(db),
                    sys,
                    schema: ATTACHED_WORKSPACE.to_owned(),
                };
                match change.lock(ws, "").await {
                    Ok(Some(_)) => Ok(change),
                    Ok(None) => {
                        change.rollback().await;
                        Err(StoreError::WorkspaceNotFound(ws))
                    }
                    Err(e) => {
                        change.rollback().await;
                        Err(e)
                    }
                }
            }
        }
    }

    /// Reads (and on PostgreSQL locks) the workspace row: its `databaseSchema`, or `None`
    /// when the workspace is missing or deleted.
    async fn lock(&self, ws: WorkspaceId, suffix: &str) -> Result<Option<String>, StoreError> {
        let sys = self.sys;
        let sql = format!(
            "SELECT \"databaseSchema\" FROM {} WHERE \"id\" = {} AND \"deletedAt\" IS NULL{suffix}",
            sys.table("workspace"),
            sys.p(1)
        );
        let row = self
            .txn
            .query_one_raw(sys.stmt(sql, vec![sys.uuid(ws.0)]))
            .await?;
        row.map(|r| sys.get_text(&r, "databaseSchema")).transpose()
    }

    /// The connection to run statements on.
    pub(crate) fn conn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The dialect of the change.
    pub(crate) fn dialect(&self) -> Dialect {
        self.sys.dialect
    }

    /// Runs DDL steps in order. A step tagged with a field that fails on existing data
    /// (duplicates for a unique index, NULLs for NOT NULL) becomes
    /// [`ValidationError::ExistingData`]; other failures are [`StoreError::Database`].
    pub(crate) async fn run(&self, steps: &[Step]) -> Result<(), StoreError> {
        for step in steps {
            if let Err(e) = self.txn.execute_unprepared(&step.sql).await {
                tracing::debug!(sql = %step.sql, error = %e, "metadata change statement failed");
                let reason = match classify(&e) {
                    RunError::UniqueViolation { .. } => "existing records hold duplicate values",
                    RunError::NotNullViolation { .. } => {
                        "existing records would have no value, which the field does not allow"
                    }
                    _ => return Err(e.into()),
                };
                let Some((object, field)) = &step.field else {
                    return Err(e.into());
                };
                return Err(ValidationError::ExistingData {
                    object: object.clone(),
                    field: field.clone(),
                    reason: reason.to_owned(),
                }
                .into());
            }
        }
        Ok(())
    }

    /// Increments the workspace's `metadataVersion` by one.
    pub(crate) async fn bump_version(&self, ws: WorkspaceId) -> Result<(), StoreError> {
        let sys = self.sys;
        let sql = format!(
            "UPDATE {} SET \"metadataVersion\" = \"metadataVersion\" + 1, \"updatedAt\" = {} WHERE \"id\" = {}",
            sys.table("workspace"),
            sys.now(),
            sys.p(1)
        );
        self.txn
            .execute_raw(sys.stmt(sql, vec![sys.uuid(ws.0)]))
            .await?;
        Ok(())
    }

    /// Commits. On SQLite first checks that no foreign key of the workspace dangles (table
    /// rebuilds run with foreign keys off).
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        if self.sqlite.is_some() {
            let check = format!("PRAGMA \"{ATTACHED_WORKSPACE}\".foreign_key_check");
            let violations = match self.txn.query_all_raw(self.sys.stmt(check, vec![])).await {
                Ok(rows) => rows.len(),
                Err(e) => {
                    self.rollback().await;
                    return Err(e.into());
                }
            };
            if violations > 0 {
                self.rollback().await;
                return Err(StoreError::corrupt(format!(
                    "the change would leave {violations} dangling foreign key(s)"
                )));
            }
        }
        let Self { txn, sqlite, .. } = self;
        let result = txn.commit().await;
        if let Some(db) = sqlite {
            close(db).await;
        }
        Ok(result?)
    }

    /// Rolls back (errors are logged: the change failed already).
    pub(crate) async fn rollback(self) {
        let Self { txn, sqlite, .. } = self;
        if let Err(e) = txn.rollback().await {
            tracing::warn!(error = %e, "rolling back a metadata change failed");
        }
        if let Some(db) = sqlite {
            close(db).await;
        }
    }
}

async fn close(db: DatabaseConnection) {
    if let Err(e) = db.close().await {
        tracing::warn!(error = %e, "closing a metadata-change connection failed");
    }
}
