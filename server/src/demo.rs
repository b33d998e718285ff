//! The demo data set (Twenty's development seed, see `server/demo/SOURCE.md`), embedded in the
//! binary, and its loader.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use tessera_core::WorkspaceId;
use tessera_metadata::ObjectMetadata;
use tessera_metadata::standard::{add_demo_custom_fields, standard_objects};
use tessera_store::Store;
use uuid::Uuid;

use crate::ServerError;

/// Name of the workspace `serve --demo` creates and reuses.
pub const DEMO_WORKSPACE_NAME: &str = "Demo";

/// The demo tables in foreign-key order: `(object nameSingular, file name, JSON rows)`.
pub const DEMO_TABLES: [(&str, &str, &[u8]); 8] = [
    (
        "workspaceMember",
        "workspaceMember.json",
        include_bytes!("../demo/workspaceMember.json"),
    ),
    (
        "company",
        "company.json",
        include_bytes!("../demo/company.json"),
    ),
    (
        "person",
        "person.json",
        include_bytes!("../demo/person.json"),
    ),
    (
        "opportunity",
        "opportunity.json",
        include_bytes!("../demo/opportunity.json"),
    ),
    ("note", "note.json", include_bytes!("../demo/note.json")),
    (
        "noteTarget",
        "noteTarget.json",
        include_bytes!("../demo/noteTarget.json"),
    ),
    ("task", "task.json", include_bytes!("../demo/task.json")),
    (
        "taskTarget",
        "taskTarget.json",
        include_bytes!("../demo/taskTarget.json"),
    ),
];

/// Where the demo data comes from (Twenty's seed, MIT), shipped next to it.
pub const SOURCE: &str = include_str!("../demo/SOURCE.md");

const API_KEY_JSON: &[u8] = include_bytes!("../demo/apiKey.json");

/// The demo workspace's API key (`apiKey.json`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoApiKey {
    /// Fixed key id (`20202020-f401-4d8a-a731-64d007c27bad`).
    pub id: Uuid,
    /// Key name.
    pub name: String,
    /// Expiry (100 years after the seed's "now").
    pub expires_at: DateTime<Utc>,
}

/// The demo API key. Errors: [`ServerError::DemoData`] if the embedded file is unreadable.
pub fn demo_api_key() -> Result<DemoApiKey, ServerError> {
    let keys: Vec<DemoApiKey> =
        serde_json::from_slice(API_KEY_JSON).map_err(|e| ServerError::DemoData {
            file: "apiKey.json",
            reason: e.to_string(),
        })?;
    keys.into_iter().next().ok_or(ServerError::DemoData {
        file: "apiKey.json",
        reason: "no key".to_owned(),
    })
}

/// The demo workspace's objects: the standard objects plus the demo's custom fields.
pub fn demo_objects() -> Vec<ObjectMetadata> {
    let mut objects = standard_objects();
    add_demo_custom_fields(&mut objects);
    objects
}

/// Loads every demo table into `ws` (which must have [`demo_objects`]) in foreign-key order.
/// Returns `(object, rows inserted)` per table.
///
/// Errors: [`ServerError::DemoData`], [`ServerError::Store`].
pub async fn seed(store: &Store, ws: WorkspaceId) -> Result<Vec<(&'static str, u64)>, ServerError> {
    let started = std::time::Instant::now();
    let mut counts = Vec::with_capacity(DEMO_TABLES.len());
    for (object, file, bytes) in DEMO_TABLES {
        let rows: Vec<Map<String, Value>> =
            serde_json::from_slice(bytes).map_err(|e| ServerError::DemoData {
                file,
                reason: e.to_string(),
            })?;
        let n = store.insert_rows(ws, object, &rows).await?;
        counts.push((object, n));
    }
    tracing::info!(workspace_id = %ws, elapsed_ms = started.elapsed().as_millis(), "demo data seeded");
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_parse() {
        let key = demo_api_key().expect("api key");
        assert_eq!(key.id.to_string(), "20202020-f401-4d8a-a731-64d007c27bad");
        for (_, file, bytes) in DEMO_TABLES {
            let rows: Vec<Map<String, Value>> = serde_json::from_slice(bytes).expect(file);
            assert!(!rows.is_empty(), "{file}");
        }
        assert!(SOURCE.contains("Twenty"));
    }
}
