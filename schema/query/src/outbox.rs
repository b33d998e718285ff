//! The transactional outbox, compiler side: every mutation writes one event row per affected
//! record into the workspace's outbox table IN THE SAME TRANSACTION as the change.
//!
//! - **PostgreSQL**: still ONE statement per root field. The write becomes a data-modifying
//!   CTE: `WITH ev_before AS (SELECT id, <record image> … FOR UPDATE), ev_write AS (UPDATE …
//!   WHERE id IN (SELECT id FROM ev_before) RETURNING <selection> AS j, <record image> AS a,
//!   id AS rid), ev_insert AS (INSERT INTO event_outbox … SELECT … FROM ev_write JOIN
//!   ev_before …) SELECT j FROM ev_write`. The row's `txid` defaults to
//!   `pg_current_xact_id()`, which readers use for a commit-safe cursor.
//! - **SQLite** (no DML inside CTEs): extra statements in the same `BEGIN IMMEDIATE`
//!   transaction. Updates, deletes and restores: (1) insert events with the `before` images
//!   and `txid = -1` ("pending in this transaction"), (2) the write, (3) fill `after` and set
//!   `txid = 0`. Destroys: (1) insert events with `before`, (2) the delete. Creates: (1) the
//!   insert, (2) insert events with `after`; upserts add the pending `before` step first and
//!   the completion step last. SQLite has one writer at a time per file, so a committed row
//!   never has `txid = -1`.
//!
//! Statement counts per root field (what `WorkspaceRunner::statement_count` sees): PostgreSQL
//! 1 (an upsert mixing conflict targets: 1 per target); SQLite create 2, upsert 4 per conflict
//! target, update / delete / restore 3, destroy 2.

use serde_json::Value as Json;
use tessera_core::events::{DatabaseEventAction, EVENT_VERSION_V1, EventActor};
use tessera_metadata::{FieldKind, ObjectModel};

use crate::compile::Compiler;
use crate::sql::quote;
use crate::{QueryError, RecordSelection, Selected, SelectedField};

/// The outbox table, in every workspace's schema (PostgreSQL) or file (SQLite). Its name has
/// an underscore, which no object's table can have (`nameSingular` is camelCase).
pub const OUTBOX_TABLE: &str = "event_outbox";
/// One row per outbox consumer: its cursor `(txid, seq)` (see `tessera_store::outbox`).
pub const OUTBOX_CURSOR_TABLE: &str = "event_outbox_cursor";
/// SQLite: `txid` of event rows written by the open transaction and not yet completed.
pub const PENDING_TXID: i64 = -1;

/// CTE names of a PostgreSQL write with events.
pub(crate) const CTE_BEFORE: &str = "\"ev_before\"";
pub(crate) const CTE_WRITE: &str = "\"ev_write\"";
const CTE_INSERT: &str = "\"ev_insert\"";

/// The record image events carry: every scalar field, every composite with all its
/// sub-fields, and the join column of every many-to-one relation (`companyId`); no nested
/// records (Twenty's event `before`/`after`).
pub fn event_record_selection(obj: &ObjectModel) -> RecordSelection {
    let mut fields = Vec::with_capacity(obj.fields.len());
    for f in &obj.fields {
        let (key, selected) = match &f.kind {
            FieldKind::Scalar(_) => (f.name().to_owned(), Selected::Column),
            FieldKind::Composite { sub_fields, .. } => (
                f.name().to_owned(),
                Selected::Composite(
                    sub_fields
                        .iter()
                        .map(|s| (s.def.name.to_owned(), s.def.name.to_owned()))
                        .collect(),
                ),
            ),
            FieldKind::ManyToOne { join_column, .. } => {
                (join_column.name.clone(), Selected::JoinColumn)
            }
            FieldKind::OneToMany { .. } => continue,
        };
        fields.push(SelectedField {
            key,
            field: f.name().to_owned(),
            selected,
        });
    }
    RecordSelection { fields }
}

/// What an event row's action is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum EventKind {
    /// Always this action.
    Fixed(DatabaseEventAction),
    /// PostgreSQL upsert: `updated` when `ev_before` had the row, else `created`.
    Upsert,
}

/// Where an image comes from in the `SELECT` feeding the event insert.
#[derive(Debug, Clone)]
pub(crate) enum Image<'s> {
    /// No image (`NULL`).
    None,
    /// A column already holding the JSON image (`"ev_write"."a"`).
    Column(&'s str),
    /// Build the image over a table alias.
    Record(&'s str),
}

/// The event columns, in insert order (after the optional `txid`).
const EVENT_COLUMNS: &str = "\"name\", \"action\", \"objectMetadataId\", \"objectNameSingular\", \
     \"recordId\", \"actor\", \"before\", \"after\", \"updatedFields\", \"version\"";

impl Compiler<'_> {
    /// `INSERT INTO event_outbox (["txid", ]<columns>) SELECT ` (the caller continues with
    /// [`Self::event_values`] and its `FROM`).
    pub(crate) fn event_insert_head(&mut self, txid: Option<i64>) {
        self.w.push("INSERT INTO ").table(OUTBOX_TABLE).push(" (");
        if txid.is_some() {
            self.w.push("\"txid\", ");
        }
        self.w.push(EVENT_COLUMNS).push(") SELECT ");
        if let Some(txid) = txid {
            self.w.push(&txid.to_string()).push(", ");
        }
    }

    /// The values of one event row: name, action, object, `record_id` (an SQL expression),
    /// actor, images, updated fields, version.
    pub(crate) fn event_values(
        &mut self,
        obj: &ObjectModel,
        kind: EventKind,
        record_id: &str,
        before: Image<'_>,
        after: Image<'_>,
        updated_fields: Option<&[String]>,
    ) -> Result<(), QueryError> {
        let pg = self.w.is_pg();
        let name = |a: DatabaseEventAction| format!("{}.{}", obj.singular(), a.as_str());
        let text = |s: String| sea_query::Value::String(Some(s));
        match kind {
            EventKind::Fixed(a) => {
                self.w.param(text(name(a))).push(", ");
                self.w.param(text(a.as_str().to_owned())).push(", ");
            }
            EventKind::Upsert => {
                for (created, updated) in [
                    (
                        name(DatabaseEventAction::Created),
                        name(DatabaseEventAction::Updated),
                    ),
                    ("created".to_owned(), "updated".to_owned()),
                ] {
                    self.w
                        .push("CASE WHEN ")
                        .push(CTE_BEFORE)
                        .push(".\"id\" IS NULL THEN ");
                    self.w.param(text(created)).push(" ELSE ");
                    self.w.param(text(updated)).push(" END, ");
                }
            }
        }
        self.w.param_cast(
            text(obj.meta.id.hyphenated().to_string()),
            pg.then_some("uuid"),
        );
        self.w.push(", ");
        self.w.param(text(obj.singular().to_owned())).push(", ");
        self.w.push(record_id).push(", ");
        let actor = serde_json::to_string(&EventActor::of(&self.session.actor))
            .map_err(|e| QueryError::Internal(format!("actor JSON: {e}")))?;
        self.w.param_cast(text(actor), pg.then_some("json"));
        let selection = event_record_selection(obj);
        for image in [before, after] {
            self.w.push(", ");
            match image {
                Image::None => {
                    self.w.push("NULL");
                }
                Image::Column(c) => {
                    self.w.push(c);
                }
                Image::Record(alias) => self.record_json(obj, alias, &selection, 0)?,
            }
        }
        self.w.push(", ");
        match (updated_fields, kind) {
            (None, _) => {
                self.w.push("NULL");
            }
            (Some(fields), _) => {
                let list = Json::Array(fields.iter().cloned().map(Json::String).collect());
                if matches!(kind, EventKind::Upsert) {
                    self.w
                        .push("CASE WHEN ")
                        .push(CTE_BEFORE)
                        .push(".\"id\" IS NULL THEN NULL ELSE ");
                }
                self.w
                    .param_cast(text(list.to_string()), pg.then_some("json"));
                if matches!(kind, EventKind::Upsert) {
                    self.w.push(" END");
                }
            }
        }
        self.w.push(", '").push(EVENT_VERSION_V1).push("'");
        Ok(())
    }

    /// PostgreSQL: the extra `RETURNING` columns of `ev_write` (`a` = record image, `rid`).
    pub(crate) fn returning_event_columns(
        &mut self,
        obj: &ObjectModel,
        table: &str,
    ) -> Result<(), QueryError> {
        self.w.push(", ");
        self.record_json(obj, table, &event_record_selection(obj), 0)?;
        self.w
            .push(" AS \"a\", ")
            .col(table, "id")
            .push(" AS \"rid\"");
        Ok(())
    }

    /// PostgreSQL: `), ev_insert AS (INSERT … SELECT … FROM ev_write [JOIN ev_before])
    /// SELECT j FROM ev_write` — closes the `ev_write` CTE opened by the caller.
    pub(crate) fn pg_events_tail(
        &mut self,
        obj: &ObjectModel,
        kind: EventKind,
        with_before: bool,
        after: bool,
        updated_fields: Option<&[String]>,
    ) -> Result<(), QueryError> {
        self.w.push("), ").push(CTE_INSERT).push(" AS (");
        self.event_insert_head(None);
        let write_a = format!("{CTE_WRITE}.\"a\"");
        let before_a = format!("{CTE_BEFORE}.\"a\"");
        let rid = format!("{CTE_WRITE}.\"rid\"");
        self.event_values(
            obj,
            kind,
            &rid,
            if with_before {
                Image::Column(&before_a)
            } else {
                Image::None
            },
            if after {
                Image::Column(&write_a)
            } else {
                Image::None
            },
            updated_fields,
        )?;
        self.w.push(" FROM ").push(CTE_WRITE);
        if with_before {
            let join = if matches!(kind, EventKind::Upsert) {
                " LEFT JOIN "
            } else {
                " JOIN "
            };
            self.w
                .push(join)
                .push(CTE_BEFORE)
                .push(" ON ")
                .push(CTE_BEFORE)
                .push(".\"id\" = ")
                .push(&rid);
        }
        self.w
            .push(") SELECT ")
            .push(CTE_WRITE)
            .push(".\"j\" FROM ")
            .push(CTE_WRITE);
        Ok(())
    }

    /// SQLite: `UPDATE event_outbox SET "after" = <image of the record>, "txid" = 0 WHERE
    /// "txid" = -1` (or only the `txid` when `after` is false).
    pub(crate) fn sqlite_complete_events(
        &mut self,
        obj: &ObjectModel,
        after: bool,
    ) -> Result<(), QueryError> {
        let outbox = quote(OUTBOX_TABLE);
        self.w.push("UPDATE ").push(&outbox).push(" SET ");
        if after {
            let t = self.w.alias();
            self.w.push("\"after\" = (SELECT ");
            self.record_json(obj, &t, &event_record_selection(obj), 0)?;
            self.w
                .push(" FROM ")
                .table(&obj.table)
                .push(" AS ")
                .push(&t)
                .push(" WHERE ")
                .col(&t, "id")
                .push(" = ")
                .push(&outbox)
                .push(".\"recordId\"), ");
        }
        self.w
            .push("\"txid\" = 0 WHERE \"txid\" = ")
            .push(&PENDING_TXID.to_string());
        Ok(())
    }
}
