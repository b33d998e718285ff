//! The body of one webhook delivery, as Twenty builds it
//! (`transform-event-batch-to-webhook-events.ts`, `transform-event-to-webhook-event.ts`):
//!
//! ```json
//! { "targetUrl": "…", "eventName": "person.updated",
//!   "objectMetadata": { "id": "<uuid>", "nameSingular": "person" },
//!   "workspaceId": "<uuid>", "webhookId": "<uuid>", "eventDate": "<ISO-8601>",
//!   "userId": "<uuid>", "workspaceMemberId": "<uuid>",
//!   "record": { …after, or before when there is no after… },
//!   "updatedFields": ["jobTitle"] }
//! ```
//!
//! `userId` / `workspaceMemberId` appear only when the actor has them; `updatedFields` only for
//! updates; `record.secret` is removed for events of the object `webhook`. Deviation:
//! `eventDate` is the event's commit time (Twenty uses the time the job was built), so every
//! attempt of a delivery sends the same body.

use serde_json::{Map, Value};
use tessera_core::events::RecordEvent;
use tessera_store::{NewWebhookDelivery, WebhookRecord};

/// The idempotency key of (event × webhook): `<workspaceId>:<outbox seq>:<webhookId>`. Stable
/// across re-reads of the outbox and across attempts (outbox sequence numbers are never reused).
pub fn idempotency_key(event: &RecordEvent, webhook: &WebhookRecord) -> String {
    format!("{}:{}:{}", event.workspace_id.0, event.seq, webhook.id)
}

/// The JSON body for `event` sent to `webhook`, in Twenty's key order.
pub fn body(event: &RecordEvent, webhook: &WebhookRecord) -> Value {
    let mut m = Map::new();
    m.insert("targetUrl".into(), webhook.target_url.clone().into());
    m.insert("eventName".into(), event.name.clone().into());
    let mut object = Map::new();
    object.insert("id".into(), event.object_metadata_id.to_string().into());
    object.insert(
        "nameSingular".into(),
        event.object_name_singular.clone().into(),
    );
    m.insert("objectMetadata".into(), Value::Object(object));
    m.insert(
        "workspaceId".into(),
        event.workspace_id.0.to_string().into(),
    );
    m.insert("webhookId".into(), webhook.id.to_string().into());
    m.insert("eventDate".into(), event.created_at.clone().into());
    if let Some(user) = event.actor.user_id {
        m.insert("userId".into(), user.to_string().into());
    }
    if let Some(member) = event.actor.workspace_member_id {
        m.insert("workspaceMemberId".into(), member.to_string().into());
    }
    let mut record = event
        .after
        .clone()
        .or_else(|| event.before.clone())
        .unwrap_or_else(|| Value::Object(Map::new()));
    if event.object_name_singular == "webhook"
        && let Value::Object(r) = &mut record
    {
        r.remove("secret");
    }
    m.insert("record".into(), record);
    if let Some(fields) = &event.updated_fields {
        m.insert("updatedFields".into(), fields.clone().into());
    }
    Value::Object(m)
}

/// The queued delivery of `event` to `webhook`.
pub fn delivery(event: &RecordEvent, webhook: &WebhookRecord) -> NewWebhookDelivery {
    NewWebhookDelivery {
        idempotency_key: idempotency_key(event, webhook),
        workspace_id: event.workspace_id,
        webhook_id: webhook.id,
        event_name: event.name.clone(),
        payload: body(event, webhook).to_string(),
    }
}
