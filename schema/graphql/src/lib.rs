//! Builds a workspace's `/graphql` schema from its [`WorkspaceModel`] with async-graphql's
//! dynamic schema, with Twenty's type and root-field names
//! (`shared/reference/twenty-core-api.md` §1–§7). Each root field's resolver turns its
//! selection into the query IR and runs ONE statement through the request's [`SqlRunner`].
//!
//! Usage (per request):
//! ```ignore
//! let schema = tessera_graphql::build_schema(model.clone())?;       // cached per (workspace, version)
//! let request = async_graphql::Request::new(query).data(RequestContext { session, runner });
//! let response = tessera_graphql::finish_response(schema.execute(request).await);
//! ```

mod args;
mod build;
mod errors;
mod resolve;
mod selection;
mod subscription;
mod types;
mod value;

use std::sync::Arc;

use tessera_core::Session;
use tessera_query::SqlRunner;

pub use build::{SchemaError, build_schema};
pub use errors::{error_extensions, finish_response};
pub use subscription::{EventFeed, EventSource, on_db_event_json, visible_event};

/// Per-request data the resolvers need; attach with `async_graphql::Request::data`.
#[derive(Clone)]
pub struct RequestContext {
    /// Who asks, in which workspace.
    pub session: Session,
    /// Runs statements against that workspace's storage.
    pub runner: Arc<dyn SqlRunner>,
}
