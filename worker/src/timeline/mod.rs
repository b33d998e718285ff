//! Timeline activities (Twenty's `UpsertTimelineActivityFromInternalEvent`,
//! `shared/reference/twenty-worker.md` §5): the outbox consumer [`TIMELINE_CONSUMER`] turns
//! record events into `timelineActivity` records, written through the query compiler like any
//! API write (system actor).
//!
//! - `<object>.created|updated|deleted|restored` on the record itself, when `timelineActivity`
//!   has a relation to the object (`targetPerson`, `targetCompany`, ...): `properties` is
//!   `{ diff }` for updates (an update with an empty diff is dropped) and `{}` otherwise;
//!   `workspaceMemberId` is the acting member.
//! - `noteTarget` / `taskTarget` created or deleted: `linked-note.<action>` /
//!   `linked-task.<action>` on the targeted record (`linkedRecordId` = the note or task,
//!   `linkedObjectMetadataId` = its object, `linkedRecordCachedName` = its title).
//! - `note` / `task` updated, deleted or restored: `linked-note.<action>` / `linked-task.<action>`
//!   on every record it targets (found through `noteTarget` / `taskTarget`).
//! - Merge window: an activity with the same name, target record, member and linked record
//!   whose `happensAt` is within [`MERGE_WINDOW`] of the event is updated instead (diffs merged:
//!   first `before`, latest `after`) — quick successive edits make one entry. This also makes
//!   re-processing an event (at-least-once) a no-op.
//! - Not written: events of `timelineActivity` itself and `favorite` (not audit-logged in
//!   Twenty), `destroyed` events.
//!
//! Reading: the consumer peeks a batch (its cursor does not move), applies it, then moves the
//! cursor past exactly that batch; a crash in between re-applies the batch, which the merge
//! window absorbs. (The peek is needed on SQLite, where the cursor transaction holds the
//! workspace file's write lock.) Deviation: the compiler writes `timelineActivity.created` /
//! `.updated` outbox events for these records (Twenty's repository writes emit none), so
//! `*.*` webhooks see them too.

mod write;

use serde_json::{Map, Value, json};
use tessera_core::events::{DatabaseEventAction, RecordEvent};
use tessera_core::{Session, WorkspaceId};
use tessera_metadata::{FieldKind, WorkspaceModel};
use tessera_store::{DispatchOutcome, Store, StoreError};

/// The outbox consumer name of the timeline stage.
pub const TIMELINE_CONSUMER: &str = "timeline";
/// Successive activities with the same name, target, member and linked record within this
/// window merge (Twenty: 10 minutes).
pub const MERGE_WINDOW: chrono::Duration = chrono::Duration::minutes(10);
/// Events read per batch.
pub const BATCH: u32 = 200;
/// Objects whose events write no activity.
const NOT_AUDITED: &[&str] = &["timelineActivity", "favorite"];

/// Why the timeline stage failed for a workspace (the cursor did not move past the batch).
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    /// Reading the outbox or the model failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A compiled read or write failed.
    #[error("timeline write failed: {0}")]
    Query(#[from] tessera_query::QueryError),
}

#[derive(Debug)]
struct Peek(Vec<RecordEvent>);

/// Applies every dispatchable event of `ws`; returns how many outbox events were consumed
/// (including skipped ones, e.g. the stage's own `timelineActivity` events).
/// Errors: [`TimelineError`].
pub async fn timeline_workspace(store: &Store, ws: WorkspaceId) -> Result<usize, TimelineError> {
    let runner = store.runner(ws).await?;
    let session = Session::system(ws, "SYSTEM");
    let mut handled = 0;
    for _ in 0..1000 {
        let outcome = runner
            .dispatch_outbox(TIMELINE_CONSUMER, BATCH, |events| async move {
                Err::<(), Peek>(Peek(events))
            })
            .await?;
        let events = match outcome {
            DispatchOutcome::HandlerFailed(Peek(events)) => events,
            DispatchOutcome::Dispatched { held: true, .. } => {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
            DispatchOutcome::Dispatched { .. } | DispatchOutcome::Busy => break,
        };
        let (Some(first), Some(last)) =
            (events.first().map(|e| e.seq), events.last().map(|e| e.seq))
        else {
            break;
        };
        let model = store.workspace_model(ws).await?;
        for event in &events {
            apply(&*runner, &model, &session, event).await?;
        }
        let n = u32::try_from(events.len()).unwrap_or(BATCH);
        let moved = runner
            .dispatch_outbox(TIMELINE_CONSUMER, n, |again| async move {
                let same = again.first().map(|e| e.seq) == Some(first)
                    && again.last().map(|e| e.seq) == Some(last);
                if same { Ok(()) } else { Err(()) }
            })
            .await?;
        if matches!(moved, DispatchOutcome::Dispatched { .. }) {
            handled += events.len();
        }
        // Loop until a peek finds nothing (newer events held behind running transactions
        // are waited for above).
    }
    Ok(handled)
}

/// The `timelineActivity` many-to-one field pointing at `object` (`targetPerson`), if any.
fn target_field(model: &WorkspaceModel, object: &str) -> Option<String> {
    model
        .object("timelineActivity")?
        .fields
        .iter()
        .find_map(|f| match &f.kind {
            FieldKind::ManyToOne { target, .. }
                if target == object && f.name() != "workspaceMember" =>
            {
                Some(f.name().to_owned())
            }
            _ => None,
        })
}

fn action_name(action: DatabaseEventAction) -> Option<&'static str> {
    match action {
        DatabaseEventAction::Created => Some("created"),
        DatabaseEventAction::Updated => Some("updated"),
        DatabaseEventAction::Deleted => Some("deleted"),
        DatabaseEventAction::Restored => Some("restored"),
        DatabaseEventAction::Destroyed | DatabaseEventAction::Upserted => None,
    }
}

/// `{ diff }` for updates (`None`: an empty diff, nothing to write), `{}` otherwise.
fn properties(event: &RecordEvent) -> Option<Map<String, Value>> {
    if event.action != DatabaseEventAction::Updated {
        return Some(Map::new());
    }
    let diff = event.properties().get("diff").cloned().unwrap_or(json!({}));
    if diff.as_object().is_none_or(Map::is_empty) {
        return None;
    }
    let mut p = Map::new();
    p.insert("diff".into(), diff);
    Some(p)
}

async fn apply(
    runner: &dyn tessera_query::SqlRunner,
    model: &WorkspaceModel,
    session: &Session,
    event: &RecordEvent,
) -> Result<(), tessera_query::QueryError> {
    let object = event.object_name_singular.as_str();
    if NOT_AUDITED.contains(&object) || model.object("timelineActivity").is_none() {
        return Ok(());
    }
    let Some(action) = action_name(event.action) else {
        return Ok(());
    };
    let w = write::Writer {
        runner,
        model,
        session,
        happens_at: &event.created_at,
        member: event.actor.workspace_member_id,
    };
    let Some(props) = properties(event) else {
        return Ok(());
    };
    if let Some(field) = target_field(model, object) {
        w.upsert(&event.name, &field, event.record_id, props.clone(), None)
            .await?;
    }
    let linked = match object {
        "note" | "noteTarget" => Some(("note", "noteTarget", "linked-note")),
        "task" | "taskTarget" => Some(("task", "taskTarget", "linked-task")),
        _ => None,
    };
    let Some((parent, junction, prefix)) = linked else {
        return Ok(());
    };
    let name = format!("{prefix}.{action}");
    let parent_meta = model.object(parent).map(|o| o.meta.id);
    if object == junction {
        if !matches!(
            event.action,
            DatabaseEventAction::Created | DatabaseEventAction::Deleted
        ) {
            return Ok(());
        }
        let image = event.record();
        let Some(parent_id) = image
            .get(format!("{parent}Id"))
            .and_then(Value::as_str)
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
        else {
            return Ok(());
        };
        let title = w.title(parent, parent_id).await?;
        for (field, id) in junction_targets(model, junction, parent, &image) {
            w.upsert(
                &name,
                &field,
                id,
                Map::new(),
                Some((parent_id, parent_meta, title.clone())),
            )
            .await?;
        }
    } else if event.action != DatabaseEventAction::Created {
        let title = event
            .record()
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        for image in w.junction_rows(junction, parent, event.record_id).await? {
            for (field, id) in junction_targets(model, junction, parent, &image) {
                w.upsert(
                    &name,
                    &field,
                    id,
                    props.clone(),
                    Some((event.record_id, parent_meta, title.clone())),
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// The (timeline target field, record id) pairs a junction row (`noteTarget`) points at,
/// besides its parent (`note`).
fn junction_targets(
    model: &WorkspaceModel,
    junction: &str,
    parent: &str,
    image: &Value,
) -> Vec<(String, uuid::Uuid)> {
    let Some(object) = model.object(junction) else {
        return Vec::new();
    };
    object
        .fields
        .iter()
        .filter_map(|f| match &f.kind {
            FieldKind::ManyToOne {
                target,
                join_column,
                ..
            } if target != parent => {
                let id = image
                    .get(join_column.name.as_str())
                    .and_then(Value::as_str)
                    .and_then(|s| uuid::Uuid::parse_str(s).ok())?;
                Some((target_field(model, target)?, id))
            }
            _ => None,
        })
        .collect()
}
