//! The conformance runner: golden GraphQL cases (`tests/cases/<area>/<case>/`) run against the
//! real `tessera` binary, once on SQLite and once on PostgreSQL, as the workspace that got the
//! seed and as a second workspace that must see none of it. `tests/README.md` describes the
//! case layout, the sessions and the normalisation rules; `server/tests/conformance.rs` is the
//! test entry point.

pub mod case;
pub mod diff;
pub mod normalise;
pub mod runner;
pub mod server;

pub use runner::{Config, Report, run};
