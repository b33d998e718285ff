//! Scalars of `/metadata`: `UUID`, `DateTime`, `ConnectionCursor`, `JSON`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use uuid::Uuid;

/// A UUID (lower-case hyphenated on output; any case accepted on input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct UuidScalar(pub Uuid);

#[Scalar(name = "UUID")]
impl ScalarType for UuidScalar {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Uuid::parse_str(s)
                .map(UuidScalar)
                .map_err(|_| InputValueError::custom(format!("Invalid UUID \"{s}\""))),
            _ => Err(InputValueError::custom("UUID must be a string")),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.hyphenated().to_string())
    }
}

/// An ISO-8601 instant, e.g. `2026-01-31T09:00:00.000Z`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeScalar(pub String);

#[Scalar(name = "DateTime")]
impl ScalarType for DateTimeScalar {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => Ok(DateTimeScalar(s)),
            _ => Err(InputValueError::custom("DateTime must be a string")),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// An opaque paging cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionCursor(pub String);

#[Scalar(name = "ConnectionCursor")]
impl ScalarType for ConnectionCursor {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => Ok(ConnectionCursor(s)),
            _ => Err(InputValueError::custom("ConnectionCursor must be a string")),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// Any JSON value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(transparent)]
pub struct JsonScalar(pub serde_json::Value);

#[Scalar(name = "JSON")]
impl ScalarType for JsonScalar {
    fn parse(value: Value) -> InputValueResult<Self> {
        value
            .into_json()
            .map(JsonScalar)
            .map_err(|e| InputValueError::custom(e.to_string()))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}
