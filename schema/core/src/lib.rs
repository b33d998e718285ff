//! Tessera's shared vocabulary: identifiers, the error-code set every API error maps to,
//! the per-request [`Session`] and
//! role [`Permissions`].
//!
//! This crate depends on nothing else of ours (see `shared/design/architecture.md` §1).

mod error;
pub mod events;
mod ids;
mod permissions;
mod session;

pub use error::{CodedError, ErrorCode};
pub use events::{DatabaseEventAction, EventActor, RecordEvent};
pub use ids::{ApiKeyId, WorkspaceId};
pub use permissions::{
    FieldOverride, ObjectAccess, ObjectKey, ObjectOverride, PermissionFlag, Permissions,
};
pub use session::{Actor, Session};
