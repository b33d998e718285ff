//! A local HTTP receiver for webhook tests: records every request (headers, raw body), can
//! answer 500 to the first N requests, or always, and can answer slowly. Also an independent
//! HMAC-SHA256 (RFC 2104 over `sha2`, not the `hmac` crate the server uses) to verify
//! signatures.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use sha2::{Digest, Sha256};

/// One received request.
#[derive(Debug, Clone)]
pub struct Received {
    /// Lower-case header names → values.
    pub headers: HashMap<String, String>,
    /// The raw body.
    pub body: String,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

#[derive(Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    fail_first: AtomicUsize,
    seen: Mutex<HashMap<String, usize>>,
    always_fail: AtomicBool,
    delay_ms: AtomicUsize,
}

/// The running receiver.
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Receiver {
    /// Starts a receiver on 127.0.0.1 (random port) on the current runtime.
    pub async fn start() -> Receiver {
        let inner = Arc::new(Inner::default());
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(handle))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { inner, addr }
    }

    /// `http://127.0.0.1:<port>/hook`.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Answer 500 to the first `n` requests of each idempotency key.
    pub fn fail_first(&self, n: usize) {
        self.inner.fail_first.store(n, Ordering::SeqCst);
    }

    /// Answer 500 to every request (or stop doing so).
    pub fn always_fail(&self, on: bool) {
        self.inner.always_fail.store(on, Ordering::SeqCst);
    }

    /// Wait this long before answering.
    pub fn delay(&self, d: Duration) {
        self.inner
            .delay_ms
            .store(d.as_millis() as usize, Ordering::SeqCst);
    }

    /// Everything received so far (including requests answered 500).
    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().expect("lock").clone()
    }
}

async fn handle(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let delay = inner.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay as u64)).await;
    }
    let received = Received {
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let key = received
        .header("idempotency-key")
        .unwrap_or_default()
        .to_owned();
    let nth = {
        let mut seen = inner.seen.lock().expect("lock");
        let n = seen.entry(key).or_insert(0);
        *n += 1;
        *n
    };
    inner.received.lock().expect("lock").push(received);
    if inner.always_fail.load(Ordering::SeqCst) {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    if nth <= inner.fail_first.load(Ordering::SeqCst) {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// HMAC-SHA256 per RFC 2104, hex.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize();
    hex::encode(outer)
}

/// Whether `r` carries a valid Twenty signature for `secret`:
/// `X-Twenty-Webhook-Signature == hex(HMAC(secret, "<X-Twenty-Webhook-Timestamp>:" + body))`.
pub fn signature_is_valid(r: &Received, secret: &str) -> bool {
    let (Some(ts), Some(sig)) = (
        r.header("x-twenty-webhook-timestamp"),
        r.header("x-twenty-webhook-signature"),
    ) else {
        return false;
    };
    hmac_sha256_hex(secret.as_bytes(), format!("{ts}:{}", r.body).as_bytes()) == sig
}

#[test]
fn independent_hmac_matches_rfc4231_case_2() {
    assert_eq!(
        hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}
