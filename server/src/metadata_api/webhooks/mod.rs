//! The webhook root fields of `/metadata`, with Twenty's names and shapes
//! (`twenty-client-sdk@2.43.0` `schema.d.ts`: `webhooks`, `webhook(id)`,
//! `createWebhook(input: CreateWebhookInput!)`, `updateWebhook(input: UpdateWebhookInput!)`,
//! `deleteWebhook(id)`, type `Webhook`).
//!
//! Every operation needs a workspace session and passes [`authorize`] (the one place that
//! will check Twenty's `API_KEYS_AND_WEBHOOKS` permission flag). Target URLs are checked
//! against the operator's [`UrlPolicy`] (request data; refused private/loopback targets by
//! default) when a webhook is created or its URL changes.
//!
//! Deviations: `applicationId` is the nil UUID (Tessera has no applications); a webhook
//! created without a secret gets a random one (32 random bytes, hex), so deliveries are
//! always signed.

mod types;

use async_graphql::{Context, Object};
use tessera_core::{ErrorCode, Session};
use tessera_store::WebhookPatch;
use tessera_worker::webhooks::url_policy::{self, UrlPolicy};

use super::MetadataContext;
use super::errors::{ApiError, bad, coded, context, not_found};
use super::scalars::UuidScalar;
pub use types::{CreateWebhookInput, UpdateWebhookInput, UpdateWebhookInputUpdates, Webhook};

/// The actions an operation may name (Twenty's database event actions) or `*`.
const ACTIONS: &[&str] = &[
    "*",
    "created",
    "updated",
    "deleted",
    "destroyed",
    "restored",
    "upserted",
];

/// The session allowed to manage webhooks: its role needs the `API_KEYS_AND_WEBHOOKS`
/// settings permission (Twenty's `SettingsPermissionGuard(API_KEYS_AND_WEBHOOKS)`).
/// Errors: `UNAUTHENTICATED` without a token, `FORBIDDEN` without the permission.
pub(crate) fn authorize(mc: &MetadataContext) -> async_graphql::Result<&Session> {
    super::errors::require_flag(mc, tessera_core::PermissionFlag::ApiKeysAndWebhooks)
}

fn policy(ctx: &Context<'_>) -> UrlPolicy {
    ctx.data_opt::<UrlPolicy>().copied().unwrap_or_default()
}

/// Checks operations: non-empty, each `<object>.<action>` with `<object>` `*` or an
/// alphanumeric name and `<action>` one of [`ACTIONS`]. Errors: `BAD_USER_INPUT`.
fn validate_operations(operations: &[String]) -> async_graphql::Result<()> {
    if operations.is_empty() {
        return Err(bad("A webhook needs at least one operation".to_owned()));
    }
    for op in operations {
        let valid = op.split_once('.').is_some_and(|(object, action)| {
            (object == "*"
                || (!object.is_empty() && object.chars().all(|c| c.is_ascii_alphanumeric())))
                && ACTIONS.contains(&action)
        });
        if !valid {
            return Err(bad(format!(
                "Invalid webhook operation \"{op}\": expected <object>.<action> with an action among {}",
                ACTIONS.join(", ")
            )));
        }
    }
    Ok(())
}

async fn check_url(ctx: &Context<'_>, url: &str) -> async_graphql::Result<()> {
    url_policy::check(url, policy(ctx))
        .await
        .map_err(|e| coded(&e))
}

/// Webhook queries of `/metadata`.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The workspace's webhooks, oldest first.
    async fn webhooks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Webhook>> {
        let mc = context(ctx)?;
        let ws = authorize(mc)?.workspace_id;
        let hooks = mc.store.webhooks(ws).await.map_err(|e| coded(&e))?;
        Ok(hooks.into_iter().map(Webhook).collect())
    }

    /// One webhook of the workspace, or null when there is none with this id.
    async fn webhook(
        &self,
        ctx: &Context<'_>,
        id: UuidScalar,
    ) -> async_graphql::Result<Option<Webhook>> {
        let mc = context(ctx)?;
        let ws = authorize(mc)?.workspace_id;
        let hook = mc.store.webhook(ws, id.0).await.map_err(|e| coded(&e))?;
        Ok(hook.map(Webhook))
    }
}

/// Webhook mutations of `/metadata`.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Creates a webhook. Errors: `BAD_USER_INPUT` (URL invalid or refused, operations
    /// invalid), `CONFLICT` (id taken).
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookInput,
    ) -> async_graphql::Result<Webhook> {
        let mc = context(ctx)?;
        let ws = authorize(mc)?.workspace_id;
        validate_operations(&input.operations)?;
        check_url(ctx, &input.target_url).await?;
        let secret = input
            .secret
            .clone()
            .unwrap_or_else(|| hex::encode(rand::random::<[u8; 32]>()));
        let created = mc
            .store
            .create_webhook(
                ws,
                input.id.map(|i| i.0),
                &input.target_url,
                &input.operations,
                input.description.as_deref(),
                &secret,
            )
            .await
            .map_err(|e| match e {
                tessera_store::StoreError::Run(tessera_query::RunError::UniqueViolation {
                    ..
                }) => coded(&ApiError {
                    code: ErrorCode::Conflict,
                    message: "A webhook with this id already exists".to_owned(),
                }),
                other => coded(&other),
            })?;
        Ok(Webhook(created))
    }

    /// Updates a webhook's given fields. Errors: `NOT_FOUND`, `BAD_USER_INPUT`.
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookInput,
    ) -> async_graphql::Result<Webhook> {
        let mc = context(ctx)?;
        let ws = authorize(mc)?.workspace_id;
        let u = input.update;
        if let Some(ops) = &u.operations {
            validate_operations(ops)?;
        }
        if let Some(url) = &u.target_url {
            check_url(ctx, url).await?;
        }
        let patch = WebhookPatch {
            target_url: u.target_url,
            operations: u.operations,
            description: u.description,
            secret: u.secret,
        };
        mc.store
            .update_webhook(ws, input.id.0, &patch)
            .await
            .map_err(|e| coded(&e))?
            .map(Webhook)
            .ok_or_else(|| not_found("webhook", input.id.0))
    }

    /// Deletes a webhook (no more deliveries are queued for it; queued ones are
    /// dead-lettered) and returns it. Errors: `NOT_FOUND`.
    async fn delete_webhook(
        &self,
        ctx: &Context<'_>,
        id: UuidScalar,
    ) -> async_graphql::Result<Webhook> {
        let mc = context(ctx)?;
        let ws = authorize(mc)?.workspace_id;
        mc.store
            .delete_webhook(ws, id.0)
            .await
            .map_err(|e| coded(&e))?
            .map(Webhook)
            .ok_or_else(|| not_found("webhook", id.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_validated() {
        let ok = |ops: &[&str]| {
            validate_operations(&ops.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).is_ok()
        };
        assert!(ok(&["person.created", "*.updated", "*.*", "company.*"]));
        assert!(!ok(&[]));
        assert!(!ok(&["person"]));
        assert!(!ok(&["person.exploded"]));
        assert!(!ok(&[".created"]));
        assert!(!ok(&["per son.created"]));
    }
}
