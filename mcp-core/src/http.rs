//! MCP over HTTP: Streamable HTTP (`/mcp`) and legacy HTTP+SSE (`/sse` +
//! `/messages`), individually or together on one port, behind the same
//! security checks.
//!
//! Secure by default: loopback bind; `Host` and `Origin` validated on every
//! request (DNS-rebinding defence); an optional bearer token, mandatory for a
//! non-loopback bind; capped, time-limited request bodies; bounded per-session
//! buffers.

mod allowlist;
mod config;
mod connections;
mod event_ids;
mod guard;
mod jsonrpc;
mod lifecycle;
mod removed_methods;
mod secret;
mod serve;
mod sessions;
mod sse;
mod sse_session;
mod streamable;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::{middleware, Router};
use rmcp::ServerHandler;

pub use config::{
    ConfigError, HttpConfig, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_SESSIONS, DEFAULT_PORT,
    DEFAULT_SESSION_IDLE_TIMEOUT,
};
pub use secret::Secret;
pub use serve::serve;

use allowlist::Allowlist;
use guard::Guard;
use lifecycle::Lifecycle;

/// Builds the axum router for the transports enabled in `config`.
///
/// `factory` makes one handler per MCP session (stateful Streamable HTTP and
/// legacy SSE) or per request (stateless 2026-07-28 clients); state shared
/// between sessions belongs inside the handler behind an `Arc`. The router is
/// self-contained, so a program can mount it in its own app (e.g.
/// `Router::new().nest("/tools", router)`); the legacy SSE endpoint event then
/// names the nested `/messages` path. Must be called inside a Tokio runtime
/// for [`HttpConfig::drain_timeout`] to be enforced.
pub fn router<S, F>(factory: F, config: &HttpConfig) -> Result<Router, ConfigError>
where
    F: Fn() -> S + Send + Sync + Clone + 'static,
    S: ServerHandler,
{
    config.validate()?;
    let allowlist = Allowlist::new(&config.allowed_origins, &config.allowed_hosts, config.bind);
    let lifecycle = Lifecycle::new(config.shutdown.clone(), config.drain_timeout);
    let mut app = Router::new();
    if config.enable_streamable {
        app = app.merge(streamable::routes(
            factory.clone(),
            config,
            &allowlist,
            &lifecycle,
        ));
    }
    if config.enable_sse {
        app = app.merge(sse::routes(factory, config, &lifecycle));
    }
    let guard = Arc::new(Guard {
        allowlist,
        token: config.token.clone(),
        max_body_bytes: config.max_body_bytes,
        body_timeout: config.body_timeout,
        stopping: lifecycle.stopping.clone(),
    });
    Ok(app
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn_with_state(guard, guard::check)))
}

/// Paths outside the transports get a JSON-RPC error too.
async fn not_found() -> axum::response::Response {
    guard::error_response(
        axum::http::StatusCode::NOT_FOUND,
        "Not Found: no MCP endpoint at this path",
    )
}
