//! The workspace schema's `Subscription` type: Twenty's `onDbEvent`
//! (`src/engine/subscriptions/subscriptions.resolver.ts`, DTOs `on-db-event.dto.ts`,
//! `on-db-event.input.ts`; `shared/reference/twenty-metadata-auth.md` §8.1):
//!
//! ```graphql
//! enum DatabaseEventAction { CREATED UPDATED DELETED DESTROYED RESTORED UPSERTED }
//! input OnDbEventInput { action: DatabaseEventAction  objectNameSingular: String  recordId: UUID }
//! type OnDbEvent { action: DatabaseEventAction!  objectNameSingular: String!  eventDate: DateTime!
//!                  record: JSON!  updatedFields: [String!] }
//! type Subscription { onDbEvent(input: OnDbEventInput!): OnDbEvent! }
//! ```
//!
//! Events come from an [`EventSource`] the server attaches to the request ([`EventFeed`]);
//! each one passes [`visible_event`] (the single permission hook) and the input's filters.
//! `record` is `after ?? before ?? {}` and `eventDate` the commit time of the change (Twenty
//! stamps the publish time).

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, Field, InputObject, InputValue, Object, Subscription, SubscriptionField,
    SubscriptionFieldFuture, TypeRef,
};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde_json::{Value as Json, json};
use tessera_core::{DatabaseEventAction, ObjectKey, RecordEvent, Session, WorkspaceId};
use tessera_metadata::{FieldKind, WorkspaceModel};

use crate::RequestContext;
use crate::value::{Lookup, Shape, json_field, to_field_value};

/// Live record events of a workspace (the server's pub/sub). `subscribe` returns the events
/// published from now on, in order; the stream ends when the source shuts down.
pub trait EventSource: Send + Sync {
    /// Events of `workspace` only.
    fn subscribe(&self, workspace: WorkspaceId) -> BoxStream<'static, Arc<RecordEvent>>;
}

/// Request data carrying the event source; attach with `async_graphql::Request::data`
/// next to [`RequestContext`] for subscription operations.
#[derive(Clone)]
pub struct EventFeed(pub Arc<dyn EventSource>);

/// THE permission hook for subscription events: what `session` may see of `event`, or
/// `None` to drop it (Twenty's `ObjectRecordEventPublisher`): events of another workspace, of
/// an object the model no longer has (deleted or inactive), or of an object the session
/// cannot read are dropped; fields it cannot read are stripped from `before` / `after`
/// (with their join column) and from `updatedFields`; an update whose `updatedFields` become
/// empty is dropped.
pub fn visible_event(
    session: &Session,
    model: &WorkspaceModel,
    event: &RecordEvent,
) -> Option<RecordEvent> {
    if event.workspace_id != session.workspace_id {
        return None;
    }
    let object = model
        .objects
        .iter()
        .find(|o| o.meta.id == event.object_metadata_id)?;
    let permissions = &session.permissions;
    let access = permissions.object(ObjectKey {
        id: object.meta.id,
        is_system: object.meta.is_system,
        name_singular: object.singular(),
    });
    if !access.can_read {
        return None;
    }
    let hidden: Vec<&str> = object
        .fields
        .iter()
        .filter(|f| !permissions.can_read_field(f.meta.id))
        .flat_map(|f| {
            let mut keys = vec![f.name()];
            if let FieldKind::ManyToOne { join_column, .. } = &f.kind {
                keys.push(join_column.name.as_str());
            }
            keys
        })
        .collect();
    let mut visible = event.clone();
    if hidden.is_empty() {
        return Some(visible);
    }
    for image in [&mut visible.before, &mut visible.after]
        .into_iter()
        .flatten()
    {
        if let Some(map) = image.as_object_mut() {
            map.retain(|key, _| !hidden.contains(&key.as_str()));
        }
    }
    if let Some(fields) = &mut visible.updated_fields {
        let was_empty = fields.is_empty();
        fields.retain(|f| !hidden.contains(&f.as_str()));
        if fields.is_empty() && !was_empty && event.action == DatabaseEventAction::Updated {
            return None;
        }
    }
    Some(visible)
}

/// The `onDbEvent` input's filters; each given one must equal the event's value.
#[derive(Debug, Clone, Default, PartialEq)]
struct OnDbEventFilter {
    action: Option<DatabaseEventAction>,
    object_name_singular: Option<String>,
    record_id: Option<String>,
}

impl OnDbEventFilter {
    fn from_input(input: &Json) -> Self {
        Self {
            action: input
                .get("action")
                .and_then(Json::as_str)
                .and_then(DatabaseEventAction::parse),
            object_name_singular: input
                .get("objectNameSingular")
                .and_then(Json::as_str)
                .map(str::to_owned),
            record_id: input
                .get("recordId")
                .and_then(Json::as_str)
                .map(str::to_ascii_lowercase),
        }
    }

    fn matches(&self, event: &RecordEvent) -> bool {
        self.action.is_none_or(|a| a == event.action)
            && self
                .object_name_singular
                .as_deref()
                .is_none_or(|o| o == event.object_name_singular)
            && self
                .record_id
                .as_deref()
                .is_none_or(|id| id == event.record_id.hyphenated().to_string())
    }
}

/// The `OnDbEvent` JSON of an event.
pub fn on_db_event_json(event: &RecordEvent) -> Json {
    let mut out = json!({
        "action": event.action.graphql_name(),
        "objectNameSingular": event.object_name_singular,
        "eventDate": event.created_at,
        "record": event.record(),
    });
    if let Some(fields) = &event.updated_fields {
        out["updatedFields"] = json!(fields);
    }
    out
}

/// Registers the types of the `Subscription` root and returns it.
pub(crate) fn subscription_types(
    types: &mut Vec<async_graphql::dynamic::Type>,
    model: Arc<WorkspaceModel>,
) -> Subscription {
    types.push(
        Enum::new("DatabaseEventAction")
            .description("Database Event Action")
            .items(DatabaseEventAction::ALL.map(DatabaseEventAction::graphql_name))
            .into(),
    );
    types.push(
        InputObject::new("OnDbEventInput")
            .field(InputValue::new(
                "action",
                TypeRef::named("DatabaseEventAction"),
            ))
            .field(InputValue::new(
                "objectNameSingular",
                TypeRef::named(TypeRef::STRING),
            ))
            .field(InputValue::new("recordId", TypeRef::named("UUID")))
            .into(),
    );
    let fields: [(&str, TypeRef); 5] = [
        ("action", TypeRef::named_nn("DatabaseEventAction")),
        ("objectNameSingular", TypeRef::named_nn(TypeRef::STRING)),
        ("eventDate", TypeRef::named_nn("DateTime")),
        ("record", TypeRef::named_nn("JSON")),
        ("updatedFields", TypeRef::named_nn_list(TypeRef::STRING)),
    ];
    let mut object = Object::new("OnDbEvent");
    for (name, ty) in fields {
        let field: Field = json_field(name, ty, Lookup::Name);
        object = object.field(field);
    }
    types.push(object.into());
    Subscription::new("Subscription").field(
        SubscriptionField::new("onDbEvent", TypeRef::named_nn("OnDbEvent"), move |ctx| {
            let model = model.clone();
            SubscriptionFieldFuture::new(async move {
                let rc = ctx.data::<RequestContext>()?;
                let feed = ctx.data::<EventFeed>().map_err(|_| {
                    async_graphql::Error::new("Subscriptions are served over WebSocket only")
                })?;
                let input = ctx
                    .args
                    .get("input")
                    .map(|v| v.as_value().clone().into_json().unwrap_or(Json::Null))
                    .unwrap_or(Json::Null);
                let filter = OnDbEventFilter::from_input(&input);
                let session = rc.session.clone();
                let stream = feed
                    .0
                    .subscribe(session.workspace_id)
                    .filter_map(move |event| {
                        let visible = visible_event(&session, &model, &event)
                            .filter(|e| filter.matches(e))
                            .and_then(|e| to_field_value(on_db_event_json(&e), Shape::Object))
                            .map(Ok::<_, async_graphql::Error>);
                        async move { visible }
                    });
                Ok(stream)
            })
        })
        .argument(InputValue::new(
            "input",
            TypeRef::named_nn("OnDbEventInput"),
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::{EventActor, FieldOverride, ObjectOverride, Permissions};
    use uuid::Uuid;

    fn model(ws: WorkspaceId) -> WorkspaceModel {
        WorkspaceModel::build(ws, 1, &tessera_metadata::standard::standard_objects())
            .expect("model")
    }

    fn person(model: &WorkspaceModel) -> &tessera_metadata::ObjectModel {
        model.object("person").expect("person")
    }

    fn event(ws: WorkspaceId, action: DatabaseEventAction) -> RecordEvent {
        RecordEvent {
            workspace_id: ws,
            seq: 1,
            txid: 0,
            name: format!("person.{}", action.as_str()),
            action,
            object_metadata_id: Uuid::new_v4(),
            object_name_singular: "person".into(),
            record_id: Uuid::parse_str("30303030-0000-4000-8000-000000000001").expect("uuid"),
            actor: EventActor::default(),
            before: None,
            after: Some(json!({"id": "30303030-0000-4000-8000-000000000001"})),
            updated_fields: None,
            version: "V1".into(),
            created_at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    fn person_event(
        model: &WorkspaceModel,
        ws: WorkspaceId,
        action: DatabaseEventAction,
    ) -> RecordEvent {
        RecordEvent {
            object_metadata_id: person(model).meta.id,
            ..event(ws, action)
        }
    }

    fn session(ws: WorkspaceId, permissions: Permissions) -> Session {
        Session {
            workspace_id: ws,
            actor: tessera_core::Actor::System { source: "API" },
            permissions: Arc::new(permissions),
        }
    }

    #[test]
    fn other_workspaces_and_unknown_objects_are_dropped() {
        let ws = WorkspaceId::new_random();
        let model = model(ws);
        let session = session(ws, Permissions::all());
        let created = person_event(&model, ws, DatabaseEventAction::Created);
        assert!(visible_event(&session, &model, &created).is_some());
        let other = person_event(
            &model,
            WorkspaceId::new_random(),
            DatabaseEventAction::Created,
        );
        assert!(visible_event(&session, &model, &other).is_none());
        let unknown = event(ws, DatabaseEventAction::Created);
        assert!(visible_event(&session, &model, &unknown).is_none());
    }

    #[test]
    fn unreadable_objects_and_fields_are_hidden() {
        let ws = WorkspaceId::new_random();
        let model = model(ws);
        let person = person(&model);
        let mut no_person = Permissions::all();
        no_person.bypass = false;
        no_person.objects.insert(
            person.meta.id,
            ObjectOverride {
                can_read: Some(false),
                ..ObjectOverride::default()
            },
        );
        let created = person_event(&model, ws, DatabaseEventAction::Created);
        assert!(visible_event(&session(ws, no_person), &model, &created).is_none());

        let mut no_city = Permissions::all();
        no_city.bypass = false;
        let city = person.field("city").expect("city").meta.id;
        let company = person.field("company").expect("company").meta.id;
        for field in [city, company] {
            no_city.fields.insert(
                field,
                FieldOverride {
                    can_read: Some(false),
                    can_update: Some(false),
                },
            );
        }
        let session = session(ws, no_city);
        let updated = RecordEvent {
            before: Some(json!({"id": "x", "city": "Paris", "companyId": "c", "jobTitle": "CEO"})),
            after: Some(json!({"id": "x", "city": "Lyon", "companyId": "c", "jobTitle": "CTO"})),
            updated_fields: Some(vec!["city".into(), "jobTitle".into()]),
            ..person_event(&model, ws, DatabaseEventAction::Updated)
        };
        let seen = visible_event(&session, &model, &updated).expect("visible");
        assert_eq!(seen.after, Some(json!({"id": "x", "jobTitle": "CTO"})));
        assert_eq!(seen.before, Some(json!({"id": "x", "jobTitle": "CEO"})));
        assert_eq!(seen.updated_fields, Some(vec!["jobTitle".to_owned()]));
        let only_city = RecordEvent {
            updated_fields: Some(vec!["city".into()]),
            ..updated
        };
        assert!(visible_event(&session, &model, &only_city).is_none());
    }

    #[test]
    fn filters_compare_each_given_input_field() {
        let ws = WorkspaceId::new_random();
        let created = event(ws, DatabaseEventAction::Created);
        let f = OnDbEventFilter::from_input(&json!({"action": "CREATED"}));
        assert!(f.matches(&created));
        assert!(!f.matches(&event(ws, DatabaseEventAction::Updated)));
        let f = OnDbEventFilter::from_input(&json!({"objectNameSingular": "company"}));
        assert!(!f.matches(&created));
        let f = OnDbEventFilter::from_input(
            &json!({"recordId": "30303030-0000-4000-8000-000000000001", "objectNameSingular": "person"}),
        );
        assert!(f.matches(&created));
        let f = OnDbEventFilter::from_input(
            &json!({"recordId": "30303030-0000-4000-8000-000000000002"}),
        );
        assert!(!f.matches(&created));
        assert!(OnDbEventFilter::from_input(&json!({})).matches(&created));
    }
}
