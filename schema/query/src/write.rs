//! Writes: inserts (with upsert), system stamps, positions and metadata defaults.

use serde_json::Value as Json;
use tessera_metadata::{FieldKind, ObjectModel, ScalarKind};

use crate::compile::Compiler;
use crate::plan::{Plan, Shape, object_of};
use crate::sql::quote;
use crate::values::{
    ColumnValue, Operand, WriteKind, normalize, now_string, operand, record_columns,
};
use crate::{MAX_MUTATION_RECORDS, QueryError, RecordSelection};

/// A record being inserted: its user-given columns, and every column with its operand.
pub(crate) type PendingRow<'a> = (Vec<ColumnValue<'a>>, Vec<(String, Operand)>);

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
    /// The conflict column.
    pub(crate) column: String,
    /// A partial unique index (`WHERE "deletedAt" IS NULL`).
    pub(crate) partial: bool,
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
