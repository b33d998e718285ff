//! [`WorkspaceRunner`]: runs compiled statements against one workspace's storage.

use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::future::BoxFuture;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, QueryResult, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use tessera_core::WorkspaceId;
use tessera_query::{Dialect, RunError, SqlRunner, Statement};

use crate::classify::classify;
use crate::sys::Sys;

/// Runs statements for ONE workspace: on PostgreSQL against the shared pool (statements name
/// the workspace schema themselves), on SQLite against the workspace's own database file.
///
/// Obtained from [`crate::Store::runner`], which hands out the same `Arc` per workspace, so
/// [`WorkspaceRunner::statement_count`] counts every statement the workspace ran.
pub struct WorkspaceRunner {
    db: DatabaseConnection,
    dialect: Dialect,
    schema: Option<String>,
    workspace_id: WorkspaceId,
    statements: AtomicU64,
}

impl std::fmt::Debug for WorkspaceRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkspaceRunner")
            .field("dialect", &self.dialect)
            .field("schema", &self.schema)
            .field("workspace_id", &self.workspace_id)
            .field("statements", &self.statement_count())
            .finish()
    }
}

impl WorkspaceRunner {
    pub(crate) fn new(
        db: DatabaseConnection,
        dialect: Dialect,
        schema: Option<String>,
        workspace_id: WorkspaceId,
    ) -> Self {
        Self {
            db,
            dialect,
            schema,
            workspace_id,
            statements: AtomicU64::new(0),
        }
    }

    /// How many statements this runner has executed through [`SqlRunner::fetch_json`] and
    /// [`SqlRunner::fetch_json_in_transaction`] (one per statement) since it was created.
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The workspace this runner serves.
    pub fn workspace_id(&self) -> WorkspaceId {
        self.workspace_id
    }

    /// Begins a transaction: `BEGIN IMMEDIATE` on SQLite (takes the write lock up front, so
    /// concurrent writers wait on `busy_timeout` instead of failing on lock upgrade).
    pub(crate) async fn begin(&self) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.dialect == Dialect::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        self.db.begin_with_options(options).await
    }

    /// The connection (pool) this runner uses.
    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    async fn run_one<C: ConnectionTrait>(
        &self,
        conn: &C,
        statement: Statement,
    ) -> Result<Vec<String>, RunError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        let stmt = Sys {
            dialect: self.dialect,
        }
        .stmt(statement.sql, statement.values.0);
        let rows = conn.query_all_raw(stmt).await.map_err(|e| classify(&e))?;
        rows.iter().map(json_text).collect()
    }
}

/// Column 0 of a row as JSON text. The compiler returns text; a `json`/`jsonb` column
/// (PostgreSQL) is accepted too, and SQL NULL reads as `null`.
fn json_text(row: &QueryResult) -> Result<String, RunError> {
    match row.try_get_by_index::<Option<String>>(0) {
        Ok(text) => Ok(text.unwrap_or_else(|| "null".to_owned())),
        Err(text_err) => match row.try_get_by_index::<Option<serde_json::Value>>(0) {
            Ok(json) => Ok(json.map_or_else(|| "null".to_owned(), |j| j.to_string())),
            Err(_) => Err(RunError::Other(format!(
                "result column 0 is not JSON text: {text_err}"
            ))),
        },
    }
}

impl SqlRunner for WorkspaceRunner {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    fn fetch_json(&self, statement: Statement) -> BoxFuture<'_, Result<Vec<String>, RunError>> {
        Box::pin(async move { self.run_one(&self.db, statement).await })
    }

    fn fetch_json_in_transaction(
        &self,
        statements: Vec<Statement>,
    ) -> BoxFuture<'_, Result<Vec<Vec<String>>, RunError>> {
        Box::pin(async move {
            let txn = self.begin().await.map_err(|e| classify(&e))?;
            let mut out = Vec::with_capacity(statements.len());
            for statement in statements {
                match self.run_one(&txn, statement).await {
                    Ok(rows) => out.push(rows),
                    Err(e) => {
                        if let Err(rollback) = txn.rollback().await {
                            tracing::warn!(error = %rollback, "rollback failed");
                        }
                        return Err(e);
                    }
                }
            }
            txn.commit().await.map_err(|e| classify(&e))?;
            Ok(out)
        })
    }
}
