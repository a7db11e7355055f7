//! MCP server plumbing shared by every server in this workspace.
//!
//! `mcp-core` knows nothing about any particular tool set: it takes an
//! [`rmcp::ServerHandler`] and serves it over stdio ([`serve_stdio`]), over
//! Streamable HTTP and/or the legacy HTTP+SSE transport ([`http`]), with
//! tracing routed to stderr ([`init_tracing`]) because stdout belongs to the
//! stdio protocol.

#![warn(missing_docs)]

mod error;
pub mod http;
mod mount;
mod rejection;
mod shutdown;
mod stdin_thread;
mod stdio;
mod tracing_setup;
mod transport;

pub use error::ServeError;
pub use mount::mount_tools;
pub use shutdown::shutdown_signal;
pub use stdio::{serve_stdio, serve_stdio_with, StdioOptions, DEFAULT_MAX_MESSAGE_BYTES};
pub use tracing_setup::init_tracing;
pub use transport::{ParseTransportError, Transport};
