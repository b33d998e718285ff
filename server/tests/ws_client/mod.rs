//! A small GraphQL-over-WebSocket client for tests: `graphql-transport-ws` or the legacy
//! `graphql-ws` sub-protocol, over tokio-tungstenite.

#![allow(dead_code)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The modern sub-protocol (npm `graphql-ws`).
pub const TRANSPORT_WS: &str = "graphql-transport-ws";
/// The legacy sub-protocol (Apollo `subscriptions-transport-ws`).
pub const LEGACY_WS: &str = "graphql-ws";

/// Longest wait for one message before a test fails (a guard, not a measurement).
pub const GUARD: Duration = Duration::from_secs(20);

/// One WebSocket connection to `/graphql`.
pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    protocol: &'static str,
    /// Data messages of other subscriptions, read while waiting for one.
    pending: std::collections::VecDeque<Value>,
}

impl WsClient {
    /// Connects to `ws://127.0.0.1:<port>/graphql` asking for `protocol`.
    pub async fn connect(port: u16, protocol: &'static str) -> WsClient {
        let mut request = format!("ws://127.0.0.1:{port}/graphql")
            .into_client_request()
            .expect("request");
        request
            .headers_mut()
            .insert("sec-websocket-protocol", protocol.parse().expect("header"));
        let (stream, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("websocket connect");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some(protocol),
            "the server picks the requested sub-protocol"
        );
        WsClient {
            stream,
            protocol,
            pending: Default::default(),
        }
    }

    /// Sends a JSON message.
    pub async fn send(&mut self, message: Value) {
        self.stream
            .send(Message::text(message.to_string()))
            .await
            .expect("send");
    }

    /// `connection_init` with `payload`; returns the server's answer (`connection_ack`,
    /// `connection_error`, or `{"close": code, "reason": …}`).
    pub async fn init(&mut self, payload: Value) -> Value {
        self.send(json!({"type": "connection_init", "payload": payload}))
            .await;
        self.next().await.unwrap_or(json!({"close": null}))
    }

    /// `connection_init` with a bearer token; panics unless acknowledged.
    pub async fn init_with_token(&mut self, token: &str) {
        let answer = self
            .init(json!({"Authorization": format!("Bearer {token}")}))
            .await;
        assert_eq!(answer["type"], json!("connection_ack"), "{answer}");
    }

    /// Starts subscription `id` with `query`.
    pub async fn subscribe(&mut self, id: &str, query: &str) {
        let kind = if self.protocol == LEGACY_WS {
            "start"
        } else {
            "subscribe"
        };
        self.send(json!({"id": id, "type": kind, "payload": {"query": query}}))
            .await;
    }

    /// The next protocol message (keep-alives skipped, pings answered); a close frame as
    /// `{"close": code, "reason": …}`; `None` when the stream ends or [`GUARD`] passes.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(GUARD, self.stream.next())
                .await
                .ok()??
                .ok()?;
            match message {
                Message::Text(text) => {
                    let v: Value = serde_json::from_str(&text).expect("JSON message");
                    match v["type"].as_str() {
                        Some("ka") | Some("pong") => continue,
                        Some("ping") => {
                            self.send(json!({"type": "pong"})).await;
                            continue;
                        }
                        _ => return Some(v),
                    }
                }
                Message::Close(frame) => {
                    return Some(match frame {
                        Some(f) => json!({"close": u16::from(f.code), "reason": f.reason.as_str()}),
                        None => json!({"close": null}),
                    });
                }
                _ => continue,
            }
        }
    }

    /// Forgets the messages queued while waiting for others.
    pub fn clear_pending(&mut self) {
        self.pending.clear();
    }

    /// The next data message (`next` / `data`) of subscription `id`.
    async fn next_message(&mut self, id: &str) -> Value {
        if let Some(i) = self.pending.iter().position(|m| m["id"] == json!(id)) {
            return self.pending.remove(i).unwrap_or_default();
        }
        loop {
            let message = self
                .next()
                .await
                .unwrap_or_else(|| panic!("no event within {GUARD:?}"));
            let kind = message["type"].as_str().unwrap_or_default();
            if kind == "next" || kind == "data" {
                if message["id"] == json!(id) {
                    return message;
                }
                self.pending.push_back(message);
                continue;
            }
            assert!(
                kind != "error" && kind != "connection_error" && message.get("close").is_none(),
                "unexpected message: {message}"
            );
        }
    }

    /// The next `onDbEvent` payload of subscription `id`.
    pub async fn next_event(&mut self, id: &str) -> Value {
        let message = self.next_message(id).await;
        let payload = &message["payload"];
        assert!(payload.get("errors").is_none(), "{message}");
        payload["data"]["onDbEvent"].clone()
    }

    /// The next event of subscription `id` if one comes within `wait`.
    pub async fn next_event_within(&mut self, id: &str, wait: Duration) -> Option<Value> {
        tokio::time::timeout(wait, self.next_event(id)).await.ok()
    }

    /// The next event of subscription `id` whose record has `record_id`; the events before
    /// it stay queued, in order, for the next calls.
    pub async fn event_for(&mut self, id: &str, record_id: &str) -> Value {
        let mut skipped = Vec::new();
        let found = loop {
            let message = self.next_message(id).await;
            if message["payload"]["data"]["onDbEvent"]["record"]["id"] == json!(record_id) {
                break message;
            }
            skipped.push(message);
        };
        for message in skipped.into_iter().rev() {
            self.pending.push_front(message);
        }
        let payload = &found["payload"];
        assert!(payload.get("errors").is_none(), "{found}");
        payload["data"]["onDbEvent"].clone()
    }
}
