//! What a [`BlenderClient`](super::BlenderClient) needs to know before it
//! connects: where, with which token, and how long to wait for what.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::connection::Endpoint;
use crate::protocol::DEFAULT_MAX_FRAME;

#[cfg(doc)]
use super::{CallOptions, Connector};
#[cfg(doc)]
use crate::token;

/// How to reach and talk to Blender.
#[derive(Clone)]
pub struct ClientConfig {
    /// Where the addon listens (ignored when a [`Connector`] supplies endpoints).
    pub endpoint: Endpoint,
    /// The token; `None` means [`token::discover`] at each connect.
    pub token: Option<String>,
    /// An explicit token file, consulted by discovery before the per-user file.
    pub token_file: Option<PathBuf>,
    /// Limit for TCP connect plus `hello`.
    pub connect_timeout: Duration,
    /// Default limit for one request (override per call with [`CallOptions`]).
    pub request_timeout: Duration,
    /// The largest reply frame we accept.
    pub max_frame: usize,
    /// Our name in the addon's logs.
    pub client_name: String,
    /// Wait after the first failed connect before trying again.
    pub backoff_initial: Duration,
    /// Upper bound of the doubling wait between failed connects.
    pub backoff_max: Duration,
}

impl ClientConfig {
    /// Defaults for an addon at `host:port`: 5 s connect, 30 s requests, 64 MiB frames.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        ClientConfig {
            endpoint: Endpoint::new(host, port),
            token: None,
            token_file: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_frame: DEFAULT_MAX_FRAME,
            client_name: concat!("blender-bridge/", env!("CARGO_PKG_VERSION")).to_owned(),
            backoff_initial: Duration::from_millis(50),
            backoff_max: Duration::from_secs(2),
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_file", &self.token_file)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_frame", &self.max_frame)
            .field("client_name", &self.client_name)
            .finish_non_exhaustive()
    }
}
