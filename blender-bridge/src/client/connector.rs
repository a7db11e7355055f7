//! Where each (re)connect goes: a fixed address, or whatever a
//! [`Connector`] such as the launcher decides at that moment.

use futures::future::BoxFuture;

use crate::connection::Endpoint;
use crate::error::BridgeError;
use crate::token::Token;

/// Supplies the endpoint (and optionally the token) for each (re)connect, so
/// that e.g. a launcher can restart Blender on another port with a new token.
pub trait Connector: Send + Sync {
    /// The endpoint to connect to now; may start or restart a Blender.
    fn endpoint(&self) -> BoxFuture<'_, Result<Endpoint, BridgeError>>;

    /// The token for the endpoint last returned; `None` uses the client's config.
    fn token(&self) -> Option<Token> {
        None
    }

    /// A short description for messages, e.g. "Blender launched by blender-mcp-rs".
    fn describe(&self) -> String {
        "Blender found by a custom connector".to_owned()
    }
}

/// The connector behind [`BlenderClient::new`]: always the configured endpoint.
pub(super) struct FixedEndpoint(pub(super) Endpoint);

impl Connector for FixedEndpoint {
    fn endpoint(&self) -> BoxFuture<'_, Result<Endpoint, BridgeError>> {
        let endpoint = self.0.clone();
        Box::pin(async move { Ok(endpoint) })
    }

    fn describe(&self) -> String {
        format!("Blender at {}", self.0)
    }
}
