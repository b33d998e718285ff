//! Who is asking, in which workspace.

use std::sync::Arc;

use crate::{ApiKeyId, Permissions, WorkspaceId};

/// The authenticated context of one request. Built by the server's auth layer from a bearer
/// token; every query the engine compiles is scoped to `workspace_id` and checked against
/// `permissions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The tenant; the only workspace whose data this request can reach.
    pub workspace_id: WorkspaceId,
    /// Who acts (written into `createdBy` / `updatedBy`).
    pub actor: Actor,
    /// The effective permissions of the actor's role ([`Permissions::all`] for the system).
    pub permissions: Arc<Permissions>,
}

impl Session {
    /// A session of the system itself (imports, seeds, workers): every permission, no checks.
    /// `source` is written into `createdBy.source` (e.g. `IMPORT`).
    pub fn system(workspace_id: WorkspaceId, source: &'static str) -> Session {
        Session {
            workspace_id,
            actor: Actor::System { source },
            permissions: Arc::new(Permissions::all()),
        }
    }
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
    /// A signed-in user acting as a member of the workspace (Twenty's `createdBy.source =
    /// MANUAL`, `workspaceMemberId` set).
    User {
        /// The user (system table `user`).
        user_id: uuid::Uuid,
        /// The user's `workspaceMember` record in this workspace.
        workspace_member_id: uuid::Uuid,
        /// The member's display name ("First Last").
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
            Actor::User { .. } => "MANUAL",
            Actor::System { source } => source,
        }
    }

    /// The display name for `createdBy.name`.
    pub fn name(&self) -> &str {
        match self {
            Actor::ApiKey { name, .. } | Actor::User { name, .. } => name,
            Actor::System { .. } => "System",
        }
    }

    /// The acting workspace member (`createdBy.workspaceMemberId`), for users only.
    pub fn workspace_member_id(&self) -> Option<uuid::Uuid> {
        match self {
            Actor::User {
                workspace_member_id,
                ..
            } => Some(*workspace_member_id),
            _ => None,
        }
    }
}
