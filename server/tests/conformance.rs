//! Conformance: every case under `tests/cases` against this crate's `tessera` binary, on SQLite
//! and on PostgreSQL (`TESSERA_TEST_DATABASE_URL`). See `tests/README.md`.
//!
//! Run: `cargo test -p tessera-server --test conformance` (add `UPDATE_EXPECT=1` to rewrite the
//! golden files, `TESSERA_CASES=filters/` to run a subset, `TESSERA_TEST_STORES=sqlite` for
//! one store).

use std::path::PathBuf;

use tessera_tests::{Config, run};

#[test]
fn conformance() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_tessera"));
    let cases = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/cases");
    let config = match Config::from_env(bin, cases) {
        Ok(c) => c,
        Err(e) => panic!("conformance configuration: {e:#}"),
    };
    let report = match run(&config) {
        Ok(r) => r,
        Err(e) => panic!("{e:#}"),
    };
    println!("{}", report.summary());
    assert!(report.failures.is_empty(), "{}", report.summary());
}
