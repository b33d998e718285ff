//! Twenty's webhook signature (`call-webhook.job.ts`): when the webhook has a secret, the
//! request carries `X-Twenty-Webhook-Timestamp: <ms since epoch>`,
//! `X-Twenty-Webhook-Signature: hex(HMAC-SHA256(secret, "<timestamp>:" + body))` and
//! `X-Twenty-Webhook-Nonce: <16 random bytes, hex>`. The body is the exact bytes sent.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Header carrying the timestamp (milliseconds since the Unix epoch, decimal).
pub const TIMESTAMP_HEADER: &str = "X-Twenty-Webhook-Timestamp";
/// Header carrying the hex HMAC-SHA256 signature.
pub const SIGNATURE_HEADER: &str = "X-Twenty-Webhook-Signature";
/// Header carrying a random nonce (32 hex characters).
pub const NONCE_HEADER: &str = "X-Twenty-Webhook-Nonce";
/// Header carrying the delivery's idempotency key (stable per event × webhook, the same on
/// every attempt; receivers deduplicate on it). Tessera's addition; Twenty sends none.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// `hex(HMAC-SHA256(secret, "<timestamp>:" + body))`.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The signature headers for `body` at `timestamp_ms` (empty when `secret` is empty).
pub fn headers(secret: &str, timestamp_ms: i64, body: &[u8]) -> Vec<(&'static str, String)> {
    if secret.is_empty() {
        return Vec::new();
    }
    let ts = timestamp_ms.to_string();
    let nonce: [u8; 16] = rand::random();
    vec![
        (SIGNATURE_HEADER, sign(secret, &ts, body)),
        (TIMESTAMP_HEADER, ts),
        (NONCE_HEADER, hex::encode(nonce)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_an_independent_hmac() {
        // python3: hmac.new(b'whsec_test', b'1700000000000:{"eventName":"person.created"}',
        //                   hashlib.sha256).hexdigest()
        assert_eq!(
            sign(
                "whsec_test",
                "1700000000000",
                br#"{"eventName":"person.created"}"#
            ),
            "09f95058bd772c2dea8132724c6a8686c26cab6d7bbeefdf31a6b83f6e79e359"
        );
    }

    #[test]
    fn no_secret_no_headers() {
        assert!(headers("", 1, b"{}").is_empty());
        let h = headers("s", 1700000000000, b"{}");
        assert_eq!(h[1], (TIMESTAMP_HEADER, "1700000000000".to_owned()));
        assert_eq!(h[0].1, sign("s", "1700000000000", b"{}"));
        assert_eq!(h[2].1.len(), 32);
    }
}
