//! MCP over the process's stdin/stdout.

mod line_writer;
mod lines;
mod request_head;
mod transport;

use rmcp::service::{QuitReason, ServerInitializeError, ServiceExt};
use rmcp::ServerHandler;
use tokio_util::sync::CancellationToken;

use crate::stdin_thread::{stdio_are_fifos, ThreadStdin};
use crate::{shutdown_signal, ServeError};
use transport::StdioTransport;

/// Largest message accepted on stdin by default: rmcp's own stdio limit,
/// and the size of one Streamable HTTP event its client accepts.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// How [`serve_stdio_with`] serves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StdioOptions {
    /// Longest line (one JSON-RPC message) read from stdin. A longer one is
    /// skipped without being stored and answered with an Invalid Request
    /// error, addressed to its id when that is among its first 64 KiB.
    pub max_message_bytes: usize,
}

impl Default for StdioOptions {
    fn default() -> Self {
        StdioOptions {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
        }
    }
}

/// Serves `handler` over stdin/stdout until the client closes stdin or the
/// process receives SIGINT/SIGTERM, with the default [`StdioOptions`].
pub async fn serve_stdio<S: ServerHandler>(handler: S) -> Result<(), ServeError> {
    serve_stdio_with(handler, StdioOptions::default()).await
}

/// Serves `handler` over stdin/stdout until the client closes stdin or the
/// process receives SIGINT/SIGTERM.
///
/// Both ends are normal ways for an MCP client to stop a stdio server, so both
/// return `Ok(())`; only a transport failure or a broken handshake (e.g. the
/// first message is not `initialize` or a request carrying inline 2026-style
/// metadata) is an error. Bad input never stops the server and is answered
/// where JSON-RPC allows: a line that is not JSON gets a Parse error (a few a
/// second at most, so a peer echoing errors back cannot start a storm), JSON
/// that is not a JSON-RPC message an Invalid Request error (addressed to its
/// id when it is a request with one), a line over the size limit an Invalid
/// Request error too.
///
/// Uses rmcp's non-blocking pipe transport when stdin/stdout are FIFOs (how
/// Python and most clients spawn servers). Otherwise (socket pairs from
/// Node-based clients, a TTY) stdin is read on a dedicated thread, because a
/// pending read on Tokio's blocking stdin would keep the runtime, and so the
/// process, alive after a signal.
pub async fn serve_stdio_with<S: ServerHandler>(
    handler: S,
    options: StdioOptions,
) -> Result<(), ServeError> {
    let cancel = CancellationToken::new();
    let signal_watch = tokio::spawn({
        let cancel = cancel.clone();
        async move {
            shutdown_signal().await;
            cancel.cancel();
        }
    });

    let result = run_until_closed(handler, options.max_message_bytes, cancel).await;
    signal_watch.abort();
    result
}

async fn run_until_closed<S: ServerHandler>(
    handler: S,
    max_message_bytes: usize,
    cancel: CancellationToken,
) -> Result<(), ServeError> {
    if stdio_are_fifos() {
        let (stdin, stdout) = rmcp::transport::stdio_pipes();
        let transport = StdioTransport::new(stdin, stdout, max_message_bytes);
        run_on(handler, transport, cancel).await
    } else {
        let stdin = ThreadStdin::spawn().map_err(ServeError::StdinThread)?;
        let transport = StdioTransport::new(stdin, tokio::io::stdout(), max_message_bytes);
        run_on(handler, transport, cancel).await
    }
}

async fn run_on<S, R, W>(
    handler: S,
    transport: StdioTransport<R, W>,
    cancel: CancellationToken,
) -> Result<(), ServeError>
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
        Err(error) => return Err(ServeError::Handshake(Box::new(error))),
    };
    tracing::info!("MCP stdio session started");
    match running.waiting().await {
        Ok(QuitReason::Cancelled) => tracing::info!("MCP stdio session cancelled"),
        Ok(QuitReason::Closed) => tracing::info!("MCP stdio session closed by the client"),
        Ok(QuitReason::JoinError(error)) => return Err(ServeError::Session(error)),
        Ok(_) => tracing::info!("MCP stdio session ended"),
        Err(error) => return Err(ServeError::Session(error)),
    }
    Ok(())
}
