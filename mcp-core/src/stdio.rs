//! MCP over the process's stdin/stdout.

use anyhow::Context;
use rmcp::service::{QuitReason, ServerInitializeError, ServiceExt};
use rmcp::ServerHandler;
use tokio_util::sync::CancellationToken;

use crate::shutdown_signal;
use crate::stdin_thread::{stdio_are_fifos, ThreadStdin};

/// Serves `handler` over stdin/stdout until the client closes stdin or the
/// process receives SIGINT/SIGTERM.
///
/// Both ends are normal ways for an MCP client to stop a stdio server, so both
/// return `Ok(())`; only a transport failure or a broken handshake (e.g. the
/// first message is not `initialize` or a request carrying inline 2026-style
/// metadata) is an error. Malformed lines are dropped by rmcp's codec and never
/// panic the server.
///
/// Uses rmcp's non-blocking pipe transport when stdin/stdout are FIFOs (how
/// Python and most clients spawn servers). Otherwise (socket pairs from
/// Node-based clients, a TTY) stdin is read on a dedicated thread, because a
/// pending read on Tokio's blocking stdin would keep the runtime, and so the
/// process, alive after a signal.
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
    if stdio_are_fifos() {
        run_on(handler, rmcp::transport::stdio_pipes(), cancel).await
    } else {
        let stdin = ThreadStdin::spawn().context("cannot start the stdin reader thread")?;
        run_on(handler, (stdin, tokio::io::stdout()), cancel).await
    }
}

async fn run_on<S, R, W>(
    handler: S,
    transport: (R, W),
    cancel: CancellationToken,
) -> anyhow::Result<()>
where
    S: ServerHandler,
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
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
