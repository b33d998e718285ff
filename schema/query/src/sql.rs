//! A small SQL text builder: quoted identifiers, bound parameters with dialect placeholders
//! (`$n` / `?`), and the JSON-building functions that differ between dialects.

use sea_query::Value;

use crate::{Dialect, Statement};

/// Accumulates SQL text and its bound values.
pub(crate) struct SqlWriter {
    pub(crate) dialect: Dialect,
    schema: Option<String>,
    sql: String,
    values: Vec<Value>,
    next_alias: usize,
}

impl SqlWriter {
    pub(crate) fn new(dialect: Dialect, schema: Option<&str>) -> Self {
        Self {
            dialect,
            schema: schema.map(str::to_owned),
            sql: String::with_capacity(1024),
            values: Vec::new(),
            next_alias: 0,
        }
    }

    pub(crate) fn finish(self) -> Statement {
        Statement {
            sql: self.sql,
            values: sea_query::Values(self.values),
        }
    }

    /// The PostgreSQL schema, if any.
    pub(crate) fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    pub(crate) fn is_pg(&self) -> bool {
        self.dialect == Dialect::Postgres
    }

    /// A fresh table alias (`t0`, `t1`, ...).
    pub(crate) fn alias(&mut self) -> String {
        let a = format!("t{}", self.next_alias);
        self.next_alias += 1;
        a
    }

    pub(crate) fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }

    /// A double-quoted identifier (embedded quotes doubled).
    pub(crate) fn ident(&mut self, name: &str) -> &mut Self {
        self.sql.push_str(&quote(name));
        self
    }

    /// `alias."column"`.
    pub(crate) fn col(&mut self, alias: &str, column: &str) -> &mut Self {
        self.sql.push_str(alias);
        self.sql.push('.');
        self.ident(column)
    }

    /// The schema-qualified table (`"workspace_x"."person"` / `"person"`).
    pub(crate) fn table(&mut self, table: &str) -> &mut Self {
        if let Some(schema) = self.schema.clone() {
            self.ident(&schema);
            self.sql.push('.');
        }
        self.ident(table)
    }

    /// A schema-qualified type name for casts (`"workspace_x"."person_stage_enum"`).
    pub(crate) fn qualified_type(&self, name: &str) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", quote(schema), quote(name)),
            None => quote(name),
        }
    }

    /// A bound parameter placeholder.
    pub(crate) fn param(&mut self, value: Value) -> &mut Self {
        self.values.push(value);
        match self.dialect {
            Dialect::Postgres => {
                let n = self.values.len();
                self.sql.push('$');
                self.sql.push_str(&n.to_string());
            }
            Dialect::Sqlite => self.sql.push('?'),
        }
        self
    }

    /// A bound parameter, cast on PostgreSQL: `CAST($n AS <cast>)`.
    pub(crate) fn param_cast(&mut self, value: Value, cast: Option<&str>) -> &mut Self {
        match (self.dialect, cast) {
            (Dialect::Postgres, Some(cast)) => {
                self.push("CAST(");
                self.param(value);
                self.push(" AS ").push(cast).push(")")
            }
            _ => self.param(value),
        }
    }

    /// Opens a JSON object constructor (`json_build_object(` / `json_object(`).
    pub(crate) fn json_object_open(&mut self) -> &mut Self {
        match self.dialect {
            Dialect::Postgres => self.push("json_build_object("),
            Dialect::Sqlite => self.push("json_object("),
        }
    }

    /// A string literal used as a JSON key (keys come from GraphQL names: `[_A-Za-z0-9]`).
    pub(crate) fn key(&mut self, key: &str) -> &mut Self {
        self.sql.push('\'');
        self.sql.push_str(&key.replace('\'', "''"));
        self.sql.push('\'');
        self
    }

    /// Opens a JSON array constructor.
    pub(crate) fn json_array_open(&mut self) -> &mut Self {
        match self.dialect {
            Dialect::Postgres => self.push("json_build_array("),
            Dialect::Sqlite => self.push("json_array("),
        }
    }

    /// Opens an embedded sub-query whose result is JSON. SQLite loses the JSON subtype across
    /// a sub-query boundary, so it is re-marked with `json(...)`.
    pub(crate) fn subquery_json_open(&mut self) -> &mut Self {
        match self.dialect {
            Dialect::Postgres => self.push("("),
            Dialect::Sqlite => self.push("json(("),
        }
    }

    /// Closes [`Self::subquery_json_open`].
    pub(crate) fn subquery_json_close(&mut self) -> &mut Self {
        match self.dialect {
            Dialect::Postgres => self.push(")"),
            Dialect::Sqlite => self.push("))"),
        }
    }

    /// The JSON array aggregate name.
    pub(crate) fn json_agg(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgres => "json_agg",
            Dialect::Sqlite => "json_group_array",
        }
    }

    /// Literal true.
    pub(crate) fn true_(&mut self) -> &mut Self {
        self.push("(1=1)")
    }

    /// Literal false.
    pub(crate) fn false_(&mut self) -> &mut Self {
        self.push("(1=0)")
    }
}

/// Quotes an SQL identifier.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
