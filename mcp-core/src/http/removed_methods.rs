//! Methods that 2026-07-28 removed, answered as such.
//!
//! A 2026-07-28 client has no handshake: it names its protocol version on
//! every request (`MCP-Protocol-Version` header, `_meta`). If one sends
//! `initialize` anyway, its params lack the old handshake's fields, and the
//! typed check would call that a -32602 about missing fields; what the
//! client needs to hear is that the method no longer exists.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rmcp::model::{ErrorCode, ServerJsonRpcMessage};
use serde_json::Value;

use crate::rejection::answerable_id;

/// The first revision without `initialize`.
const STATELESS_REVISION: &str = "2026-07-28";
const VERSION_META_KEY: &str = "io.modelcontextprotocol/protocolVersion";
const REMOVED: &[&str] = &["initialize"];

/// HTTP 404 with JSON-RPC -32601 when `message` calls a method its own
/// protocol revision no longer has; `None` otherwise.
pub(crate) fn refuse_removed_method(headers: &HeaderMap, message: &Value) -> Option<Response> {
    let method = message.get("method")?.as_str()?;
    if !REMOVED.contains(&method) || !declares_stateless(headers, message) {
        return None;
    }
    let id = answerable_id(message.get("id"), message.get("method"))?;
    let error = rmcp::model::ErrorData::new(
        ErrorCode::METHOD_NOT_FOUND,
        format!(
            "Method not found: {method} was removed in MCP {STATELESS_REVISION}; \
             send requests directly with protocol metadata in _meta \
             (server/discover describes this server)"
        ),
        None,
    );
    let body = axum::Json(ServerJsonRpcMessage::error(error, Some(id)));
    Some((StatusCode::NOT_FOUND, body).into_response())
}

/// Whether the request says it speaks 2026-07-28 or later, by header or by
/// per-request `_meta` (dates in ISO form compare as text).
fn declares_stateless(headers: &HeaderMap, message: &Value) -> bool {
    let header = headers
        .get("mcp-protocol-version")
        .and_then(|value| value.to_str().ok());
    let meta = message
        .pointer("/params/_meta")
        .and_then(|meta| meta.get(VERSION_META_KEY))
        .and_then(Value::as_str);
    [header, meta]
        .into_iter()
        .flatten()
        .any(|version| version >= STATELESS_REVISION)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn initialize_from_a_stateless_client_is_a_removed_method() {
        let mut headers = HeaderMap::new();
        let bare = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}});
        assert!(refuse_removed_method(&headers, &bare).is_none());
        let with_meta = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"_meta": {VERSION_META_KEY: "2026-07-28"}}});
        let refused = refuse_removed_method(&headers, &with_meta).unwrap();
        assert_eq!(refused.status(), StatusCode::NOT_FOUND);
        headers.insert("mcp-protocol-version", "2026-07-28".parse().unwrap());
        assert!(refuse_removed_method(&headers, &bare).is_some());
        let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"});
        assert!(refuse_removed_method(&headers, &ping).is_none());
        headers.insert("mcp-protocol-version", "2025-11-25".parse().unwrap());
        assert!(refuse_removed_method(&headers, &bare).is_none());
    }
}
