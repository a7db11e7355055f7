//! JSON-RPC validation for bodies that would otherwise get a non-JSON-RPC
//! answer: malformed input must be told what is wrong in JSON-RPC terms, and
//! must never take the server down.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rmcp::model::{ClientJsonRpcMessage, ErrorCode};
use serde_json::Value;

pub(crate) use crate::rejection::Rejection;
use crate::rejection::{check_list_cursor, check_standard_params};

impl IntoResponse for Rejection {
    /// HTTP 400 with a JSON-RPC error body, as legacy clients expect.
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, axum::Json(self.into_message())).into_response()
    }
}

/// Parses a POST body: one JSON-RPC message or a (2024-11-05) batch.
pub(crate) fn parse_messages(body: &[u8]) -> Result<Vec<ClientJsonRpcMessage>, Rejection> {
    let value: Value =
        serde_json::from_slice(body).map_err(|error| Rejection::parse_error(&error))?;
    let items = match value {
        Value::Array(items) if items.is_empty() => {
            return Err(Rejection {
                id: None,
                code: ErrorCode::INVALID_REQUEST,
                message: "Invalid Request: empty batch".into(),
            })
        }
        Value::Array(items) => items,
        single => vec![single],
    };
    items
        .into_iter()
        .map(|item| {
            check_list_cursor(&item)?;
            let message = serde_json::from_value(item.clone())
                .map_err(|error| Rejection::invalid_request(&item, error))?;
            check_standard_params(&message)?;
            Ok(message)
        })
        .collect()
}

/// Parses a body that must hold exactly one JSON-RPC message (Streamable
/// HTTP has no batches since 2025-06-18).
pub(crate) fn parse_single(body: &[u8]) -> Result<ClientJsonRpcMessage, Rejection> {
    let mut messages = parse_messages(body)?;
    if messages.len() != 1 {
        return Err(Rejection {
            id: None,
            code: ErrorCode::INVALID_REQUEST,
            message: "Invalid Request: batches are not supported".into(),
        });
    }
    Ok(messages.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_bodies_get_jsonrpc_errors() {
        assert_eq!(
            parse_messages(b"{not json").unwrap_err().code,
            ErrorCode::PARSE_ERROR
        );
        assert!(parse_messages(b"[]").is_err());
        let invalid = parse_messages(br#"{"jsonrpc":"2.0","id":7}"#).unwrap_err();
        assert_eq!(invalid.code, ErrorCode::INVALID_REQUEST);
        assert_eq!(invalid.id, None, "not a request: no id to answer");
        let invalid =
            parse_messages(br#"{"jsonrpc":"2.0","id":7,"method":"x","params":1}"#).unwrap_err();
        assert_eq!(invalid.id, Some(rmcp::model::NumberOrString::Number(7)));
        let ok = parse_messages(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).unwrap();
        assert_eq!(ok.len(), 1);
    }

    #[test]
    fn single_rejects_batches() {
        let one = br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
        assert!(parse_single(one).is_ok());
        let two = br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]"#;
        assert_eq!(
            parse_single(two).unwrap_err().code,
            ErrorCode::INVALID_REQUEST
        );
    }
}
