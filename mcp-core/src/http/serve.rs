//! Running the router on a TCP listener with a graceful shutdown.

use std::future::Future;
use std::time::Duration;

use rmcp::ServerHandler;
use tokio::net::TcpListener;

use super::connections::{serve_connections, ConnectionLimits};
use super::{router, HttpConfig};
use crate::ServeError;

/// Extra time after the drain deadline for cancelled sessions to unwind.
const FORCE_GRACE: Duration = Duration::from_secs(2);

/// Binds `config.bind`, serves the enabled transports until `shutdown`
/// resolves (or `config.shutdown` is cancelled), then shuts down gracefully:
/// no new connections or requests, idle streams closed, in-flight calls given
/// [`HttpConfig::drain_timeout`] to finish.
///
/// The endpoint URLs are logged (stderr) once listening, with the actual port
/// when `bind` asked for port 0. A config that breaks the security rules
/// (e.g. non-loopback without a token) is refused before binding.
pub async fn serve<S, F>(
    factory: F,
    config: HttpConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError>
where
    F: Fn() -> S + Send + Sync + Clone + 'static,
    S: ServerHandler,
{
    let app = router(factory, &config)?;
    if config.is_non_loopback() {
        tracing::warn!(
            bind = %config.bind,
            "listening on a non-loopback address: the MCP tools are reachable from the network \
             (bearer token required on every request)"
        );
    }
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.bind,
            source,
        })?;
    let local = listener.local_addr().map_err(ServeError::Listener)?;
    tracing::info!("MCP HTTP server listening on http://{local}");
    if config.enable_streamable {
        tracing::info!("Streamable HTTP endpoint: http://{local}/mcp");
    }
    if config.enable_sse {
        tracing::info!("legacy SSE endpoint: http://{local}/sse");
    }
    if config.token.is_some() {
        tracing::info!("bearer token required (Authorization: Bearer …)");
    }

    let stopping = config.shutdown.clone();
    let limits = ConnectionLimits {
        max_connections: config.max_connections,
        header_read_timeout: config.header_read_timeout,
    };
    let server = serve_connections(listener, app, limits, stopping.clone());
    tokio::pin!(server);
    tokio::pin!(shutdown);
    tokio::select! {
        _ = &mut server => return Ok(()),
        _ = &mut shutdown => stopping.cancel(),
        _ = stopping.cancelled() => {}
    }
    tracing::info!(
        "shutting down: draining in-flight calls (up to {:?})",
        config.drain_timeout
    );
    if tokio::time::timeout(config.drain_timeout + FORCE_GRACE, &mut server)
        .await
        .is_err()
    {
        tracing::warn!("drain deadline passed; dropping remaining connections");
    }
    tracing::info!("HTTP server stopped");
    Ok(())
}
