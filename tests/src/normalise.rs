//! Replaces the volatile parts of a response (generated ids, server clocks, cursors) by
//! stable placeholders, so that a golden file can hold everything else literally.
//!
//! The rules (also in `tests/README.md`):
//! * A string under a `cursor`, `startCursor` or `endCursor` key becomes `"<cursor:N>"`, N
//!   numbered by first appearance of that exact value, so equal cursors stay equal and
//!   different ones stay different.
//! * A string that is a whole ISO-8601 date-time becomes `"<datetime>"`, unless its instant
//!   appears somewhere in the case's own files (then it stays literal, format included).
//! * Every UUID inside any other string (whole value or part of a message) that does not
//!   appear in the case's files becomes `"<uuid:N>"`, numbered by first appearance; the ids of
//!   the case's workspaces become `"<workspace:main>"` / `"<workspace:other>"`.
//!
//! Numbering runs over one session's whole output (all steps, in order), so an id created in
//! one step and read in the next gets the same placeholder.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

/// Object keys whose string values are opaque pagination cursors.
pub const CURSOR_KEYS: [&str; 3] = ["cursor", "startCursor", "endCursor"];

/// Values written in a case's own files (requests, variables, seeds). They are stable, so the
/// normaliser keeps them literal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Literals {
    uuids: HashSet<String>,
    instants: HashSet<DateTime<Utc>>,
}

impl Literals {
    /// Collects every UUID and every ISO date-time written anywhere in `texts`.
    pub fn scan<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut literals = Self::default();
        for text in texts {
            for (start, end) in uuid_spans(text) {
                literals.uuids.insert(text[start..end].to_ascii_lowercase());
            }
            for instant in datetimes_in(text) {
                literals.instants.insert(instant);
            }
        }
        literals
    }

    /// Whether `uuid` (any case) was written in the case's files.
    pub fn has_uuid(&self, uuid: &str) -> bool {
        self.uuids.contains(&uuid.to_ascii_lowercase())
    }

    /// Whether the instant was written in the case's files (in any ISO format).
    pub fn has_instant(&self, instant: &DateTime<Utc>) -> bool {
        self.instants.contains(instant)
    }
}

/// Normalises one session's output. Create one per session: numbering starts at 1.
#[derive(Debug)]
pub struct Normaliser<'a> {
    literals: &'a Literals,
    named: HashMap<String, String>,
    uuids: HashMap<String, usize>,
    cursors: HashMap<String, usize>,
}

impl<'a> Normaliser<'a> {
    /// A normaliser that keeps `literals` and numbers everything else from 1.
    pub fn new(literals: &'a Literals) -> Self {
        Self {
            literals,
            named: HashMap::new(),
            uuids: HashMap::new(),
            cursors: HashMap::new(),
        }
    }

    /// Gives a known volatile UUID (e.g. a workspace id) a fixed name: it becomes `"<name>"`.
    pub fn name_uuid(mut self, uuid: &str, name: &str) -> Self {
        self.named
            .insert(uuid.to_ascii_lowercase(), format!("<{name}>"));
        self
    }

    /// Returns a normalised copy of `value`.
    pub fn normalise(&mut self, value: &Value) -> Value {
        self.value(value, None)
    }

    fn value(&mut self, value: &Value, key: Option<&str>) -> Value {
        match value {
            Value::String(s) => Value::String(self.string(s, key)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.value(v, None)).collect())
            }
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    let normalised = self.value(v, Some(k));
                    out.insert(k.clone(), normalised);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    fn string(&mut self, s: &str, key: Option<&str>) -> String {
        if key.is_some_and(|k| CURSOR_KEYS.contains(&k)) {
            let next = self.cursors.len() + 1;
            let n = *self.cursors.entry(s.to_owned()).or_insert(next);
            return format!("<cursor:{n}>");
        }
        if let Some(instant) = parse_datetime(s) {
            return if self.literals.has_instant(&instant) {
                s.to_owned()
            } else {
                "<datetime>".to_owned()
            };
        }
        let spans = uuid_spans(s);
        if spans.is_empty() {
            return s.to_owned();
        }
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for (start, end) in spans {
            out.push_str(&s[last..start]);
            let uuid = &s[start..end];
            let lower = uuid.to_ascii_lowercase();
            if let Some(name) = self.named.get(&lower) {
                out.push_str(name);
            } else if self.literals.has_uuid(&lower) {
                out.push_str(uuid);
            } else {
                let next = self.uuids.len() + 1;
                let n = *self.uuids.entry(lower).or_insert(next);
                out.push_str(&format!("<uuid:{n}>"));
            }
            last = end;
        }
        out.push_str(&s[last..]);
        out
    }
}

const UUID_LEN: usize = 36;

fn is_uuid_at(bytes: &[u8], start: usize) -> bool {
    let Some(candidate) = bytes.get(start..start + UUID_LEN) else {
        return false;
    };
    candidate.iter().enumerate().all(|(i, b)| match i {
        8 | 13 | 18 | 23 => *b == b'-',
        _ => b.is_ascii_hexdigit(),
    })
}

/// Byte ranges of the UUIDs (canonical 8-4-4-4-12 hex form, any case) in `text`. A match must
/// not be glued to other letters, digits or dashes, so longer hex strings do not count.
pub fn uuid_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let glued = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let mut spans = Vec::new();
    let mut i = 0;
    while i + UUID_LEN <= bytes.len() {
        let boundary_before = i == 0 || !glued(bytes[i - 1]);
        let boundary_after = bytes.get(i + UUID_LEN).is_none_or(|b| !glued(*b));
        if boundary_before && boundary_after && is_uuid_at(bytes, i) {
            spans.push((i, i + UUID_LEN));
            i += UUID_LEN;
        } else {
            i += 1;
        }
    }
    spans
}

/// Parses a whole string as an ISO-8601 date-time (`YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`);
/// a missing offset means UTC. Plain dates (`YYYY-MM-DD`) are not date-times.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let shaped = b.len() >= 16
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':';
    if !shaped {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|naive| naive.and_utc())
}

/// Every date-time written in free text (GraphQL or JSON): runs of date-time characters that
/// start with `YYYY-MM-DDT` and parse.
fn datetimes_in(text: &str) -> Vec<DateTime<Utc>> {
    let bytes = text.as_bytes();
    let part = |b: u8| b.is_ascii_digit() || matches!(b, b'-' | b':' | b'.' | b'+' | b'T' | b'Z');
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if part(bytes[i]) && (i == 0 || !part(bytes[i - 1])) {
            let end = (i..bytes.len())
                .find(|&j| !part(bytes[j]))
                .unwrap_or(bytes.len());
            if let Some(dt) = parse_datetime(&text[i..end]) {
                found.push(dt);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SEEDED: &str = "20202020-0000-4000-8000-000000000001";
    const GENERATED_A: &str = "7f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f";
    const GENERATED_B: &str = "0a0b0c0d-1111-4222-8333-444455556666";

    fn literals() -> Literals {
        Literals::scan([
            r#"mutation { createPerson(data: {id: "20202020-0000-4000-8000-000000000001"}) { id } }"#,
            r#"{"closeDate": "2025-03-01T00:00:00Z"}"#,
        ])
    }

    #[test]
    fn literal_uuids_stay_and_generated_ones_are_numbered_by_first_appearance() {
        let lits = literals();
        let mut n = Normaliser::new(&lits);
        let out = n.normalise(&json!({
            "a": [{"id": GENERATED_A}, {"id": SEEDED}, {"id": GENERATED_B}],
            "b": {"again": GENERATED_A, "upper": GENERATED_B.to_uppercase()}
        }));
        assert_eq!(
            out,
            json!({
                "a": [{"id": "<uuid:1>"}, {"id": SEEDED}, {"id": "<uuid:2>"}],
                "b": {"again": "<uuid:1>", "upper": "<uuid:2>"}
            })
        );
    }

    #[test]
    fn uuids_inside_messages_are_replaced_in_place() {
        let lits = literals();
        let mut n = Normaliser::new(&lits).name_uuid(GENERATED_B, "workspace:main");
        let msg = format!("Record {GENERATED_A} of {GENERATED_B} conflicts with {SEEDED}.");
        assert_eq!(
            n.normalise(&json!(msg)),
            json!(format!(
                "Record <uuid:1> of <workspace:main> conflicts with {SEEDED}."
            ))
        );
    }

    #[test]
    fn hex_runs_longer_than_a_uuid_are_not_uuids() {
        let glued = format!("x{GENERATED_A}");
        assert!(uuid_spans(&glued).is_empty());
        assert!(uuid_spans(&format!("{GENERATED_A}0")).is_empty());
        assert!(uuid_spans(&format!("{GENERATED_A}-")).is_empty());
        assert_eq!(uuid_spans(&format!("\"{GENERATED_A}\"")), vec![(1, 37)]);
        assert!(uuid_spans("7f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5g").is_empty());
    }

    #[test]
    fn server_timestamps_become_placeholders_but_written_instants_stay_literal() {
        let lits = literals();
        let mut n = Normaliser::new(&lits);
        let out = n.normalise(&json!({
            "createdAt": "2031-07-04T12:34:56.789Z",
            "deletedAt": null,
            "closeDate": "2025-03-01T00:00:00.000Z",
            "offset": "2025-03-01T01:00:00+01:00",
            "date": "2025-03-01",
            "text": "2031-07-04T12:34:56.789Z is when"
        }));
        assert_eq!(
            out,
            json!({
                "createdAt": "<datetime>",
                "deletedAt": null,
                "closeDate": "2025-03-01T00:00:00.000Z",
                "offset": "2025-03-01T01:00:00+01:00",
                "date": "2025-03-01",
                "text": "2031-07-04T12:34:56.789Z is when"
            })
        );
    }

    #[test]
    fn cursors_keep_equality_relationships() {
        let lits = Literals::default();
        let mut n = Normaliser::new(&lits);
        let out = n.normalise(&json!({
            "edges": [{"cursor": "YQ=="}, {"cursor": "Yg=="}],
            "pageInfo": {"startCursor": "YQ==", "endCursor": "Yg==", "hasNextPage": false},
            "empty": {"startCursor": null}
        }));
        assert_eq!(
            out,
            json!({
                "edges": [{"cursor": "<cursor:1>"}, {"cursor": "<cursor:2>"}],
                "pageInfo": {"startCursor": "<cursor:1>", "endCursor": "<cursor:2>", "hasNextPage": false},
                "empty": {"startCursor": null}
            })
        );
    }

    #[test]
    fn a_cursor_holding_an_id_is_still_just_a_cursor() {
        let lits = Literals::default();
        let mut n = Normaliser::new(&lits);
        let out = n.normalise(&json!({"cursor": GENERATED_A, "id": GENERATED_A}));
        assert_eq!(out, json!({"cursor": "<cursor:1>", "id": "<uuid:1>"}));
    }

    #[test]
    fn numbering_is_per_normaliser() {
        let lits = Literals::default();
        let first = Normaliser::new(&lits).normalise(&json!([GENERATED_A, GENERATED_B]));
        let second = Normaliser::new(&lits).normalise(&json!([GENERATED_B]));
        assert_eq!(first, json!(["<uuid:1>", "<uuid:2>"]));
        assert_eq!(second, json!(["<uuid:1>"]));
    }

    #[test]
    fn datetime_parsing_accepts_iso_forms_only() {
        assert!(parse_datetime("2025-01-15T10:00:00Z").is_some());
        assert!(parse_datetime("2025-01-15T10:00:00.123456Z").is_some());
        assert!(parse_datetime("2025-01-15T10:00:00").is_some());
        assert!(parse_datetime("2025-01-15T10:00").is_some());
        assert_eq!(
            parse_datetime("2025-01-15T11:00:00+01:00"),
            parse_datetime("2025-01-15T10:00:00.000Z")
        );
        assert!(parse_datetime("2025-01-15").is_none());
        assert!(parse_datetime("2025-01-15 10:00:00").is_none());
        assert!(parse_datetime("2025-13-15T10:00:00Z").is_none());
        assert!(parse_datetime("hello").is_none());
    }

    #[test]
    fn literal_scan_finds_datetimes_in_graphql_and_json() {
        let lits = Literals::scan([
            r#"{ opportunities(filter: {closeDate: {gte: "2025-01-01T00:00:00Z"}}) { id } }"#,
            r#"{"due": "2026-06-30T09:30:00.000+02:00"}"#,
        ]);
        let want = parse_datetime("2025-01-01T00:00:00.000Z").expect("valid");
        assert!(lits.has_instant(&want));
        let shifted = parse_datetime("2026-06-30T07:30:00Z").expect("valid");
        assert!(lits.has_instant(&shifted));
        assert!(!lits.has_instant(&parse_datetime("2025-01-02T00:00:00Z").expect("valid")));
    }
}
