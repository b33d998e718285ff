//! The seam between the compiler and a database: a [`SqlRunner`] runs compiled [`Statement`]s.

use futures_util::future::BoxFuture;

/// SQL dialect the compiler targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL 15+: one schema per workspace, JSON built with `json_build_object`/`json_agg`.
    Postgres,
    /// SQLite 3.45+: one database file per workspace, JSON built with `json_object`/`json_group_array`.
    Sqlite,
}

/// One SQL statement with its bound parameters (`$1..` on PostgreSQL, `?` on SQLite).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL text. Identifiers come from metadata only, always quoted.
    pub sql: String,
    /// Bound parameters, in order.
    pub values: sea_query::Values,
}

/// Why a statement failed, classified so the API can answer with the right code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// A unique constraint was violated; `constraint` names the index or column when known.
    #[error("unique constraint violated: {constraint}")]
    UniqueViolation {
        /// Index name or column list reported by the database.
        constraint: String,
    },
    /// A foreign key points at no row (or a delete is restricted).
    #[error("foreign key violated: {constraint}")]
    ForeignKeyViolation {
        /// Constraint name or detail reported by the database.
        constraint: String,
    },
    /// A NOT NULL column got NULL.
    #[error("not-null constraint violated: {column}")]
    NotNullViolation {
        /// The column.
        column: String,
    },
    /// The database refused a value (bad date, bad enum value, ...): the message is safe to show.
    #[error("{0}")]
    InvalidValue(String),
    /// Anything else (connection lost, bug): logged, shown to clients as a generic error.
    #[error("database error: {0}")]
    Other(String),
}

/// Runs statements for ONE workspace. Implemented by `tessera-store` for PostgreSQL and
/// SQLite. Every statement the compiler emits returns rows of exactly one text column holding
/// JSON; the runner returns that text, one string per row.
pub trait SqlRunner: Send + Sync {
    /// The dialect to compile for.
    fn dialect(&self) -> Dialect;

    /// The PostgreSQL schema holding this workspace's tables (`workspace_<base36>`); `None`
    /// on SQLite, where the workspace is its own database file.
    fn schema(&self) -> Option<&str>;

    /// Runs one statement outside any explicit transaction (it is atomic on its own) and
    /// returns the single JSON-text column of each row.
    fn fetch_json(&self, statement: Statement) -> BoxFuture<'_, Result<Vec<String>, RunError>>;

    /// Runs several statements in one transaction (all or nothing) and returns each one's rows.
    fn fetch_json_in_transaction(
        &self,
        statements: Vec<Statement>,
    ) -> BoxFuture<'_, Result<Vec<Vec<String>>, RunError>>;

    /// Called after a mutation's statements committed outbox events, so a dispatcher can
    /// publish them at once (the periodic sweep catches anything this misses). Default: no-op.
    fn events_committed(&self) {}
}
