//! Readable differences between an expected and an actual JSON document.

use serde_json::{Map, Value};
use similar::TextDiff;

/// Pretty JSON as written to golden files: two-space indent, trailing newline.
pub fn to_golden(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("<{e}>"));
    text.push('\n');
    text
}

/// Returns `actual` with its object keys reordered to follow `expected` where both have them
/// (extra keys keep their order, after the known ones). Equality ignores key order, so this
/// only keeps the printed diff free of noise.
pub fn align_keys(actual: &Value, expected: &Value) -> Value {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let mut out = Map::with_capacity(a.len());
            for (k, ev) in e {
                if let Some(av) = a.get(k) {
                    out.insert(k.clone(), align_keys(av, ev));
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) {
                    out.insert(k.clone(), av.clone());
                }
            }
            Value::Object(out)
        }
        (Value::Array(a), Value::Array(e)) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, av)| e.get(i).map_or_else(|| av.clone(), |ev| align_keys(av, ev)))
                .collect(),
        ),
        _ => actual.clone(),
    }
}

/// A unified diff (`-` expected, `+` actual, three lines of context) of the two documents as
/// pretty JSON. Empty when they print the same.
pub fn json_diff(expected: &Value, actual: &Value) -> String {
    let expected_text = to_golden(expected);
    let actual_text = to_golden(&align_keys(actual, expected));
    TextDiff::from_lines(&expected_text, &actual_text)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_shows_only_the_changed_value_with_context() {
        let expected = json!({"data": {"people": {"totalCount": 3, "edges": []}}});
        let actual = json!({"data": {"people": {"totalCount": 4, "edges": []}}});
        let diff = json_diff(&expected, &actual);
        assert!(diff.starts_with("--- expected\n+++ actual\n"), "{diff}");
        assert!(diff.contains("-      \"totalCount\": 3,"), "{diff}");
        assert!(diff.contains("+      \"totalCount\": 4,"), "{diff}");
        assert!(!diff.contains("-      \"edges\""), "{diff}");
    }

    #[test]
    fn key_order_alone_is_not_a_difference() {
        let expected = json!({"a": 1, "b": {"c": [1, {"d": 2, "e": 3}]}});
        let actual = json!({"b": {"c": [1, {"e": 3, "d": 2}]}, "a": 1});
        assert_eq!(expected, actual);
        assert_eq!(json_diff(&expected, &actual), "");
    }

    #[test]
    fn extra_and_missing_keys_are_shown() {
        let expected = json!({"data": null, "errors": [{"message": "x"}]});
        let actual =
            json!({"data": null, "errors": [{"message": "x", "path": ["people"]}], "extra": true});
        let diff = json_diff(&expected, &actual);
        assert!(diff.contains("+      \"path\": ["), "{diff}");
        assert!(diff.contains("+  \"extra\": true"), "{diff}");
    }

    #[test]
    fn golden_text_is_pretty_with_trailing_newline() {
        assert_eq!(
            to_golden(&json!({"a": [1]})),
            "{\n  \"a\": [\n    1\n  ]\n}\n"
        );
    }
}
