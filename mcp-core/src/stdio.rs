//! MCP over the process's stdin/stdout.

use rmcp::service::{QuitReason, ServerInitializeError, ServiceExt};
use rmcp::ServerHandler;
use tokio_util::sync::CancellationToken;

use crate::shutdown_signal;

/// Serves `handler` over stdin/stdout until the client closes stdin or the
/// process receives SIGINT/SIGTERM.
///
/// Both ends are normal ways for an MCP client to stop a stdio server, so both
/// return `Ok(())`; only a transport failure or a broken handshake (e.g. the
/// first message is not `initialize` or a request carrying inline 2026-style
/// metadata) is an error. Malformed lines are dropped by rmcp's codec and never
/// panic the server.
///
/// Uses rmcp's non-blocking pipe transport when stdin/stdout are FIFOs (the
/// usual way clients spawn servers). When they are not (a TTY or a socket
/// pair), rmcp falls back to Tokio's blocking stdin, whose pending read cannot
/// be cancelled; a binary that must exit promptly on a signal in that case
/// should leave `main` via `std::process::exit` once this returns.
pub async fn serve_stdio<S: ServerHandler>(handler: S) -> anyhow::Result<()> {
    let cancel = CancellationToken::new();
    let signal_watch = tokio::spawn({
        let cancel = cancel.clone();
        async move {
            shutdown_signal().await;
            cancel.cancel();
        }
    });

    let result = run_until_closed(handler, cancel).await;
    signal_watch.abort();
    result
}

async fn run_until_closed<S: ServerHandler>(
    handler: S,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let transport = rmcp::transport::stdio_pipes();
    let running = match handler.serve_with_ct(transport, cancel).await {
        Ok(running) => running,
        Err(ServerInitializeError::ConnectionClosed(_)) => {
            tracing::info!("stdin closed before the MCP handshake completed");
            return Ok(());
        }
        Err(ServerInitializeError::Cancelled) => return Ok(()),
        Err(error) => return Err(anyhow::Error::new(error).context("MCP stdio handshake failed")),
    };
    tracing::info!("MCP stdio session started");
    match running.waiting().await {
        Ok(QuitReason::Cancelled) => tracing::info!("MCP stdio session cancelled"),
        Ok(QuitReason::Closed) => tracing::info!("MCP stdio session closed by the client"),
        Ok(QuitReason::JoinError(error)) => {
            return Err(anyhow::Error::new(error).context("MCP stdio session task failed"))
        }
        Ok(_) => tracing::info!("MCP stdio session ended"),
        Err(error) => {
            return Err(anyhow::Error::new(error).context("MCP stdio session task failed"))
        }
    }
    Ok(())
}
