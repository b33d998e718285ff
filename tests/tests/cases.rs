//! The committed cases load and validate (file layout, sessions, step references, read-only
//! demo cases), and the hand-written golden files are normalised already, so a broken case is
//! caught by `cargo test` without starting a server.

use std::path::PathBuf;

use tessera_tests::case::{Fixture, Session, load_cases};
use tessera_tests::normalise::Normaliser;

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases")
}

#[test]
fn every_committed_case_loads() {
    let cases = match load_cases(&cases_dir()) {
        Ok(c) => c,
        Err(e) => panic!("{e:#}"),
    };
    assert!(cases.len() > 100, "only {} cases found", cases.len());
    for area in [
        "auth",
        "read",
        "write",
        "filters",
        "ordering",
        "pagination",
        "relations",
        "errors",
        "tenancy",
    ] {
        assert!(
            cases.iter().any(|c| c.id.starts_with(&format!("{area}/"))),
            "no case in area {area}"
        );
    }
    let demo = cases.iter().filter(|c| c.fixture == Fixture::Demo).count();
    assert!(
        (1..=3).contains(&demo),
        "{demo} demo cases: demo seeding is expensive, keep 1-3"
    );
}

#[test]
fn every_case_but_auth_checks_tenant_isolation() {
    let cases = load_cases(&cases_dir()).expect("cases load");
    for case in cases.iter().filter(|c| !c.id.starts_with("auth/")) {
        assert!(
            case.sessions.contains(&Session::Main) && case.sessions.contains(&Session::Other),
            "{} must run as main and other",
            case.id
        );
    }
}

#[test]
fn golden_files_are_stable_under_normalisation() {
    for case in load_cases(&cases_dir()).expect("cases load") {
        for &session in &case.sessions {
            let Some(expected) = case.read_expected(session).expect("golden JSON") else {
                continue;
            };
            let again = Normaliser::new(&case.literals).normalise(&expected);
            assert_eq!(
                again, expected,
                "{} {session}: golden file is not normalised",
                case.id
            );
        }
    }
}

/// Cases whose document is meant not to parse.
const MALFORMED_ON_PURPOSE: [&str; 1] = ["errors/malformed-graphql"];

#[test]
fn every_graphql_document_parses() {
    use tessera_tests::case::Body;
    let mut problems = Vec::new();
    for case in load_cases(&cases_dir()).expect("cases load") {
        let ops = case
            .seeds
            .iter()
            .chain(case.steps.iter().map(|s| &s.operation));
        for op in ops {
            let Body::GraphQl(doc) = &op.body else {
                continue;
            };
            let parsed = async_graphql::parser::parse_query(doc);
            let malformed = MALFORMED_ON_PURPOSE.contains(&case.id.as_str());
            match (parsed, malformed) {
                (Ok(_), false) | (Err(_), true) => {}
                (Ok(_), true) => {
                    problems.push(format!("{} {}: parses, but should not", case.id, op.file))
                }
                (Err(e), false) => problems.push(format!("{} {}: {e}", case.id, op.file)),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
