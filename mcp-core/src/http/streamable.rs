//! Streamable HTTP at `/mcp`, delegated to rmcp's own service.
//!
//! rmcp serves both generations of clients from one endpoint: a client that
//! opens with `initialize` (2025-11-25 and older) gets a stateful session
//! (`Mcp-Session-Id`, progress streamed as SSE within the POST response, an
//! optional standing `GET` stream); a 2026-07-28 client that sends inline
//! `_meta` protocol metadata is served statelessly per request. Both need
//! `legacy_session_mode = true`, which is rmcp's default.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures::StreamExt;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServerHandler;

use super::allowlist::Allowlist;
use super::guard::error_response;
use super::jsonrpc::parse_single;
use super::lifecycle::Lifecycle;
use super::removed_methods::refuse_removed_method;
use super::sessions::{BoundedSessions, SessionLimits};
use super::HttpConfig;

/// Path of the Streamable HTTP endpoint inside the router.
pub(crate) const MCP_PATH: &str = "/mcp";

/// The `/mcp` route. rmcp's own Host/Origin validation is switched on with
/// the same lists as our guard, as a second line of defence.
pub(crate) fn routes<S, F>(
    factory: F,
    config: &HttpConfig,
    allowlist: &Allowlist,
    lifecycle: &Lifecycle,
) -> Router
where
    S: ServerHandler,
    F: Fn() -> S + Send + Sync + Clone + 'static,
{
    let rmcp_config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(allowlist.rmcp_hosts())
        .with_allowed_origins(allowlist.rmcp_origins())
        .enforce_origin_validation()
        .with_max_request_body_bytes(config.max_body_bytes)
        .with_sse_keep_alive(Some(config.sse_keep_alive))
        .with_legacy_session_mode(true)
        .with_cancellation_token(lifecycle.force.clone());
    let sessions = BoundedSessions::new(SessionLimits {
        max_sessions: config.max_sessions,
        idle_timeout: config.session_idle_timeout,
    });
    let service = StreamableHttpService::new(move || Ok(factory()), sessions, rmcp_config);
    Router::new()
        .route_service(MCP_PATH, service)
        .layer(middleware::from_fn_with_state(
            lifecycle.clone(),
            adapt_responses,
        ))
}

/// Four adjustments around rmcp:
///
/// * A POST body that is not one JSON-RPC message gets a JSON-RPC error
///   (rmcp would answer with plain text, which clients cannot parse).
/// * rmcp's own refusals (unknown session, wrong `Accept` or
///   `Content-Type`, ...) are plain text; they become JSON-RPC error bodies
///   with the same status.
/// * A `GET /mcp` stream carries no call of its own, so it must not hold up a
///   graceful shutdown: it ends as soon as shutdown begins. POST responses
///   (which carry in-flight calls) are left to finish.
/// * rmcp answers a successful session `DELETE` with 202; the official SDKs
///   expect 200 or 204 and log a failure otherwise, so it becomes 204.
async fn adapt_responses(
    State(lifecycle): State<Lifecycle>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let request = if method == Method::POST {
        match validate_jsonrpc(request).await {
            Ok(request) => request,
            Err(rejection) => return rejection,
        }
    } else {
        request
    };
    let response = jsonrpc_refusal(next.run(request).await).await;
    if method == Method::DELETE && response.status() == StatusCode::ACCEPTED {
        let (mut parts, _) = response.into_parts();
        parts.status = StatusCode::NO_CONTENT;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    if method != Method::GET {
        return response;
    }
    let (parts, body) = response.into_parts();
    let stopping = lifecycle.stopping.clone().cancelled_owned();
    let body = Body::from_stream(body.into_data_stream().take_until(stopping));
    Response::from_parts(parts, body)
}

/// Checks a (guard-buffered, size-capped) POST body before rmcp sees it.
async fn validate_jsonrpc(request: Request) -> Result<Request, Response> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|_| error_response(StatusCode::BAD_REQUEST, "Bad Request: unreadable body"))?;
    let parsed = parse_single(&bytes);
    if parsed.is_err() || parts.headers.contains_key("mcp-protocol-version") {
        let removed = serde_json::from_slice(&bytes)
            .ok()
            .and_then(|message| refuse_removed_method(&parts.headers, &message));
        if let Some(refusal) = removed {
            return Err(refusal);
        }
    }
    if let Err(rejection) = parsed {
        tracing::debug!(?rejection, "refused malformed Streamable HTTP message");
        return Err(rejection.into_response());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Largest plain-text refusal body read back to be wrapped; rmcp's are a
/// line long.
const MAX_REFUSAL_TEXT: usize = 16 * 1024;

/// An error response that is not JSON, rewritten as a JSON-RPC error body
/// carrying its text; headers such as `Allow` are kept.
async fn jsonrpc_refusal(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, MAX_REFUSAL_TEXT).await {
        Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).into_owned(),
        _ => status.canonical_reason().unwrap_or("error").to_owned(),
    };
    let rewritten = error_response(status, &text);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(rewritten.headers().clone());
    Response::from_parts(parts, rewritten.into_body())
}
