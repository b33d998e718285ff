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
const MIGRATION_LOCK: i64 = 0x0054_4553_5345_5241;

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
    /// The path of `system.db` (metadata changes open their own connection on it).
    pub(crate) system_path: PathBuf,
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
    // Keep two connections open so a quiet instance does not pay for a connect on its next request.
    options
        .max_connections(10)
        .min_connections(2)
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
    let system_path = data_dir.join("system.db");
    let system = open_sqlite(&system_path, true, 4).await?;
    Migrator::up(&system, None).await?;
    Ok(Backend::Sqlite(SqliteFiles {
        system,
        system_path,
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

/// The schema name a workspace file is attached under on a metadata-change connection.
pub(crate) const ATTACHED_WORKSPACE: &str = "ws";

/// Attaches the workspace file (bound as `?1`) as [`ATTACHED_WORKSPACE`].
const ATTACH_SQL: &str = "ATTACH DATABASE ?1 AS \"ws\"";

/// Opens the connection of one metadata change on SQLite: a single connection on
/// `system.db` with the workspace file attached as [`ATTACHED_WORKSPACE`], so one
/// transaction covers the metadata rows and the workspace's tables (both files commit or
/// neither does). Foreign keys are OFF on this connection: table rebuilds drop and recreate
/// tables that others reference (SQLite's documented procedure); the change checks
/// `foreign_key_check` before committing.
pub(crate) async fn open_change_connection(
    system: &Path,
    workspace: &Path,
) -> Result<DatabaseConnection, StoreError> {
    let file = system.to_path_buf();
    let attach = workspace
        .to_str()
        .ok_or_else(|| StoreError::Config(format!("not a UTF-8 path: {}", workspace.display())))?
        .to_owned();
    let mut options = ConnectOptions::new("sqlite://tessera.db");
    options
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            o.filename(&file)
                .in_memory(false)
                .shared_cache(false)
                .create_if_missing(false)
                .foreign_keys(false)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(5))
                .synchronous(SqliteSynchronous::Normal)
        })
        .map_sqlx_sqlite_pool_opts(move |pool| {
            let attach = attach.clone();
            pool.after_connect(move |conn, _| {
                let attach = attach.clone();
                Box::pin(async move {
                    sea_orm::sqlx::query(ATTACH_SQL)
                        .bind(attach)
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
        });
    Ok(Database::connect(options).await?)
}

/// See [`crate::Store::ensure_database`].
pub(crate) async fn ensure_database(url: &str) -> Result<(), StoreError> {
    let (without_query, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (base, name) = without_query
        .rsplit_once('/')
        .filter(|(base, name)| !name.is_empty() && base.contains("://") && !base.ends_with('/'))
        .ok_or_else(|| StoreError::Config(format!("no database name in {}", redact(url))))?;
    let admin_url = match query {
        Some(query) => format!("{base}/postgres?{query}"),
        None => format!("{base}/postgres"),
    };
    let mut options = ConnectOptions::new(admin_url);
    options.max_connections(1).sqlx_logging(false);
    let admin = Database::connect(options).await?;
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT 1 AS x FROM pg_database WHERE datname = $1",
            [sea_query::Value::String(Some(name.to_owned()))],
        ))
        .await?
        .is_some();
    if !exists {
        let create = format!("CREATE DATABASE {}", crate::sql::ident(name));
        if let Err(e) = admin.execute_unprepared(&create).await {
            // 42P04 duplicate_database, or 23505 when two sessions race on pg_database.
            let text = e.to_string();
            if !(text.contains("already exists") || text.contains("duplicate key")) {
                return Err(e.into());
            }
        }
    }
    admin.close().await?;
    Ok(())
}

/// A URL with its password hidden, for messages.
fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rsplit_once('@')) {
        (Some((scheme, _)), Some((_, host))) => format!("{scheme}://***@{host}"),
        _ => url.to_owned(),
    }
}
