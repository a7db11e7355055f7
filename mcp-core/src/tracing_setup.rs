//! Tracing initialisation that never touches stdout.

use tracing_subscriber::EnvFilter;

/// Installs a global `tracing` subscriber that writes to **stderr only**.
///
/// Stdout is the protocol channel in stdio mode, so a single stray log line
/// there would corrupt the JSON-RPC stream. `RUST_LOG` overrides
/// `default_directive` (e.g. `"info"` or `"mcp_core=debug,info"`). Calling this
/// more than once is harmless: later calls are ignored, so libraries and tests
/// can call it defensively.
pub fn init_tracing(default_directive: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default_directive))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
