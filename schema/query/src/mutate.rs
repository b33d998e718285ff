//! Mutations with their outbox events (see [`crate::outbox`]): UPDATE / soft delete /
//! restore / DELETE of a target's records, and INSERT / upsert of new records, each writing
//! one event row per affected record in the same transaction — one CTE statement on
//! PostgreSQL, a few statements in one transaction on SQLite.

use serde_json::Value as Json;
use tessera_core::events::DatabaseEventAction;
use tessera_metadata::{ColumnModel, ObjectModel};

use crate::compile::{Compiler, SoftDelete};
use crate::outbox::{
    CTE_BEFORE, CTE_WRITE, EventKind, Image, OUTBOX_TABLE, PENDING_TXID, event_record_selection,
};
use crate::plan::Plan;
use crate::sql::quote;
use crate::values::operand;
use crate::write::{ConflictTarget, PendingRow};
use crate::{QueryError, RecordSelection, Target};

/// The write part of an UPDATE/DELETE mutation.
pub(crate) enum Head<'m> {
    /// `UPDATE … SET` these columns; `updated_fields` are the input's field names.
    Update {
        set: Vec<(&'m ColumnModel, Json)>,
        updated_fields: Vec<String>,
    },
    /// Soft delete: `deletedAt = now`.
    Delete,
    /// `deletedAt = NULL`.
    Restore,
    /// `DELETE`.
    Destroy,
}

impl<'a> Compiler<'a> {
    /// `UPDATE <table> SET …` / `DELETE FROM <table>` (no `WHERE`).
    fn emit_head(&mut self, obj: &ObjectModel, head: &Head<'_>) {
        match head {
            Head::Update { set, .. } => {
                self.w.push("UPDATE ").table(&obj.table).push(" SET ");
                for (i, (col, value)) in set.iter().enumerate() {
                    if i > 0 {
                        self.w.push(", ");
                    }
                    self.w.ident(&col.name).push(" = ");
                    operand(&self.w, col, value, false).emit(&mut self.w);
                }
            }
            Head::Delete | Head::Restore => {
                self.w
                    .push("UPDATE ")
                    .table(&obj.table)
                    .push(" SET ")
                    .ident("deletedAt")
                    .push(" = ");
                if matches!(head, Head::Restore) {
                    self.w.push("NULL");
                } else {
                    self.now_operand(obj, "deletedAt");
                }
            }
            Head::Destroy => {
                self.w.push("DELETE FROM ").table(&obj.table);
            }
        }
    }

    /// An UPDATE/DELETE of the target's records with one outbox event per record (see
    /// [`crate::outbox`]): one CTE statement on PostgreSQL, 3 statements (2 for destroy) in
    /// one transaction on SQLite. Returns one record for an id target, a list in id order for
    /// a filter target.
    pub(crate) fn write_with_events(
        mut self,
        obj: &ObjectModel,
        target: &Target,
        rule: SoftDelete,
        selection: &RecordSelection,
        head: Head<'_>,
    ) -> Result<Plan, QueryError> {
        let table = quote(&obj.table);
        let many = matches!(target, Target::Filter(_));
        let (action, after) = match head {
            Head::Update { .. } => (DatabaseEventAction::Updated, true),
            Head::Delete => (DatabaseEventAction::Deleted, true),
            Head::Restore => (DatabaseEventAction::Restored, true),
            Head::Destroy => (DatabaseEventAction::Destroyed, false),
        };
        let updated_fields = match &head {
            Head::Update { updated_fields, .. } => Some(updated_fields.as_slice()),
            _ => None,
        };
        if self.w.is_pg() {
            let t = self.w.alias();
            self.w
                .push("WITH ")
                .push(CTE_BEFORE)
                .push(" AS (SELECT ")
                .col(&t, "id")
                .push(" AS \"id\", ");
            self.record_json(obj, &t, &event_record_selection(obj), 0)?;
            self.w
                .push(" AS \"a\" FROM ")
                .table(&obj.table)
                .push(" AS ")
                .push(&t)
                .push(" WHERE ");
            self.target_clause(obj, &t, target, rule)?;
            self.w.push(" FOR UPDATE), ").push(CTE_WRITE).push(" AS (");
            self.emit_head(obj, &head);
            self.w
                .push(" WHERE ")
                .col(&table, "id")
                .push(" IN (SELECT \"id\" FROM ")
                .push(CTE_BEFORE)
                .push(")");
            self.returning_rows(obj, &table, selection, many)?;
            self.returning_event_columns(obj, &table)?;
            self.pg_events_tail(obj, EventKind::Fixed(action), true, after, updated_fields)?;
            let mut plan = self.records_plan(obj.singular(), selection, many);
            plan.events = true;
            return Ok(plan);
        }
        let mut before = self.sub();
        let t = before.w.alias();
        before.event_insert_head(Some(if after { PENDING_TXID } else { 0 }));
        before.event_values(
            obj,
            EventKind::Fixed(action),
            &format!("{t}.\"id\""),
            Image::Record(&t),
            Image::None,
            updated_fields,
        )?;
        before
            .w
            .push(" FROM ")
            .table(&obj.table)
            .push(" AS ")
            .push(&t)
            .push(" WHERE ");
        before.target_clause(obj, &t, target, rule)?;
        let mut complete = self.sub();
        if after {
            complete.sqlite_complete_events(obj, true)?;
        }
        self.emit_head(obj, &head);
        self.w.push(" WHERE ");
        self.target_clause(obj, &table, target, rule)?;
        self.returning_rows(obj, &table, selection, many)?;
        let mut plan = self.records_plan(obj.singular(), selection, many);
        let write = plan.statements.remove(0);
        plan.statements = vec![before.w.finish(), write];
        if after {
            plan.statements.push(complete.w.finish());
        }
        plan.transactional = true;
        plan.events = true;
        Ok(plan)
    }

    /// One INSERT (or upsert) of `rows` with its outbox events (see [`crate::outbox`]): one
    /// CTE statement on PostgreSQL; on SQLite the insert, then the events (an upsert adds a
    /// pending-`before` step first and a completion step last).
    pub(crate) fn insert_with_events(
        mut self,
        obj: &ObjectModel,
        rows: &[&PendingRow<'a>],
        conflict: Option<&ConflictTarget>,
        updated_fields: &[String],
        selection: &RecordSelection,
    ) -> Result<Vec<crate::Statement>, QueryError> {
        let table = quote(&obj.table);
        let key = conflict.map_or("id", |t| t.column.as_str());
        let partial = conflict.is_some_and(|t| t.partial);
        if self.w.is_pg() {
            let kind = if conflict.is_some() {
                let t = self.w.alias();
                self.w
                    .push("WITH ")
                    .push(CTE_BEFORE)
                    .push(" AS (SELECT ")
                    .col(&t, "id")
                    .push(" AS \"id\", ");
                self.record_json(obj, &t, &event_record_selection(obj), 0)?;
                self.w
                    .push(" AS \"a\" FROM ")
                    .table(&obj.table)
                    .push(" AS ")
                    .push(&t)
                    .push(" WHERE ");
                self.key_in(&t, key, partial, rows);
                // No FOR UPDATE: PostgreSQL may evaluate this CTE after `ev_write`, and a
                // locking read skips rows the same statement has just modified. A plain read
                // sees the statement's snapshot, i.e. the rows before the upsert.
                self.w.push("), ");
                EventKind::Upsert
            } else {
                self.w.push("WITH ");
                EventKind::Fixed(DatabaseEventAction::Created)
            };
            self.w.push(CTE_WRITE).push(" AS (");
            self.insert_statement(obj, rows, conflict)?;
            self.returning(obj, &table, selection)?;
            self.returning_event_columns(obj, &table)?;
            self.pg_events_tail(
                obj,
                kind,
                conflict.is_some(),
                true,
                conflict.is_some().then_some(updated_fields),
            )?;
            return Ok(vec![self.w.finish()]);
        }
        let mut out = Vec::with_capacity(4);
        if conflict.is_some() {
            let mut before = self.sub();
            let t = before.w.alias();
            before.event_insert_head(Some(PENDING_TXID));
            before.event_values(
                obj,
                EventKind::Fixed(DatabaseEventAction::Updated),
                &format!("{t}.\"id\""),
                Image::Record(&t),
                Image::None,
                Some(updated_fields),
            )?;
            before
                .w
                .push(" FROM ")
                .table(&obj.table)
                .push(" AS ")
                .push(&t)
                .push(" WHERE ");
            before.key_in(&t, key, partial, rows);
            out.push(before.w.finish());
        }
        let mut created = self.sub();
        let mut complete = self.sub();
        self.insert_statement(obj, rows, conflict)?;
        self.returning(obj, &table, selection)?;
        out.push(self.w.finish());
        let t = created.w.alias();
        created.event_insert_head(Some(0));
        created.event_values(
            obj,
            EventKind::Fixed(DatabaseEventAction::Created),
            &format!("{t}.\"id\""),
            Image::None,
            Image::Record(&t),
            None,
        )?;
        created
            .w
            .push(" FROM ")
            .table(&obj.table)
            .push(" AS ")
            .push(&t)
            .push(" WHERE ");
        created.key_in(&t, key, partial, rows);
        if conflict.is_some() {
            created
                .w
                .push(" AND NOT EXISTS (SELECT 1 FROM ")
                .table(OUTBOX_TABLE)
                .push(" AS o WHERE o.\"txid\" = ")
                .push(&PENDING_TXID.to_string())
                .push(" AND o.\"recordId\" = ")
                .col(&t, "id")
                .push(")");
        }
        out.push(created.w.finish());
        if conflict.is_some() {
            complete.sqlite_complete_events(obj, true)?;
            out.push(complete.w.finish());
        }
        Ok(out)
    }

    /// `<alias>.<key> IN (<each row's value of key>)`, plus `AND deletedAt IS NULL` for a
    /// partial unique key.
    fn key_in(&mut self, alias: &str, key: &str, partial: bool, rows: &[&PendingRow<'a>]) {
        self.w.col(alias, key).push(" IN (");
        let mut first = true;
        for (_, all) in rows {
            if let Some((_, op)) = all.iter().find(|(n, _)| n == key) {
                if !first {
                    self.w.push(", ");
                }
                first = false;
                op.emit(&mut self.w);
            }
        }
        if first {
            self.w.push("NULL");
        }
        self.w.push(")");
        if partial {
            self.w
                .push(" AND ")
                .col(alias, "deletedAt")
                .push(" IS NULL");
        }
    }
}
