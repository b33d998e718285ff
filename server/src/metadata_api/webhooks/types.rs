//! GraphQL types of the webhook operations (Twenty's `Webhook`, `CreateWebhookInput`,
//! `UpdateWebhookInput`, `UpdateWebhookInputUpdates`).

use async_graphql::{InputObject, Object};
use tessera_store::WebhookRecord;
use uuid::Uuid;

use super::super::scalars::{DateTimeScalar, UuidScalar};

fn iso(t: chrono::DateTime<chrono::Utc>) -> DateTimeScalar {
    DateTimeScalar(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// `Webhook`: `{ id, targetUrl, operations, description, secret, applicationId, createdAt,
/// updatedAt, deletedAt }`.
pub struct Webhook(pub WebhookRecord);

#[Object(name = "Webhook")]
impl Webhook {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn target_url(&self) -> &str {
        &self.0.target_url
    }
    async fn operations(&self) -> &[String] {
        &self.0.operations
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn secret(&self) -> &str {
        &self.0.secret
    }
    /// Always the nil UUID: Tessera has no applications.
    async fn application_id(&self) -> UuidScalar {
        UuidScalar(Uuid::nil())
    }
    async fn created_at(&self) -> DateTimeScalar {
        iso(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTimeScalar {
        iso(self.0.updated_at)
    }
    async fn deleted_at(&self) -> Option<DateTimeScalar> {
        self.0.deleted_at.map(iso)
    }
}

/// `CreateWebhookInput`.
#[derive(InputObject, Debug)]
pub struct CreateWebhookInput {
    /// Id to use (a fresh one when absent).
    pub id: Option<UuidScalar>,
    /// `http(s)` URL events are POSTed to.
    pub target_url: String,
    /// Event patterns (`person.created`, `*.updated`, `*.*`).
    pub operations: Vec<String>,
    /// Free text.
    pub description: Option<String>,
    /// Signing secret (random when absent).
    pub secret: Option<String>,
}

/// `UpdateWebhookInputUpdates`: the fields to change (absent or null: unchanged).
#[derive(InputObject, Debug)]
pub struct UpdateWebhookInputUpdates {
    /// New target URL.
    pub target_url: Option<String>,
    /// New operations.
    pub operations: Option<Vec<String>>,
    /// New description.
    pub description: Option<String>,
    /// New secret.
    pub secret: Option<String>,
}

/// `UpdateWebhookInput`.
#[derive(InputObject, Debug)]
pub struct UpdateWebhookInput {
    /// The id of the webhook to update
    pub id: UuidScalar,
    /// The webhook fields to update
    pub update: UpdateWebhookInputUpdates,
}
