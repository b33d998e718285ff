//! Converting CSV cells to GraphQL input values per column kind.

use serde_json::Value;
use tessera_metadata::ScalarKind;

/// The input value of one cell: `None` for an empty cell (the field is omitted).
///
/// Numbers are parsed (`Int` columns must be whole), booleans accept `true/false/1/0/yes/no`
/// (any case), JSON columns (`RAW_JSON`, JSON sub-fields) are parsed as JSON, arrays and
/// multi-selects accept a JSON array or a `;`- or `,`-separated list. Everything else is
/// passed as a string; the record validator checks UUIDs, dates and enum values.
///
/// Errors: a message saying why the cell does not fit.
pub fn convert_cell(kind: ScalarKind, cell: &str) -> Result<Option<Value>, String> {
    let trimmed = cell.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let value = match kind {
        ScalarKind::Float | ScalarKind::Position | ScalarKind::Numeric => {
            let n: f64 = trimmed
                .parse()
                .map_err(|_| format!("\"{trimmed}\" is not a number"))?;
            if let Ok(i) = trimmed.parse::<i64>() {
                Value::from(i)
            } else {
                serde_json::Number::from_f64(n)
                    .map(Value::Number)
                    .ok_or_else(|| format!("\"{trimmed}\" is not a finite number"))?
            }
        }
        ScalarKind::Int => {
            let n: f64 = trimmed
                .parse()
                .map_err(|_| format!("\"{trimmed}\" is not a number"))?;
            if n.fract() != 0.0 || !n.is_finite() || n.abs() > 9.0e15 {
                return Err(format!("\"{trimmed}\" is not a whole number"));
            }
            Value::from(n as i64)
        }
        ScalarKind::Boolean => match trimmed.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Value::Bool(true),
            "false" | "0" | "no" => Value::Bool(false),
            _ => {
                return Err(format!(
                    "\"{trimmed}\" is not a boolean (true/false/1/0/yes/no)"
                ));
            }
        },
        ScalarKind::Json => {
            serde_json::from_str(trimmed).map_err(|e| format!("invalid JSON: {e}"))?
        }
        ScalarKind::TextArray | ScalarKind::EnumArray => {
            if trimmed.starts_with('[') {
                let items: Vec<Value> = serde_json::from_str(trimmed)
                    .map_err(|e| format!("invalid JSON array: {e}"))?;
                if items.iter().any(|i| !i.is_string()) {
                    return Err("array items must be strings".to_owned());
                }
                Value::Array(items)
            } else {
                let separator = if trimmed.contains(';') { ';' } else { ',' };
                Value::Array(
                    trimmed
                        .split(separator)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(Value::from)
                        .collect(),
                )
            }
        }
        ScalarKind::Text => Value::from(cell),
        ScalarKind::Uuid | ScalarKind::Date | ScalarKind::DateTime | ScalarKind::Enum => {
            Value::from(trimmed)
        }
    };
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conversions() {
        assert_eq!(convert_cell(ScalarKind::Text, ""), Ok(None));
        assert_eq!(convert_cell(ScalarKind::Text, "  "), Ok(None));
        assert_eq!(
            convert_cell(ScalarKind::Text, "Ada"),
            Ok(Some(json!("Ada")))
        );
        assert_eq!(convert_cell(ScalarKind::Float, "1.5"), Ok(Some(json!(1.5))));
        assert_eq!(
            convert_cell(ScalarKind::Numeric, "2500000000000"),
            Ok(Some(json!(2_500_000_000_000_i64)))
        );
        assert_eq!(convert_cell(ScalarKind::Int, "12"), Ok(Some(json!(12))));
        assert!(convert_cell(ScalarKind::Int, "1.5").is_err());
        assert!(convert_cell(ScalarKind::Float, "abc").is_err());
        for (text, b) in [
            ("true", true),
            ("YES", true),
            ("1", true),
            ("no", false),
            ("False", false),
            ("0", false),
        ] {
            assert_eq!(
                convert_cell(ScalarKind::Boolean, text),
                Ok(Some(json!(b))),
                "{text}"
            );
        }
        assert!(convert_cell(ScalarKind::Boolean, "maybe").is_err());
        assert_eq!(
            convert_cell(ScalarKind::Json, "[\"a@b.c\"]"),
            Ok(Some(json!(["a@b.c"])))
        );
        assert!(convert_cell(ScalarKind::Json, "{oops").is_err());
        assert_eq!(
            convert_cell(ScalarKind::EnumArray, "ON_SITE; HYBRID"),
            Ok(Some(json!(["ON_SITE", "HYBRID"])))
        );
        assert_eq!(
            convert_cell(ScalarKind::TextArray, "a,b"),
            Ok(Some(json!(["a", "b"])))
        );
        assert_eq!(
            convert_cell(ScalarKind::TextArray, "[\"a,b\"]"),
            Ok(Some(json!(["a,b"])))
        );
        assert!(convert_cell(ScalarKind::TextArray, "[1]").is_err());
        assert_eq!(
            convert_cell(ScalarKind::Enum, " NEW "),
            Ok(Some(json!("NEW")))
        );
    }
}
