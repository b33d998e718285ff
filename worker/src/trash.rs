//! The trash purge job: destroys soft-deleted records older than the workspace's
//! `trashRetentionDays` (Twenty's trash cleanup), object by object, through the query compiler
//! (`destroy…(filter: { deletedAt: { lt: <cutoff> } })`, so the usual `destroyed` events are
//! written). Runs from the worker's purge cron job ([`crate::jobs::JobOptions::purge_schedule`],
//! hourly by default); re-running is harmless.

use chrono::Utc;
use serde_json::json;
use tessera_core::{Session, WorkspaceId};
use tessera_query::{FieldRef, Filter, FilterOp, Operation, RecordSelection, Target};
use tessera_store::{Store, StoreError};

/// Why a purge failed.
#[derive(Debug, thiserror::Error)]
pub enum PurgeError {
    /// Reading the setting or the model failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A destroy failed.
    #[error("purge failed: {0}")]
    Query(#[from] tessera_query::QueryError),
}

/// Destroys the soft-deleted records of `ws` deleted before now − its retention; returns how
/// many were destroyed. Errors: [`PurgeError`].
pub async fn purge_workspace(store: &Store, ws: WorkspaceId) -> Result<usize, PurgeError> {
    let days = store.trash_retention_days(ws).await?;
    let cutoff = Utc::now() - chrono::Duration::days(days.max(0));
    let model = store.workspace_model(ws).await?;
    let runner = store.runner(ws).await?;
    let session = Session::system(ws, "SYSTEM");
    let mut destroyed = 0;
    for object in &model.objects {
        if object.field("deletedAt").is_none() {
            continue;
        }
        let op = Operation::Destroy {
            object: object.singular().to_owned(),
            target: Target::Filter(Filter::Condition {
                target: FieldRef::Field {
                    field: "deletedAt".to_owned(),
                    sub_field: None,
                },
                op: FilterOp::Lt,
                value: json!(cutoff.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            }),
            selection: RecordSelection::id_only(),
        };
        let result = tessera_query::execute(&*runner, &model, &session, &op).await?;
        destroyed += result.as_array().map_or(0, Vec::len);
    }
    Ok(destroyed)
}

/// [`purge_workspace`] for every workspace; a failing workspace is logged and skipped.
pub async fn purge_all(store: &Store) -> Result<usize, StoreError> {
    let mut destroyed = 0;
    for ws in store.list_workspaces().await? {
        match purge_workspace(store, ws.id).await {
            Ok(n) => destroyed += n,
            Err(e) => tracing::warn!(workspace_id = %ws.id, error = %e, "trash purge failed"),
        }
    }
    Ok(destroyed)
}
