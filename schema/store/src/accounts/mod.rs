//! Accounts: users (`user`), their workspace memberships (`userWorkspace`, plus the
//! `workspaceMember` record inside the workspace), application tokens (`appToken`: refresh,
//! password-reset and invitation tokens) and the two-step creation of a user's workspace
//! (pending → active). Follows Twenty's `core.user`, `core.userWorkspace`, `core.appToken`
//! (`shared/reference/twenty-metadata-auth.md` §5, §6.5).
//!
//! Secrets never reach these tables in clear: passwords are argon2id PHC strings computed by
//! the caller, and secret token values are stored as their SHA-256 hex only.

mod activation;
mod app_tokens;
mod members;
mod users;

pub use activation::WorkspaceMemberSeed;
pub use app_tokens::{AppTokenRecord, AppTokenType, NewAppToken};
pub use members::{UserWorkspaceRecord, WorkspaceMemberProfile};
pub use users::{NewUser, UserRecord};
