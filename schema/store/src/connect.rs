//! Opening databases: the PostgreSQL pool, or the SQLite system file plus one file per
//! workspace; running the system migrations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, TransactionTrait};
use tessera_core::WorkspaceId;
use tessera_migrations::Migrator;
use tessera_migrations::MigratorTrait;

use crate::StoreError;

/// Key of the PostgreSQL advisory lock held while migrating (any constant shared by all
/// Tessera processes; "TESSERA" in ASCII).
const MIGRATION_LOCK: i64 = 0x5445_5353_4552_41;

/// Connections of the configured database.
pub(crate) enum Backend {
    /// One pool for the system tables and every workspace schema.
    Postgres(DatabaseConnection),
    /// The system file plus lazily opened workspace files.
    Sqlite(SqliteFiles),
}

/// The embedded store's files under the data directory.
pub(crate) struct SqliteFiles {
    /// `<data_dir>/system.db`.
    pub(crate) system: DatabaseConnection,
    /// `<data_dir>/workspaces`.
    pub(crate) dir: PathBuf,
    /// Open workspace pools, by workspace.
    pub(crate) pools: Mutex<HashMap<WorkspaceId, DatabaseConnection>>,
}

impl SqliteFiles {
    /// The file of a workspace: `<data_dir>/workspaces/<uuid>.db`.
    pub(crate) fn path(&self, ws: WorkspaceId) -> PathBuf {
        self.dir.join(file_name(ws))
    }
}

/// A workspace's SQLite file name, `<uuid>.db` (stored in `workspace.databaseSchema`).
pub(crate) fn file_name(ws: WorkspaceId) -> String {
    format!("{ws}.db")
}

impl Backend {
    /// The connection holding the system tables.
    pub(crate) fn system(&self) -> &DatabaseConnection {
        match self {
            Backend::Postgres(db) => db,
            Backend::Sqlite(files) => &files.system,
        }
    }
}

/// Connects to PostgreSQL and migrates the system tables under an advisory lock (so many
/// processes can start at once).
pub(crate) async fn postgres(url: &str) -> Result<Backend, StoreError> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(10)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    let db = Database::connect(options).await?;
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await?;
    Migrator::up(&txn, None).await?;
    txn.commit().await?;
    Ok(Backend::Postgres(db))
}

/// Opens (creating if needed) `<data_dir>/system.db`, migrates it, and prepares the
/// workspace directory.
pub(crate) async fn sqlite(data_dir: &Path) -> Result<Backend, StoreError> {
    let dir = data_dir.join("workspaces");
    std::fs::create_dir_all(&dir).map_err(|source| StoreError::Io {
        path: dir.clone(),
        source,
    })?;
    let system = open_sqlite(&data_dir.join("system.db"), true, 4).await?;
    Migrator::up(&system, None).await?;
    Ok(Backend::Sqlite(SqliteFiles {
        system,
        dir,
        pools: Mutex::new(HashMap::new()),
    }))
}

/// Opens a small pool on one SQLite file: foreign keys on, WAL, 5 s busy timeout,
/// `synchronous=NORMAL`; creates the file only when `create` is set.
pub(crate) async fn open_sqlite(
    path: &Path,
    create: bool,
    max_connections: u32,
) -> Result<DatabaseConnection, StoreError> {
    let file = path.to_path_buf();
    // The URL only selects the driver; the file is set on the parsed options below, so paths
    // need no URL escaping.
    let mut options = ConnectOptions::new("sqlite://tessera.db");
    options
        .max_connections(max_connections)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(30))
        .idle_timeout(Duration::from_secs(300))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            o.filename(&file)
                .in_memory(false)
                .shared_cache(false)
                .create_if_missing(create)
                .foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(5))
                .synchronous(SqliteSynchronous::Normal)
        });
    Ok(Database::connect(options).await?)
}
