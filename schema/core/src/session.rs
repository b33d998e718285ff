//! Who is asking, in which workspace.

use crate::{ApiKeyId, WorkspaceId};

/// The authenticated context of one request. Built by the server's auth layer from a bearer
/// token; every query the engine compiles is scoped to `workspace_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The tenant; the only workspace whose data this request can reach.
    pub workspace_id: WorkspaceId,
    /// Who acts (written into `createdBy` / `updatedBy`).
    pub actor: Actor,
}

/// The principal behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A workspace API key (Twenty's `createdBy.source = API`, `name` = the key's name).
    ApiKey {
        /// The key's id (`jti`).
        id: ApiKeyId,
        /// The key's display name.
        name: String,
    },
    /// The system itself (imports, seeds, workers).
    System {
        /// The actor source written into `createdBy.source` (e.g. `IMPORT`, `SYSTEM`).
        source: &'static str,
    },
}

impl Actor {
    /// The `ActorSourceEnum` value for `createdBy.source`.
    pub fn source(&self) -> &'static str {
        match self {
            Actor::ApiKey { .. } => "API",
            Actor::System { source } => source,
        }
    }

    /// The display name for `createdBy.name`.
    pub fn name(&self) -> &str {
        match self {
            Actor::ApiKey { name, .. } => name,
            Actor::System { .. } => "System",
        }
    }
}
