//! `frontend-contracts/`: the API contract front ends build against, generated from the code
//! (`tessera contracts --out frontend-contracts`) and checked by a test that fails on any
//! difference: the SDL of `/metadata`, the SDL of a standard workspace's `/graphql`, and
//! `error-codes.json`.

use std::path::Path;
use std::sync::Arc;

use serde_json::json;
use tessera_core::{ErrorCode, WorkspaceId};
use tessera_metadata::{WorkspaceModel, standard};

use crate::ServerError;

/// The generated files: `(file name, contents)`.
///
/// Errors: the standard objects do not build into a schema (a bug: [`ServerError::Schema`]).
pub fn render() -> Result<Vec<(&'static str, String)>, ServerError> {
    let model = WorkspaceModel::build(
        WorkspaceId(uuid::Uuid::nil()),
        1,
        &standard::standard_objects(),
    )
    .map_err(|e| ServerError::Schema(tessera_graphql::SchemaError(e.to_string())))?;
    let workspace = tessera_graphql::build_schema(Arc::new(model))?;
    let codes: Vec<_> = ErrorCode::ALL
        .iter()
        .map(|c| json!({"code": c.as_str(), "httpStatus": c.http_status()}))
        .collect();
    let codes = serde_json::to_string_pretty(&json!({ "errorCodes": codes }))
        .map_err(|e| ServerError::Schema(tessera_graphql::SchemaError(e.to_string())))?;
    Ok(vec![
        (
            "metadata.graphql",
            crate::metadata_api::metadata_schema().sdl(),
        ),
        ("workspace.graphql", workspace.sdl()),
        ("error-codes.json", format!("{codes}\n")),
    ])
}

/// Writes the generated files into `dir` (created if missing).
///
/// Errors: [`ServerError::Io`] when a file cannot be written; see [`render`].
pub fn write(dir: &Path) -> Result<(), ServerError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ServerError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for (name, contents) in render()? {
        let path = dir.join(name);
        std::fs::write(&path, contents).map_err(io(&path))?;
    }
    Ok(())
}
