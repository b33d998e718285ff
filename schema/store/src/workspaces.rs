//! Workspaces: creation (system rows + storage + DDL, atomically), lookups, the metadata
//! version and model, and the per-workspace runner cache.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};
use tessera_core::WorkspaceId;
use tessera_metadata::{ObjectMetadata, WorkspaceModel};
use tessera_query::Dialect;

use crate::connect::{Backend, SqliteFiles, file_name, open_sqlite};
use crate::sys::Sys;
use crate::{Store, StoreError, WorkspaceRunner, ddl, metadata_rows, roles};

/// A row of the `workspace` system table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRecord {
    /// The workspace id.
    pub id: WorkspaceId,
    /// Display name.
    pub display_name: String,
    /// PostgreSQL: the schema holding its tables (`workspace_<base36>`); SQLite: its file
    /// name under `<data_dir>/workspaces/` (`<uuid>.db`).
    pub database_schema: String,
    /// `ACTIVE`, `INACTIVE`, … (Twenty's `activationStatus`).
    pub activation_status: String,
    /// Bumped on every metadata change; caches key on (id, version).
    pub metadata_version: i64,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last update time (UTC).
    pub updated_at: DateTime<Utc>,
    /// Subdomain (Twenty's `workspace.subdomain`), set for workspaces created by sign-up.
    pub subdomain: Option<String>,
}

const WORKSPACE_COLUMNS: &str = "\"id\", \"displayName\", \"databaseSchema\", \"activationStatus\", \
     \"metadataVersion\", \"createdAt\", \"updatedAt\", \"subdomain\"";

/// Connections per SQLite workspace-file pool (WAL: readers run in parallel, writers queue).
pub(crate) const SQLITE_POOL_SIZE: u32 = 4;

impl Store {
    fn workspace_record(&self, row: &QueryResult) -> Result<WorkspaceRecord, StoreError> {
        let sys = self.sys();
        Ok(WorkspaceRecord {
            id: WorkspaceId(sys.get_uuid(row, "id")?),
            display_name: sys.get_text(row, "displayName")?,
            database_schema: sys.get_text(row, "databaseSchema")?,
            activation_status: sys.get_text(row, "activationStatus")?,
            metadata_version: sys.get_int(row, "metadataVersion")?,
            created_at: sys.get_ts(row, "createdAt")?,
            updated_at: sys.get_ts(row, "updatedAt")?,
            subdomain: sys.get_opt_text(row, "subdomain")?,
        })
    }

    /// Creates a workspace named `display_name` with `objects` as its metadata: validates the
    /// metadata ([`WorkspaceModel::build`]), creates its storage (PostgreSQL schema or SQLite
    /// file) with one table per object, and writes the system rows (metadata version 1).
    /// All or nothing: on PostgreSQL one transaction covers DDL and rows; on SQLite the file is
    /// deleted if any step fails.
    ///
    /// Fields are stamped with their object's id (`objectMetadataId`) before anything is built.
    ///
    /// Errors: [`StoreError::Metadata`] / [`StoreError::InvalidDefault`] for invalid metadata
    /// (nothing is created), [`StoreError::Database`] / [`StoreError::Io`] otherwise.
    pub async fn create_workspace(
        &self,
        display_name: &str,
        mut objects: Vec<ObjectMetadata>,
    ) -> Result<WorkspaceId, StoreError> {
        for object in &mut objects {
            for field in &mut object.fields {
                field.object_metadata_id = object.id;
            }
        }
        let ws = WorkspaceId::new_random();
        let model = WorkspaceModel::build(ws, 1, &objects)?;
        let sys = self.sys();
        match self.backend() {
            Backend::Postgres(db) => {
                let schema = ws.schema_name();
                let statements = ddl::workspace_ddl(Dialect::Postgres, Some(&schema), &model)?;
                let txn = db.begin().await?;
                for statement in &statements {
                    txn.execute_unprepared(statement).await?;
                }
                insert_workspace_row(&txn, sys, ws, display_name, &schema).await?;
                metadata_rows::insert(&txn, sys, ws, &objects).await?;
                roles::insert_default_roles(&txn, sys, ws).await?;
                txn.commit().await?;
            }
            Backend::Sqlite(files) => {
                let statements = ddl::workspace_ddl(Dialect::Sqlite, None, &model)?;
                let path = files.path(ws);
                let result =
                    create_sqlite_workspace(files, sys, ws, display_name, &objects, &statements)
                        .await;
                if let Err(e) = result {
                    remove_sqlite_files(&path);
                    return Err(e);
                }
            }
        }
        tracing::info!(workspace_id = %ws, objects = objects.len(), "workspace created");
        Ok(ws)
    }

    /// The workspace with this id, unless missing or deleted.
    pub async fn workspace(&self, id: WorkspaceId) -> Result<Option<WorkspaceRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {WORKSPACE_COLUMNS} FROM {} WHERE \"id\" = {} AND \"deletedAt\" IS NULL",
            sys.table("workspace"),
            sys.p(1)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.uuid(id.0)]))
            .await?;
        row.map(|r| self.workspace_record(&r)).transpose()
    }

    /// Every non-deleted workspace, oldest first.
    pub async fn list_workspaces(&self) -> Result<Vec<WorkspaceRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {WORKSPACE_COLUMNS} FROM {} WHERE \"deletedAt\" IS NULL ORDER BY \"createdAt\", \"id\"",
            sys.table("workspace")
        );
        let rows = self
            .backend()
            .system()
            .query_all_raw(sys.stmt(sql, vec![]))
            .await?;
        rows.iter().map(|r| self.workspace_record(r)).collect()
    }

    /// The workspace's metadata version (one small query). Errors:
    /// [`StoreError::WorkspaceNotFound`], also for a workspace that is not `ACTIVE` (a
    /// workspace pending creation has no storage yet).
    pub async fn metadata_version(&self, id: WorkspaceId) -> Result<i64, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT \"metadataVersion\" FROM {} WHERE \"id\" = {} AND \"deletedAt\" IS NULL AND \"activationStatus\" = 'ACTIVE'",
            sys.table("workspace"),
            sys.p(1)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.uuid(id.0)]))
            .await?
            .ok_or(StoreError::WorkspaceNotFound(id))?;
        sys.get_int(&row, "metadataVersion")
    }

    /// Loads the workspace's metadata rows and builds its model, labelled with the version read
    /// *before* the rows (so a concurrent change makes the model look older, never newer).
    ///
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Metadata`] if the stored
    /// metadata no longer resolves, [`StoreError::Database`].
    pub async fn workspace_model(
        &self,
        id: WorkspaceId,
    ) -> Result<Arc<WorkspaceModel>, StoreError> {
        let version = self.metadata_version(id).await?;
        let objects = metadata_rows::load(self.backend().system(), self.sys(), id).await?;
        Ok(Arc::new(WorkspaceModel::build(id, version, &objects)?))
    }

    /// The runner of a workspace: the SAME `Arc` on every call (created on first use; on SQLite
    /// this opens the workspace file). Errors: [`StoreError::WorkspaceNotFound`].
    pub async fn runner(&self, id: WorkspaceId) -> Result<Arc<WorkspaceRunner>, StoreError> {
        if let Some(runner) = self.cached_runner(id) {
            return Ok(runner);
        }
        let record = self
            .workspace(id)
            .await?
            .ok_or(StoreError::WorkspaceNotFound(id))?;
        let signal = self.inner.events.clone();
        let runner = match self.backend() {
            Backend::Postgres(db) => {
                crate::outbox::ensure_outbox(db, Dialect::Postgres, Some(&record.database_schema))
                    .await?;
                WorkspaceRunner::new(
                    db.clone(),
                    Dialect::Postgres,
                    Some(record.database_schema),
                    id,
                    signal,
                )
            }
            Backend::Sqlite(files) => {
                let db = sqlite_pool(files, id).await?;
                crate::outbox::ensure_outbox(&db, Dialect::Sqlite, None).await?;
                WorkspaceRunner::new(db, Dialect::Sqlite, None, id, signal)
            }
        };
        let mut runners = self
            .inner
            .runners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(runners
            .entry(id)
            .or_insert_with(|| Arc::new(runner))
            .clone())
    }

    fn cached_runner(&self, id: WorkspaceId) -> Option<Arc<WorkspaceRunner>> {
        self.inner
            .runners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&id)
            .cloned()
    }
}

async fn insert_workspace_row<C: ConnectionTrait>(
    conn: &C,
    sys: Sys,
    ws: WorkspaceId,
    display_name: &str,
    database_schema: &str,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO {} (\"id\", \"displayName\", \"databaseSchema\") VALUES {}",
        sys.table("workspace"),
        sys.tuple(1, 3)
    );
    let values = vec![
        sys.uuid(ws.0),
        sys.text(display_name),
        sys.text(database_schema),
    ];
    conn.execute_raw(sys.stmt(sql, values)).await?;
    Ok(())
}

async fn create_sqlite_workspace(
    files: &SqliteFiles,
    sys: Sys,
    ws: WorkspaceId,
    display_name: &str,
    objects: &[ObjectMetadata],
    statements: &[String],
) -> Result<(), StoreError> {
    let db = open_sqlite(&files.path(ws), true, SQLITE_POOL_SIZE).await?;
    let tables = async {
        let txn = db.begin().await?;
        for statement in statements {
            txn.execute_unprepared(statement).await?;
        }
        txn.commit().await?;
        let txn = files.system.begin().await?;
        insert_workspace_row(&txn, sys, ws, display_name, &file_name(ws)).await?;
        metadata_rows::insert(&txn, sys, ws, objects).await?;
        roles::insert_default_roles(&txn, sys, ws).await?;
        txn.commit().await?;
        Ok::<(), StoreError>(())
    }
    .await;
    match tables {
        Ok(()) => {
            files
                .pools
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(ws, db);
            Ok(())
        }
        Err(e) => {
            if let Err(close) = db.close().await {
                tracing::warn!(error = %close, "closing a failed workspace file");
            }
            Err(e)
        }
    }
}

pub(crate) fn remove_sqlite_files(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(error = %e, file = ?name, "cannot remove a failed workspace file")
            }
        }
    }
}

/// The open pool of a workspace file, opening it (without creating it) on first use.
async fn sqlite_pool(
    files: &SqliteFiles,
    id: WorkspaceId,
) -> Result<sea_orm::DatabaseConnection, StoreError> {
    let cached = files
        .pools
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&id)
        .cloned();
    if let Some(db) = cached {
        return Ok(db);
    }
    let db = open_sqlite(&files.path(id), false, SQLITE_POOL_SIZE).await?;
    let mut pools = files
        .pools
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(pools.entry(id).or_insert(db).clone())
}
