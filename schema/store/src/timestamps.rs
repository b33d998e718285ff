//! Creation and change instants of a workspace's metadata rows (for `/metadata`'s
//! `createdAt` / `updatedAt`).

use std::collections::HashMap;

use chrono::SecondsFormat;
use tessera_core::WorkspaceId;
use uuid::Uuid;

use crate::{Store, StoreError};

/// `createdAt` and `updatedAt` of one metadata row, ISO-8601 UTC with milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataTimestamps {
    /// When the row was created.
    pub created_at: String,
    /// When the row last changed.
    pub updated_at: String,
}

impl Store {
    /// The timestamps of every object and field row of `ws`, by metadata id (two small
    /// queries on the system tables).
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn metadata_timestamps(
        &self,
        ws: WorkspaceId,
    ) -> Result<HashMap<Uuid, MetadataTimestamps>, StoreError> {
        use sea_orm::ConnectionTrait;
        let sys = self.sys();
        let mut out = HashMap::new();
        for table in ["objectMetadata", "fieldMetadata"] {
            let sql = format!(
                "SELECT \"id\", \"createdAt\", \"updatedAt\" FROM {} WHERE \"workspaceId\" = {}",
                sys.table(table),
                sys.p(1)
            );
            let rows = self
                .backend()
                .system()
                .query_all_raw(sys.stmt(sql, vec![sys.uuid(ws.0)]))
                .await?;
            for row in rows {
                let iso = |col: &str| {
                    sys.get_ts(&row, col)
                        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
                };
                out.insert(
                    sys.get_uuid(&row, "id")?,
                    MetadataTimestamps {
                        created_at: iso("createdAt")?,
                        updated_at: iso("updatedAt")?,
                    },
                );
            }
        }
        Ok(out)
    }
}
