//! The two phases of a graceful HTTP shutdown.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Shutdown state shared by every part of one router.
///
/// `stopping` is the user's token ([`HttpConfig::shutdown`](super::HttpConfig::shutdown)):
/// new requests are refused and idle streams close, but calls already running
/// continue. `force` fires `drain_timeout` later and cancels whatever is left.
#[derive(Debug, Clone)]
pub(crate) struct Lifecycle {
    pub(crate) stopping: CancellationToken,
    pub(crate) force: CancellationToken,
}

impl Lifecycle {
    /// Links `force` to `stopping` + `drain_timeout`. Needs a Tokio runtime
    /// to arm the timer; without one (a router built outside any runtime),
    /// `force` never fires and sessions live until the process exits.
    pub(crate) fn new(stopping: CancellationToken, drain_timeout: Duration) -> Self {
        let force = CancellationToken::new();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (stopping, force) = (stopping.clone(), force.clone());
            runtime.spawn(async move {
                tokio::select! {
                    _ = stopping.cancelled() => {
                        tokio::time::sleep(drain_timeout).await;
                        force.cancel();
                    }
                    _ = force.cancelled() => {}
                }
            });
        }
        Lifecycle { stopping, force }
    }
}
