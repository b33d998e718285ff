//! The `tessera` binary: `workspace create` output, `import` validation, PostgreSQL mode
//! without an app secret, and `serve --demo` start-up and graceful shutdown.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tessera_server::auth::verify_token;
use tessera_store::{Store, StoreConfig};

fn tessera(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("APP_SECRET")
        .env_remove("PORT")
        .env("TESSERA_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run tessera")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn workspace_create_prints_two_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run(tessera(dir.path()).args(["workspace", "create", "--name", "Acme"]));
    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "stdout: {stdout}");
    let ws = lines[0]
        .strip_prefix("workspace_id=")
        .expect("workspace_id line");
    let token = lines[1].strip_prefix("api_key=").expect("api_key line");
    let ws: tessera_core::WorkspaceId = ws.parse().expect("uuid");

    // The token verifies with the generated, persisted app secret and names a stored key.
    let secret =
        std::fs::read_to_string(tessera_server::app_secret_path(dir.path())).expect("secret file");
    let verified = verify_token(secret.trim(), token).expect("valid token");
    assert_eq!(verified.workspace_id, ws);
    let store = Store::connect(&StoreConfig {
        database_url: None,
        data_dir: dir.path().to_path_buf(),
    })
    .await
    .expect("store");
    let record = store
        .workspace(ws)
        .await
        .expect("lookup")
        .expect("workspace exists");
    assert_eq!(record.display_name, "Acme");
    let key = store
        .api_key(ws, verified.key_id)
        .await
        .expect("lookup")
        .expect("key exists");
    assert_eq!(key.name, tessera_server::DEFAULT_API_KEY_NAME);

    // A second workspace reuses the same secret.
    let again = run(tessera(dir.path()).args(["workspace", "create", "--name", "Second"]));
    assert!(again.status.success());
    let token2 = text(&again.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.strip_prefix("api_key=").map(str::to_owned));
    assert!(verify_token(secret.trim(), &token2.expect("token")).is_ok());
}

#[test]
fn all_field_types_fixture_is_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run(tessera(dir.path()).args([
        "workspace",
        "create",
        "--name",
        "F",
        "--fixture",
        "all-field-types",
    ]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("workspace_id="));
}

#[test]
fn unknown_fixture_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output =
        run(tessera(dir.path()).args(["workspace", "create", "--name", "F", "--fixture", "nope"]));
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("unknown fixture"),
        "{}",
        text(&output.stderr)
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn postgres_mode_requires_an_app_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run(tessera(dir.path())
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none")
        .args(["workspace", "create", "--name", "X"]));
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("APP_SECRET"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn import_reports_every_bad_row_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = run(tessera(dir.path()).args(["workspace", "create", "--name", "Import"]));
    assert!(created.status.success(), "{}", text(&created.stderr));
    let ws = text(&created.stdout)
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("workspace_id=").map(str::to_owned))
        .expect("workspace id");
    let csv = dir.path().join("companies.csv");
    std::fs::write(
        &csv,
        "name,ICP,employees\nAcme,yes,10\nBad,perhaps,10\nWorse,no,ten\n",
    )
    .expect("csv");
    let output = run(tessera(dir.path())
        .args(["import", "--workspace", &ws, "--object", "company"])
        .arg(&csv));
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("2 invalid row(s), nothing was imported"),
        "{stderr}"
    );
    assert!(stderr.contains("line 3: column \"ICP\""), "{stderr}");
    assert!(stderr.contains("line 4: column \"employees\""), "{stderr}");

    let bad_header = dir.path().join("people.csv");
    std::fs::write(&bad_header, "name.firstName,shoeSize\nAda,42\n").expect("csv");
    let output = run(tessera(dir.path())
        .args(["import", "--workspace", &ws, "--object", "person"])
        .arg(&bad_header));
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("\"shoeSize\""),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn import_writes_valid_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = run(tessera(dir.path()).args(["workspace", "create", "--name", "Import"]));
    let ws = text(&created.stdout)
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("workspace_id=").map(str::to_owned))
        .expect("workspace id");
    let csv = dir.path().join("people.csv");
    std::fs::write(
        &csv,
        "First Name,name.lastName,city\nAda,Lovelace,London\nAlan,Turing,Wilmslow\n",
    )
    .expect("csv");
    let output = run(tessera(dir.path())
        .args(["import", "--workspace", &ws, "--object", "person"])
        .arg(&csv));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("imported 2"));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn serve_demo_starts_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut child = tessera(dir.path())
        .args([
            "serve",
            "--demo",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    let health = loop {
        if let Some(response) = http_get(port, "/healthz") {
            break response;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("server did not start");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        health.starts_with("HTTP/1.0 200") || health.starts_with("HTTP/1.1 200"),
        "{health}"
    );
    assert!(health.ends_with("ok"), "{health}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "exit status {exit:?}");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .expect("read");
    assert!(stdout.contains("Demo workspace: "), "{stdout}");
    assert!(stdout.contains("curl -s http://127.0.0.1:"), "{stdout}");
    assert!(stdout.contains("people(first: 3)"), "{stdout}");
    assert!(stdout.contains("GraphiQL: http://127.0.0.1:"), "{stdout}");
}
