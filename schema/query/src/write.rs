//! Writes: inserts (with upsert), system stamps, positions and metadata defaults.

use serde_json::Value as Json;
use tessera_metadata::{FieldKind, ObjectModel, ScalarKind};

use crate::compile::Compiler;
use crate::plan::{Plan, Shape, object_of};
use tessera_core::events::DatabaseEventAction;

use crate::outbox::{
    CTE_BEFORE, CTE_WRITE, EventKind, Image, OUTBOX_TABLE, PENDING_TXID, event_record_selection,
};
use crate::sql::quote;
use crate::values::{
    ColumnValue, Operand, WriteKind, normalize, now_string, operand, record_columns,
};
use crate::{MAX_MUTATION_RECORDS, QueryError, RecordSelection};

/// A record being inserted: its user-given columns, and every column with its operand.
type PendingRow<'a> = (Vec<ColumnValue<'a>>, Vec<(String, Operand)>);

impl<'a> Compiler<'a> {
    /// `createdBy`/`updatedBy` and `createdAt`/`updatedAt` values for the session.
    pub(crate) fn stamp_columns(
        &self,
        obj: &'a ObjectModel,
        prefix: &str,
        source_override: Option<&str>,
    ) -> Vec<(&'a tessera_metadata::ColumnModel, Json)> {
        let mut out = Vec::new();
        if let Some(FieldKind::Scalar(col)) = obj.field(&format!("{prefix}At")).map(|f| &f.kind) {
            out.push((col, Json::String(now_string())));
        }
        if let Some(f) = obj.field(&format!("{prefix}By")) {
            let actor = &self.session.actor;
            let source = source_override.unwrap_or_else(|| actor.source());
            for (sub, value) in [
                ("source", Json::String(source.to_owned())),
                ("name", Json::String(actor.name().to_owned())),
                (
                    "workspaceMemberId",
                    actor
                        .workspace_member_id()
                        .map_or(Json::Null, |id| Json::String(id.to_string())),
                ),
            ] {
                if let Some(sf) = f.sub_field(sub) {
                    out.push((&sf.column, value));
                }
            }
        }
        out
    }

    pub(crate) fn create(
        self,
        object: &str,
        records: &[crate::RecordInput],
        upsert: bool,
        selection: &RecordSelection,
        many: bool,
    ) -> Result<Plan, QueryError> {
        let obj = object_of(self.model, object)?;
        if records.len() > MAX_MUTATION_RECORDS {
            return Err(QueryError::bad_with(
                "TOO_MANY_RECORDS_TO_UPDATE",
                format!("Maximum number of records to upsert is {MAX_MUTATION_RECORDS}."),
            ));
        }
        let shape = Shape::Records {
            object: object.to_owned(),
            selection: selection.clone(),
            many,
            by_id: false,
        };
        if records.is_empty() {
            return Ok(Plan {
                statements: vec![],
                shape,
                transactional: false,
                events: false,
            });
        }
        // Every record: user columns, then system/default columns it lacks.
        let mut rows: Vec<PendingRow<'a>> = Vec::with_capacity(records.len());
        for record in records {
            let user = record_columns(obj, record, WriteKind::Create)?;
            rows.push((user, Vec::new()));
        }
        let defaults = metadata_defaults(obj);
        for (user, all) in &mut rows {
            let has =
                |name: &str, user: &[ColumnValue<'_>]| user.iter().any(|c| c.column.name == name);
            let source_override = user
                .iter()
                .find(|c| c.column.name == "createdBySource")
                .and_then(|c| c.value.as_str().map(str::to_owned));
            for cv in user.iter() {
                let op = self.write_operand(obj, cv.column, &cv.value);
                all.push((cv.column.name.clone(), op));
            }
            if !has("id", user) {
                let col = obj.id_column();
                let id = Json::String(uuid::Uuid::new_v4().to_string());
                all.push(("id".to_owned(), operand(&self.w, col, &id, false)));
            }
            for prefix in ["created", "updated"] {
                for (col, value) in self.stamp_columns(obj, prefix, source_override.as_deref()) {
                    if !has(&col.name, user) {
                        all.push((col.name.clone(), operand(&self.w, col, &value, false)));
                    }
                }
            }
            if let Some(FieldKind::Scalar(col)) = obj.field("position").map(|f| &f.kind)
                && !has("position", user)
            {
                all.push((
                    "position".to_owned(),
                    self.position_operand(obj, col, "first"),
                ));
            }
            for (col, value) in &defaults {
                if !has(&col.name, user) && !all.iter().any(|(n, _)| n == &col.name) {
                    all.push((col.name.clone(), operand(&self.w, col, value, false)));
                }
            }
        }
        // Groups of rows written by one statement: everything for a plain create; for an
        // upsert one group per (conflict target, set of given columns).
        // Each group also keeps its first record's input keys: an upsert that updates reports
        // them as `updatedFields` (Twenty: the keys of the input, in input order).
        type Group<'r, 'a> = (
            Option<ConflictTarget>,
            Vec<String>,
            Vec<&'r PendingRow<'a>>,
            usize,
        );
        let mut groups: Vec<Group<'_, 'a>> = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            let target = if upsert {
                conflict_target(obj, &row.0)
            } else {
                None
            };
            let given: Vec<String> = if upsert {
                row.0.iter().map(|c| c.column.name.clone()).collect()
            } else {
                Vec::new()
            };
            match groups
                .iter_mut()
                .find(|(t, g, _, _)| *t == target && *g == given)
            {
                Some((_, _, members, _)) => members.push(row),
                None => groups.push((target, given, vec![row], index)),
            }
        }
        let mut statements = Vec::with_capacity(groups.len());
        for (target, _, members, first) in &groups {
            let updated_fields: Vec<String> = records
                .get(*first)
                .map(|r| r.0.keys().filter(|k| *k != "id").cloned().collect())
                .unwrap_or_default();
            let c = self.sub();
            statements.extend(c.insert_with_events(
                obj,
                members,
                target.as_ref(),
                &updated_fields,
                selection,
            )?);
        }
        let transactional = statements.len() > 1;
        Ok(Plan {
            statements,
            shape,
            transactional,
            events: true,
        })
    }

    /// One INSERT (or upsert) of `rows` with its outbox events (see [`crate::outbox`]): one
    /// CTE statement on PostgreSQL; on SQLite the insert, then the events (an upsert adds a
    /// pending-`before` step first and a completion step last).
    fn insert_with_events(
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

    pub(crate) fn write_operand(
        &self,
        obj: &ObjectModel,
        col: &tessera_metadata::ColumnModel,
        value: &Json,
    ) -> Operand {
        if col.kind == ScalarKind::Position
            && let Some(s) = value.as_str()
        {
            return self.position_operand(obj, col, s);
        }
        operand(&self.w, col, value, false)
    }

    /// `'first'` / `'last'` as a sub-query on the current positions.
    pub(crate) fn position_operand(
        &self,
        obj: &ObjectModel,
        col: &tessera_metadata::ColumnModel,
        which: &str,
    ) -> Operand {
        let table = match self.w.schema() {
            Some(s) => format!("{}.{}", quote(s), quote(&obj.table)),
            None => quote(&obj.table),
        };
        let c = quote(&col.name);
        Operand::Raw(if which == "last" {
            format!("(SELECT COALESCE(MAX(p.{c}), 0) + 1 FROM {table} AS p)")
        } else {
            format!("(SELECT COALESCE(MIN(p.{c}), 1) - 1 FROM {table} AS p)")
        })
    }

    pub(crate) fn insert_statement(
        &mut self,
        obj: &ObjectModel,
        rows: &[&PendingRow<'a>],
        conflict: Option<&ConflictTarget>,
    ) -> Result<(), QueryError> {
        let mut columns: Vec<String> = Vec::new();
        for (_, all) in rows {
            for (name, _) in all {
                if !columns.contains(name) {
                    columns.push(name.clone());
                }
            }
        }
        self.w.push("INSERT INTO ").table(&obj.table).push(" (");
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                self.w.push(", ");
            }
            self.w.ident(c);
        }
        self.w.push(") VALUES ");
        for (ri, (_, all)) in rows.iter().enumerate() {
            if ri > 0 {
                self.w.push(", ");
            }
            self.w.push("(");
            for (i, c) in columns.iter().enumerate() {
                if i > 0 {
                    self.w.push(", ");
                }
                match all.iter().find(|(n, _)| n == c) {
                    Some((_, op)) => op.emit(&mut self.w),
                    None => {
                        self.w.push("NULL");
                    }
                }
            }
            self.w.push(")");
        }
        if let Some(target) = conflict {
            self.w
                .push(" ON CONFLICT (")
                .ident(&target.column)
                .push(")");
            if target.partial {
                self.w.push(" WHERE ").ident("deletedAt").push(" IS NULL");
            }
            self.w.push(" DO UPDATE SET ");
            let user: Vec<String> = rows[0].0.iter().map(|c| c.column.name.clone()).collect();
            let mut set: Vec<String> = user
                .into_iter()
                .filter(|c| c != "id" && c != &target.column)
                .collect();
            for c in [
                "updatedAt",
                "updatedBySource",
                "updatedByName",
                "updatedByWorkspaceMemberId",
            ] {
                if columns.iter().any(|x| x == c) && !set.iter().any(|x| x == c) {
                    set.push(c.to_owned());
                }
            }
            for (i, c) in set.iter().enumerate() {
                if i > 0 {
                    self.w.push(", ");
                }
                self.w.ident(c).push(" = excluded.").ident(c);
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConflictTarget {
    column: String,
    partial: bool,
}

/// The upsert conflict target of a record: `id` when given, else the first unique field given.
fn conflict_target(obj: &ObjectModel, user: &[ColumnValue<'_>]) -> Option<ConflictTarget> {
    if user
        .iter()
        .any(|c| c.column.name == "id" && !c.value.is_null())
    {
        return Some(ConflictTarget {
            column: "id".to_owned(),
            partial: false,
        });
    }
    for f in obj.fields.iter().filter(|f| f.meta.is_unique) {
        let col = match &f.kind {
            FieldKind::Scalar(c) => Some(c),
            FieldKind::Composite { sub_fields, .. } => sub_fields.first().map(|s| &s.column),
            _ => None,
        };
        if let Some(col) = col
            && user
                .iter()
                .any(|c| c.column.name == col.name && !c.value.is_null())
        {
            return Some(ConflictTarget {
                column: col.name.clone(),
                partial: true,
            });
        }
    }
    None
}

/// Column defaults from field metadata, in Twenty's notation (`"'NEW'"` is the string `NEW`;
/// `"uuid"` and `"now"` are left to the server's own stamping).
fn metadata_defaults(obj: &ObjectModel) -> Vec<(&tessera_metadata::ColumnModel, Json)> {
    pub(crate) fn literal(v: &Json) -> Option<Json> {
        match v {
            Json::String(s) if s.len() >= 2 && s.starts_with('\'') && s.ends_with('\'') => {
                Some(Json::String(s[1..s.len() - 1].to_owned()))
            }
            Json::String(_) | Json::Null | Json::Object(_) => None,
            other => Some(other.clone()),
        }
    }
    let mut out = Vec::new();
    for f in &obj.fields {
        if f.meta.is_system {
            continue;
        }
        let Some(default) = &f.meta.default_value else {
            continue;
        };
        match &f.kind {
            FieldKind::Scalar(col) => {
                if let Some(v) =
                    literal(default).and_then(|v| normalize(col, &v, &f.meta.name).ok())
                {
                    out.push((col, v));
                }
            }
            FieldKind::Composite { sub_fields, .. } => {
                for sub in sub_fields {
                    if let Some(v) = default
                        .get(sub.def.name)
                        .and_then(literal)
                        .and_then(|v| normalize(&sub.column, &v, &f.meta.name).ok())
                    {
                        out.push((&sub.column, v));
                    }
                }
            }
            _ => {}
        }
    }
    out
}
