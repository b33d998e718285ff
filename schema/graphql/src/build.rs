//! Schema construction.

use std::sync::Arc;

use async_graphql::dynamic::Schema;
use tessera_metadata::WorkspaceModel;

/// The schema could not be built (metadata that yields invalid GraphQL).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the GraphQL schema: {0}")]
pub struct SchemaError(pub String);

/// Builds the `/graphql` schema of one workspace at one metadata version. Cheap enough to run
/// once per metadata change; callers cache the result by (workspace id, version).
pub fn build_schema(model: Arc<WorkspaceModel>) -> Result<Schema, SchemaError> {
    let _ = model;
    Err(SchemaError("not built yet".to_owned()))
}
