//! Streamable HTTP at `/mcp`, delegated to rmcp's own service.
//!
//! rmcp serves both generations of clients from one endpoint: a client that
//! opens with `initialize` (2025-11-25 and older) gets a stateful session
//! (`Mcp-Session-Id`, progress streamed as SSE within the POST response, an
//! optional standing `GET` stream); a 2026-07-28 client that sends inline
//! `_meta` protocol metadata is served statelessly per request. Both need
//! `legacy_session_mode = true`, which is rmcp's default.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures::StreamExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServerHandler;

use super::allowlist::Allowlist;
use super::guard::error_response;
use super::jsonrpc::parse_single;
use super::lifecycle::Lifecycle;
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
    let service = StreamableHttpService::new(
        move || Ok(factory()),
        Arc::new(LocalSessionManager::default()),
        rmcp_config,
    );
    Router::new()
        .route_service(MCP_PATH, service)
        .layer(middleware::from_fn_with_state(
            lifecycle.clone(),
            adapt_responses,
        ))
}

/// Three adjustments around rmcp:
///
/// * A POST body that is not one JSON-RPC message gets a JSON-RPC error
///   (rmcp would answer with plain text, which clients cannot parse).
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
    let response = next.run(request).await;
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
    if let Err(rejection) = parse_single(&bytes) {
        tracing::debug!(?rejection, "refused malformed Streamable HTTP message");
        return Err(rejection.into_response());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
