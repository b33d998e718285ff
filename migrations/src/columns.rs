//! Column and table helpers that differ per backend.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// The PostgreSQL schema holding every system table.
pub const CORE_SCHEMA: &str = "core";

/// SQLite expression for "now" as `YYYY-MM-DDTHH:MM:SS.sssZ` text (UTC, milliseconds).
pub const SQLITE_NOW: &str = "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))";

/// Builds columns and table references for one backend.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cols {
    pub(crate) backend: DbBackend,
}

impl Cols {
    fn is_pg(self) -> bool {
        self.backend == DbBackend::Postgres
    }

    /// A system table: `"core"."<name>"` on PostgreSQL, `"<name>"` on SQLite.
    pub(crate) fn table(self, name: &str) -> TableRef {
        if self.is_pg() {
            (Alias::new(CORE_SCHEMA), Alias::new(name)).into_table_ref()
        } else {
            Alias::new(name).into_table_ref()
        }
    }

    fn custom(self, name: &str, pg: &str, sqlite: &str) -> ColumnDef {
        let mut col = ColumnDef::new(Alias::new(name));
        col.custom(Alias::new(if self.is_pg() { pg } else { sqlite }));
        col
    }

    /// A UUID column (`uuid` / `TEXT`).
    pub(crate) fn uuid(self, name: &str) -> ColumnDef {
        self.custom(name, "uuid", "TEXT")
    }

    /// A text column.
    pub(crate) fn text(self, name: &str) -> ColumnDef {
        self.custom(name, "text", "TEXT")
    }

    /// A boolean column (`boolean` / `INTEGER` 0-1), NOT NULL with a default.
    pub(crate) fn boolean(self, name: &str, default: bool) -> ColumnDef {
        let mut col = self.custom(name, "boolean", "INTEGER");
        let literal = match (self.is_pg(), default) {
            (true, true) => "true",
            (true, false) => "false",
            (false, true) => "1",
            (false, false) => "0",
        };
        col.not_null().default(Expr::cust(literal));
        col
    }

    /// A nullable boolean column (`boolean` / `INTEGER` 0-1); NULL means "inherit".
    pub(crate) fn opt_boolean(self, name: &str) -> ColumnDef {
        self.custom(name, "boolean", "INTEGER")
    }

    /// An integer column (`bigint` / `INTEGER`), NOT NULL with a default.
    pub(crate) fn bigint(self, name: &str, default: i64) -> ColumnDef {
        let mut col = self.custom(name, "bigint", "INTEGER");
        col.not_null().default(Expr::cust(default.to_string()));
        col
    }

    /// A JSON column (`jsonb` / JSON `TEXT`).
    pub(crate) fn json(self, name: &str) -> ColumnDef {
        self.custom(name, "jsonb", "TEXT")
    }

    /// A nullable timestamp column (`timestamptz` / ISO text).
    pub(crate) fn timestamp(self, name: &str) -> ColumnDef {
        self.custom(name, "timestamptz", "TEXT")
    }

    /// A NOT NULL timestamp column defaulting to now.
    pub(crate) fn timestamp_now(self, name: &str) -> ColumnDef {
        let mut col = self.timestamp(name);
        col.not_null()
            .default(Expr::cust(if self.is_pg() { "now()" } else { SQLITE_NOW }));
        col
    }
}

/// A column name as a sea-query identifier.
pub(crate) fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// `FK_<from>_<column>`: `from.column` references `to.id`, ON DELETE CASCADE.
pub(crate) fn fk(c: Cols, from: &str, column: &str, to: &str) -> ForeignKeyCreateStatement {
    let mut fk = ForeignKey::create();
    fk.name(format!("FK_{from}_{column}"))
        .from(c.table(from), col(column))
        .to(c.table(to), col("id"))
        .on_delete(ForeignKeyAction::Cascade);
    fk
}

/// `CREATE [UNIQUE] INDEX IF NOT EXISTS name ON table (columns)`.
pub(crate) fn index(
    c: Cols,
    table: &str,
    name: &str,
    columns: &[&str],
    unique: bool,
) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(c.table(table)).if_not_exists();
    for column in columns {
        idx.col(col(column));
    }
    if unique {
        idx.unique();
    }
    idx
}
