//! Compile, run, shape: the one entry point the API layer and the importer call.

use serde_json::Value;
use tessera_core::Session;
use tessera_metadata::WorkspaceModel;

use crate::{Operation, QueryError, RecordInput, SqlRunner};

/// Runs one root operation for `session`'s workspace and returns its GraphQL-shaped result:
/// a connection `{edges, pageInfo, totalCount}` for `FindMany`, a record for single-record
/// operations, a list of records for many-record mutations.
///
/// Reads run one statement; mutations run one statement (an upsert with mixed conflict
/// targets runs one per target, in one transaction). Errors: [`QueryError`].
pub async fn execute(
    runner: &dyn SqlRunner,
    model: &WorkspaceModel,
    session: &Session,
    operation: &Operation,
) -> Result<Value, QueryError> {
    let plan =
        crate::compile::compile(runner.dialect(), runner.schema(), model, session, operation)?;
    let events = plan.events && !plan.statements.is_empty();
    let result = plan.run_on(runner, model).await;
    // A NOT_FOUND result still committed (nothing was written, so no event either); any other
    // error rolled back.
    if events && matches!(result, Ok(_) | Err(QueryError::NotFound)) {
        runner.events_committed();
    }
    result
}

/// Checks one record's input against `object`'s fields without writing anything: unknown
/// fields, values of the wrong type, invalid enum values, bad UUIDs and dates are
/// `BAD_USER_INPUT` naming the field. The importer validates every row with this first.
pub fn validate_record(
    model: &WorkspaceModel,
    object: &str,
    record: &RecordInput,
) -> Result<(), QueryError> {
    let object = model
        .object(object)
        .ok_or_else(|| QueryError::bad(format!("Object \"{object}\" does not exist")))?;
    crate::values::record_columns(object, record, crate::values::WriteKind::Create).map(|_| ())
}

/// The SQL statement(s) an operation compiles to, without running them (for SQL snapshots,
/// debugging and `EXPLAIN`). Errors: the same [`QueryError`]s as [`execute`].
pub fn compile_statements(
    dialect: crate::Dialect,
    schema: Option<&str>,
    model: &WorkspaceModel,
    session: &Session,
    operation: &Operation,
) -> Result<Vec<crate::Statement>, QueryError> {
    Ok(crate::compile::compile(dialect, schema, model, session, operation)?.statements)
}
