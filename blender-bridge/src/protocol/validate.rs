//! Turning a frame payload into a valid [`Request`] (PROTOCOL 3.1).
//!
//! This is the addon's side of the contract; it lives here so that the vectors
//! are checked by the same code in Rust as in Python, and so that Rust test
//! servers or third implementations reuse it.

use serde_json::{Map, Value};

use super::{ErrorCode, Request, MAX_ID};

/// Why a payload is not a valid request, and the id the error reply carries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct RequestError {
    /// `bad_frame` (not a JSON object: fatal) or `bad_request` (connection stays open).
    pub code: ErrorCode,
    /// The request's id when it had a valid one, else `None` (sent as `null`).
    pub id: Option<u64>,
    /// What was wrong, for the error reply's message.
    pub message: String,
}

impl RequestError {
    fn bad_frame(message: impl Into<String>) -> Self {
        RequestError {
            code: ErrorCode::BadFrame,
            id: None,
            message: message.into(),
        }
    }

    fn bad_request(id: Option<u64>, message: impl Into<String>) -> Self {
        RequestError {
            code: ErrorCode::BadRequest,
            id,
            message: message.into(),
        }
    }
}

/// Parses a frame payload as a JSON object (anything else is `bad_frame`).
pub fn parse_object(payload: &[u8]) -> Result<Map<String, Value>, RequestError> {
    let text = std::str::from_utf8(payload)
        .map_err(|e| RequestError::bad_frame(format!("payload is not UTF-8: {e}")))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(RequestError::bad_frame("payload is not a JSON object")),
        Err(e) => Err(RequestError::bad_frame(format!("payload is not JSON: {e}"))),
    }
}

/// Validates a request payload exactly as PROTOCOL 3.1 prescribes.
pub fn parse_request(payload: &[u8]) -> Result<Request, RequestError> {
    let mut object = parse_object(payload)?;
    let id = match object.get("id") {
        Some(Value::Number(n)) => n.as_u64().filter(|id| *id <= MAX_ID),
        _ => None,
    };
    let Some(id) = id else {
        return Err(RequestError::bad_request(
            None,
            "`id` must be an integer from 0 to 2^53 - 1",
        ));
    };
    let op = match object.remove("op") {
        Some(Value::String(op)) => op,
        _ => return Err(RequestError::bad_request(Some(id), "`op` must be a string")),
    };
    let params = match object.remove("params") {
        None => Map::new(),
        Some(Value::Object(params)) => params,
        Some(_) => {
            return Err(RequestError::bad_request(
                Some(id),
                "`params` must be an object",
            ))
        }
    };
    Ok(Request { id, op, params })
}
