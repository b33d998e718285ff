//! Creating workspaces with an API key, as the CLI and tests do.

use chrono::{DateTime, Duration, Utc};
use tessera_core::WorkspaceId;
use tessera_metadata::ObjectMetadata;
use tessera_metadata::standard::standard_objects;
use uuid::Uuid;

use crate::auth::mint_api_key_token;
use crate::{AppState, ServerError, demo};

/// Name of the key created with a new (non-demo) workspace.
pub const DEFAULT_API_KEY_NAME: &str = "Default";

/// How long the key of a new workspace lives (Twenty's `'100y'`).
fn default_expiry() -> DateTime<Utc> {
    Utc::now() + Duration::days(365 * 100)
}

/// Creates a workspace named `name` with the standard objects and an API key, and returns its
/// id and the key's token. With `demo`, the workspace also gets the demo's custom fields, the
/// demo data ([`demo::seed`]) and the demo key (fixed id and name from `apiKey.json`).
///
/// Errors: [`ServerError::Store`], [`ServerError::DemoData`].
pub async fn create_workspace(
    state: &AppState,
    name: &str,
    demo: bool,
) -> Result<(WorkspaceId, String), ServerError> {
    let objects = if demo {
        demo::demo_objects()
    } else {
        standard_objects()
    };
    create_workspace_with(state, name, objects, demo).await
}

/// [`create_workspace`] with explicit objects (e.g. standard objects plus a test fixture).
/// With `demo`, `objects` must include the demo's fields ([`demo::demo_objects`]).
///
/// Errors: [`ServerError::Store`], [`ServerError::DemoData`].
pub async fn create_workspace_with(
    state: &AppState,
    name: &str,
    objects: Vec<ObjectMetadata>,
    demo: bool,
) -> Result<(WorkspaceId, String), ServerError> {
    let store = state.store();
    let ws = store.create_workspace(name, objects).await?;
    let key = if demo {
        demo::seed(store, ws).await?;
        let key = demo::demo_api_key()?;
        store
            .create_api_key(ws, &key.name, key.expires_at, Some(key.id))
            .await?
    } else {
        store
            .create_api_key(ws, DEFAULT_API_KEY_NAME, default_expiry(), None)
            .await?
    };
    Ok((
        ws,
        mint_api_key_token(state.app_secret(), ws, key.id, key.expires_at),
    ))
}

/// The demo workspace for `serve --demo`: the existing workspace named
/// [`demo::DEMO_WORKSPACE_NAME`] or a new one with the demo data, plus a freshly minted token
/// for its demo key (recreated with a new id if it was revoked, deleted or expired).
///
/// Errors: [`ServerError::Store`], [`ServerError::DemoData`].
pub async fn ensure_demo_workspace(state: &AppState) -> Result<(WorkspaceId, String), ServerError> {
    let store = state.store();
    let existing = store
        .list_workspaces()
        .await?
        .into_iter()
        .find(|w| w.display_name == demo::DEMO_WORKSPACE_NAME);
    let Some(workspace) = existing else {
        return create_workspace(state, demo::DEMO_WORKSPACE_NAME, true).await;
    };
    let ws = workspace.id;
    let demo_key = demo::demo_api_key()?;
    let usable = store
        .api_key(ws, demo_key.id)
        .await?
        .filter(|k| k.is_usable_at(Utc::now()));
    let key = match usable {
        Some(key) => key,
        None => {
            store
                .create_api_key(ws, &demo_key.name, default_expiry(), Some(Uuid::new_v4()))
                .await?
        }
    };
    Ok((
        ws,
        mint_api_key_token(state.app_secret(), ws, key.id, key.expires_at),
    ))
}
