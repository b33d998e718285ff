//! `/metadata`: the static GraphQL API that lists and changes a workspace's objects and
//! fields, with Twenty's names and shapes (`twenty-client-sdk@2.43.0`,
//! `dist/metadata/generated/schema.d.ts`; `shared/reference/twenty-metadata-auth.md` §2).
//!
//! Reads answer from one snapshot of the workspace's metadata per request; each mutation is
//! one atomic store change (metadata rows + DDL + version bump), after which every server
//! instance serves the new `/graphql` schema on its next request.

mod api_keys;
pub mod auth;
mod errors;
mod indexes;
mod inputs;
mod resolvers;
mod roles;
mod scalars;
pub mod sso;
mod types;
pub mod webhooks;
mod workspace_member;

use async_graphql::{EmptySubscription, MergedObject, Schema};
use tessera_core::{ErrorCode, Session};
use tessera_store::Store;

use api_keys::{ApiKeysMutation, ApiKeysQuery};
pub use auth::AuthRequest;
use auth::{AuthMutation, AuthQuery};
use resolvers::{DataModelMutation, DataModelQuery};
use roles::{RolesMutation, RolesQuery};
use sso::{SsoMutation, SsoQuery};
use webhooks::{WebhookMutation, WebhookQuery};

// Each area of `/metadata` (data model, accounts, roles, API keys, webhooks, ...) is one
// `#[derive(Default)]` query object and one mutation object in its own module, merged here.

/// The root query type of `/metadata`.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    DataModelQuery,
    AuthQuery,
    SsoQuery,
    RolesQuery,
    ApiKeysQuery,
    WebhookQuery,
);

/// The root mutation type of `/metadata`.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    DataModelMutation,
    indexes::IndexMutation,
    AuthMutation,
    SsoMutation,
    RolesMutation,
    ApiKeysMutation,
    WebhookMutation,
);

/// The `/metadata` schema.
pub type MetadataSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Deepest document `/metadata` accepts (objects → fields → relation → object → ... ).
pub const MAX_METADATA_DEPTH: usize = 16;

/// Builds the `/metadata` schema (static: the same for every workspace).
pub fn metadata_schema() -> MetadataSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(MAX_METADATA_DEPTH)
    .finish()
}

/// Per-request data of `/metadata`.
#[derive(Clone)]
pub struct MetadataContext {
    /// Who asks, in which workspace; `None` for a request without a token (only public
    /// operations such as sign-in answer it).
    pub session: Option<Session>,
    /// The store holding the workspace's metadata.
    pub store: Store,
    /// The secret tokens are signed with.
    pub app_secret: String,
}

impl MetadataContext {
    /// The request's session. Errors: `UNAUTHENTICATED` when the request carried no token.
    pub fn session(&self) -> async_graphql::Result<&Session> {
        self.session.as_ref().ok_or_else(|| {
            errors::coded(&errors::ApiError {
                code: ErrorCode::Unauthenticated,
                message: "Missing authentication token".to_owned(),
            })
        })
    }
}
