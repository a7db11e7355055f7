//! The envmgr library: build and run the hardened dev container of blender-mcp-rs, the
//! replacement for the original environment's `powerdev.sh`.
//!
//! The `envmgr` binary is a thin command-line layer over this crate; other tools can drive the
//! same operations (the `commands` module) with a [`config::Config`] and a connection from
//! [`docker::connect`].

#![warn(missing_docs)]

pub mod agent_mount;
pub mod build_context;
pub mod clock;
pub mod commands;
pub mod config;
pub mod create_request;
pub mod docker;
pub mod dotenv;
pub mod error;
pub mod gpu;
pub mod io_pump;
pub mod labels;
pub mod limits;
pub mod security;
pub mod terminal;

pub use config::Config;
pub use error::{EnvError, Result};
