//! Record events: what the transactional outbox stores for every created, updated, deleted,
//! restored or destroyed record, and what its consumers (subscriptions now; webhooks, timeline
//! and workflows later) receive.
//!
//! Shapes follow Twenty's `ObjectRecordEvent` (`twenty-shared/src/database-events/*`,
//! `shared/reference/twenty-worker.md` §1.2, §5.1): an event is named
//! `<objectNameSingular>.<action>` and carries `recordId`, the actor and
//! `properties: { before?, after?, updatedFields?, diff? }`. Integration events are versioned
//! ([`RecordEvent::version`], `"V1"`) and never change shape once released.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::WorkspaceId;

/// The payload version every event written today carries.
pub const EVENT_VERSION_V1: &str = "V1";

/// Twenty's `DatabaseEventAction` (server values `created`, `updated`, ...; GraphQL enum
/// values `CREATED`, `UPDATED`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseEventAction {
    /// A record was inserted (also an upsert that inserted).
    Created,
    /// A record's fields changed (also an upsert that updated).
    Updated,
    /// A record was soft-deleted (`deletedAt` set).
    Deleted,
    /// A soft-deleted record was restored (`deletedAt` cleared).
    Restored,
    /// A record was removed for good.
    Destroyed,
    /// Twenty's `upserted` (listed for completeness; Tessera reports upserts as `created` or
    /// `updated`, whichever happened).
    Upserted,
}

impl DatabaseEventAction {
    /// Every action, in Twenty's enum order.
    pub const ALL: [DatabaseEventAction; 6] = [
        Self::Created,
        Self::Updated,
        Self::Deleted,
        Self::Destroyed,
        Self::Restored,
        Self::Upserted,
    ];

    /// The event-name suffix (`created`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
            Self::Restored => "restored",
            Self::Destroyed => "destroyed",
            Self::Upserted => "upserted",
        }
    }

    /// The GraphQL enum value (`CREATED`, ...).
    pub fn graphql_name(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Updated => "UPDATED",
            Self::Deleted => "DELETED",
            Self::Restored => "RESTORED",
            Self::Destroyed => "DESTROYED",
            Self::Upserted => "UPSERTED",
        }
    }

    /// Parses either spelling (`created` or `CREATED`).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s || a.graphql_name() == s)
    }
}

/// Who made the change (Twenty's `actor` / `userId` / `workspaceMemberId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EventActor {
    /// `ActorSourceEnum` value: `API`, `MANUAL`, `IMPORT`, `SYSTEM`, ...
    pub source: String,
    /// Display name (the API key's name, the member's name, `System`).
    pub name: String,
    /// The acting workspace member, for users.
    pub workspace_member_id: Option<Uuid>,
    /// The acting user, for users.
    pub user_id: Option<Uuid>,
    /// The API key, for API-key requests.
    pub api_key_id: Option<Uuid>,
}

impl EventActor {
    /// The actor of a session's changes.
    pub fn of(actor: &crate::Actor) -> Self {
        let (user_id, api_key_id) = match actor {
            crate::Actor::User { user_id, .. } => (Some(*user_id), None),
            crate::Actor::ApiKey { id, .. } => (None, Some(id.0)),
            crate::Actor::System { .. } => (None, None),
        };
        Self {
            source: actor.source().to_owned(),
            name: actor.name().to_owned(),
            workspace_member_id: actor.workspace_member_id(),
            user_id,
            api_key_id,
        }
    }
}

/// One record event as read from a workspace's outbox.
///
/// `seq` is the outbox row's sequence number: unique and increasing within the workspace, so
/// `(workspace_id, seq)` is the event's idempotency key for consumers. Events are handed out
/// in `(txid, seq)` order (commit-safe order; see `tessera_store::outbox`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordEvent {
    /// The tenant.
    pub workspace_id: WorkspaceId,
    /// Outbox sequence number (per workspace).
    pub seq: i64,
    /// PostgreSQL: the id of the transaction that wrote the event; SQLite: 0.
    pub txid: i64,
    /// `<objectNameSingular>.<action>`, e.g. `person.updated`.
    pub name: String,
    /// What happened.
    pub action: DatabaseEventAction,
    /// The object's metadata id.
    pub object_metadata_id: Uuid,
    /// The object's `nameSingular`.
    pub object_name_singular: String,
    /// The record.
    pub record_id: Uuid,
    /// Who made the change.
    pub actor: EventActor,
    /// The record before the change (update, delete, restore, destroy; upsert that updated).
    pub before: Option<Value>,
    /// The record after the change (create, update, delete, restore).
    pub after: Option<Value>,
    /// Updates: the fields named in the update input (Twenty's `updatedFields`).
    pub updated_fields: Option<Vec<String>>,
    /// Payload version (`V1`).
    pub version: String,
    /// When the change was committed (ISO-8601 UTC, milliseconds).
    pub created_at: String,
}

impl RecordEvent {
    /// Twenty's event `properties`: `{ before?, after?, updatedFields?, diff? }`; `diff` (for
    /// updates) maps each changed field to `{ before, after }`, skipping `updatedAt` and
    /// unchanged values (Twenty's `objectRecordChangedValues`).
    pub fn properties(&self) -> Value {
        let mut p = Map::new();
        if let Some(before) = &self.before {
            p.insert("before".into(), before.clone());
        }
        if let Some(after) = &self.after {
            p.insert("after".into(), after.clone());
        }
        if let Some(fields) = &self.updated_fields {
            p.insert(
                "updatedFields".into(),
                Value::Array(fields.iter().cloned().map(Value::String).collect()),
            );
        }
        if self.action == DatabaseEventAction::Updated
            && let (Some(Value::Object(before)), Some(Value::Object(after))) =
                (&self.before, &self.after)
        {
            p.insert("diff".into(), Value::Object(diff(before, after)));
        }
        Value::Object(p)
    }

    /// The record the event is about: `after`, else `before`, else `{}` (Twenty's
    /// `properties.after ?? properties.before ?? {}`).
    pub fn record(&self) -> Value {
        self.after
            .clone()
            .or_else(|| self.before.clone())
            .unwrap_or_else(|| Value::Object(Map::new()))
    }
}

/// `{field: {before, after}}` for every key of `after` whose value differs from `before`,
/// except `updatedAt` and `searchVector`.
pub fn diff(before: &Map<String, Value>, after: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, new) in after {
        if key == "updatedAt" || key == "searchVector" {
            continue;
        }
        let old = before.get(key).unwrap_or(&Value::Null);
        if old != new {
            let mut change = Map::new();
            change.insert("before".into(), old.clone());
            change.insert("after".into(), new.clone());
            out.insert(key.clone(), Value::Object(change));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn actions_parse_both_spellings() {
        for a in DatabaseEventAction::ALL {
            assert_eq!(DatabaseEventAction::parse(a.as_str()), Some(a));
            assert_eq!(DatabaseEventAction::parse(a.graphql_name()), Some(a));
        }
        assert_eq!(DatabaseEventAction::parse("nope"), None);
    }

    #[test]
    fn update_properties_carry_a_diff() {
        let event = RecordEvent {
            workspace_id: WorkspaceId::new_random(),
            seq: 1,
            txid: 0,
            name: "person.updated".into(),
            action: DatabaseEventAction::Updated,
            object_metadata_id: Uuid::new_v4(),
            object_name_singular: "person".into(),
            record_id: Uuid::new_v4(),
            actor: EventActor::default(),
            before: Some(json!({"city": "Paris", "jobTitle": "CTO", "updatedAt": "a"})),
            after: Some(json!({"city": "Paris", "jobTitle": "CEO", "updatedAt": "b"})),
            updated_fields: Some(vec!["jobTitle".into()]),
            version: EVENT_VERSION_V1.into(),
            created_at: "2026-01-01T00:00:00.000Z".into(),
        };
        assert_eq!(
            event.properties(),
            json!({
                "before": {"city": "Paris", "jobTitle": "CTO", "updatedAt": "a"},
                "after": {"city": "Paris", "jobTitle": "CEO", "updatedAt": "b"},
                "updatedFields": ["jobTitle"],
                "diff": {"jobTitle": {"before": "CTO", "after": "CEO"}}
            })
        );
        assert_eq!(event.record()["jobTitle"], json!("CEO"));
    }
}
