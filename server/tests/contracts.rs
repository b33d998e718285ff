//! `frontend-contracts/` is generated from the code: this test fails on any difference.
//! Regenerate with `cargo run --bin tessera -- contracts` (or `UPDATE_EXPECT=1` here) and
//! review the diff.

#[test]
fn frontend_contracts_are_up_to_date() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend-contracts");
    if std::env::var("UPDATE_EXPECT").is_ok() {
        tessera_server::contracts::write(&dir).expect("write contracts");
    }
    for (name, contents) in tessera_server::contracts::render().expect("render") {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            on_disk == contents,
            "frontend-contracts/{name} is out of date: run `cargo run --bin tessera -- contracts` and commit"
        );
    }
}

/// Every operation in `frontend-contracts/operations/` (with its example variables) is valid
/// against the generated schema: executing it without request data fails only inside
/// resolvers (errors with a `path`), never in parsing, validation or variable coercion.
#[tokio::test]
async fn frontend_operations_validate_against_the_schema() {
    use std::sync::Arc;
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend-contracts/operations");
    let model = tessera_metadata::WorkspaceModel::build(
        tessera_core::WorkspaceId(uuid::Uuid::nil()),
        1,
        &tessera_metadata::standard::standard_objects(),
    )
    .expect("model");
    let workspace = tessera_graphql::build_schema(Arc::new(model)).expect("schema");
    let metadata = tessera_server::metadata_api::metadata_schema();
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("operations dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !name.ends_with(".graphql") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let variables: serde_json::Value =
            std::fs::read_to_string(path.with_extension("variables.json"))
                .ok()
                .map(|v| serde_json::from_str(&v).expect("variables JSON"))
                .unwrap_or_else(|| serde_json::json!({}));
        let request = async_graphql::Request::new(text.as_str())
            .variables(async_graphql::Variables::from_json(variables));
        let response = if name.starts_with("metadata.") {
            metadata.execute(request).await
        } else {
            workspace.execute(request).await
        };
        for error in &response.errors {
            // Resolvers fail for want of request data (no workspace, no store); anything else
            // (parse, validation, variable coercion) means the operation does not fit the schema.
            let in_resolver = !error.path.is_empty() || error.message.starts_with("Data `");
            assert!(
                in_resolver,
                "{name}: not valid against the schema: {}",
                error.message
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "expected the operations, found {checked}");
}
