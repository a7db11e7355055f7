//! Why serving stopped with an error.
//!
//! A library error type rather than `anyhow`: an embedding program can
//! match on what failed (a port in use, a refused configuration, a broken
//! handshake) instead of parsing text, and still print it as a sentence.

use std::net::SocketAddr;

use crate::http::ConfigError;

/// What made [`serve_stdio`](crate::serve_stdio) or
/// [`http::serve`](crate::http::serve) fail. Normal ends (the client closed
/// stdin, a shutdown signal) are `Ok(())`, not errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The HTTP configuration breaks a security rule or a limit.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address could not be bound (in use, not ours, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The listening socket failed (e.g. it has no local address).
    #[error("the listening socket failed: {0}")]
    Listener(#[source] std::io::Error),
    /// The thread that reads stdin (TTYs, socket pairs) could not start.
    #[error("cannot start the stdin reader thread: {0}")]
    StdinThread(#[source] std::io::Error),
    /// The MCP handshake over stdio failed (e.g. the first message was not
    /// `initialize`).
    #[error("MCP stdio handshake failed: {0}")]
    Handshake(#[source] Box<rmcp::service::ServerInitializeError>),
    /// The task running the session panicked or was aborted.
    #[error("MCP stdio session task failed: {0}")]
    Session(#[source] tokio::task::JoinError),
}
