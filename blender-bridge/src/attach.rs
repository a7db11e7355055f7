//! Attach to the user's Blender if one is running, else launch our own.
//!
//! This is what makes `claude mcp add blender blender-mcp-rs` work with no
//! set-up: the decision is made on the first connection, not at start-up,
//! so the MCP handshake never waits for Blender.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use crate::{BridgeError, Connector, Endpoint, Token};

/// How long the first probe of the configured address may take. A local
/// Blender accepts in microseconds; anything slower is treated as absent.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// Which Blender this server ended up using.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Choice {
    /// Not decided yet: no connection has been made.
    Undecided,
    /// A Blender was already listening at the configured address.
    Attached,
    /// Nothing answered, so the fallback connector (a launcher) is in use.
    Launched,
}

/// A [`Connector`] that prefers a Blender already listening at `endpoint`
/// and otherwise hands over to `fallback` for good.
///
/// Once attached it stays attached: if the user's Blender goes away, calls
/// fail with a clear error rather than silently switching the agent to a
/// different, empty scene in a launched Blender.
pub struct AttachOrLaunch {
    endpoint: Endpoint,
    fallback: Option<Arc<dyn Connector>>,
    /// The current [`Choice`], readable without waiting (token, describe).
    choice: AtomicU8,
    /// Serialises the first decision so concurrent calls probe only once.
    deciding: Mutex<()>,
}

impl AttachOrLaunch {
    /// Prefer `endpoint`; fall back to `fallback` (none: never launch).
    pub fn new(endpoint: Endpoint, fallback: Option<Arc<dyn Connector>>) -> Self {
        Self {
            endpoint,
            fallback,
            choice: AtomicU8::new(Choice::Undecided as u8),
            deciding: Mutex::new(()),
        }
    }

    /// What was decided so far.
    pub fn choice(&self) -> Choice {
        match self.choice.load(Ordering::Acquire) {
            1 => Choice::Attached,
            2 => Choice::Launched,
            _ => Choice::Undecided,
        }
    }

    fn set_choice(&self, choice: Choice) {
        self.choice.store(choice as u8, Ordering::Release);
    }

    async fn decide(&self) -> Result<Endpoint, BridgeError> {
        let _deciding = self.deciding.lock().await;
        match (self.choice(), &self.fallback) {
            (Choice::Launched, Some(fallback)) => fallback.endpoint().await,
            (Choice::Attached, _) | (_, None) => Ok(self.endpoint.clone()),
            (Choice::Undecided, Some(fallback)) => {
                let addr = (self.endpoint.host.as_str(), self.endpoint.port);
                let probe = tokio::time::timeout(PROBE_TIMEOUT, TcpStream::connect(addr)).await;
                if matches!(probe, Ok(Ok(_))) {
                    tracing::info!(endpoint = %self.endpoint, "attaching to the running Blender");
                    self.set_choice(Choice::Attached);
                    return Ok(self.endpoint.clone());
                }
                tracing::info!(
                    endpoint = %self.endpoint,
                    "no Blender answered; launching a headless one"
                );
                self.set_choice(Choice::Launched);
                fallback.endpoint().await
            }
        }
    }
}

impl Connector for AttachOrLaunch {
    fn endpoint(&self) -> BoxFuture<'_, Result<Endpoint, BridgeError>> {
        Box::pin(self.decide())
    }

    fn token(&self) -> Option<Token> {
        match (&self.fallback, self.choice()) {
            (Some(fallback), Choice::Launched) => fallback.token(),
            _ => None,
        }
    }

    fn describe(&self) -> String {
        match (&self.fallback, self.choice()) {
            (Some(fallback), Choice::Launched) => fallback.describe(),
            _ => format!("Blender at {}", self.endpoint),
        }
    }
}
