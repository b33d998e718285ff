//! API keys of `/metadata` (Twenty's `api-key.resolver.ts`,
//! `shared/reference/twenty-metadata-auth.md` §6.8): `apiKeys`, `apiKey`, `createApiKey`,
//! `updateApiKey`, `revokeApiKey`, `assignRoleToApiKey`, `generateApiKeyToken`. Every
//! operation needs the `API_KEYS_AND_WEBHOOKS` flag; binding a key to a role (create, assign)
//! without the `ROLES` flag is limited to roles that grant nothing more than the caller's own
//! (Twenty's privilege-escalation rule). A key's row is checked on every request,
//! so revoking it or moving its expiry into the past stops its tokens at once.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tessera_core::{ObjectKey, PermissionFlag};
use tessera_store::{ApiKeyRecord, RoleError};

use super::MetadataContext;
use super::errors::{PermissionDenied, bad, coded, context, not_found, require_flag, store};
use super::roles::{RoleGql, instant};
use super::scalars::{DateTimeScalar, UuidScalar};

/// `createApiKey(input:)`.
#[derive(InputObject, Debug, Clone)]
pub struct CreateApiKeyInput {
    /// Display name.
    pub name: String,
    /// Expiry, ISO-8601 (e.g. `2027-01-01T00:00:00.000Z`).
    pub expires_at: String,
    /// Revocation time, ISO-8601 (normally absent).
    pub revoked_at: Option<String>,
    /// The role the key acts with.
    pub role_id: UuidScalar,
}

/// `updateApiKey(input:)`; absent values are kept.
#[derive(InputObject, Debug, Clone)]
pub struct UpdateApiKeyInput {
    /// The key.
    pub id: UuidScalar,
    /// New name.
    pub name: Option<String>,
    /// New expiry, ISO-8601.
    pub expires_at: Option<String>,
    /// Revocation time, ISO-8601.
    pub revoked_at: Option<String>,
}

/// `revokeApiKey(input:)`.
#[derive(InputObject, Debug, Clone)]
pub struct RevokeApiKeyInput {
    /// The key.
    pub id: UuidScalar,
}

/// `apiKey(input:)`.
#[derive(InputObject, Debug, Clone)]
pub struct GetApiKeyInput {
    /// The key.
    pub id: UuidScalar,
}

/// A minted token (Twenty's `ApiKeyToken`).
#[derive(SimpleObject, Debug, Clone)]
pub struct ApiKeyToken {
    /// The bearer token (an HS256 JWT, `type: API_KEY`, `jti` = the key id).
    pub token: String,
}

/// An API key (Twenty's `ApiKey`).
#[derive(Debug, Clone)]
pub struct ApiKeyGql(ApiKeyRecord);

#[Object(name = "ApiKey")]
impl ApiKeyGql {
    /// Key id (the token's `jti`).
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// After this instant the key is refused.
    async fn expires_at(&self) -> DateTimeScalar {
        instant(self.0.expires_at)
    }
    /// Set when revoked.
    async fn revoked_at(&self) -> Option<DateTimeScalar> {
        self.0.revoked_at.map(instant)
    }
    /// Creation time.
    async fn created_at(&self) -> DateTimeScalar {
        instant(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTimeScalar {
        instant(self.0.updated_at)
    }
    /// The role the key acts with (Admin when none was assigned).
    async fn role(&self, ctx: &Context<'_>) -> async_graphql::Result<RoleGql> {
        let mc = context(ctx)?;
        let ws = mc.session()?.workspace_id;
        let role_id = mc
            .store
            .api_key_role_id(ws, self.0.id)
            .await
            .map_err(store)?;
        let role = mc
            .store
            .role(ws, role_id)
            .await
            .map_err(store)?
            .ok_or_else(|| store(RoleError::NotFound(role_id).into()))?;
        Ok(RoleGql(role))
    }
}

fn parse_instant(field: &str, value: &str) -> async_graphql::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            bad(format!(
                "Invalid {field}: expected an ISO-8601 date-time, got \"{value}\""
            ))
        })
}

fn parse_opt(field: &str, value: Option<&str>) -> async_graphql::Result<Option<DateTime<Utc>>> {
    value.map(|v| parse_instant(field, v)).transpose()
}

/// Twenty's API-key privilege-escalation rule: without the `ROLES` flag, a caller may only bind
/// a key to a role that grants nothing the caller lacks (`FORBIDDEN`, `User does not have
/// permission`). Errors also: `NOT_FOUND` for an unknown role.
async fn check_role_within_caller(
    mc: &MetadataContext,
    role_id: uuid::Uuid,
) -> async_graphql::Result<()> {
    let session = mc.session()?;
    if session.permissions.has_flag(PermissionFlag::Roles) {
        return Ok(());
    }
    let ws = session.workspace_id;
    let target = mc
        .store
        .role_permissions(ws, role_id)
        .await
        .map_err(store)?;
    let model = mc.store.workspace_model(ws).await.map_err(store)?;
    let objects = model.objects.iter().map(|o| ObjectKey {
        id: o.meta.id,
        is_system: o.meta.is_system,
        name_singular: o.singular(),
    });
    let fields = model
        .objects
        .iter()
        .flat_map(|o| o.fields.iter().map(|f| f.meta.id));
    if target.is_within(&session.permissions, objects, fields) {
        Ok(())
    } else {
        Err(coded(&PermissionDenied))
    }
}

async fn key(mc: &MetadataContext, id: uuid::Uuid) -> async_graphql::Result<ApiKeyRecord> {
    let ws = mc.session()?.workspace_id;
    mc.store
        .api_key(ws, id)
        .await
        .map_err(store)?
        .ok_or_else(|| not_found("API key", id))
}

/// API-key queries of `/metadata`.
#[derive(Default)]
pub struct ApiKeysQuery;

#[Object]
impl ApiKeysQuery {
    /// The workspace's API keys (revoked and expired ones included), oldest first.
    async fn api_keys(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiKeyGql>> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::ApiKeysAndWebhooks)?.workspace_id;
        let keys = mc.store.api_keys(ws).await.map_err(store)?;
        Ok(keys.into_iter().map(ApiKeyGql).collect())
    }

    /// One API key; `null` when the workspace has no such key.
    async fn api_key(
        &self,
        ctx: &Context<'_>,
        input: GetApiKeyInput,
    ) -> async_graphql::Result<Option<ApiKeyGql>> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::ApiKeysAndWebhooks)?.workspace_id;
        let key = mc.store.api_key(ws, input.id.0).await.map_err(store)?;
        Ok(key.map(ApiKeyGql))
    }
}

/// API-key mutations of `/metadata`.
#[derive(Default)]
pub struct ApiKeysMutation;

#[Object]
impl ApiKeysMutation {
    /// Creates a key acting with `roleId` (no token yet: see `generateApiKeyToken`).
    /// Errors: `BAD_USER_INPUT` (dates), `NOT_FOUND` (role), `FORBIDDEN` (role not assignable
    /// to API keys, or stronger than the caller's without `ROLES`).
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> async_graphql::Result<ApiKeyGql> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::ApiKeysAndWebhooks)?.workspace_id;
        let expires_at = parse_instant("expiresAt", &input.expires_at)?;
        let revoked_at = parse_opt("revokedAt", input.revoked_at.as_deref())?;
        if input.name.trim().is_empty() {
            return Err(bad("API key name cannot be empty".to_owned()));
        }
        check_role_within_caller(mc, input.role_id.0).await?;
        let key = mc
            .store
            .create_api_key_with_role(ws, &input.name, expires_at, revoked_at, input.role_id.0)
            .await
            .map_err(store)?;
        Ok(ApiKeyGql(key))
    }

    /// Changes a key's name, expiry or revocation; `null` when there is no such key.
    async fn update_api_key(
        &self,
        ctx: &Context<'_>,
        input: UpdateApiKeyInput,
    ) -> async_graphql::Result<Option<ApiKeyGql>> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::ApiKeysAndWebhooks)?.workspace_id;
        let expires_at = parse_opt("expiresAt", input.expires_at.as_deref())?;
        let revoked_at = parse_opt("revokedAt", input.revoked_at.as_deref())?;
        if mc
            .store
            .api_key(ws, input.id.0)
            .await
            .map_err(store)?
            .is_none()
        {
            return Ok(None);
        }
        let key = mc
            .store
            .update_api_key_values(
                ws,
                input.id.0,
                input.name.as_deref(),
                expires_at,
                revoked_at,
            )
            .await
            .map_err(store)?;
        Ok(Some(ApiKeyGql(key)))
    }

    /// Revokes a key (sets `revokedAt` to now, once); `null` when there is no such key.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        input: RevokeApiKeyInput,
    ) -> async_graphql::Result<Option<ApiKeyGql>> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::ApiKeysAndWebhooks)?.workspace_id;
        if mc
            .store
            .api_key(ws, input.id.0)
            .await
            .map_err(store)?
            .is_none()
        {
            return Ok(None);
        }
        mc.store
            .revoke_api_key(ws, input.id.0)
            .await
            .map_err(store)?;
        Ok(Some(ApiKeyGql(key(mc, input.id.0).await?)))
    }

    /// Gives a key a role. Errors: `NOT_FOUND` (key or role), `FORBIDDEN` (role not
    /// assignable to API keys, or stronger than the caller's without `ROLES`).
    async fn assign_role_to_api_key(
        &self,
        ctx: &Context<'_>,
        api_key_id: UuidScalar,
        role_id: UuidScalar,
    ) -> async_graphql::Result<bool> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::ApiKeysAndWebhooks)?.workspace_id;
        check_role_within_caller(mc, role_id.0).await?;
        mc.store
            .assign_role_to_api_key(ws, api_key_id.0, role_id.0)
            .await
            .map_err(store)?;
        Ok(true)
    }

    /// Mints a token for a key, valid until `expiresAt` (ISO-8601). Errors: `NOT_FOUND`,
    /// `BAD_USER_INPUT` (bad date, revoked key: `This API Key is revoked`).
    ///
    /// Twenty (newest) lets only user sessions call this; Tessera also lets API keys with
    /// `API_KEYS_AND_WEBHOOKS` call it, since there is no sign-in yet.
    async fn generate_api_key_token(
        &self,
        ctx: &Context<'_>,
        api_key_id: UuidScalar,
        expires_at: String,
    ) -> async_graphql::Result<ApiKeyToken> {
        let mc = context(ctx)?;
        let ws = require_flag(mc, PermissionFlag::ApiKeysAndWebhooks)?.workspace_id;
        let expires_at = parse_instant("expiresAt", &expires_at)?;
        let key = key(mc, api_key_id.0).await?;
        if key.revoked_at.is_some() {
            return Err(bad("This API Key is revoked".to_owned()));
        }
        Ok(ApiKeyToken {
            token: crate::auth::mint_api_key_token(&mc.app_secret, ws, key.id, expires_at),
        })
    }
}
