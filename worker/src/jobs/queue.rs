//! The job queue's storage: apalis tables in the system database on PostgreSQL (schema
//! `apalis`, created by `apalis-postgres`' migrations) or in `<data_dir>/jobs.db` on the
//! embedded store (`apalis-sqlite`), and pushing jobs to it.
//!
//! Every push carries an idempotency key, unique per queue: pushing a key that is already
//! queued (or done) is a no-op, so the stages that push after re-reading outbox events (at
//! least once) queue each job once.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use apalis::prelude::TaskBuilder;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use serde::Serialize;
use tessera_store::StoreConfig;
use tessera_store::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tessera_store::sqlx::{self, PgPool, SqlitePool};
use tokio::sync::Notify;

use super::JobError;

/// Connections of the queue's database.
#[derive(Debug, Clone)]
pub(crate) enum QueueBackend {
    /// The PostgreSQL database of the store.
    Postgres(PgPool),
    /// `<data_dir>/jobs.db`.
    Sqlite(SqlitePool),
}

/// Handle to the job queue: cheap to clone.
#[derive(Debug, Clone)]
pub struct JobQueue {
    pub(crate) backend: QueueBackend,
    prefix: String,
    /// In-process wake-ups of this queue's workers after a push, by queue name (the
    /// embedded store has no LISTEN/NOTIFY).
    wakers: Arc<Mutex<HashMap<String, Arc<Notify>>>>,
}

/// One job to push: its idempotency key, its payload, and how long to wait before it is due.
#[derive(Debug, Clone)]
pub struct NewJob<J> {
    /// Unique per queue; a key already pushed is skipped.
    pub key: String,
    /// The payload (JSON-encoded).
    pub job: J,
    /// Due after this delay (`None`: now).
    pub run_after: Option<Duration>,
}

impl JobQueue {
    /// Opens the queue of the store described by `config` and runs apalis' migrations:
    /// PostgreSQL when `config.database_url` is set (its own pool of at most 8 connections;
    /// the migrations create schema `apalis` and the `hstore` extension), else
    /// `<data_dir>/jobs.db`. Queue names are `<prefix>.<queue>`: processes sharing a database
    /// and a prefix share the queues (tests give each run its own prefix).
    /// Errors: [`JobError::Queue`] (unreachable database, failed migration).
    pub async fn connect(config: &StoreConfig, prefix: &str) -> Result<Self, JobError> {
        let backend = match &config.database_url {
            Some(url) => {
                // A dedicated, bounded pool: LISTEN connections and polling stay off the
                // API's pool.
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await
                    .map_err(JobError::queue)?;
                PostgresStorage::setup(&pool)
                    .await
                    .map_err(JobError::queue)?;
                QueueBackend::Postgres(pool)
            }
            None => {
                std::fs::create_dir_all(&config.data_dir).map_err(JobError::queue)?;
                let pool = sqlite_pool(&config.data_dir.join("jobs.db")).await?;
                SqliteStorage::setup(&pool).await.map_err(JobError::queue)?;
                QueueBackend::Sqlite(pool)
            }
        };
        Ok(Self {
            backend,
            prefix: prefix.to_owned(),
            wakers: Arc::default(),
        })
    }

    /// The wake-up of queue `name`'s worker in this process: notified after every push to it.
    pub(crate) fn waker(&self, name: &str) -> Arc<Notify> {
        self.wakers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(name.to_owned())
            .or_default()
            .clone()
    }

    /// A stream yielding when queue `name` was pushed to in this process, or else every
    /// `every` (jobs pushed by other processes without a notification, retries becoming
    /// due): what wakes an idle worker besides PostgreSQL's LISTEN/NOTIFY.
    pub(crate) fn wake_stream(
        &self,
        name: &str,
        every: Duration,
    ) -> std::pin::Pin<Box<dyn futures_util::Stream<Item = ()> + Send>> {
        let notify = self.waker(name);
        Box::pin(futures_util::stream::unfold(
            notify,
            move |notify| async move {
                tokio::select! {
                    () = notify.notified() => {}
                    () = tokio::time::sleep(every) => {}
                }
                Some(((), notify))
            },
        ))
    }

    /// The full name of queue `name`: `<prefix>.<name>`.
    pub fn queue_name(&self, name: &str) -> String {
        format!("{}.{name}", self.prefix)
    }

    /// Pushes `jobs` to queue `name` (see [`JobQueue::queue_name`]), all or none; keys
    /// already pushed are skipped. `max_attempts`: how often apalis runs a job whose
    /// handler fails (an infrastructure error, not a failed delivery).
    /// Errors: [`JobError::Queue`], [`JobError::Encode`].
    pub async fn push<J: Serialize>(
        &self,
        name: &str,
        jobs: &[NewJob<J>],
        max_attempts: usize,
    ) -> Result<(), JobError> {
        if jobs.is_empty() {
            return Ok(());
        }
        let queue = self.queue_name(name);
        let build = |j: &NewJob<J>| -> Result<apalis::prelude::Task<Vec<u8>>, JobError> {
            let mut builder = TaskBuilder::new(serde_json::to_vec(&j.job)?)
                .idempotency_key(j.key.clone())
                .max_attempts(max_attempts);
            if let Some(d) = j.run_after {
                builder = builder.run_after(d);
            }
            Ok(builder.build())
        };
        match &self.backend {
            QueueBackend::Postgres(pool) => {
                // apalis-postgres' insert has no ON CONFLICT: leave out the keys already
                // there; a concurrent push of the same key makes the insert fail, and the
                // retry leaves it out too.
                let keys: Vec<&str> = jobs.iter().map(|j| j.key.as_str()).collect();
                for _ in 0..3 {
                    let present: HashSet<String> = sqlx::query_scalar(
                        "SELECT idempotency_key FROM apalis.jobs WHERE job_type = $1 \
                         AND idempotency_key = ANY($2)",
                    )
                    .bind(&queue)
                    .bind(&keys)
                    .fetch_all(pool)
                    .await
                    .map_err(JobError::queue)?
                    .into_iter()
                    .collect();
                    let fresh: Vec<_> = jobs
                        .iter()
                        .filter(|j| !present.contains(&j.key))
                        .map(build)
                        .collect::<Result<_, _>>()?;
                    if fresh.is_empty() {
                        return Ok(());
                    }
                    let mut conn = pool.acquire().await.map_err(JobError::queue)?;
                    match apalis_postgres::queries::push_tasks(&mut *conn, &queue, fresh).await {
                        Ok(()) => return Ok(()),
                        Err(e) if is_unique_violation(&e) => continue,
                        Err(e) => return Err(JobError::queue(e)),
                    }
                }
                Err(JobError::Queue(
                    "idempotency keys kept colliding with concurrent pushes".to_owned(),
                ))
            }
            QueueBackend::Sqlite(pool) => {
                let tasks: Vec<_> = jobs.iter().map(build).collect::<Result<_, _>>()?;
                let mut tx = pool.begin().await.map_err(JobError::queue)?;
                apalis_sqlite::queries::push_tasks(&mut *tx, &queue, &tasks)
                    .await
                    .map_err(JobError::queue)?;
                tx.commit().await.map_err(JobError::queue)?;
                self.waker(name).notify_one();
                Ok(())
            }
        }
    }

    /// Deletes jobs of this prefix that finished (done, killed, or failed for good) more than
    /// `age` ago; returns how many. Errors: [`JobError::Queue`].
    pub async fn delete_finished(&self, age: Duration) -> Result<u64, JobError> {
        let pattern = format!("{}.%", self.prefix.replace('%', "\\%").replace('_', "\\_"));
        let secs = i64::try_from(age.as_secs()).unwrap_or(i64::MAX);
        let deleted = match &self.backend {
            QueueBackend::Postgres(pool) => sqlx::query(
                "DELETE FROM apalis.jobs WHERE job_type LIKE $1 AND done_at IS NOT NULL \
                 AND done_at < now() - make_interval(secs => $2) AND (status IN ('Done', 'Killed') \
                 OR (status = 'Failed' AND attempts >= max_attempts))",
            )
            .bind(&pattern)
            .bind(secs as f64)
            .execute(pool)
            .await
            .map_err(JobError::queue)?
            .rows_affected(),
            QueueBackend::Sqlite(pool) => sqlx::query(
                "DELETE FROM Jobs WHERE job_type LIKE ?1 ESCAPE '\\' AND done_at IS NOT NULL \
                 AND done_at < strftime('%s', 'now') - ?2 AND (status IN ('Done', 'Killed') \
                 OR (status = 'Failed' AND attempts >= max_attempts))",
            )
            .bind(&pattern)
            .bind(secs)
            .execute(pool)
            .await
            .map_err(JobError::queue)?
            .rows_affected(),
        };
        Ok(deleted)
    }
}

async fn sqlite_pool(path: &Path) -> Result<SqlitePool, JobError> {
    // WAL with `synchronous = NORMAL`, as the store's own files: a commit does not wait for
    // an fsync (a power loss can lose the last commits, never corrupt the file).
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(JobError::queue)
}

fn is_unique_violation(e: &apalis_postgres::Error) -> bool {
    e.to_string().contains("idx_jobs_idempotency_key")
}
