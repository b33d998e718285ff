//! A schema change made through one server instance is usable on another at once: two
//! `tessera serve` processes (A and B) share one PostgreSQL database and one Redis (as in
//! production: `TESSERA_TEST_REDIS_URL`, default `redis://127.0.0.1:6379`); B caches a workspace's
//! schema, A adds an object and a field through `/metadata`, and B's very next `/graphql`
//! request already uses them (B reads the metadata version on every request). Prints the
//! measured change-to-use latency. A second workspace on B does not see the new object.

mod processes;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use processes::{Backend, Servers, create_workspace, free_port, test_database_url};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

/// The test's own PostgreSQL database (`_live` suffix) and the shared Redis.
fn backend() -> Backend {
    Backend {
        database_url: Some(test_database_url("_live")),
        redis_url: Some(processes::redis_url()),
        env: Vec::new(),
    }
}

/// One HTTP/1.0 request; the response's status line and body.
fn http(port: u16, method: &str, path: &str, bearer: Option<&str>, body: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// A server's address and one workspace's API key.
struct Api {
    port: u16,
    token: String,
}

impl Api {
    fn post(&self, path: &str, query: &str, variables: Value) -> Value {
        let body = json!({"query": query, "variables": variables}).to_string();
        let response = http(self.port, "POST", path, Some(&self.token), &body)
            .unwrap_or_else(|| panic!("no response from :{}{path}", self.port));
        let (_, body) = response
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("malformed response: {response}"));
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {response}"))
    }

    fn graphql(&self, query: &str) -> Value {
        self.post("/graphql", query, json!({}))
    }

    fn metadata(&self, query: &str, variables: Value) -> Value {
        self.post("/metadata", query, variables)
    }
}

fn ok(v: &Value) -> &Value {
    assert!(v.get("errors").is_none(), "unexpected errors: {v}");
    &v["data"]
}

/// The `elapsed_ms` of a server's "schema built" log lines, in order; other log lines are
/// passed on to the test's stderr.
type BuildTimes = Arc<Mutex<Vec<u64>>>;

fn collect_logs(stderr: impl Read + Send + 'static, name: &'static str) -> BuildTimes {
    let builds = BuildTimes::default();
    let sink = builds.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let parsed: Option<Value> = serde_json::from_str(&line).ok();
            let built = parsed
                .as_ref()
                .filter(|v| v["fields"]["message"] == "schema built")
                .and_then(|v| match &v["fields"]["elapsed_ms"] {
                    Value::String(ms) => ms.parse().ok(),
                    ms => ms.as_u64(),
                });
            match built {
                Some(ms) => sink.lock().unwrap_or_else(|e| e.into_inner()).push(ms),
                None => eprintln!("[{name}] {line}"),
            }
        }
    });
    builds
}

/// Starts `tessera serve` (info logs of the schema cache kept) and waits for `/healthz`; the
/// port and the server's schema build times.
fn spawn_server(
    servers: &mut Servers,
    data_dir: &Path,
    backend: &Backend,
    name: &'static str,
) -> (u16, BuildTimes) {
    let port = free_port();
    let mut child = processes::tessera(BIN, data_dir, backend)
        .env("RUST_LOG", "warn,tessera_server::state=info")
        .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tessera serve");
    let builds = collect_logs(child.stderr.take().expect("stderr"), name);
    servers.0.push(child);
    let started = Instant::now();
    loop {
        if let Some(r) = http(port, "GET", "/healthz", None, "")
            && (r.starts_with("HTTP/1.0 200") || r.starts_with("HTTP/1.1 200"))
        {
            return (port, builds);
        }
        let exited = servers
            .0
            .last_mut()
            .and_then(|c| c.try_wait().ok().flatten());
        assert!(exited.is_none(), "server exited early: {exited:?}");
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "server on :{port} did not become healthy"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_schema_change_on_one_instance_is_usable_on_another_at_once() {
    let backend = backend();
    let url = backend.database_url.clone().expect("PostgreSQL");
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(tessera_store::Store::ensure_database(&url))
        .expect("test database");
    let dir_a = tempfile::tempdir().expect("tempdir");
    let dir_b = tempfile::tempdir().expect("tempdir");
    let dir_cli = tempfile::tempdir().expect("tempdir");

    // A first (it migrates the system tables), then B on the same database.
    let mut servers = Servers::default();
    let (port_a, _) = spawn_server(&mut servers, dir_a.path(), &backend, "A");
    let (port_b, builds_b) = spawn_server(&mut servers, dir_b.path(), &backend, "B");
    let token = create_workspace(BIN, dir_cli.path(), &backend, "Live");
    let a = Api {
        port: port_a,
        token: token.clone(),
    };
    let b = Api {
        port: port_b,
        token,
    };

    // B builds and caches the workspace's schema at the current metadata version.
    let r = b.graphql("{ people { totalCount } }");
    assert_eq!(ok(&r)["people"]["totalCount"], json!(0));
    let r = b.graphql("{ rockets { totalCount } }");
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT"),
        "{r}"
    );

    // A defines `rocket` with a NUMBER field `thrust`.
    let r = a.metadata(
        "mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) { id } }",
        json!({"input": {"object": {"nameSingular": "rocket", "namePlural": "rockets",
            "labelSingular": "Rocket", "labelPlural": "Rockets"}}}),
    );
    let rocket_id = ok(&r)["createOneObject"]["id"]
        .as_str()
        .expect("object id")
        .to_owned();
    let r = a.metadata(
        "mutation($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { id name type } }",
        json!({"input": {"field": {"objectMetadataId": rocket_id, "type": "NUMBER",
            "name": "thrust", "label": "Thrust"}}}),
    );
    let changed = Instant::now();
    assert_eq!(ok(&r)["createOneField"]["type"], json!("NUMBER"));

    // B: poll until the new object and field are usable (they should be at once).
    let create = r#"mutation { createRocket(data: {name: "Falcon", thrust: 7600}) { id thrust } }"#;
    let mut attempts = 0_u32;
    let (latency, created) = loop {
        attempts += 1;
        let r = b.graphql(create);
        if r.get("errors").is_none() {
            break (changed.elapsed(), r);
        }
        assert!(
            changed.elapsed() < Duration::from_secs(10),
            "B never accepted createRocket; last reply: {r}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    // B logs "schema built" before it answers; the reader thread may lag a little.
    let deadline = Instant::now() + Duration::from_secs(2);
    let builds = loop {
        let builds = builds_b.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if builds.len() >= 2 || Instant::now() > deadline {
            break builds;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // The same mutation once more, on B's cached schema, for comparison.
    let started = Instant::now();
    let r = b.graphql(create);
    let steady = started.elapsed();
    ok(&r);
    eprintln!(
        "live_schema: change on A -> first successful createRocket on B: {:.1} ms ({attempts} attempt(s)); \
         B's schema builds (ms, before/after the change): {builds:?}; the same mutation again: {:.1} ms",
        latency.as_secs_f64() * 1000.0,
        steady.as_secs_f64() * 1000.0
    );
    assert_eq!(
        builds.len(),
        2,
        "B built the schema once before and once after the change: {builds:?}"
    );
    assert_eq!(
        created["data"]["createRocket"]["thrust"].as_f64(),
        Some(7600.0)
    );
    assert_eq!(
        attempts, 1,
        "B's first request after the change must already see it"
    );
    assert!(latency < Duration::from_secs(1), "took {latency:?}");

    let r = b.graphql(
        "{ rockets(filter: {thrust: {gt: 1000}}) { totalCount edges { node { name thrust } } } }",
    );
    let rockets = &ok(&r)["rockets"];
    assert_eq!(rockets["totalCount"], json!(2), "{r}");
    assert_eq!(rockets["edges"][0]["node"]["name"], json!("Falcon"));
    // A serves the same data.
    let r = a.graphql("{ rockets { totalCount } }");
    assert_eq!(ok(&r)["rockets"]["totalCount"], json!(2));

    // Another workspace, served by B, has no rockets.
    let other = Api {
        port: port_b,
        token: create_workspace(BIN, dir_cli.path(), &backend, "Other"),
    };
    let r = other.graphql("{ rockets { totalCount } }");
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT"),
        "{r}"
    );
    let r = other.graphql("{ people { totalCount } }");
    assert_eq!(ok(&r)["people"]["totalCount"], json!(0));
}
