//! One legacy HTTP+SSE session: the channel pair rmcp serves over, and the
//! registry that routes `POST /messages?sessionId=…` to it.
//!
//! rmcp dropped the 2024-11-05 SSE transport, so this adapts it onto rmcp's
//! generic [`Transport`] trait: POSTed messages go into a bounded inbound
//! channel, everything the server sends comes out of a bounded outbound
//! channel that the `GET /sse` response drains. Bounded both ways, so a client
//! that stops reading or floods POSTs stalls only itself.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{ClientJsonRpcMessage, ClientNotification, RequestId, ServerJsonRpcMessage};
use rmcp::service::RoleServer;
use rmcp::transport::Transport;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// Requests of one session that have not been answered yet, so a graceful
/// shutdown can keep the stream open until their replies went out.
#[derive(Debug)]
pub(crate) struct InFlight {
    ids: Mutex<HashSet<RequestId>>,
    count: watch::Sender<usize>,
}

impl InFlight {
    fn new() -> Self {
        InFlight {
            ids: Mutex::new(HashSet::new()),
            count: watch::Sender::new(0),
        }
    }

    fn update(&self, change: impl FnOnce(&mut HashSet<RequestId>)) {
        let mut ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut ids);
        self.count.send_replace(ids.len());
    }

    /// Resolves once no request is waiting for its reply.
    pub(crate) async fn wait_idle(&self) {
        let mut count = self.count.subscribe();
        let _ = count.wait_for(|n| *n == 0).await;
    }
}

/// Why a message could not be delivered to the client's SSE stream.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SseSendError {
    /// The stream is gone (client disconnected).
    #[error("the SSE stream is closed")]
    Closed,
    /// The client did not read its stream in time; treated as dead.
    #[error("the SSE client did not read its stream in time")]
    TimedOut,
}

/// The server side of one SSE session as rmcp sees it.
pub(crate) struct SseTransport {
    inbound: mpsc::Receiver<ClientJsonRpcMessage>,
    outbound: mpsc::Sender<ServerJsonRpcMessage>,
    send_timeout: Duration,
    in_flight: Arc<InFlight>,
}

impl Transport<RoleServer> for SseTransport {
    type Error = SseSendError;

    fn send(
        &mut self,
        item: ServerJsonRpcMessage,
    ) -> impl std::future::Future<Output = Result<(), Self::Error>> + Send + 'static {
        let outbound = self.outbound.clone();
        let send_timeout = self.send_timeout;
        let in_flight = self.in_flight.clone();
        async move {
            let answered = match &item {
                ServerJsonRpcMessage::Response(response) => Some(response.id.clone()),
                ServerJsonRpcMessage::Error(error) => error.id.clone(),
                _ => None,
            };
            let sent = match tokio::time::timeout(send_timeout, outbound.send(item)).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(_)) => Err(SseSendError::Closed),
                Err(_) => Err(SseSendError::TimedOut),
            };
            if let Some(id) = answered {
                in_flight.update(|ids| {
                    ids.remove(&id);
                });
            }
            sent
        }
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        let message = self.inbound.recv().await?;
        match &message {
            ClientJsonRpcMessage::Request(request) => {
                let id = request.id.clone();
                self.in_flight.update(|ids| {
                    ids.insert(id);
                });
            }
            ClientJsonRpcMessage::Notification(notification) => {
                // A cancelled request is never answered, so stop waiting for it.
                if let ClientNotification::CancelledNotification(cancelled) =
                    &notification.notification
                {
                    if let Some(id) = cancelled.params.request_id.clone() {
                        self.in_flight.update(|ids| {
                            ids.remove(&id);
                        });
                    }
                }
            }
            _ => {}
        }
        Some(message)
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.inbound.close();
        Ok(())
    }
}

/// What the `/messages` handler needs to reach a session.
#[derive(Debug, Clone)]
pub(crate) struct SessionHandle {
    pub(crate) inbound: mpsc::Sender<ClientJsonRpcMessage>,
}

/// What the `/sse` stream needs: the server's messages and shutdown state.
pub(crate) struct SessionStream {
    pub(crate) id: String,
    pub(crate) outbound: mpsc::Receiver<ServerJsonRpcMessage>,
    pub(crate) in_flight: Arc<InFlight>,
    /// Cancels the rmcp service task; fired when the stream is dropped.
    pub(crate) cancel: CancellationToken,
    pub(crate) registry: Arc<SseSessions>,
}

impl Drop for SessionStream {
    fn drop(&mut self) {
        self.registry.remove(&self.id);
        self.cancel.cancel();
        tracing::info!(
            session = %self.id,
            live_sessions = self.registry.len(),
            "legacy SSE session closed"
        );
    }
}

/// Live legacy SSE sessions by id, with a cap on how many may exist.
#[derive(Debug)]
pub(crate) struct SseSessions {
    sessions: Mutex<HashMap<String, SessionHandle>>,
    max_sessions: usize,
    channel_capacity: usize,
    send_timeout: Duration,
}

impl SseSessions {
    pub(crate) fn new(
        max_sessions: usize,
        channel_capacity: usize,
        send_timeout: Duration,
    ) -> Self {
        SseSessions {
            sessions: Mutex::new(HashMap::new()),
            max_sessions,
            channel_capacity,
            send_timeout,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SessionHandle>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new session; `None` when the cap is reached. The id is a
    /// random UUID: knowing it is what lets a POST reach the session.
    pub(crate) fn open(
        self: &Arc<Self>,
        cancel: CancellationToken,
    ) -> Option<(SseTransport, SessionStream)> {
        let (inbound_tx, inbound_rx) = mpsc::channel(self.channel_capacity);
        let (outbound_tx, outbound_rx) = mpsc::channel(self.channel_capacity);
        let id = uuid::Uuid::new_v4().simple().to_string();
        {
            let mut sessions = self.lock();
            if sessions.len() >= self.max_sessions {
                return None;
            }
            sessions.insert(
                id.clone(),
                SessionHandle {
                    inbound: inbound_tx,
                },
            );
        }
        let in_flight = Arc::new(InFlight::new());
        let transport = SseTransport {
            inbound: inbound_rx,
            outbound: outbound_tx,
            send_timeout: self.send_timeout,
            in_flight: in_flight.clone(),
        };
        let stream = SessionStream {
            id,
            outbound: outbound_rx,
            in_flight,
            cancel,
            registry: self.clone(),
        };
        Some((transport, stream))
    }

    pub(crate) fn get(&self, id: &str) -> Option<SessionHandle> {
        self.lock().get(id).cloned()
    }

    fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Number of live sessions, logged so leaks are visible.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// How long a POST may wait for room in a session's inbound channel.
    pub(crate) fn send_timeout(&self) -> Duration {
        self.send_timeout
    }
}
