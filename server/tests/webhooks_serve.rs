//! `tessera serve` in the embedded default runs webhook deliveries in-process: a real server
//! process, a webhook created through `/metadata`, a person created through `/graphql`, and the
//! signed delivery arriving at a local receiver; the same loop writes the person's timeline.

mod processes;
mod webhook_receiver;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use processes::{Api, Backend, Servers, create_workspace, tessera};
use webhook_receiver::{Receiver, signature_is_valid};

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_serve_delivers_webhooks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = Backend {
        database_url: None,
        redis_url: None,
        env: Vec::new(),
    };
    let token = create_workspace(BIN, dir.path(), &backend, "Hooks");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let mut servers = Servers::default();
    let mut child = tessera(BIN, dir.path(), &backend)
        .env("TESSERA_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
        .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[serve] {line}");
            }
        });
    }
    servers.0.push(child);
    let api = Api::new(port, &token);
    let mut ready = false;
    for _ in 0..600 {
        ready = api
            .client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "server not ready");

    let receiver = Receiver::start().await;
    let reply: serde_json::Value = api
        .client
        .post(format!("http://127.0.0.1:{port}/metadata"))
        .bearer_auth(&token)
        .json(&json!({
            "query": "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }",
            "variables": {"i": {"targetUrl": receiver.url(), "operations": ["person.created"], "secret": "serve"}}
        }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert!(reply.get("errors").is_none(), "{reply}");
    let data = api
        .graphql(
            "mutation { createPerson(data: {name: {firstName: \"Served\"}}) { id } }",
            json!({}),
        )
        .await;
    let person = data["createPerson"]["id"].as_str().expect("id").to_owned();
    for _ in 0..600 {
        if !receiver.received().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = receiver.received();
    assert_eq!(got.len(), 1, "one delivery");
    assert!(signature_is_valid(&got[0], "serve"));
    assert_eq!(got[0].json()["record"]["id"], json!(person));
    assert_eq!(got[0].json()["eventName"], "person.created");

    // The same in-process loop writes the timeline.
    let mut names = Vec::new();
    for _ in 0..600 {
        let data = api
            .graphql(
                "query($id: UUID!) { timelineActivities(filter: {targetPersonId: {eq: $id}}) { edges { node { name } } } }",
                json!({"id": person}),
            )
            .await;
        names = data["timelineActivities"]["edges"]
            .as_array()
            .map(|e| e.iter().map(|x| x["node"]["name"].clone()).collect())
            .unwrap_or_default();
        if !names.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(names, vec![json!("person.created")]);
}
