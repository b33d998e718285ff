//! Shared application state: the store, the app secret and the per-workspace schema cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::dynamic::Schema;
use tessera_core::WorkspaceId;
use tessera_store::Store;
use tokio::sync::OnceCell;

use crate::{ServerConfig, ServerError, config::resolve_app_secret};

/// State shared by every request. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    app_secret: String,
    pubsub: crate::events::PubSub,
    schemas: SchemaCache,
    metadata: crate::metadata_api::MetadataSchema,
    accounts: Arc<crate::accounts::Accounts>,
    webhook_allow_private: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.inner.store)
            .field("app_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Connects the store (running migrations) and resolves the app secret (see
    /// [`resolve_app_secret`]).
    ///
    /// Connects Redis too when `config.redis_url` is set (events then fan out through it).
    /// The outbox dispatcher is not started here: see [`crate::events::spawn_dispatcher`].
    ///
    /// Errors: [`ServerError::Store`], [`ServerError::MissingAppSecret`], [`ServerError::Io`],
    /// [`ServerError::PubSub`].
    pub async fn new(config: &ServerConfig) -> Result<AppState, ServerError> {
        let app_secret = resolve_app_secret(config)?;
        let store = Store::connect(&config.store_config()).await?;
        let pubsub = match &config.redis_url {
            Some(url) => crate::events::PubSub::redis(url).await?,
            None => crate::events::PubSub::local(),
        };
        let state = Self::from_parts_with(store, app_secret, config.auth.clone(), pubsub);
        state.set_webhook_url_policy(config.jobs.delivery.policy);
        Ok(state)
    }

    /// State over an already connected store (tests share one store between states), with
    /// the default [`crate::AuthConfig`] and in-process pub/sub.
    pub fn from_parts(store: Store, app_secret: String) -> AppState {
        Self::from_parts_with_auth(store, app_secret, crate::AuthConfig::default())
    }

    /// [`AppState::from_parts`] with an explicit accounts configuration.
    pub fn from_parts_with_auth(
        store: Store,
        app_secret: String,
        auth: crate::AuthConfig,
    ) -> AppState {
        Self::from_parts_with(store, app_secret, auth, crate::events::PubSub::local())
    }

    /// [`AppState::from_parts`] with an explicit pub/sub.
    pub fn with_pubsub(
        store: Store,
        app_secret: String,
        pubsub: crate::events::PubSub,
    ) -> AppState {
        Self::from_parts_with(store, app_secret, crate::AuthConfig::default(), pubsub)
    }

    /// State over an already connected store, accounts configuration and pub/sub.
    pub fn from_parts_with(
        store: Store,
        app_secret: String,
        auth: crate::AuthConfig,
        pubsub: crate::events::PubSub,
    ) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                accounts: Arc::new(crate::accounts::Accounts::new(
                    store.clone(),
                    app_secret.clone(),
                    auth,
                )),
                store,
                app_secret,
                pubsub,
                schemas: SchemaCache::default(),
                metadata: crate::metadata_api::metadata_schema(),
                webhook_allow_private: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    /// Which webhook target URLs `/metadata` accepts (default: private and loopback targets
    /// refused).
    pub fn webhook_url_policy(&self) -> tessera_worker::webhooks::url_policy::UrlPolicy {
        tessera_worker::webhooks::url_policy::UrlPolicy {
            allow_private: self
                .inner
                .webhook_allow_private
                .load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Sets the policy [`Self::webhook_url_policy`] returns (tests allow loopback receivers).
    pub fn set_webhook_url_policy(&self, policy: tessera_worker::webhooks::url_policy::UrlPolicy) {
        self.inner
            .webhook_allow_private
            .store(policy.allow_private, std::sync::atomic::Ordering::Relaxed);
    }

    /// The pub/sub that carries record events to subscribers.
    pub fn pubsub(&self) -> &crate::events::PubSub {
        &self.inner.pubsub
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The `/metadata` schema (static, built once).
    pub fn metadata_schema(&self) -> &crate::metadata_api::MetadataSchema {
        &self.inner.metadata
    }

    /// The accounts service (sign-in, tokens, invitations, password reset).
    pub fn accounts(&self) -> &Arc<crate::accounts::Accounts> {
        &self.inner.accounts
    }

    /// The app secret tokens are signed with.
    pub fn app_secret(&self) -> &str {
        &self.inner.app_secret
    }

    /// The GraphQL schema of `ws` at metadata `version`, built once per (workspace, version)
    /// even under concurrent requests; older versions are evicted.
    ///
    /// Errors: [`ServerError::Store`] (metadata unreadable), [`ServerError::Schema`].
    pub async fn schema(&self, ws: WorkspaceId, version: i64) -> Result<Arc<Schema>, ServerError> {
        let cell = self.inner.schemas.cell(ws, version);
        let store = self.store();
        cell.get_or_try_init(|| async move {
            let model = store.workspace_model(ws).await?;
            let started = std::time::Instant::now();
            let schema = tessera_graphql::build_schema(model)?;
            tracing::info!(workspace_id = %ws, version, elapsed_ms = started.elapsed().as_millis(), "schema built");
            Ok::<_, ServerError>(Arc::new(schema))
        })
        .await
        .cloned()
    }
}

/// A schema built at most once, shared by the requests that wait for it.
type SchemaSlot = Arc<OnceCell<Arc<Schema>>>;

/// One build slot per workspace, for its newest known metadata version.
#[derive(Default)]
struct SchemaCache {
    slots: Mutex<HashMap<WorkspaceId, (i64, SchemaSlot)>>,
}

impl SchemaCache {
    /// The slot of (ws, version): shared for the newest version, replacing older ones; a
    /// request that read an older version than the cached one gets a private slot.
    fn cell(&self, ws: WorkspaceId, version: i64) -> SchemaSlot {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        match slots.get(&ws) {
            Some((v, cell)) if *v == version => cell.clone(),
            Some((v, _)) if *v > version => Arc::new(OnceCell::new()),
            _ => {
                let cell = Arc::new(OnceCell::new());
                slots.insert(ws, (version, cell.clone()));
                cell
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_slots_follow_the_newest_version() {
        let cache = SchemaCache::default();
        let ws = WorkspaceId::new_random();
        let v1 = cache.cell(ws, 1);
        assert!(Arc::ptr_eq(&v1, &cache.cell(ws, 1)));
        let v2 = cache.cell(ws, 2);
        assert!(!Arc::ptr_eq(&v1, &v2));
        assert!(Arc::ptr_eq(&v2, &cache.cell(ws, 2)));
        assert!(!Arc::ptr_eq(&cache.cell(ws, 1), &v2));
        assert!(
            Arc::ptr_eq(&v2, &cache.cell(ws, 2)),
            "a stale reader does not evict the newest"
        );
    }
}
