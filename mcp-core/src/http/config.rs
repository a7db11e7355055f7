//! What an HTTP MCP endpoint listens on and whom it lets in.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::Secret;

/// Default TCP port for the HTTP transports.
pub const DEFAULT_PORT: u16 = 8765;
/// Default cap on a request body: large enough for any tool call, small
/// enough that a hostile client cannot make the server buffer much.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Default cap on live Streamable HTTP sessions: far more than one machine's
/// agents open, few enough that abandoned sessions cost little memory.
pub const DEFAULT_MAX_SESSIONS: usize = 1024;
/// Default idle time after which a Streamable HTTP session is closed: longer
/// than an agent's pause between turns.
pub const DEFAULT_SESSION_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Configuration for [`router`](super::router) and [`serve`](super::serve).
///
/// The defaults are the secure ones: loopback bind, both transports on, no
/// extra origins or hosts. Construct with `HttpConfig::default()` and adjust
/// fields; [`HttpConfig::validate`] runs before anything is served.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Address to listen on; `127.0.0.1:8765` by default.
    pub bind: SocketAddr,
    /// Bearer token every request must carry. Mandatory for non-loopback binds.
    pub token: Option<Secret>,
    /// Browser origins allowed besides loopback ones, e.g. `https://app.example`
    /// (exact match, case-insensitive; `https://app.example:*` for any port).
    pub allowed_origins: Vec<String>,
    /// `Host` names allowed besides loopback names (without port).
    pub allowed_hosts: Vec<String>,
    /// Largest accepted request body; larger ones get 413.
    pub max_body_bytes: usize,
    /// Serve Streamable HTTP at `/mcp`.
    pub enable_streamable: bool,
    /// Serve legacy HTTP+SSE at `/sse` and `/messages`.
    pub enable_sse: bool,
    /// Opt-in to listening on a non-loopback address (a token is still required).
    pub allow_non_loopback: bool,
    /// How long a client may take to send its request headers before the
    /// connection is closed (slow-loris defence). Used by [`serve`](super::serve).
    pub header_read_timeout: Duration,
    /// Most simultaneously open connections; further ones are closed at once.
    /// Used by [`serve`](super::serve).
    pub max_connections: usize,
    /// How long a client may take to send a request body before it gets 408;
    /// stops slow-loris uploads from pinning memory and tasks.
    pub body_timeout: Duration,
    /// Interval of keep-alive comments on idle SSE streams, so proxies and
    /// clients do not drop a quiet session.
    pub sse_keep_alive: Duration,
    /// Messages buffered per legacy SSE session in each direction before the
    /// sender has to wait: bounds memory per slow client.
    pub sse_channel_capacity: usize,
    /// A legacy SSE client that does not read its stream for this long is
    /// considered dead and its session is closed.
    pub sse_send_timeout: Duration,
    /// Most concurrent legacy SSE sessions; further `GET /sse` get 503.
    pub max_sse_sessions: usize,
    /// Most live Streamable HTTP sessions; a new one closes the session idle
    /// longest.
    pub max_sessions: usize,
    /// A Streamable HTTP session with no request and no open stream for this
    /// long is closed (its client gets 404 and starts a new one).
    pub session_idle_timeout: Duration,
    /// After shutdown starts, in-flight calls get this long to finish before
    /// their sessions are cancelled.
    pub drain_timeout: Duration,
    /// Cancel to begin a graceful shutdown of everything built from this
    /// config: standing streams close, in-flight calls drain, new calls are
    /// refused. [`serve`](super::serve) cancels it when its shutdown future
    /// resolves; programs mounting [`router`](super::router) cancel it themselves.
    pub shutdown: CancellationToken,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DEFAULT_PORT),
            token: None,
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            enable_streamable: true,
            enable_sse: true,
            allow_non_loopback: false,
            header_read_timeout: Duration::from_secs(10),
            max_connections: 512,
            body_timeout: Duration::from_secs(30),
            sse_keep_alive: Duration::from_secs(15),
            sse_channel_capacity: 64,
            sse_send_timeout: Duration::from_secs(30),
            max_sse_sessions: 64,
            max_sessions: DEFAULT_MAX_SESSIONS,
            session_idle_timeout: DEFAULT_SESSION_IDLE_TIMEOUT,
            drain_timeout: Duration::from_secs(10),
            shutdown: CancellationToken::new(),
        }
    }
}

/// Why an [`HttpConfig`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A non-loopback bind would expose the tools to the network unauthenticated.
    #[error(
        "refusing to listen on non-loopback address {0} without a bearer token: \
         configure a token (e.g. --token-file) or bind 127.0.0.1"
    )]
    NonLoopbackWithoutToken(SocketAddr),
    /// A non-loopback bind must be asked for explicitly.
    #[error(
        "refusing to listen on non-loopback address {0}: non-loopback binds must be \
         explicitly allowed (e.g. --allow-non-loopback)"
    )]
    NonLoopbackNotAllowed(SocketAddr),
    /// A token that is empty would accept `Authorization: Bearer `.
    #[error("the bearer token is empty")]
    EmptyToken,
    /// Neither `/mcp` nor `/sse` is enabled, so there would be nothing to serve.
    #[error("no HTTP transport enabled (enable Streamable HTTP and/or legacy SSE)")]
    NoTransportEnabled,
    /// A size, count or duration that must be positive is zero.
    #[error("{0} must be greater than zero")]
    ZeroLimit(&'static str),
    /// An allowed-origin entry is not of the form `scheme://host[:port]`.
    #[error("invalid allowed origin {0:?}: expected scheme://host[:port]")]
    InvalidOrigin(String),
}

impl HttpConfig {
    /// Checks the security rules and limits; called by `router` and `serve`.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(token) = &self.token {
            if token.is_empty() {
                return Err(ConfigError::EmptyToken);
            }
        }
        if !self.bind.ip().is_loopback() {
            if self.token.is_none() {
                return Err(ConfigError::NonLoopbackWithoutToken(self.bind));
            }
            if !self.allow_non_loopback {
                return Err(ConfigError::NonLoopbackNotAllowed(self.bind));
            }
        }
        if !self.enable_streamable && !self.enable_sse {
            return Err(ConfigError::NoTransportEnabled);
        }
        for (value, name) in [
            (self.max_body_bytes, "max_body_bytes"),
            (self.sse_channel_capacity, "sse_channel_capacity"),
            (self.max_sse_sessions, "max_sse_sessions"),
            (self.max_connections, "max_connections"),
            (self.max_sessions, "max_sessions"),
        ] {
            if value == 0 {
                return Err(ConfigError::ZeroLimit(name));
            }
        }
        for (value, name) in [
            (self.body_timeout, "body_timeout"),
            (self.header_read_timeout, "header_read_timeout"),
            (self.sse_keep_alive, "sse_keep_alive"),
            (self.sse_send_timeout, "sse_send_timeout"),
            (self.session_idle_timeout, "session_idle_timeout"),
        ] {
            if value.is_zero() {
                return Err(ConfigError::ZeroLimit(name));
            }
        }
        for origin in &self.allowed_origins {
            if super::allowlist::parse_origin(origin).is_none() {
                return Err(ConfigError::InvalidOrigin(origin.clone()));
            }
        }
        Ok(())
    }

    /// Whether the listener is reachable from other machines.
    pub fn is_non_loopback(&self) -> bool {
        !self.bind.ip().is_loopback()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_bind(bind: &str) -> HttpConfig {
        HttpConfig {
            bind: bind.parse().unwrap(),
            ..HttpConfig::default()
        }
    }

    #[test]
    fn default_is_valid_and_loopback() {
        let config = HttpConfig::default();
        assert!(config.validate().is_ok());
        assert!(config.bind.ip().is_loopback());
        assert!(config.token.is_none());
    }

    #[test]
    fn non_loopback_needs_token_and_opt_in() {
        let mut config = with_bind("0.0.0.0:9000");
        assert!(matches!(
            config.validate(),
            Err(ConfigError::NonLoopbackWithoutToken(_))
        ));
        config.token = Some(Secret::new("t0k"));
        assert!(matches!(
            config.validate(),
            Err(ConfigError::NonLoopbackNotAllowed(_))
        ));
        config.allow_non_loopback = true;
        assert!(config.validate().is_ok());
    }

    #[test]
    fn ipv6_loopback_needs_no_token() {
        assert!(with_bind("[::1]:9000").validate().is_ok());
    }

    #[test]
    fn rejects_empty_token_zero_limits_and_nothing_enabled() {
        let mut config = HttpConfig {
            token: Some(Secret::new("  ")),
            ..HttpConfig::default()
        };
        assert_eq!(config.validate(), Err(ConfigError::EmptyToken));
        config.token = None;
        config.max_body_bytes = 0;
        assert_eq!(
            config.validate(),
            Err(ConfigError::ZeroLimit("max_body_bytes"))
        );
        config.max_body_bytes = 10;
        config.enable_sse = false;
        config.enable_streamable = false;
        assert_eq!(config.validate(), Err(ConfigError::NoTransportEnabled));
    }

    #[test]
    fn rejects_malformed_allowed_origin() {
        let config = HttpConfig {
            allowed_origins: vec!["app.example".into()],
            ..HttpConfig::default()
        };
        assert!(matches!(
            config.validate(),
            Err(ConfigError::InvalidOrigin(_))
        ));
    }
}
