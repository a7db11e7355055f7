//! A [`Connector`] that launches Blender on demand and relaunches it if it dies.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use futures::future::BoxFuture;

use super::{LaunchConfig, LaunchedBlender};
use crate::client::Connector;
use crate::connection::Endpoint;
use crate::error::BridgeError;
use crate::token::Token;

/// Supplies the endpoint and token of a Blender it owns, so a client's next
/// call recovers by itself after Blender crashes.
pub struct LaunchingConnector {
    config: LaunchConfig,
    blender: tokio::sync::Mutex<Option<LaunchedBlender>>,
    /// The token of the current launch, readable without awaiting.
    token: Mutex<Option<Token>>,
    launches: AtomicU64,
}

impl LaunchingConnector {
    /// Launches lazily: nothing starts until the first connect.
    pub fn new(config: LaunchConfig) -> Self {
        LaunchingConnector {
            config,
            blender: tokio::sync::Mutex::new(None),
            token: Mutex::new(None),
            launches: AtomicU64::new(0),
        }
    }

    /// The launch settings.
    pub fn config(&self) -> &LaunchConfig {
        &self.config
    }

    /// How many times Blender was launched.
    pub fn launches(&self) -> u64 {
        self.launches.load(Ordering::Relaxed)
    }

    /// The process id of the current Blender, if one was launched and runs.
    pub async fn pid(&self) -> Option<u32> {
        let blender = self.blender.lock().await;
        blender.as_ref().filter(|b| b.is_running()).map(|b| b.pid())
    }

    /// Launches Blender now unless one runs (to pay the start-up cost early).
    pub async fn ensure_running(&self) -> Result<Endpoint, BridgeError> {
        let mut blender = self.blender.lock().await;
        if let Some(running) = blender.as_ref().filter(|b| b.is_running()) {
            return Ok(running.endpoint().clone());
        }
        if let Some(dead) = blender.take() {
            let status = dead
                .exit_status()
                .map(|s| s.to_string())
                .unwrap_or_else(|| "unknown status".into());
            tracing::warn!(
                pid = dead.pid(),
                %status,
                "the Blender we launched has exited; launching a new one"
            );
        }
        let launched = LaunchedBlender::launch(&self.config).await?;
        self.launches.fetch_add(1, Ordering::Relaxed);
        let endpoint = launched.endpoint().clone();
        *self.token.lock().unwrap() = Some(launched.token().clone());
        *blender = Some(launched);
        Ok(endpoint)
    }

    /// Stops the launched Blender gracefully (see [`LaunchedBlender::shutdown`]).
    pub async fn shutdown(&self) {
        let launched = self.blender.lock().await.take();
        if let Some(launched) = launched {
            launched.shutdown().await;
        }
    }
}

impl Connector for LaunchingConnector {
    fn endpoint(&self) -> BoxFuture<'_, Result<Endpoint, BridgeError>> {
        Box::pin(self.ensure_running())
    }

    fn token(&self) -> Option<Token> {
        self.token.lock().unwrap().clone()
    }

    fn describe(&self) -> String {
        format!(
            "a Blender launched by blender-mcp-rs ({})",
            self.config.program.display()
        )
    }
}
