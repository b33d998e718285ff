//! A stand-in for the `tessera` binary that speaks only the runner's contract (CLI output,
//! `/healthz`, bearer auth, JSON over `POST /graphql`), so the runner's own end-to-end test
//! (`tests/tests/runner.rs`) does not depend on the real engine. It echoes each request back
//! with fresh ids, timestamps and cursors, which exercises normalisation.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh, random-looking UUID (time, process id and a counter; no dependency needed).
fn fresh_uuid() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let x = nanos ^ (u128::from(std::process::id()) << 64) ^ (u128::from(n) << 96);
    let h = format!("{x:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn now_iso() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // 2030-01-01T00:00:00Z plus the seconds of the current day: a valid, moving timestamp.
    format!(
        "2030-01-01T{:02}:{:02}:{:02}.000Z",
        (d / 3600) % 24,
        (d / 60) % 60,
        d % 60
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    match args.first().map(String::as_str) {
        Some("workspace") => {
            let id = fresh_uuid();
            println!("workspace_id={id}");
            println!("api_key=key-{id}");
        }
        Some("serve") => {
            let port = arg("--port").unwrap_or_else(|| "0".into());
            let host = arg("--host").unwrap_or_else(|| "127.0.0.1".into());
            let listener = match TcpListener::bind(format!("{host}:{port}")) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("bind: {e}");
                    std::process::exit(1);
                }
            };
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let _ = handle(stream);
                });
            }
        }
        _ => {
            eprintln!("usage: fake-tessera workspace create … | serve --port P");
            std::process::exit(2);
        }
    }
}

fn handle(mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0usize;
    let mut auth: Option<String> = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            match k.to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse().unwrap_or(0),
                "authorization" => auth = Some(v.trim().to_owned()),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (status, reply) = if request_line.starts_with("GET /healthz") {
        (200, "ok".to_owned())
    } else if request_line.starts_with("POST /graphql") {
        graphql(auth.as_deref(), &body)
    } else {
        (404, "not found".to_owned())
    };
    write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    )?;
    stream.flush()
}

fn graphql(auth: Option<&str>, body: &[u8]) -> (u16, String) {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return (400, "body is not JSON".into());
    };
    let unauthenticated = |message: &str| json!({"data": null, "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]});
    let workspace = match auth.map(|a| a.strip_prefix("Bearer ").unwrap_or(a)) {
        None => {
            return (
                200,
                unauthenticated("Missing authentication token").to_string(),
            );
        }
        Some(token) => match token.strip_prefix("key-") {
            Some(id) if id.len() == 36 => id.to_owned(),
            _ => return (200, unauthenticated("Token invalid.").to_string()),
        },
    };
    let cursor = format!("Y3Vyc29y{}", COUNTER.fetch_add(1, Ordering::Relaxed));
    let reply = json!({"data": {"echo": {
        "workspace": workspace,
        "query": request.get("query").cloned().unwrap_or(Value::Null),
        "variables": request.get("variables").cloned().unwrap_or(Value::Null),
        "id": fresh_uuid(),
        "createdAt": now_iso(),
        "cursor": cursor,
    }}});
    (200, reply.to_string())
}
