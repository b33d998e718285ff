//! The runner end to end, against `fake-tessera` (a stand-in that echoes requests with fresh ids,
//! timestamps and cursors): golden files are written, then matched on both stores, and a changed
//! or missing golden file is reported with the case, store, session and a diff.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;
use tessera_tests::runner::{
    Config, DEFAULT_DATABASE_URL, Report, StoreKind, run, split_database_url,
};

const LITERAL: &str = "20202020-0000-4000-8000-000000000001";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join(name), text).expect("write");
}

fn cases() -> TempDir {
    let root = TempDir::new().expect("tempdir");
    let echo = root.path().join("area/echo");
    write(&echo, "README.md", "Echo with steps.\n");
    write(
        &echo,
        "case.json",
        r#"{"fixture": "standard", "seed": "seed.graphql",
            "sessions": ["main", "other", "anonymous", "bad-token", "tampered-token"],
            "steps": ["first", "second"]}"#,
    );
    write(&echo, "seed.graphql", "mutation { seed }");
    write(&echo, "first.graphql", "mutation { first }");
    write(
        &echo,
        "second.graphql",
        "query($id: UUID) { second(id: $id) }",
    );
    write(
        &echo,
        "second.variables.json",
        &format!(r#"{{"id": "$ref:first:/data/echo/id", "literal": "{LITERAL}"}}"#),
    );
    let single = root.path().join("area/single");
    write(&single, "README.md", "A single request.\n");
    write(
        &single,
        "case.json",
        r#"{"fixture": "standard", "sessions": ["main", "other"]}"#,
    );
    write(&single, "request.graphql", "{ single }");
    write(
        &single,
        "variables.json",
        r#"{"at": "2025-03-01T00:00:00Z"}"#,
    );
    root
}

fn config(cases: &Path, update: bool) -> Config {
    let base =
        std::env::var("TESSERA_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
    let (admin, _) = split_database_url(&base).expect("valid database URL");
    let server = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(server, _)| server);
    Config {
        bin: PathBuf::from(env!("CARGO_BIN_EXE_fake-tessera")),
        cases_dir: cases.to_path_buf(),
        stores: vec![StoreKind::Sqlite, StoreKind::Postgres],
        database_url: format!("{server}/tessera_test_runner_selftest"),
        update,
        jobs: 2,
        only: Vec::new(),
        progress: false,
    }
}

fn golden(cases: &Path, case: &str, session: &str) -> Value {
    let text = std::fs::read_to_string(cases.join(case).join(format!("expected.{session}.json")))
        .expect("golden");
    serde_json::from_str(&text).expect("json")
}

fn run_ok(config: &Config) -> Report {
    match run(config) {
        Ok(r) => r,
        Err(e) => panic!("{e:#}"),
    }
}

#[test]
fn writes_matches_and_reports_differences() {
    let root = cases();
    let dir = root.path();

    let written = run_ok(&config(dir, true));
    assert!(written.failures.is_empty(), "{:#?}", written.failures);
    assert_eq!(written.written, 7, "{}", written.summary());
    assert_eq!(
        written.matched,
        7,
        "postgres matched the files sqlite wrote: {}",
        written.summary()
    );

    let main = golden(dir, "area/echo", "main");
    assert_eq!(
        main["first"]["data"]["echo"]["workspace"],
        "<workspace:main>"
    );
    assert_eq!(main["first"]["data"]["echo"]["id"], "<uuid:1>");
    assert_eq!(
        main["second"]["data"]["echo"]["variables"]["id"], "<uuid:1>",
        "$ref passed the same id"
    );
    assert_eq!(
        main["second"]["data"]["echo"]["variables"]["literal"],
        LITERAL
    );
    assert_eq!(main["second"]["data"]["echo"]["id"], "<uuid:2>");
    assert_eq!(main["first"]["data"]["echo"]["createdAt"], "<datetime>");
    assert_eq!(main["first"]["data"]["echo"]["cursor"], "<cursor:1>");
    assert_eq!(main["second"]["data"]["echo"]["cursor"], "<cursor:2>");
    let other = golden(dir, "area/echo", "other");
    assert_eq!(
        other["first"]["data"]["echo"]["workspace"],
        "<workspace:other>"
    );
    let anonymous = golden(dir, "area/echo", "anonymous");
    assert_eq!(
        anonymous["first"]["errors"][0]["message"],
        "Missing authentication token"
    );
    for session in ["bad-token", "tampered-token"] {
        let out = golden(dir, "area/echo", session);
        assert_eq!(
            out["second"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{session}"
        );
    }
    let single = golden(dir, "area/single", "main");
    assert_eq!(
        single["data"]["echo"]["variables"]["at"], "2025-03-01T00:00:00Z",
        "literal instant kept"
    );
    assert_eq!(single["data"]["echo"]["query"], "{ single }");

    let again = run_ok(&config(dir, false));
    assert!(again.failures.is_empty(), "{:#?}", again.failures);
    assert_eq!((again.matched, again.written), (14, 0));

    let path = dir.join("area/single/expected.main.json");
    let text = std::fs::read_to_string(&path).expect("golden");
    std::fs::write(&path, text.replace("{ single }", "{ changed }")).expect("write");
    std::fs::remove_file(dir.join("area/echo/expected.bad-token.json")).expect("remove");
    let failed = run_ok(&config(dir, false));
    assert_eq!(failed.matched, 10, "{}", failed.summary());
    assert_eq!(failed.failures.len(), 4, "{:#?}", failed.failures);
    let changed: Vec<_> = failed
        .failures
        .iter()
        .filter(|f| f.case == "area/single")
        .collect();
    assert_eq!(changed.len(), 2, "one per store");
    for f in changed {
        assert_eq!(f.session.map(|s| s.name()), Some("main"));
        assert!(
            f.message.contains("-      \"query\": \"{ changed }\""),
            "{}",
            f.message
        );
        assert!(
            f.message.contains("+      \"query\": \"{ single }\""),
            "{}",
            f.message
        );
    }
    let missing = failed
        .failures
        .iter()
        .find(|f| f.case == "area/echo")
        .expect("missing golden reported");
    assert!(
        missing
            .message
            .contains("expected.bad-token.json is missing"),
        "{}",
        missing.message
    );
    assert!(
        failed
            .summary()
            .contains("tests/cases/area/single [postgres] main"),
        "{}",
        failed.summary()
    );
}
