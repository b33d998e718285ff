//! The query compiler: an operation's IR ([`Operation`]) plus a [`WorkspaceModel`] in, ONE SQL
//! statement out (nested relations, `totalCount` and page info included), for PostgreSQL or
//! SQLite. Then the rows of that statement are shaped into the GraphQL response JSON.
//!
//! Pure apart from [`execute`], which drives a [`SqlRunner`] (implemented by `tessera-store`).
//! Semantics follow Twenty's core API (`shared/reference/twenty-core-api.md` §3–§10).

mod compile;
mod cursor;
mod error;
mod execute;
mod filter;
mod ir;
mod mutate;
pub mod outbox;
mod page;
mod permissions;
mod plan;
mod read;
mod runner;
mod shape;
mod sql;
mod values;
mod write;

pub use error::QueryError;
pub use execute::{compile_statements, execute, validate_record};
pub use ir::{
    ConnectionQuery, ConnectionSelection, FieldRef, Filter, FilterOp, Operation, OrderDirection,
    OrderTerm, Page, RecordInput, RecordSelection, Selected, SelectedField, Target,
};
pub use runner::{Dialect, RunError, SqlRunner, Statement};

/// Default page size when neither `first` nor `last` is given (Twenty's `QUERY_DEFAULT_LIMIT_RECORDS`).
pub const DEFAULT_PAGE_SIZE: u64 = 60;
/// Largest `first`/`last` accepted; larger values are `BAD_USER_INPUT`.
pub const MAX_PAGE_SIZE: u64 = 200;
/// Most records one `createMany` / `updateMany` / `deleteMany` may touch (Twenty: 200).
pub const MAX_MUTATION_RECORDS: usize = 200;
/// Deepest allowed nesting of relations (Twenty's `CONNECTION_MAX_DEPTH`).
pub const MAX_DEPTH: usize = 5;
