//! Reads: record JSON, nested relations and connections, filters, ordering and keysets.

use serde_json::{Map, Value as Json};
use tessera_metadata::{FieldKind, ObjectModel, ScalarKind};

use crate::compile::{Compiler, SoftDelete};
use crate::filter::{emit_filter, resolve};
use crate::page::{PageMeta, cursor_path, effective_order, page_meta};
use crate::plan::object_of;
use crate::sql::{SqlWriter, quote};
use crate::values::{normalize, operand};
use crate::{
    ConnectionQuery, Dialect, Filter, MAX_DEPTH, OrderDirection, OrderTerm, QueryError,
    RecordSelection, Selected,
};

/// The SQL expression a column is read as in JSON output.
fn output_expr(w: &SqlWriter, alias: &str, col: &tessera_metadata::ColumnModel) -> String {
    let c = format!("{alias}.{}", quote(&col.name));
    match (col.kind, w.dialect) {
        (ScalarKind::DateTime, Dialect::Postgres) => {
            format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")
        }
        (ScalarKind::Date, Dialect::Postgres) => format!("to_char({c}, 'YYYY-MM-DD')"),
        (ScalarKind::Boolean, Dialect::Sqlite) => format!(
            "CASE WHEN {c} IS NULL THEN NULL WHEN {c} THEN json('true') ELSE json('false') END"
        ),
        (ScalarKind::Json | ScalarKind::TextArray | ScalarKind::EnumArray, Dialect::Sqlite) => {
            format!("json({c})")
        }
        _ => c,
    }
}

/// The SQL expression a column is ordered by (SQLite orders enums by option position).
fn order_expr(w: &SqlWriter, alias: &str, col: &tessera_metadata::ColumnModel) -> String {
    let c = format!("{alias}.{}", quote(&col.name));
    if w.dialect == Dialect::Sqlite && col.kind == ScalarKind::Enum {
        let mut s = format!("CASE {c}");
        for (i, v) in col.enum_values.iter().enumerate() {
            s.push_str(&format!(" WHEN '{}' THEN {i}", v.replace('\'', "''")));
        }
        s.push_str(" END");
        s
    } else {
        c
    }
}

fn direction_sql(d: OrderDirection, backward: bool) -> &'static str {
    let d = if backward {
        match d {
            OrderDirection::AscNullsFirst => OrderDirection::DescNullsLast,
            OrderDirection::AscNullsLast => OrderDirection::DescNullsFirst,
            OrderDirection::DescNullsFirst => OrderDirection::AscNullsLast,
            OrderDirection::DescNullsLast => OrderDirection::AscNullsFirst,
        }
    } else {
        d
    };
    match d {
        OrderDirection::AscNullsFirst => " ASC NULLS FIRST",
        OrderDirection::AscNullsLast => " ASC NULLS LAST",
        OrderDirection::DescNullsFirst => " DESC NULLS FIRST",
        OrderDirection::DescNullsLast => " DESC NULLS LAST",
    }
}

impl Compiler<'_> {
    /// `<filter> AND <soft delete> [AND <cursor>]` for reads.
    pub(crate) fn where_clause(
        &mut self,
        obj: &ObjectModel,
        alias: &str,
        filter: Option<&Filter>,
        keyset: Option<(&[OrderTerm], &PageMeta)>,
    ) -> Result<(), QueryError> {
        match filter {
            Some(f) => emit_filter(&mut self.w, self.model, obj, alias, f)?,
            None => {
                self.w.true_();
            }
        }
        let hide = !filter.is_some_and(Filter::mentions_deleted_at);
        if hide {
            self.soft_delete_rule(obj, alias, SoftDelete::HideDeleted, filter);
        }
        if let Some((terms, meta)) = keyset
            && let Some(cursor) = &meta.cursor
        {
            self.w.push(" AND ");
            self.keyset(obj, alias, terms, cursor, meta.backward)?;
        }
        Ok(())
    }

    /// Keyset condition: rows strictly after the cursor in the (possibly reversed) ordering.
    pub(crate) fn keyset(
        &mut self,
        obj: &ObjectModel,
        alias: &str,
        terms: &[OrderTerm],
        cursor: &Map<String, Json>,
        backward: bool,
    ) -> Result<(), QueryError> {
        let invalid = || {
            QueryError::bad_with(
                "INVALID_CURSOR",
                "Invalid cursor: it does not match the ordering".to_owned(),
            )
        };
        let mut values = Vec::with_capacity(terms.len());
        for term in terms {
            let path = cursor_path(obj, term);
            let mut v = cursor.get(&path[0]).ok_or_else(invalid)?;
            if let Some(sub) = path.get(1) {
                v = v.get(sub).ok_or_else(invalid)?;
            }
            let (col, name) = resolve(obj, &term.target)?;
            let v = normalize(col, v, &name).map_err(|_| invalid())?;
            values.push((col, v, term.direction));
        }
        self.w.push("(");
        for i in 0..values.len() {
            if i > 0 {
                self.w.push(" OR ");
            }
            self.w.push("(");
            for (col, v, _) in &values[..i] {
                let e = order_expr(&self.w, alias, col);
                if v.is_null() {
                    self.w.push(&e).push(" IS NULL AND ");
                } else {
                    self.w.push(&e).push(" = ");
                    self.order_value(col, v);
                    self.w.push(" AND ");
                }
            }
            let (col, v, dir) = &values[i];
            let e = order_expr(&self.w, alias, col);
            let (asc, nulls_first) =
                match (dir, backward) {
                    (OrderDirection::AscNullsFirst, false)
                    | (OrderDirection::DescNullsLast, true) => (true, true),
                    (OrderDirection::AscNullsLast, false)
                    | (OrderDirection::DescNullsFirst, true) => (true, false),
                    (OrderDirection::DescNullsFirst, false)
                    | (OrderDirection::AscNullsLast, true) => (false, true),
                    (OrderDirection::DescNullsLast, false)
                    | (OrderDirection::AscNullsFirst, true) => (false, false),
                };
            let cmp = if asc { " > " } else { " < " };
            match (v.is_null(), nulls_first) {
                (true, true) => {
                    self.w.push(&e).push(" IS NOT NULL");
                }
                (true, false) => {
                    self.w.false_();
                }
                (false, true) => {
                    self.w.push(&e).push(cmp);
                    self.order_value(col, v);
                }
                (false, false) => {
                    self.w.push("(").push(&e).push(cmp);
                    self.order_value(col, v);
                    self.w.push(" OR ").push(&e).push(" IS NULL)");
                }
            }
            self.w.push(")");
        }
        self.w.push(")");
        Ok(())
    }

    pub(crate) fn order_value(&mut self, col: &tessera_metadata::ColumnModel, v: &Json) {
        if self.w.dialect == Dialect::Sqlite && col.kind == ScalarKind::Enum {
            let pos = v
                .as_str()
                .and_then(|s| col.enum_values.iter().position(|e| e == s))
                .and_then(|p| i64::try_from(p).ok());
            self.w.param(sea_query::Value::BigInt(pos));
        } else {
            operand(&self.w, col, v, false).emit(&mut self.w);
        }
    }

    pub(crate) fn order_by(
        &mut self,
        obj: &ObjectModel,
        alias: &str,
        terms: &[OrderTerm],
        backward: bool,
    ) -> Result<(), QueryError> {
        for (i, term) in terms.iter().enumerate() {
            if i > 0 {
                self.w.push(", ");
            }
            let (col, name) = resolve(obj, &term.target)?;
            if matches!(col.kind, ScalarKind::Json) {
                return Err(QueryError::bad(format!(
                    "Field \"{name}\" cannot be used for ordering"
                )));
            }
            let e = order_expr(&self.w, alias, col);
            self.w
                .push(&e)
                .push(direction_sql(term.direction, backward));
        }
        Ok(())
    }

    /// A connection as a JSON object `{"rows": [[node, [cursor values]]...], "total": n}`.
    /// `parent` correlates a nested connection: (parent alias, this object's join column).
    pub(crate) fn connection_json(
        &mut self,
        conn: &ConnectionQuery,
        parent: Option<(&str, &str)>,
        depth: usize,
    ) -> Result<(), QueryError> {
        if depth > MAX_DEPTH {
            return Err(QueryError::bad_with(
                "MAX_DEPTH_REACHED",
                format!("Maximum depth of {MAX_DEPTH} nested relations reached"),
            ));
        }
        let obj = object_of(self.model, &conn.object)?;
        let meta = page_meta(&conn.page)?;
        let terms = effective_order(&conn.order_by);
        let pg = self.w.is_pg();
        let a = self.w.alias();
        self.w.json_object_open();
        self.w.key("rows").push(", ");
        if pg {
            self.w.push("COALESCE(");
        }
        self.w.subquery_json_open();
        let agg = self.w.json_agg();
        self.w.push("SELECT ").push(agg).push("(");
        self.w.json_array_open();
        if conn.selection.edges {
            self.record_json(obj, &a, &conn.selection.node, depth)?;
        } else {
            self.w.push("NULL");
        }
        self.w.push(", ");
        self.w.json_array_open();
        for (i, term) in terms.iter().enumerate() {
            if i > 0 {
                self.w.push(", ");
            }
            let (col, _) = resolve(obj, &term.target)?;
            let e = output_expr(&self.w, &a, col);
            self.w.push(&e);
        }
        self.w.push(")) ORDER BY ");
        self.order_by(obj, &a, &terms, meta.backward)?;
        self.w
            .push(") FROM (SELECT ")
            .push(&a)
            .push(".* FROM ")
            .table(&obj.table)
            .push(" AS ")
            .push(&a)
            .push(" WHERE ");
        if let Some((parent_alias, join)) = parent {
            self.w
                .col(&a, join)
                .push(" = ")
                .col(parent_alias, "id")
                .push(" AND ");
        }
        self.where_clause(obj, &a, conn.filter.as_ref(), Some((&terms, &meta)))?;
        self.w.push(" ORDER BY ");
        self.order_by(obj, &a, &terms, meta.backward)?;
        self.w.push(&format!(" LIMIT {}", meta.limit + 1));
        if let Some(offset) = meta.offset {
            self.w.push(&format!(" OFFSET {offset}"));
        }
        self.w.push(") AS ").push(&a);
        self.w.subquery_json_close();
        if pg {
            self.w.push(", '[]'::json)");
        }
        if conn.selection.total_count {
            let c = self.w.alias();
            self.w
                .push(", ")
                .key("total")
                .push(", (SELECT count(*) FROM ")
                .table(&obj.table)
                .push(" AS ")
                .push(&c)
                .push(" WHERE ");
            if let Some((parent_alias, join)) = parent {
                self.w
                    .col(&c, join)
                    .push(" = ")
                    .col(parent_alias, "id")
                    .push(" AND ");
            }
            self.where_clause(obj, &c, conn.filter.as_ref(), None)?;
            self.w.push(")");
        }
        self.w.push(")");
        Ok(())
    }

    /// A record as a JSON object over `alias`, keys = response keys.
    pub(crate) fn record_json(
        &mut self,
        obj: &ObjectModel,
        alias: &str,
        sel: &RecordSelection,
        depth: usize,
    ) -> Result<(), QueryError> {
        if sel.fields.is_empty() {
            self.w.json_object_open().push(")");
            return Ok(());
        }
        // PostgreSQL functions take at most 100 arguments: split wide objects and merge as jsonb.
        let chunk = if self.w.is_pg() { 50 } else { 400 };
        let chunks: Vec<_> = sel.fields.chunks(chunk).collect();
        let merge = chunks.len() > 1;
        if merge {
            self.w.push("(");
        }
        for (ci, fields) in chunks.iter().enumerate() {
            if ci > 0 {
                self.w.push(" || ");
            }
            self.w.json_object_open();
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    self.w.push(", ");
                }
                self.w.key(&f.key).push(", ");
                self.field_json(obj, alias, f, depth)?;
            }
            self.w.push(")");
            if merge {
                self.w.push("::jsonb");
            }
        }
        if merge {
            self.w.push(")::json");
        }
        Ok(())
    }

    pub(crate) fn field_json(
        &mut self,
        obj: &ObjectModel,
        alias: &str,
        f: &crate::SelectedField,
        depth: usize,
    ) -> Result<(), QueryError> {
        let not_defined = || {
            QueryError::bad(format!(
                "Field \"{}\" is not defined by type \"{}\"",
                f.field, obj.type_name
            ))
        };
        let field = obj.field(&f.field).ok_or_else(not_defined)?;
        match (&f.selected, &field.kind) {
            (Selected::Column, FieldKind::Scalar(col)) => {
                let e = output_expr(&self.w, alias, col);
                self.w.push(&e);
            }
            (Selected::JoinColumn, FieldKind::ManyToOne { join_column, .. }) => {
                let e = output_expr(&self.w, alias, join_column);
                self.w.push(&e);
            }
            (Selected::Composite(subs), FieldKind::Composite { .. }) => {
                self.w.json_object_open();
                for (i, (key, sub)) in subs.iter().enumerate() {
                    if i > 0 {
                        self.w.push(", ");
                    }
                    let sf = field.sub_field(sub).ok_or_else(not_defined)?;
                    self.w.key(key).push(", ");
                    let e = output_expr(&self.w, alias, &sf.column);
                    self.w.push(&e);
                }
                self.w.push(")");
            }
            (
                Selected::ManyToOne(sub),
                FieldKind::ManyToOne {
                    join_column,
                    target,
                    ..
                },
            ) => {
                if depth >= MAX_DEPTH {
                    return Err(QueryError::bad_with(
                        "MAX_DEPTH_REACHED",
                        format!("Maximum depth of {MAX_DEPTH} nested relations reached"),
                    ));
                }
                let target = object_of(self.model, target)?;
                let t = self.w.alias();
                self.w.subquery_json_open();
                self.w.push("SELECT ");
                self.record_json(target, &t, sub, depth + 1)?;
                self.w
                    .push(" FROM ")
                    .table(&target.table)
                    .push(" AS ")
                    .push(&t)
                    .push(" WHERE ");
                self.w
                    .col(&t, "id")
                    .push(" = ")
                    .col(alias, &join_column.name);
                self.soft_delete_rule(target, &t, SoftDelete::HideDeleted, None);
                self.w.subquery_json_close();
            }
            (
                Selected::OneToMany(conn),
                FieldKind::OneToMany {
                    target,
                    target_join_column,
                    ..
                },
            ) => {
                if &conn.object != target {
                    return Err(not_defined());
                }
                self.connection_json(conn, Some((alias, target_join_column)), depth + 1)?;
            }
            _ => return Err(not_defined()),
        }
        Ok(())
    }
}
