//! Loading conformance cases from `tests/cases/<area>/<case>/` (layout in `tests/README.md`).

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use serde_json::Value;

use crate::normalise::Literals;

/// The data a case's workspaces start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fixture {
    /// The standard objects, no records.
    Standard,
    /// The standard objects plus the custom `testObject` with one field of every type.
    AllFieldTypes,
    /// Twenty's demo data set. Demo workspaces are created once per store and shared by all
    /// demo cases, so demo cases must be read-only (no seed, no mutation).
    Demo,
}

impl Fixture {
    /// Extra arguments for `tessera workspace create`.
    pub fn create_args(self) -> &'static [&'static str] {
        match self {
            Fixture::Standard => &[],
            Fixture::AllFieldTypes => &["--fixture", "all-field-types"],
            Fixture::Demo => &["--demo"],
        }
    }
}

/// Who sends a case's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Session {
    /// The API key of the workspace that received the seed.
    Main,
    /// The API key of a second workspace with the same fixture and no seed (tenant isolation).
    Other,
    /// No `Authorization` header.
    Anonymous,
    /// `Authorization: Bearer` with a string that is not a token at all.
    BadToken,
    /// The main workspace's API key with its signature changed.
    TamperedToken,
}

impl Session {
    /// The name used in `case.json` and in `expected.<name>.json`.
    pub fn name(self) -> &'static str {
        match self {
            Session::Main => "main",
            Session::Other => "other",
            Session::Anonymous => "anonymous",
            Session::BadToken => "bad-token",
            Session::TamperedToken => "tampered-token",
        }
    }

    /// The golden file holding this session's normalised output.
    pub fn expected_file(self) -> String {
        format!("expected.{}.json", self.name())
    }
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is POSTed to `/graphql`.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A GraphQL document, sent as `{"query": …, "variables": …}`.
    GraphQl(String),
    /// Bytes sent verbatim as the JSON body (for malformed-body cases).
    Raw(String),
}

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// The workspace API, `POST /graphql` (files `<name>.graphql`, `<name>.body`).
    Graphql,
    /// The metadata API, `POST /metadata` (files `<name>.metadata.graphql`).
    Metadata,
}

impl Endpoint {
    /// The HTTP path.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Graphql => "/graphql",
            Endpoint::Metadata => "/metadata",
        }
    }
}

/// One request: a body plus optional variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The file it was read from, relative to the case directory.
    pub file: String,
    /// `/graphql` or `/metadata` (from the file name).
    pub endpoint: Endpoint,
    /// The body.
    pub body: Body,
    /// The variables object; string values `"$ref:<step>:<json-pointer>"` are replaced by a
    /// value from an earlier step's raw response before sending.
    pub variables: Option<Value>,
}

impl Operation {
    /// Whether this is a GraphQL mutation (first keyword of the document, comments skipped).
    pub fn is_mutation(&self) -> bool {
        match &self.body {
            Body::GraphQl(doc) => first_keyword(doc) == "mutation",
            Body::Raw(_) => false,
        }
    }
}

/// One step of a case: a named request whose response goes into the golden output.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The step name (`request` for single-request cases).
    pub name: String,
    /// The request.
    pub operation: Operation,
}

/// A loaded, validated case.
#[derive(Debug, Clone)]
pub struct Case {
    /// `<area>/<case>`, relative to the cases root, with `/` separators.
    pub id: String,
    /// The case directory.
    pub dir: PathBuf,
    /// Data its workspaces start with.
    pub fixture: Fixture,
    /// Mutations run in the main workspace before any session, in order. Must succeed.
    pub seeds: Vec<Operation>,
    /// Sessions, in the order they run.
    pub sessions: Vec<Session>,
    /// Requests each session sends, in order.
    pub steps: Vec<Step>,
    /// Whether `case.json` listed `steps` (the golden output is then `{step: response}`),
    /// rather than a single `request.graphql` (the golden output is the response itself).
    pub multi_step: bool,
    /// UUIDs and date-times written in the case's files (kept literal by normalisation).
    pub literals: Literals,
}

impl Case {
    /// Path of a session's golden file.
    pub fn expected_path(&self, session: Session) -> PathBuf {
        self.dir.join(session.expected_file())
    }

    /// The golden output of a session, or `None` when the file does not exist.
    pub fn read_expected(&self, session: Session) -> Result<Option<Value>> {
        let path = self.expected_path(session);
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        Ok(Some(value))
    }

    /// Whether the case needs the main workspace (its own, or for the tampered token).
    pub fn needs_main(&self) -> bool {
        !self.seeds.is_empty()
            || self
                .sessions
                .iter()
                .any(|s| matches!(s, Session::Main | Session::TamperedToken))
    }

    /// Whether the case needs the second workspace.
    pub fn needs_other(&self) -> bool {
        self.sessions.contains(&Session::Other)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    fixture: Fixture,
    #[serde(default)]
    seed: Option<OneOrMany>,
    sessions: Vec<Session>,
    #[serde(default)]
    steps: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// Loads every case under `root` (any directory holding a `case.json`), sorted by id. Fails
/// with the list of every invalid case, not only the first.
pub fn load_cases(root: &Path) -> Result<Vec<Case>> {
    let mut dirs = Vec::new();
    find_case_dirs(root, &mut dirs).with_context(|| format!("scanning {}", root.display()))?;
    dirs.sort();
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for dir in dirs {
        match load_case(root, &dir) {
            Ok(case) => cases.push(case),
            Err(e) => problems.push(format!("{}: {e:#}", dir.display())),
        }
    }
    if !problems.is_empty() {
        bail!("invalid conformance cases:\n  {}", problems.join("\n  "));
    }
    Ok(cases)
}

fn find_case_dirs(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if dir.join("case.json").is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            find_case_dirs(&path, out)?;
        }
    }
    Ok(())
}

/// Loads and validates one case directory.
pub fn load_case(root: &Path, dir: &Path) -> Result<Case> {
    let id = dir
        .strip_prefix(root)
        .unwrap_or(dir)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let mut known: BTreeSet<String> = ["case.json", "README.md"].map(String::from).into();
    let mut texts: Vec<String> = Vec::new();

    let case_text = read(dir, "case.json")?;
    let file: CaseFile = serde_json::from_str(&case_text).context("case.json")?;
    let readme = read(dir, "README.md")?;
    if readme.trim().is_empty() {
        bail!("README.md is empty: say what the case proves");
    }

    let mut sessions = Vec::new();
    for s in &file.sessions {
        if sessions.contains(s) {
            bail!("session {s} is listed twice");
        }
        sessions.push(*s);
    }
    if sessions.is_empty() {
        bail!("no sessions");
    }

    let seed_files = match file.seed {
        None => Vec::new(),
        Some(OneOrMany::One(f)) => vec![f],
        Some(OneOrMany::Many(fs)) => fs,
    };
    let mut seeds = Vec::new();
    for f in &seed_files {
        let stem = f
            .strip_suffix(".graphql")
            .ok_or_else(|| anyhow!("seed {f} must be a .graphql file"))?;
        let op = load_operation(
            dir,
            f,
            &format!("{stem}.variables.json"),
            &mut known,
            &mut texts,
        )?
        .ok_or_else(|| anyhow!("seed file {f} is missing"))?;
        if op
            .variables
            .as_ref()
            .is_some_and(|v| refs_in(v).next().is_some())
        {
            bail!("{f}: seeds cannot use $ref");
        }
        seeds.push(op);
    }

    let multi_step = file.steps.is_some();
    let mut steps: Vec<Step> = Vec::new();
    match &file.steps {
        None => {
            let op = load_operation(
                dir,
                "request.graphql",
                "variables.json",
                &mut known,
                &mut texts,
            )?
            .or(load_operation(
                dir,
                "request.body",
                "variables.json",
                &mut known,
                &mut texts,
            )?)
            .ok_or_else(|| anyhow!("request.graphql (or request.body) is missing"))?;
            steps.push(Step {
                name: "request".to_owned(),
                operation: op,
            });
        }
        Some(names) => {
            if names.is_empty() {
                bail!("steps is empty");
            }
            for name in names {
                if name.is_empty()
                    || name.contains(['/', ':', '.'])
                    || steps.iter().any(|s| &s.name == name)
                {
                    bail!("bad or duplicate step name {name:?}");
                }
                let vars = format!("{name}.variables.json");
                let op = load_operation(
                    dir,
                    &format!("{name}.graphql"),
                    &vars,
                    &mut known,
                    &mut texts,
                )?
                .or(load_operation(
                    dir,
                    &format!("{name}.metadata.graphql"),
                    &vars,
                    &mut known,
                    &mut texts,
                )?)
                .or(load_operation(
                    dir,
                    &format!("{name}.body"),
                    &vars,
                    &mut known,
                    &mut texts,
                )?)
                .ok_or_else(|| {
                    anyhow!("step {name}: {name}.graphql (or .metadata.graphql, .body) is missing")
                })?;
                if let Some(vars) = &op.variables {
                    for r in refs_in(vars) {
                        let (step, _) = parse_ref(r)?;
                        if !steps.iter().any(|s| s.name == step) {
                            bail!("step {name}: {r} does not name an earlier step");
                        }
                    }
                }
                steps.push(Step {
                    name: name.clone(),
                    operation: op,
                });
            }
        }
    }

    if file.fixture == Fixture::Demo
        && (!seeds.is_empty() || steps.iter().any(|s| s.operation.is_mutation()))
    {
        bail!("demo workspaces are shared: demo cases must be read-only (no seed, no mutation)");
    }

    for s in &sessions {
        known.insert(s.expected_file());
    }
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !known.contains(&name) {
            bail!("unexpected file {name} (a typo, or an expected file for an unlisted session?)");
        }
    }

    let literals = Literals::scan(texts.iter().map(String::as_str));
    Ok(Case {
        id,
        dir: dir.to_path_buf(),
        fixture: file.fixture,
        seeds,
        sessions,
        steps,
        multi_step,
        literals,
    })
}

fn read(dir: &Path, name: &str) -> Result<String> {
    std::fs::read_to_string(dir.join(name)).with_context(|| format!("reading {name}"))
}

fn load_operation(
    dir: &Path,
    file: &str,
    variables_file: &str,
    known: &mut BTreeSet<String>,
    texts: &mut Vec<String>,
) -> Result<Option<Operation>> {
    if !dir.join(file).is_file() {
        return Ok(None);
    }
    let text = read(dir, file)?;
    if text.trim().is_empty() && file.ends_with(".graphql") {
        bail!("{file} is empty");
    }
    let body = if file.ends_with(".body") {
        Body::Raw(text.clone())
    } else {
        Body::GraphQl(text.clone())
    };
    known.insert(file.to_owned());
    texts.push(text);
    let variables = if dir.join(variables_file).is_file() {
        let vtext = read(dir, variables_file)?;
        let value: Value = serde_json::from_str(&vtext)
            .with_context(|| format!("{variables_file} is not JSON"))?;
        if !value.is_object() {
            bail!("{variables_file} must hold a JSON object");
        }
        known.insert(variables_file.to_owned());
        texts.push(vtext);
        Some(value)
    } else {
        None
    };
    let endpoint = if file.ends_with(".metadata.graphql") {
        Endpoint::Metadata
    } else {
        Endpoint::Graphql
    };
    Ok(Some(Operation {
        file: file.to_owned(),
        endpoint,
        body,
        variables,
    }))
}

const REF_PREFIX: &str = "$ref:";

/// Every `$ref:` string inside `value`.
fn refs_in(value: &Value) -> Box<dyn Iterator<Item = &str> + '_> {
    match value {
        Value::String(s) if s.starts_with(REF_PREFIX) => Box::new(std::iter::once(s.as_str())),
        Value::Array(items) => Box::new(items.iter().flat_map(refs_in)),
        Value::Object(map) => Box::new(map.values().flat_map(refs_in)),
        _ => Box::new(std::iter::empty()),
    }
}

/// Splits `$ref:<step>:<json-pointer>` into the step name and the pointer.
fn parse_ref(r: &str) -> Result<(&str, &str)> {
    let rest = r.strip_prefix(REF_PREFIX).unwrap_or(r);
    let (step, pointer) = rest
        .split_once(':')
        .ok_or_else(|| anyhow!("{r}: expected $ref:<step>:<json-pointer>"))?;
    if !(pointer.is_empty() || pointer.starts_with('/')) {
        bail!("{r}: the JSON pointer must start with /");
    }
    Ok((step, pointer))
}

/// Replaces every `$ref:<step>:<pointer>` string in `variables` by that value of the step's
/// raw response (`null` when the pointer does not resolve; the earlier step's own golden output
/// shows why).
pub fn resolve_refs(variables: &Value, responses: &serde_json::Map<String, Value>) -> Value {
    match variables {
        Value::String(s) if s.starts_with(REF_PREFIX) => parse_ref(s)
            .ok()
            .and_then(|(step, pointer)| responses.get(step)?.pointer(pointer).cloned())
            .unwrap_or(Value::Null),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve_refs(v, responses)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve_refs(v, responses)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The first word of a GraphQL document, skipping whitespace, commas and `#` comments.
fn first_keyword(doc: &str) -> &str {
    let mut rest = doc;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == '\u{feff}');
        if let Some(after) = rest.strip_prefix('#') {
            rest = after.split_once('\n').map_or("", |(_, tail)| tail);
        } else {
            break;
        }
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tempfile::TempDir;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).expect("write test file");
    }

    fn case_dir(root: &TempDir, id: &str) -> PathBuf {
        let dir = root.path().join(id);
        std::fs::create_dir_all(&dir).expect("mkdir");
        write(&dir, "README.md", "Proves something.\n");
        dir
    }

    #[test]
    fn loads_a_single_request_case_with_seed_and_literals() {
        let root = TempDir::new().expect("tempdir");
        let dir = case_dir(&root, "read/person-city");
        write(
            &dir,
            "case.json",
            r#"{"fixture": "standard", "seed": "seed.graphql", "sessions": ["main", "other"]}"#,
        );
        write(
            &dir,
            "seed.graphql",
            "mutation($id: UUID!) { createPerson(data: {id: $id}) { id } }",
        );
        write(
            &dir,
            "seed.variables.json",
            r#"{"id": "20202020-0000-4000-8000-000000000001"}"#,
        );
        write(&dir, "request.graphql", "# list\n{ people { totalCount } }");
        write(&dir, "expected.main.json", "{}");
        let cases = load_cases(root.path()).expect("valid");
        assert_eq!(cases.len(), 1);
        let case = &cases[0];
        assert_eq!(case.id, "read/person-city");
        assert_eq!(case.fixture, Fixture::Standard);
        assert_eq!(case.sessions, vec![Session::Main, Session::Other]);
        assert_eq!(case.seeds.len(), 1);
        assert!(case.seeds[0].is_mutation());
        assert!(!case.multi_step);
        assert_eq!(case.steps.len(), 1);
        assert!(!case.steps[0].operation.is_mutation());
        assert!(
            case.literals
                .has_uuid("20202020-0000-4000-8000-000000000001")
        );
        assert!(case.needs_main() && case.needs_other());
        assert_eq!(
            case.read_expected(Session::Main).expect("json"),
            Some(json!({}))
        );
        assert_eq!(case.read_expected(Session::Other).expect("absent"), None);
    }

    #[test]
    fn loads_steps_with_references_to_earlier_steps() {
        let root = TempDir::new().expect("tempdir");
        let dir = case_dir(&root, "pagination/forward");
        write(
            &dir,
            "case.json",
            r#"{"fixture": "standard", "sessions": ["main"], "steps": ["page1", "page2"]}"#,
        );
        write(&dir, "page1.graphql", "{ people(first: 2) { totalCount } }");
        write(
            &dir,
            "page2.graphql",
            "query($a: String) { people(first: 2, after: $a) { totalCount } }",
        );
        write(
            &dir,
            "page2.variables.json",
            r#"{"a": "$ref:page1:/data/people/pageInfo/endCursor"}"#,
        );
        let case = load_case(root.path(), &dir).expect("valid");
        assert!(case.multi_step);
        let names: Vec<_> = case.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["page1", "page2"]);
    }

    #[test]
    fn rejects_forward_references_unknown_files_and_writing_demo_cases() {
        let root = TempDir::new().expect("tempdir");
        let forward = case_dir(&root, "a/forward");
        write(
            &forward,
            "case.json",
            r#"{"fixture": "standard", "sessions": ["main"], "steps": ["one", "two"]}"#,
        );
        write(&forward, "one.graphql", "{ people { totalCount } }");
        write(&forward, "one.variables.json", r#"{"x": "$ref:two:/data"}"#);
        write(&forward, "two.graphql", "{ people { totalCount } }");

        let stray = case_dir(&root, "a/stray");
        write(
            &stray,
            "case.json",
            r#"{"fixture": "standard", "sessions": ["main"]}"#,
        );
        write(&stray, "request.graphql", "{ people { totalCount } }");
        write(&stray, "variable.json", "{}");
        write(&stray, "expected.other.json", "{}");

        let demo = case_dir(&root, "a/demo");
        write(
            &demo,
            "case.json",
            r#"{"fixture": "demo", "sessions": ["main"]}"#,
        );
        write(
            &demo,
            "request.graphql",
            "  # hi\nmutation { deletePeople(filter: {}) { id } }",
        );

        let bad_session = case_dir(&root, "a/session");
        write(
            &bad_session,
            "case.json",
            r#"{"fixture": "standard", "sessions": ["admin"]}"#,
        );
        write(&bad_session, "request.graphql", "{ people { totalCount } }");

        let err = format!("{:#}", load_cases(root.path()).expect_err("invalid"));
        assert!(
            err.contains("a/forward") && err.contains("does not name an earlier step"),
            "{err}"
        );
        assert!(err.contains("unexpected file"), "{err}");
        assert!(err.contains("read-only"), "{err}");
        assert!(err.contains("a/session"), "{err}");
    }

    #[test]
    fn raw_body_requests_are_not_graphql() {
        let root = TempDir::new().expect("tempdir");
        let dir = case_dir(&root, "errors/malformed-json");
        write(
            &dir,
            "case.json",
            r#"{"fixture": "standard", "sessions": ["main"]}"#,
        );
        write(&dir, "request.body", "{\"query\": ");
        let case = load_case(root.path(), &dir).expect("valid");
        assert_eq!(
            case.steps[0].operation.body,
            Body::Raw("{\"query\": ".into())
        );
    }

    #[test]
    fn refs_resolve_against_raw_responses() {
        let mut responses = serde_json::Map::new();
        responses.insert(
            "page1".into(),
            json!({"data": {"people": {"pageInfo": {"endCursor": "abc"}}}}),
        );
        let vars = json!({
            "after": "$ref:page1:/data/people/pageInfo/endCursor",
            "missing": "$ref:page1:/data/nothing",
            "keep": ["$notaref", 1]
        });
        assert_eq!(
            resolve_refs(&vars, &responses),
            json!({"after": "abc", "missing": null, "keep": ["$notaref", 1]})
        );
    }

    #[test]
    fn first_keyword_skips_comments() {
        assert_eq!(first_keyword("# a\n  # b\nmutation X { a }"), "mutation");
        assert_eq!(first_keyword("{ a }"), "");
        assert_eq!(first_keyword("query Q { a }"), "query");
    }
}
