//! Tessera's shared vocabulary: identifiers, the error-code set every API error maps to,
//! and the per-request [`Session`].
//!
//! This crate depends on nothing else of ours (see `shared/design/architecture.md` §1).

mod error;
pub mod events;
mod ids;
mod session;

pub use error::{CodedError, ErrorCode};
pub use events::{DatabaseEventAction, EventActor, RecordEvent};
pub use ids::{ApiKeyId, WorkspaceId};
pub use session::{Actor, Session};
