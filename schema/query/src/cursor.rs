//! Cursors: base64 (standard alphabet, padded) of a JSON object holding the record's values of
//! every ordering key plus its `id` — Twenty's contract (`GQR/utils/cursors.util.ts`), e.g.
//! `base64('{"id":"<uuid>"}')` for the default ordering. Clients treat them as opaque.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use crate::QueryError;

/// Encodes cursor values.
pub(crate) fn encode(values: &Map<String, Value>) -> String {
    STANDARD.encode(Value::Object(values.clone()).to_string())
}

/// Decodes a cursor; anything that is not base64 of a JSON object is `BAD_USER_INPUT`
/// (`INVALID_CURSOR`).
pub(crate) fn decode(cursor: &str) -> Result<Map<String, Value>, QueryError> {
    let invalid = || QueryError::bad_with("INVALID_CURSOR", format!("Invalid cursor: {cursor}"));
    let bytes = STANDARD.decode(cursor.trim()).map_err(|_| invalid())?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_garbage() {
        let mut m = Map::new();
        m.insert("city".into(), json!("Paris"));
        m.insert("id".into(), json!("20202020-0000-4000-8000-000000000001"));
        let c = encode(&m);
        assert_eq!(decode(&c).expect("decodes"), m);
        assert!(decode("not a cursor!").is_err());
        assert!(decode(&STANDARD.encode("[1,2]")).is_err());
    }
}
