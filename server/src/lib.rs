//! Tessera's HTTP server and CLI: the axum application ([`app`]) with API-key and user-token
//! authentication, accounts ([`accounts`]: sign-up, sign-in, invitations, password reset),
//! the per-workspace schema cache, the demo data set, workspace creation and CSV import.
//!
//! ```ignore
//! let state = AppState::new(&ServerConfig::embedded("./data")).await?;
//! let (workspace, token) = create_workspace(&state, "Acme", false).await?;
//! axum::serve(listener, app(state)).await?;
//! ```

pub mod accounts;
pub mod auth;
mod auth_config;
pub mod cli;
mod config;
pub mod contracts;
pub mod demo;
mod error;
mod http;
pub mod import;
pub mod metadata_api;
mod state;
pub mod telemetry;
mod workspaces;

pub use auth::mint_api_key_token;
pub use auth_config::{AuthConfig, SmtpConfig, parse_duration};
pub use config::{ServerConfig, app_secret_path, redact_url, resolve_app_secret};
pub use error::ServerError;
pub use http::{BODY_LIMIT_BYTES, BadRequest, app, error_response, graphql_response};
pub use state::AppState;
pub use workspaces::{
    DEFAULT_API_KEY_NAME, create_workspace, create_workspace_with, ensure_demo_workspace,
};
