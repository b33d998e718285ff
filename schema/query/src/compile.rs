//! Compilation of an [`Operation`] into a runnable plan (placeholder until the compiler lands).

use serde_json::Value;
use tessera_core::Session;
use tessera_metadata::WorkspaceModel;

use crate::{Dialect, Operation, QueryError, SqlRunner};

/// A compiled operation.
pub(crate) struct Plan;

impl Plan {
    pub(crate) async fn run(self, _runner: &dyn SqlRunner) -> Result<Value, QueryError> {
        Err(QueryError::Internal("compiler not implemented".into()))
    }
}

pub(crate) fn compile(
    _dialect: Dialect,
    _schema: Option<&str>,
    _model: &WorkspaceModel,
    _session: &Session,
    _operation: &Operation,
) -> Result<Plan, QueryError> {
    Ok(Plan)
}
