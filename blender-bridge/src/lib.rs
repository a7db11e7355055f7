//! The bridge between MCP and Blender.

pub mod addon_bundle;
pub mod addon_package;
pub mod attach;
pub mod client;
pub mod connection;
pub mod error;
pub mod launcher;
pub mod protocol;
pub mod token;
pub mod tools;

pub use client::{
    BlenderClient, CallOptions, ClientConfig, ClientStats, Connector, ExecOutput, GuardedExec,
};
pub use connection::{Endpoint, ServerInfo};
pub use error::{BridgeError, PythonError};
pub use launcher::{default_program, LaunchConfig, LaunchedBlender, LaunchingConnector};
pub use protocol::{ErrorCode, RemoteError, Snippet};
pub use token::Token;
