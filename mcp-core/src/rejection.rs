//! JSON-RPC error answers for messages rmcp never gets to see: input that is
//! not JSON, JSON that is not a JSON-RPC message, a message too large to
//! read. Both transports build them here, so a bad message gets the same
//! answer over stdio and over HTTP.

use rmcp::model::{
    self as mcp, ClientJsonRpcMessage, ClientRequest, ConstString, ErrorCode, ErrorData,
    JsonRpcMessage, NumberOrString, RequestId, ServerJsonRpcMessage,
};
use serde_json::Value;

/// A message refused before it reaches rmcp, to be answered as a JSON-RPC
/// error.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rejection {
    /// The request's own id when it could be read (so the caller stops
    /// waiting); `None` is sent as an error without an id, as MCP 2026-07-28
    /// asks (rmcp does the same for the errors it answers itself).
    pub(crate) id: Option<RequestId>,
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl Rejection {
    /// Input that is not JSON at all: no id can be known.
    pub(crate) fn parse_error(error: &serde_json::Error) -> Self {
        Rejection {
            id: None,
            code: ErrorCode::PARSE_ERROR,
            message: format!("Parse error: {error}"),
        }
    }

    /// JSON that is not a valid JSON-RPC message; `message` is what was sent.
    pub(crate) fn invalid_request(message: &Value, why: impl std::fmt::Display) -> Self {
        Rejection {
            id: answerable_id(message.get("id"), message.get("method")),
            code: ErrorCode::INVALID_REQUEST,
            message: format!("Invalid Request: {why}"),
        }
    }

    /// A message over the transport's size limit; `id` is what could be read
    /// from its first bytes.
    pub(crate) fn too_large(id: Option<RequestId>, limit_bytes: usize) -> Self {
        Rejection {
            id,
            code: ErrorCode::INVALID_REQUEST,
            message: format!(
                "Invalid Request: the message is larger than this server's limit of {}; \
                 pass large data by file path instead of inline",
                human_size(limit_bytes)
            ),
        }
    }

    /// A standard MCP request whose params do not fit the method's schema.
    fn invalid_params(id: RequestId, method: &str, why: serde_json::Error) -> Self {
        Rejection {
            id: Some(id),
            code: ErrorCode::INVALID_PARAMS,
            message: format!("Invalid params for {method}: {why}"),
        }
    }

    /// A list request with a cursor this server never issued.
    fn invalid_cursor(id: RequestId, cursor: &Value) -> Self {
        Rejection {
            id: Some(id),
            code: ErrorCode::INVALID_PARAMS,
            message: format!(
                "Invalid params: unknown cursor {cursor}; this server returns every item \
                 in one page, so omit cursor"
            ),
        }
    }

    /// The error as the message the server sends.
    pub(crate) fn into_message(self) -> ServerJsonRpcMessage {
        ServerJsonRpcMessage::error(ErrorData::new(self.code, self.message, None), self.id)
    }
}

/// JSON-RPC error code for a request refused at the HTTP layer with
/// `status`, before (or instead of) reading its message.
///
/// Malformed requests are Invalid Request, like their JSON-RPC kin; an
/// unknown session is -32001, as the official SDKs answer it; refusals that
/// say nothing about the message (auth, shutdown) are the generic server
/// error -32000; the server's own faults are Internal error.
pub(crate) fn http_refusal_code(status: u16) -> ErrorCode {
    match status {
        404 => ErrorCode(-32001),
        401 | 403 | 429 | 503 => ErrorCode(-32000),
        500..=599 => ErrorCode::INTERNAL_ERROR,
        _ => ErrorCode::INVALID_REQUEST,
    }
}

/// The JSON-RPC error body for a request refused at the HTTP layer.
pub(crate) fn http_refusal(status: u16, message: &str) -> ServerJsonRpcMessage {
    let error = ErrorData::new(http_refusal_code(status), message.to_owned(), None);
    ServerJsonRpcMessage::error(error, None)
}

/// The id an error may be addressed to: a request's string or integer id.
///
/// Anything else stays unaddressed. An `id` of another type is not a valid
/// JSON-RPC id, and a message without `method` is a (malformed) response to
/// one of the server's own requests: answering it with that id would look
/// like a reply to the client's request of the same number.
pub(crate) fn answerable_id(id: Option<&Value>, method: Option<&Value>) -> Option<RequestId> {
    if !method.is_some_and(Value::is_string) {
        return None;
    }
    match id? {
        Value::Number(number) => number.as_i64().map(NumberOrString::Number),
        Value::String(text) => Some(NumberOrString::String(text.as_str().into())),
        _ => None,
    }
}

/// Refuses a standard MCP request whose params are malformed.
///
/// rmcp parses a request it cannot type into its catch-all `CustomRequest`,
/// so `tools/call` with `"name": 5` would be answered "Method not found:
/// tools/call", which sends a client looking for the wrong mistake. The
/// typed parse is redone here to give the real reason, as Invalid params.
pub(crate) fn check_standard_params(message: &ClientJsonRpcMessage) -> Result<(), Rejection> {
    let JsonRpcMessage::Request(request) = message else {
        return Ok(());
    };
    let ClientRequest::CustomRequest(custom) = &request.request else {
        return Ok(());
    };
    let typed = serde_json::json!({ "method": custom.method, "params": custom.params });
    match typed_parse_error(&custom.method, typed) {
        Some(why) => Err(Rejection::invalid_params(
            request.id.clone(),
            &custom.method,
            why,
        )),
        None => Ok(()),
    }
}

/// List methods whose `cursor` is checked by [`check_list_cursor`].
const LIST_METHODS: &[&str] = &[
    "tools/list",
    "prompts/list",
    "resources/list",
    "resources/templates/list",
];

/// Whether `message` is a list request, whose cursor needs
/// [`check_list_cursor`] on the raw JSON (rmcp drops a cursor that is not a
/// string, and with it the whole `params`).
pub(crate) fn is_list_request(message: &ClientJsonRpcMessage) -> bool {
    matches!(message, JsonRpcMessage::Request(request) if LIST_METHODS.contains(&request.request.method()))
}

/// Refuses a list request that carries a cursor.
///
/// Servers built on mcp-core list everything in one page (they never send
/// `nextCursor`), so every cursor is one this server did not issue, which
/// the spec answers with Invalid params rather than by ignoring it.
pub(crate) fn check_list_cursor(raw: &Value) -> Result<(), Rejection> {
    let method = raw.get("method").and_then(Value::as_str);
    if !method.is_some_and(|method| LIST_METHODS.contains(&method)) {
        return Ok(());
    }
    let cursor = raw
        .pointer("/params/cursor")
        .filter(|cursor| !cursor.is_null());
    match (cursor, answerable_id(raw.get("id"), raw.get("method"))) {
        (Some(cursor), Some(id)) => Err(Rejection::invalid_cursor(id, cursor)),
        _ => Ok(()),
    }
}

/// Why `request` does not parse as the typed request of `method`; `None`
/// when it does or when `method` is not one of the client's MCP requests.
fn typed_parse_error(method: &str, request: Value) -> Option<serde_json::Error> {
    macro_rules! typed {
        ($($marker:ident => $request:ident),* $(,)?) => {
            $(
                if method == mcp::$marker::VALUE {
                    return serde_json::from_value::<mcp::$request>(request).err();
                }
            )*
        };
    }
    typed!(
        CallToolRequestMethod => CallToolRequest,
        InitializeResultMethod => InitializeRequest,
        ListToolsRequestMethod => ListToolsRequest,
        ReadResourceRequestMethod => ReadResourceRequest,
        ListResourcesRequestMethod => ListResourcesRequest,
        ListResourceTemplatesRequestMethod => ListResourceTemplatesRequest,
        GetPromptRequestMethod => GetPromptRequest,
        ListPromptsRequestMethod => ListPromptsRequest,
        CompleteRequestMethod => CompleteRequest,
    );
    None
}

fn human_size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_requests_with_valid_ids_are_answered_by_id() {
        let method = json!("tools/list");
        assert_eq!(
            answerable_id(Some(&json!(5)), Some(&method)),
            Some(NumberOrString::Number(5))
        );
        assert_eq!(
            answerable_id(Some(&json!("a")), Some(&method)),
            Some(NumberOrString::String("a".into()))
        );
        assert_eq!(answerable_id(Some(&json!({"n": 1})), Some(&method)), None);
        assert_eq!(answerable_id(Some(&json!(1.5)), Some(&method)), None);
        assert_eq!(answerable_id(Some(&json!(7)), None), None);
        assert_eq!(answerable_id(Some(&json!(7)), Some(&json!(3))), None);
    }

    #[test]
    fn malformed_params_of_a_standard_method_are_invalid_params() {
        let parse = |text: &str| serde_json::from_str::<ClientJsonRpcMessage>(text).unwrap();
        let bad = parse(r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":5}}"#);
        let refused = check_standard_params(&bad).unwrap_err();
        assert_eq!(refused.code, ErrorCode::INVALID_PARAMS);
        assert_eq!(refused.id, Some(NumberOrString::Number(3)));
        assert!(
            refused
                .message
                .starts_with("Invalid params for tools/call: invalid type"),
            "{}",
            refused.message
        );

        let good = parse(r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"x"}}"#);
        assert!(check_standard_params(&good).is_ok());
        // Methods outside MCP stay custom: rmcp answers them (Method not found).
        let custom = parse(r#"{"jsonrpc":"2.0","id":5,"method":"blender/x","params":{"a":1}}"#);
        assert!(check_standard_params(&custom).is_ok());
    }

    #[test]
    fn list_requests_with_a_cursor_are_invalid_params() {
        for raw in [
            json!({"jsonrpc": "2.0", "id": 6, "method": "tools/list", "params": {"cursor": "garbage!!"}}),
            json!({"jsonrpc": "2.0", "id": 7, "method": "prompts/list", "params": {"cursor": 123}}),
        ] {
            let refused = check_list_cursor(&raw).unwrap_err();
            assert_eq!(refused.code, ErrorCode::INVALID_PARAMS);
            assert_eq!(refused.id, answerable_id(raw.get("id"), raw.get("method")));
        }
        for raw in [
            json!({"jsonrpc": "2.0", "id": 8, "method": "resources/list", "params": {}}),
            json!({"jsonrpc": "2.0", "id": 9, "method": "tools/list", "params": {"cursor": null}}),
            json!({"jsonrpc": "2.0", "id": 10, "method": "tools/call", "params": {"cursor": "x"}}),
        ] {
            assert!(check_list_cursor(&raw).is_ok(), "{raw}");
        }
        let typed: ClientJsonRpcMessage =
            serde_json::from_value(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
                .unwrap();
        assert!(is_list_request(&typed));
    }

    #[test]
    fn http_refusals_are_jsonrpc_errors_without_id() {
        let sent = serde_json::to_value(http_refusal(404, "Not Found: session")).unwrap();
        assert_eq!(sent["jsonrpc"], "2.0");
        assert_eq!(sent["error"]["code"], -32001);
        assert_eq!(sent["error"]["message"], "Not Found: session");
        assert_eq!(http_refusal_code(415), ErrorCode::INVALID_REQUEST);
        assert_eq!(http_refusal_code(401), ErrorCode(-32000));
        assert_eq!(http_refusal_code(500), ErrorCode::INTERNAL_ERROR);
    }

    #[test]
    fn rejections_serialise_as_jsonrpc_errors() {
        let message = json!({"jsonrpc": "2.0", "id": 9, "method": "x", "params": 1});
        let sent = serde_json::to_value(
            Rejection::invalid_request(&message, "params must be an object").into_message(),
        )
        .unwrap();
        assert_eq!(sent["id"], 9);
        assert_eq!(sent["error"]["code"], -32600);
        assert_eq!(
            sent["error"]["message"],
            "Invalid Request: params must be an object"
        );

        let error = serde_json::from_slice::<Value>(b"{nope").unwrap_err();
        let sent = serde_json::to_value(Rejection::parse_error(&error).into_message()).unwrap();
        assert_eq!(sent["error"]["code"], -32700);
        assert!(sent.get("id").is_none(), "{sent}");

        let sent = serde_json::to_value(Rejection::too_large(None, 16 << 20).into_message());
        assert!(sent.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("16 MiB"));
    }
}
