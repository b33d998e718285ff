//! The transactional outbox, storage side: its tables (in each workspace's own schema or
//! file, so an event commits with its change and no cross-database work is needed), the
//! commit-safe cursor every consumer reads it with, and pruning.
//!
//! # Tables
//! - `event_outbox`: one row per record event, written by the query compiler in the same
//!   transaction as the change (see `tessera_query::outbox`). `seq` increases; `txid` is the
//!   writing transaction's id on PostgreSQL (`pg_current_xact_id()`), `0` on SQLite.
//! - `event_outbox_cursor`: one row per consumer (`pubsub` today; the worker's webhook,
//!   timeline and workflow consumers later), holding the position `(txid, seq)` of the last
//!   event it handled.
//!
//! # Reading: commit-safe order, at-least-once, one reader per consumer
//! A consumer reads events in `(txid, seq)` order after its cursor. On PostgreSQL, `seq`
//! values are taken when a transaction inserts, but transactions commit in another order, so
//! a plain `seq > cursor` reader could pass over a row that commits later with a smaller
//! `seq`. So a reader only takes rows whose `txid` is below the oldest transaction still in
//! flight (`pg_snapshot_xmin(pg_current_snapshot())`): every such transaction has ended, and
//! no row can ever appear behind the cursor. On SQLite writers are serialized per file, so
//! commit order is `seq` order (`txid` is 0 for every committed row).
//!
//! [`WorkspaceRunner::dispatch_outbox`] locks the consumer's cursor row
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL: when another instance holds it, this call
//! returns [`DispatchOutcome::Busy`] at once; `BEGIN IMMEDIATE` on SQLite), reads a batch,
//! hands it to the consumer's handler, and advances the cursor in the same transaction only
//! when the handler succeeded. A crash after the hand-off and before the commit hands the
//! same events out again: delivery is at-least-once, and consumers deduplicate on
//! `(workspace_id, seq)`.

use std::future::Future;
use std::time::Duration;

use sea_orm::{ConnectionTrait, QueryResult};
use tessera_core::events::{DatabaseEventAction, EventActor, RecordEvent};
use tessera_query::outbox::{OUTBOX_CURSOR_TABLE, OUTBOX_TABLE};
use tessera_query::{Dialect, SqlRunner};
use uuid::Uuid;

use crate::runner::WorkspaceRunner;
use crate::sql::{ident, qualified};
use crate::{StoreError, sys::Sys};

/// The consumer name of the subscription publisher.
pub const PUBSUB_CONSUMER: &str = "pubsub";

/// What [`WorkspaceRunner::dispatch_outbox`] did.
#[derive(Debug)]
pub enum DispatchOutcome<E> {
    /// Another process holds this consumer's cursor of this workspace; nothing was read.
    Busy,
    /// `count` events were handed over (0: nothing new) and the cursor moved past them;
    /// `held`: newer events exist that wait for older transactions to end (PostgreSQL) and
    /// should be tried again shortly.
    Dispatched {
        /// Events handed over.
        count: usize,
        /// Events after these are not yet safe to hand out.
        held: bool,
    },
    /// The handler failed; the cursor did not move, the same events come again next time.
    HandlerFailed(E),
}

/// Statements creating the outbox tables and index if missing (idempotent).
pub(crate) fn outbox_ddl(dialect: Dialect, schema: Option<&str>) -> Vec<String> {
    let outbox = qualified(schema, OUTBOX_TABLE);
    let cursor = qualified(schema, OUTBOX_CURSOR_TABLE);
    let index = ident("IDX_event_outbox_txid_seq");
    match dialect {
        Dialect::Postgres => vec![
            format!(
                "CREATE TABLE IF NOT EXISTS {outbox} (\
                 \"seq\" BIGSERIAL PRIMARY KEY, \
                 \"txid\" BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint), \
                 \"name\" TEXT NOT NULL, \"action\" TEXT NOT NULL, \
                 \"objectMetadataId\" UUID NOT NULL, \"objectNameSingular\" TEXT NOT NULL, \
                 \"recordId\" UUID NOT NULL, \"actor\" JSON NOT NULL, \
                 \"before\" JSON, \"after\" JSON, \"updatedFields\" JSON, \
                 \"version\" TEXT NOT NULL DEFAULT 'V1', \
                 \"createdAt\" TIMESTAMPTZ NOT NULL DEFAULT now())"
            ),
            format!("CREATE INDEX IF NOT EXISTS {index} ON {outbox} (\"txid\", \"seq\")"),
            format!(
                "CREATE TABLE IF NOT EXISTS {cursor} (\"consumer\" TEXT PRIMARY KEY, \
                 \"txid\" BIGINT NOT NULL DEFAULT 0, \"seq\" BIGINT NOT NULL DEFAULT 0, \
                 \"updatedAt\" TIMESTAMPTZ NOT NULL DEFAULT now())"
            ),
        ],
        Dialect::Sqlite => vec![
            format!(
                "CREATE TABLE IF NOT EXISTS {outbox} (\
                 \"seq\" INTEGER PRIMARY KEY AUTOINCREMENT, \
                 \"txid\" INTEGER NOT NULL DEFAULT 0, \
                 \"name\" TEXT NOT NULL, \"action\" TEXT NOT NULL, \
                 \"objectMetadataId\" TEXT NOT NULL, \"objectNameSingular\" TEXT NOT NULL, \
                 \"recordId\" TEXT NOT NULL, \"actor\" TEXT NOT NULL, \
                 \"before\" TEXT, \"after\" TEXT, \"updatedFields\" TEXT, \
                 \"version\" TEXT NOT NULL DEFAULT 'V1', \
                 \"createdAt\" TEXT NOT NULL DEFAULT ({}))",
                tessera_migrations::SQLITE_NOW
            ),
            format!("CREATE INDEX IF NOT EXISTS {index} ON {outbox} (\"txid\", \"seq\")"),
            format!(
                "CREATE TABLE IF NOT EXISTS {cursor} (\"consumer\" TEXT PRIMARY KEY, \
                 \"txid\" INTEGER NOT NULL DEFAULT 0, \"seq\" INTEGER NOT NULL DEFAULT 0, \
                 \"updatedAt\" TEXT NOT NULL DEFAULT ({}))",
                tessera_migrations::SQLITE_NOW
            ),
        ],
    }
}

/// Creates the outbox tables of a workspace created before they existed. Cheap when they
/// exist (one catalog lookup on PostgreSQL); on PostgreSQL the DDL runs under an advisory
/// lock so instances starting together do not race.
pub(crate) async fn ensure_outbox(
    db: &sea_orm::DatabaseConnection,
    dialect: Dialect,
    schema: Option<&str>,
) -> Result<(), StoreError> {
    use sea_orm::TransactionTrait;
    let sys = Sys { dialect };
    if dialect == Dialect::Postgres {
        let name = qualified(schema, OUTBOX_TABLE);
        let row = db
            .query_one_raw(sys.stmt(
                "SELECT (to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL) AS \"ok\""
                    .to_owned(),
                vec![
                    sys.text(name),
                    sys.text(qualified(schema, OUTBOX_CURSOR_TABLE)),
                ],
            ))
            .await?;
        if let Some(row) = row
            && row.try_get::<bool>("", "ok")?
        {
            return Ok(());
        }
        let txn = db.begin().await?;
        txn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock({})",
            0x0054_4553_5345_5242_i64
        ))
        .await?;
        for statement in outbox_ddl(dialect, schema) {
            txn.execute_unprepared(&statement).await?;
        }
        txn.commit().await?;
    } else {
        for statement in outbox_ddl(dialect, schema) {
            db.execute_unprepared(&statement).await?;
        }
    }
    Ok(())
}

impl WorkspaceRunner {
    fn outbox(&self) -> String {
        qualified(self.schema_name(), OUTBOX_TABLE)
    }

    fn cursor_table(&self) -> String {
        qualified(self.schema_name(), OUTBOX_CURSOR_TABLE)
    }

    /// Hands the next events (at most `limit`, in commit-safe order) after `consumer`'s cursor
    /// to `handle`, and moves the cursor past them when `handle` returns `Ok`. See the module
    /// documentation for the ordering and locking.
    ///
    /// Errors: [`StoreError::Database`] (the cursor did not move).
    pub async fn dispatch_outbox<E, F, Fut>(
        &self,
        consumer: &str,
        limit: u32,
        handle: F,
    ) -> Result<DispatchOutcome<E>, StoreError>
    where
        F: FnOnce(Vec<RecordEvent>) -> Fut,
        Fut: Future<Output = Result<(), E>>,
    {
        let sys = Sys {
            dialect: self.dialect(),
        };
        let pg = self.dialect() == Dialect::Postgres;
        let cursor = self.cursor_table();
        let known = self
            .consumers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(consumer);
        if !known {
            self.raw_db()
                .execute_raw(sys.stmt(
                    format!(
                        "INSERT INTO {cursor} (\"consumer\") VALUES ({}) ON CONFLICT DO NOTHING",
                        sys.p(1)
                    ),
                    vec![sys.text(consumer)],
                ))
                .await?;
            self.consumers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(consumer.to_owned());
        }
        let txn = self.begin().await?;
        let lock = if pg { " FOR UPDATE SKIP LOCKED" } else { "" };
        let position = txn
            .query_one_raw(sys.stmt(
                format!(
                    "SELECT \"txid\", \"seq\" FROM {cursor} WHERE \"consumer\" = {}{lock}",
                    sys.p(1)
                ),
                vec![sys.text(consumer)],
            ))
            .await?;
        let Some(position) = position else {
            txn.rollback().await?;
            return Ok(DispatchOutcome::Busy);
        };
        let (txid, seq) = (
            sys.get_int(&position, "txid")?,
            sys.get_int(&position, "seq")?,
        );
        let rows = txn
            .query_all_raw(sys.stmt(
                self.read_sql(sys, limit),
                vec![
                    sea_query::Value::BigInt(Some(txid)),
                    sea_query::Value::BigInt(Some(seq)),
                ],
            ))
            .await?;
        let mut events = Vec::with_capacity(rows.len());
        let mut held = false;
        for row in &rows {
            if !sys.get_bool(row, "safe")? {
                held = true;
                break;
            }
            events.push(self.event_from_row(sys, row)?);
        }
        let Some(last) = events.last().map(|e| (e.txid, e.seq)) else {
            txn.rollback().await?;
            return Ok(DispatchOutcome::Dispatched { count: 0, held });
        };
        let count = events.len();
        if let Err(e) = handle(events).await {
            txn.rollback().await?;
            return Ok(DispatchOutcome::HandlerFailed(e));
        }
        txn.execute_raw(sys.stmt(
            format!(
                "UPDATE {cursor} SET \"txid\" = {}, \"seq\" = {}, \"updatedAt\" = {} WHERE \"consumer\" = {}",
                sys.p(1),
                sys.p(2),
                sys.now(),
                sys.p(3)
            ),
            vec![
                sea_query::Value::BigInt(Some(last.0)),
                sea_query::Value::BigInt(Some(last.1)),
                sys.text(consumer),
            ],
        ))
        .await?;
        txn.commit().await?;
        Ok(DispatchOutcome::Dispatched { count, held })
    }

    fn read_sql(&self, sys: Sys, limit: u32) -> String {
        let pg = self.dialect() == Dialect::Postgres;
        let (safe, text, created) = if pg {
            (
                "(\"txid\" < pg_snapshot_xmin(pg_current_snapshot())::text::bigint)",
                "::text",
                "to_char(\"createdAt\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
            )
        } else {
            ("(\"txid\" >= 0)", "", "\"createdAt\"")
        };
        format!(
            "SELECT \"seq\", \"txid\", \"name\", \"action\", \"objectMetadataId\"{text} AS \"objectMetadataId\", \
             \"objectNameSingular\", \"recordId\"{text} AS \"recordId\", \"actor\"{text} AS \"actor\", \
             \"before\"{text} AS \"before\", \"after\"{text} AS \"after\", \
             \"updatedFields\"{text} AS \"updatedFields\", \"version\", {created} AS \"createdAt\", \
             {safe} AS \"safe\" FROM {} WHERE (\"txid\", \"seq\") > ({}, {}) \
             ORDER BY \"txid\", \"seq\" LIMIT {limit}",
            self.outbox(),
            sys.p(1),
            sys.p(2)
        )
    }

    fn event_from_row(&self, sys: Sys, row: &QueryResult) -> Result<RecordEvent, StoreError> {
        let json = |col: &str| -> Result<Option<serde_json::Value>, StoreError> {
            sys.get_opt_text(row, col)?
                .map(|s| {
                    serde_json::from_str(&s)
                        .map(normalize_numbers)
                        .map_err(|e| StoreError::corrupt(format!("outbox {col}: {e}")))
                })
                .transpose()
        };
        let uuid = |col: &str| -> Result<Uuid, StoreError> {
            Uuid::parse_str(&sys.get_text(row, col)?)
                .map_err(|e| StoreError::corrupt(format!("outbox {col}: {e}")))
        };
        let action = sys.get_text(row, "action")?;
        let actor: EventActor = serde_json::from_value(json("actor")?.unwrap_or_default())
            .map_err(|e| StoreError::corrupt(format!("outbox actor: {e}")))?;
        let updated_fields = match json("updatedFields")? {
            Some(v) => Some(
                serde_json::from_value(v)
                    .map_err(|e| StoreError::corrupt(format!("outbox updatedFields: {e}")))?,
            ),
            None => None,
        };
        Ok(RecordEvent {
            workspace_id: self.workspace_id(),
            seq: sys.get_int(row, "seq")?,
            txid: sys.get_int(row, "txid")?,
            name: sys.get_text(row, "name")?,
            action: DatabaseEventAction::parse(&action)
                .ok_or_else(|| StoreError::corrupt(format!("outbox action {action}")))?,
            object_metadata_id: uuid("objectMetadataId")?,
            object_name_singular: sys.get_text(row, "objectNameSingular")?,
            record_id: uuid("recordId")?,
            actor,
            before: json("before")?,
            after: json("after")?,
            updated_fields,
            version: sys.get_text(row, "version")?,
            created_at: sys.get_text(row, "createdAt")?,
        })
    }

    /// Deletes events older than `retention` that every consumer has passed (behind the
    /// smallest cursor). Returns how many were deleted. Errors: [`StoreError::Database`].
    pub async fn prune_outbox(&self, retention: Duration) -> Result<u64, StoreError> {
        let sys = Sys {
            dialect: self.dialect(),
        };
        let secs = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
        let older = if self.dialect() == Dialect::Postgres {
            format!(
                "\"createdAt\" < now() - make_interval(secs => {})",
                sys.p(1)
            )
        } else {
            format!(
                "\"createdAt\" < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || {} || ' seconds')",
                sys.p(1)
            )
        };
        let sql = format!(
            "DELETE FROM {outbox} WHERE {older} AND (\"txid\", \"seq\") <= \
             (SELECT \"txid\", \"seq\" FROM {cursor} ORDER BY \"txid\", \"seq\" LIMIT 1)",
            outbox = self.outbox(),
            cursor = self.cursor_table(),
        );
        let value = if self.dialect() == Dialect::Postgres {
            sea_query::Value::Double(Some(secs as f64))
        } else {
            sea_query::Value::BigInt(Some(secs))
        };
        let result = self
            .raw_db()
            .execute_raw(sys.stmt(sql, vec![value]))
            .await?;
        Ok(result.rows_affected())
    }
}

/// `5.0` → `5` throughout a record image, so SQLite's REAL and PostgreSQL's numbers agree
/// (as the query results do).
fn normalize_numbers(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                Value::from(f as i64)
            }
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(normalize_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, normalize_numbers(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Workspaces checked per query by [`crate::Store::workspaces_with_pending_events`].
const PENDING_CHUNK: usize = 100;

impl crate::Store {
    /// The workspaces whose outbox holds events past the cursor of any of `consumers` (a
    /// consumer that never ran counts from the start): what a sweep needs to look at.
    ///
    /// PostgreSQL: one query per [`PENDING_CHUNK`] active workspaces (an index probe of each
    /// schema's outbox), instead of one dispatch transaction per workspace; when a chunk's
    /// query fails (a schema being created or dropped) its workspaces are checked one by one,
    /// and one whose check fails is listed. SQLite (one file per
    /// workspace, opened on use): every active workspace.
    ///
    /// Errors: [`StoreError::Database`] (listing the workspaces failed).
    pub async fn workspaces_with_pending_events(
        &self,
        consumers: &[&str],
    ) -> Result<Vec<tessera_core::WorkspaceId>, StoreError> {
        let active: Vec<_> = self
            .list_workspaces()
            .await?
            .into_iter()
            .filter(|w| w.activation_status == "ACTIVE")
            .collect();
        if self.dialect() == Dialect::Sqlite || consumers.is_empty() {
            return Ok(active.into_iter().map(|w| w.id).collect());
        }
        let mut pending = Vec::new();
        for chunk in active.chunks(PENDING_CHUNK) {
            match self.pending_in(chunk, consumers).await {
                Ok(found) => pending.extend(found),
                Err(e) => {
                    // One workspace's schema may be unreadable (being created or dropped):
                    // check them one by one; one that still fails is swept.
                    tracing::debug!(error = %e, "pending-events check failed; checking one by one");
                    for w in chunk {
                        match self.pending_in(std::slice::from_ref(w), consumers).await {
                            Ok(found) => pending.extend(found),
                            Err(_) => pending.push(w.id),
                        }
                    }
                }
            }
        }
        Ok(pending)
    }

    /// The workspaces of `chunk` with events past any of `consumers`' cursors (one
    /// PostgreSQL query). Errors: [`StoreError::Database`].
    async fn pending_in(
        &self,
        chunk: &[crate::WorkspaceRecord],
        consumers: &[&str],
    ) -> Result<Vec<tessera_core::WorkspaceId>, StoreError> {
        let sys = self.sys();
        let mut values = Vec::new();
        let consumer_params: Vec<String> = consumers
            .iter()
            .map(|c| {
                values.push(sys.text(*c));
                sys.p(values.len())
            })
            .collect();
        let selects: Vec<String> = chunk
            .iter()
            .map(|w| {
                values.push(sys.uuid(w.id.0));
                let id = sys.p(values.len());
                let schema = Some(w.database_schema.as_str());
                let outbox = qualified(schema, OUTBOX_TABLE);
                let cursor = qualified(schema, OUTBOX_CURSOR_TABLE);
                let any_consumer: Vec<String> = consumer_params
                    .iter()
                    .map(|c| {
                        format!(
                            "EXISTS (SELECT 1 FROM {outbox} o WHERE (o.\"txid\", o.\"seq\") > (\
                             COALESCE((SELECT k.\"txid\" FROM {cursor} k WHERE k.\"consumer\" = {c}), 0), \
                             COALESCE((SELECT k.\"seq\" FROM {cursor} k WHERE k.\"consumer\" = {c}), 0)))"
                        )
                    })
                    .collect();
                format!(
                    "SELECT {id}::uuid AS \"id\" WHERE {}",
                    any_consumer.join(" OR ")
                )
            })
            .collect();
        let rows = self
            .backend()
            .system()
            .query_all_raw(sys.stmt(selects.join(" UNION ALL "), values))
            .await?;
        rows.iter()
            .map(|row| Ok(tessera_core::WorkspaceId(sys.get_uuid(row, "id")?)))
            .collect()
    }
}
