//! Compilation of an [`Operation`] into a [`Plan`]: ONE statement per root field (an upsert
//! with several conflict targets runs one statement per target inside one transaction).
//!
//! Reads build the whole response in the database: the record JSON (`json_build_object` /
//! `json_object`), nested many-to-one records as correlated sub-queries, nested connections
//! as correlated `json_agg` / `json_group_array` sub-queries over an ordered, limited derived
//! table, and `totalCount` as a correlated `count(*)`. Writes use `INSERT/UPDATE/DELETE …
//! RETURNING <record JSON>`, so nested relations of the written rows come back in the same
//! statement.

use serde_json::Value as Json;
use tessera_core::Session;
use tessera_metadata::{ColumnModel, FieldKind, ObjectModel, WorkspaceModel};

use crate::filter::emit_filter;
use crate::mutate::Head;
use crate::plan::{Plan, Shape, object_of};
use crate::sql::SqlWriter;
use crate::values::{WriteKind, normalize, now_string, operand, record_columns};
use crate::{Dialect, Filter, Operation, QueryError, RecordSelection, Target};

pub(crate) struct Compiler<'a> {
    pub(crate) model: &'a WorkspaceModel,
    pub(crate) session: &'a Session,
    pub(crate) w: SqlWriter,
}

/// Compiles one operation for a dialect (and PostgreSQL schema), after checking the session's
/// permissions (`crate::permissions`).
pub(crate) fn compile(
    dialect: Dialect,
    schema: Option<&str>,
    model: &WorkspaceModel,
    session: &Session,
    operation: &Operation,
) -> Result<Plan, QueryError> {
    crate::permissions::check(model, &session.permissions, operation)?;
    let c = Compiler {
        model,
        session,
        w: SqlWriter::new(dialect, schema),
    };
    c.compile(operation)
}

impl<'a> Compiler<'a> {
    pub(crate) fn compile(mut self, operation: &Operation) -> Result<Plan, QueryError> {
        let pg = self.w.is_pg();
        match operation {
            Operation::FindMany(conn) => {
                self.w.push("SELECT ");
                if pg {
                    self.w.push("(");
                }
                self.connection_json(conn, None, 0)?;
                if pg {
                    self.w.push(")::text");
                }
                self.w.push(" AS j");
                Ok(Plan {
                    statements: vec![self.w.finish()],
                    shape: Shape::Connection(Box::new(conn.clone())),
                    transactional: false,
                    events: false,
                })
            }
            Operation::FindOne {
                object,
                filter,
                selection,
            } => {
                if filter.is_empty() {
                    return Err(QueryError::bad("Missing filter argument"));
                }
                let obj = object_of(self.model, object)?;
                let alias = self.w.alias();
                self.w.push("SELECT ");
                self.wrap_text_open();
                self.record_json(obj, &alias, selection, 0)?;
                self.wrap_text_close();
                self.w
                    .push(" AS j FROM ")
                    .table(&obj.table)
                    .push(" AS ")
                    .push(&alias)
                    .push(" WHERE ");
                self.where_clause(obj, &alias, Some(filter), None)?;
                self.w.push(" LIMIT 1");
                Ok(self.records_plan(object, selection, false))
            }
            Operation::Create {
                object,
                records,
                upsert,
                selection,
                many,
            } => self.create(object, records, *upsert, selection, *many),
            Operation::Update {
                object,
                target,
                data,
                selection,
            } => {
                let obj = object_of(self.model, object)?;
                let cols = record_columns(obj, data, WriteKind::Update)?;
                // Twenty's `updatedFields`: the keys of the update input, in input order.
                let updated_fields: Vec<String> = data.0.keys().cloned().collect();
                let mut set: Vec<(&ColumnModel, Json)> =
                    cols.into_iter().map(|cv| (cv.column, cv.value)).collect();
                for (col, value) in self.stamp_columns(obj, "updated", None) {
                    if !set.iter().any(|(c, _)| c.name == col.name) {
                        set.push((col, value));
                    }
                }
                let head = Head::Update {
                    set,
                    updated_fields,
                };
                self.write_with_events(obj, target, SoftDelete::HideDeleted, selection, head)
            }
            Operation::Delete {
                object,
                target,
                selection,
            } => {
                let obj = object_of(self.model, object)?;
                self.write_with_events(obj, target, SoftDelete::OnlyLive, selection, Head::Delete)
            }
            Operation::Restore {
                object,
                target,
                selection,
            } => {
                let obj = object_of(self.model, object)?;
                let rule = match target {
                    Target::Filter(_) => SoftDelete::OnlyDeleted,
                    Target::Id(_) => SoftDelete::Any,
                };
                self.write_with_events(obj, target, rule, selection, Head::Restore)
            }
            Operation::Destroy {
                object,
                target,
                selection,
            } => {
                let obj = object_of(self.model, object)?;
                self.write_with_events(obj, target, SoftDelete::Any, selection, Head::Destroy)
            }
        }
    }

    /// A compiler for another statement of the same plan.
    pub(crate) fn sub(&self) -> Compiler<'a> {
        Compiler {
            model: self.model,
            session: self.session,
            w: SqlWriter::new(self.w.dialect, self.w.schema()),
        }
    }

    pub(crate) fn records_plan(
        self,
        object: &str,
        selection: &RecordSelection,
        many: bool,
    ) -> Plan {
        Plan {
            statements: vec![self.w.finish()],
            shape: Shape::Records {
                object: object.to_owned(),
                selection: selection.clone(),
                many,
                by_id: many,
            },
            transactional: false,
            events: false,
        }
    }

    pub(crate) fn wrap_text_open(&mut self) {
        if self.w.is_pg() {
            self.w.push("(");
        }
    }

    pub(crate) fn wrap_text_close(&mut self) {
        if self.w.is_pg() {
            self.w.push(")::text");
        }
    }

    pub(crate) fn now_operand(&mut self, obj: &ObjectModel, field: &str) {
        if let Some(FieldKind::Scalar(col)) = obj.field(field).map(|f| &f.kind) {
            operand(&self.w, col, &Json::String(now_string()), false).emit(&mut self.w);
        } else {
            self.w.push("NULL");
        }
    }

    pub(crate) fn returning(
        &mut self,
        obj: &ObjectModel,
        table: &str,
        selection: &RecordSelection,
    ) -> Result<(), QueryError> {
        self.returning_rows(obj, table, selection, false)
    }

    /// `RETURNING <record JSON>`; with `with_id`, `RETURNING [<record JSON>, id]` so the rows
    /// can be put in id order (the database returns written rows in no particular order).
    pub(crate) fn returning_rows(
        &mut self,
        obj: &ObjectModel,
        table: &str,
        selection: &RecordSelection,
        with_id: bool,
    ) -> Result<(), QueryError> {
        self.w.push(" RETURNING ");
        self.wrap_text_open();
        if with_id {
            self.w.json_array_open();
        }
        self.record_json(obj, table, selection, 0)?;
        if with_id {
            self.w.push(", ").col(table, "id").push(")");
        }
        self.wrap_text_close();
        self.w.push(" AS j");
        Ok(())
    }

    /// `WHERE` for a mutation target on `alias`.
    pub(crate) fn target_clause(
        &mut self,
        obj: &ObjectModel,
        alias: &str,
        target: &Target,
        rule: SoftDelete,
    ) -> Result<(), QueryError> {
        match target {
            Target::Id(id) => {
                let col = obj.id_column();
                let v = normalize(col, &Json::String(id.clone()), "id")?;
                self.w.push("(").col(alias, "id").push(" = ");
                operand(&self.w, col, &v, true).emit(&mut self.w);
                self.w.push(")");
                self.soft_delete_rule(obj, alias, rule, None);
            }
            Target::Filter(filter) => {
                if filter.is_empty() {
                    return Err(QueryError::bad("A non-empty filter is required"));
                }
                emit_filter(&mut self.w, self.model, obj, alias, filter)?;
                let rule = if rule == SoftDelete::HideDeleted && filter.mentions_deleted_at() {
                    SoftDelete::Any
                } else {
                    rule
                };
                self.soft_delete_rule(obj, alias, rule, Some(filter));
            }
        }
        Ok(())
    }

    pub(crate) fn soft_delete_rule(
        &mut self,
        obj: &ObjectModel,
        alias: &str,
        rule: SoftDelete,
        _filter: Option<&Filter>,
    ) {
        if obj.field("deletedAt").is_none() {
            return;
        }
        match rule {
            SoftDelete::Any => {}
            SoftDelete::HideDeleted | SoftDelete::OnlyLive => {
                self.w
                    .push(" AND ")
                    .col(alias, "deletedAt")
                    .push(" IS NULL");
            }
            SoftDelete::OnlyDeleted => {
                self.w
                    .push(" AND ")
                    .col(alias, "deletedAt")
                    .push(" IS NOT NULL");
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SoftDelete {
    /// Soft-deleted rows are invisible.
    HideDeleted,
    /// Only rows not yet deleted (soft delete).
    OnlyLive,
    /// Only soft-deleted rows (restore many).
    OnlyDeleted,
    /// Every row.
    Any,
}
