//! `/metadata`: the static GraphQL API that lists and changes a workspace's objects and
//! fields, with Twenty's names and shapes (`twenty-client-sdk@2.43.0`,
//! `dist/metadata/generated/schema.d.ts`; `shared/reference/twenty-metadata-auth.md` §2).
//!
//! Reads answer from one snapshot of the workspace's metadata per request; each mutation is
//! one atomic store change (metadata rows + DDL + version bump), after which every server
//! instance serves the new `/graphql` schema on its next request.

mod inputs;
mod resolvers;
mod scalars;
mod types;

use async_graphql::{EmptySubscription, Schema};
use tessera_core::Session;
use tessera_store::Store;

pub use resolvers::{MutationRoot, QueryRoot};

/// The `/metadata` schema.
pub type MetadataSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Deepest document `/metadata` accepts (objects → fields → relation → object → ... ).
pub const MAX_METADATA_DEPTH: usize = 16;

/// Builds the `/metadata` schema (static: the same for every workspace).
pub fn metadata_schema() -> MetadataSchema {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .limit_depth(MAX_METADATA_DEPTH)
        .finish()
}

/// Per-request data of `/metadata`.
#[derive(Clone)]
pub struct MetadataContext {
    /// Who asks, in which workspace.
    pub session: Session,
    /// The store holding the workspace's metadata.
    pub store: Store,
}
