//! A single future that resolves when the process is asked to stop.

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM.
///
/// Service managers and MCP clients stop servers with SIGTERM, terminals with
/// SIGINT; both should lead to the same graceful path. If a signal handler
/// cannot be installed (which only happens in exotic sandboxes) that signal is
/// simply never observed rather than aborting the server.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        _ = ctrl_c => tracing::info!("received SIGINT, shutting down"),
        _ = terminate => tracing::info!("received SIGTERM, shutting down"),
    }
}
