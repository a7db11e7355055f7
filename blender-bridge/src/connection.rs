//! One authenticated, multiplexed TCP connection to an addon.
//!
//! A reader task and a writer task own the two halves of the socket; callers
//! only touch a channel and a map of pending requests. That keeps many
//! requests in flight at once, lets replies arrive in any order, and means a
//! caller that gives up (timeout, cancellation) can never leave half a frame
//! on the wire.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::codec::FramedRead;

use crate::error::BridgeError;
use crate::protocol::{
    encode_frame, payload_len, ErrorCode, FrameCodec, FrameError, Incoming, OutgoingRequest,
    Progress, RemoteError, Reply, MAX_ID, PROTOCOL_VERSION,
};
use crate::token::Token;

mod pending;

use pending::{sweep_loop, Answer, Pending};

/// Where an addon listens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl Endpoint {
    /// An endpoint at `host:port`.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Endpoint {
            host: host.into(),
            port,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// What the addon said about itself in its `hello` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The protocol version (1).
    pub protocol: u32,
    /// The addon's version.
    #[serde(default)]
    pub addon_version: String,
    /// `bpy.app.version_string`.
    #[serde(default)]
    pub blender_version: String,
    /// `gui`, `background` or `module`.
    #[serde(default)]
    pub mode: String,
    /// The ops and features the addon serves.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// The addon's maximum frame size: requests larger than this are refused locally.
    pub max_frame: u64,
    /// Blender's process id.
    #[serde(default)]
    pub pid: u32,
}

/// Settings of one connection attempt.
pub(crate) struct ConnectParams<'a> {
    pub endpoint: &'a Endpoint,
    pub token: &'a Token,
    pub client_name: &'a str,
    pub connect_timeout: Duration,
    pub max_frame: usize,
}

/// A request's result, or why it failed.
type Outcome = Result<Value, BridgeError>;

/// Why a connection ended; kept so that late callers get the same error.
#[derive(Debug, Clone)]
enum CloseReason {
    Lost(String),
    Remote(RemoteError),
    Protocol(String),
    ReplyTooLarge { length: u64, max: u64 },
}

impl CloseReason {
    fn to_error(&self) -> BridgeError {
        match self {
            CloseReason::Lost(reason) => BridgeError::ConnectionLost {
                reason: reason.clone(),
            },
            CloseReason::Protocol(reason) => BridgeError::Protocol(reason.clone()),
            CloseReason::ReplyTooLarge { length, max } => BridgeError::FrameTooLarge {
                what: "reply",
                length: Some(*length),
                max: *max,
            },
            CloseReason::Remote(error) if error.code == ErrorCode::FrameTooLarge => {
                let number = |key| error.details.as_ref().and_then(|d| d.get(key)?.as_u64());
                BridgeError::FrameTooLarge {
                    what: "request",
                    length: number("length"),
                    max: number("max_frame").unwrap_or(0),
                }
            }
            CloseReason::Remote(error) => BridgeError::Remote(error.clone()),
        }
    }
}

/// Abandons a request when its caller stops waiting before the reply: the
/// transport timeout passed, or the caller dropped the future (cancellation).
/// Dropping is the one cancellation mechanism: it forgets the pending entry
/// and, when the addon serves `cancel`, asks it to drop or interrupt the
/// request, so Blender stops the work nobody waits for any more.
struct PendingGuard<'a> {
    connection: &'a Connection,
    id: u64,
    armed: bool,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.connection.abandon(self.id);
        }
    }
}

#[derive(Serialize)]
struct CancelParams {
    target: u64,
}

/// A live, authenticated connection.
pub(crate) struct Connection {
    frames: mpsc::UnboundedSender<Bytes>,
    pending: Arc<Pending>,
    next_id: AtomicU64,
    peer_max_frame: u64,
    info: Option<ServerInfo>,
    /// Whether the addon serves `cancel` (capability), so abandoning sends one.
    supports_cancel: bool,
    reader: JoinHandle<()>,
    sweeper: JoinHandle<()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The writer ends by itself once `frames` is dropped; the reader would
        // otherwise wait for the peer forever, the sweeper for a deadline.
        self.reader.abort();
        self.sweeper.abort();
    }
}

#[derive(Serialize)]
struct HelloParams<'a> {
    protocol: u32,
    token: &'a str,
    client: &'a str,
}

impl Connection {
    /// Opens the TCP connection to `endpoint`. Separate from [`Self::open`]
    /// so a caller can learn that nothing answers there before it looks for
    /// a token: with no Blender running, that is the problem to report.
    pub(crate) async fn dial(
        endpoint: &Endpoint,
        connect_timeout: Duration,
    ) -> Result<TcpStream, BridgeError> {
        let connect_error = |source| BridgeError::Connect {
            endpoint: endpoint.to_string(),
            source,
        };
        let address = (endpoint.host.as_str(), endpoint.port);
        let stream = tokio::time::timeout(connect_timeout, TcpStream::connect(address))
            .await
            .map_err(|_| {
                connect_error(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no TCP connection within {connect_timeout:?}"),
                ))
            })?
            .map_err(connect_error)?;
        stream.set_nodelay(true).map_err(connect_error)?;
        Ok(stream)
    }

    /// Starts the I/O tasks on a [`Self::dial`]ed stream and authenticates
    /// with `hello`.
    pub(crate) async fn open(
        stream: TcpStream,
        params: ConnectParams<'_>,
    ) -> Result<Connection, BridgeError> {
        let (read, write) = stream.into_split();

        let pending = Arc::new(Pending::default());
        let (frames, queue) = mpsc::unbounded_channel();
        let reader = tokio::spawn(read_loop(read, params.max_frame, pending.clone()));
        tokio::spawn(write_loop(write, queue, pending.clone()));
        let sweeper = tokio::spawn(sweep_loop(pending.clone()));
        let mut connection = Connection {
            frames,
            pending,
            next_id: AtomicU64::new(1),
            peer_max_frame: MAX_ID,
            info: None,
            supports_cancel: false,
            reader,
            sweeper,
        };

        let hello = HelloParams {
            protocol: PROTOCOL_VERSION,
            token: params.token.expose(),
            client: params.client_name,
        };
        let result = connection
            .request("hello", &hello, 128, params.connect_timeout)
            .await
            .map_err(|e| match e {
                BridgeError::Remote(error) => BridgeError::Handshake(error),
                // Garbage before the first reply: most likely not the addon at all.
                e @ (BridgeError::FrameTooLarge { .. } | BridgeError::Protocol(_)) => {
                    BridgeError::Protocol(format!(
                        "{} did not answer like the Blender addon ({e}) — check the host and port",
                        params.endpoint
                    ))
                }
                other => other,
            })?;
        let info: ServerInfo = serde_json::from_value(result)
            .map_err(|e| BridgeError::Protocol(format!("bad hello reply: {e}")))?;
        if info.protocol != PROTOCOL_VERSION {
            return Err(BridgeError::Protocol(format!(
                "the addon answered hello with protocol {}, this client speaks {PROTOCOL_VERSION}",
                info.protocol
            )));
        }
        connection.peer_max_frame = info.max_frame;
        connection.supports_cancel = info.capabilities.iter().any(|c| c == "cancel");
        connection.info = Some(info);
        Ok(connection)
    }

    /// The addon's `hello` reply.
    pub(crate) fn info(&self) -> Option<&ServerInfo> {
        self.info.as_ref()
    }

    /// Whether the connection can still carry requests.
    pub(crate) fn is_alive(&self) -> bool {
        !self.pending.is_closed()
    }

    /// Sends one request and waits for its reply, at most `timeout`.
    ///
    /// `size_hint` is the expected payload size, so large requests are
    /// serialised into one buffer without regrowing it.
    pub(crate) async fn request<P: Serialize + ?Sized>(
        &self,
        op: &str,
        params: &P,
        size_hint: usize,
        timeout: Duration,
    ) -> Result<Value, BridgeError> {
        self.request_with(op, params, size_hint, timeout, None)
            .await
    }

    /// [`Connection::request`] whose progress frames go to `progress`.
    ///
    /// Dropping the returned future before it completes, or the timeout
    /// passing, abandons the request (see `PendingGuard`).
    pub(crate) async fn request_with<P: Serialize + ?Sized>(
        &self,
        op: &str,
        params: &P,
        size_hint: usize,
        timeout: Duration,
        progress: Option<mpsc::UnboundedSender<Progress>>,
    ) -> Result<Value, BridgeError> {
        self.request_raw(op, params, size_hint, timeout, progress, None)
            .await
            .map_err(|error| match error {
                BridgeError::Remote(remote) => BridgeError::from_reply(op, remote),
                other => other,
            })
    }

    /// [`Connection::request_with`] that leaves an error reply as it came,
    /// [`BridgeError::Remote`] with all its details, for callers that need
    /// more of them than the typed variants keep (an exec `before` value).
    ///
    /// With `alive_within`, a request that may rightly run far longer (code
    /// with a long time limit) still fails within that time when the addon
    /// stops answering at all (a stopped or hung process): with no reply
    /// after half of it, a `cancel` of no request asks the addon's I/O
    /// thread, which answers without Blender's busy main thread.
    pub(crate) async fn request_raw<P: Serialize + ?Sized>(
        &self,
        op: &str,
        params: &P,
        size_hint: usize,
        timeout: Duration,
        progress: Option<mpsc::UnboundedSender<Progress>>,
        alive_within: Option<Duration>,
    ) -> Result<Value, BridgeError> {
        let id = self.next_id();
        let request = OutgoingRequest { id, op, params };
        let frame = encode_frame(&request, size_hint + 48 + op.len())
            .map_err(|e| BridgeError::Protocol(format!("cannot encode the `{op}` request: {e}")))?;
        let length = payload_len(&frame) as u64;
        if length > self.peer_max_frame {
            return Err(BridgeError::FrameTooLarge {
                what: "request",
                length: Some(length),
                max: self.peer_max_frame,
            });
        }
        let (check, checked) = match alive_within {
            Some(limit) if self.supports_cancel && limit < timeout => {
                let (signal, checked) = oneshot::channel();
                (Some((limit / 2, signal)), Some(checked))
            }
            _ => (None, None),
        };
        let mut reply = self.pending.register(id, progress, timeout, check)?;
        let mut guard = PendingGuard {
            connection: self,
            id,
            armed: true,
        };
        if self.frames.send(frame).is_err() {
            guard.armed = false;
            self.pending.forget(id);
            return Err(self.pending.close_error());
        }
        let answer = match (checked, alive_within) {
            (Some(mut checked), Some(limit)) => tokio::select! {
                answer = &mut reply => answer,
                Ok(()) = &mut checked => {
                    let probe = CancelParams { target: MAX_ID };
                    tokio::select! {
                        answer = &mut reply => answer,
                        probed = Box::pin(self.request("cancel", &probe, 32, limit / 2)) => match probed {
                            // Not even the I/O thread answers: give up (the
                            // armed guard cancels the request).
                            Err(BridgeError::NoReply { .. }) => {
                                return Err(BridgeError::NoReply { op: op.to_owned(), after: limit });
                            }
                            _ => reply.await,
                        },
                    }
                }
            },
            _ => reply.await,
        };
        match answer {
            Ok(Answer::Reply(outcome)) => {
                guard.armed = false;
                outcome
            }
            // The guard, still armed, sends `cancel` as this returns.
            Ok(Answer::Expired) => Err(BridgeError::NoReply {
                op: op.to_owned(),
                after: timeout,
            }),
            Err(_) => {
                guard.armed = false;
                Err(self.pending.close_error())
            }
        }
    }

    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) & MAX_ID
    }

    /// Forgets request `id` and asks the addon to cancel it (PROTOCOL 4.5).
    ///
    /// The cancel's own reply finds no waiter and is ignored; the request's
    /// `cancelled` reply is ignored the same way.
    fn abandon(&self, id: u64) {
        self.pending.forget(id);
        if !self.supports_cancel || self.pending.is_closed() {
            return;
        }
        let cancel = OutgoingRequest {
            id: self.next_id(),
            op: "cancel",
            params: &CancelParams { target: id },
        };
        match encode_frame(&cancel, 64) {
            Ok(frame) => {
                tracing::debug!(id, "caller gave up; cancelling the request in Blender");
                let _ = self.frames.send(frame);
            }
            Err(e) => tracing::warn!("cannot encode a cancel: {e}"),
        }
    }
}

/// Reads replies and hands each to its waiter; on any end, fails the rest.
async fn read_loop(read: OwnedReadHalf, max_frame: usize, pending: Arc<Pending>) {
    let mut frames = FramedRead::with_capacity(read, FrameCodec::new(max_frame), READ_BUFFER);
    let reason = loop {
        let payload = match frames.next().await {
            None => break CloseReason::Lost("Blender closed the connection".into()),
            Some(Ok(payload)) => payload,
            Some(Err(FrameError::Io(e))) => break CloseReason::Lost(e.to_string()),
            Some(Err(FrameError::TooLarge { length, max })) => {
                break CloseReason::ReplyTooLarge {
                    length,
                    max: max as u64,
                }
            }
            Some(Err(FrameError::BadFrame(why))) => break CloseReason::Protocol(why),
        };
        let incoming = Incoming::parse(&payload);
        // Before the reply is handed on, so its relay never overlaps the buffer.
        if payload.len() > 4 * READ_BUFFER {
            drop(payload);
            shrink_read_buffer(frames.read_buffer_mut());
        }
        match incoming {
            Err(why) => break CloseReason::Protocol(why),
            Ok(Incoming::Reply(Reply {
                id: None, error, ..
            })) => {
                break match error {
                    Some(error) => CloseReason::Remote(error),
                    None => CloseReason::Protocol("a reply with a null id and no error".into()),
                };
            }
            Ok(Incoming::Reply(reply @ Reply { id: Some(id), .. })) => {
                // Kept raw here; `request_with` gives it its typed variant.
                pending.complete(id, reply.into_result().map_err(BridgeError::Remote));
            }
            Ok(Incoming::Progress(frame)) => pending.progress(frame.id, frame.progress),
        }
    };
    pending.close(reason);
}

/// Read buffer kept between frames; a larger one is given back.
const READ_BUFFER: usize = 64 * 1024;

/// Gives back the memory a large frame made the read buffer grow to, once
/// the frame is parsed. Without this a 16 MiB reply kept 16 MiB allocated
/// for the connection's life (what is left of the buffer after the frame is
/// split off shares its allocation, and reuses it), on top of the reply
/// itself while that is relayed. Bytes of the next frame already read are kept.
fn shrink_read_buffer(buffer: &mut BytesMut) {
    let mut smaller = BytesMut::with_capacity(READ_BUFFER.max(buffer.len()));
    smaller.extend_from_slice(buffer);
    *buffer = smaller;
}

/// Writes queued frames, coalescing small ones that are already waiting into
/// one write so a burst of requests costs few syscalls; large frames are
/// written as they are, never copied.
async fn write_loop(
    mut write: OwnedWriteHalf,
    mut queue: mpsc::UnboundedReceiver<Bytes>,
    pending: Arc<Pending>,
) {
    const SMALL: usize = 16 * 1024;
    const BATCH_LIMIT: usize = 256 * 1024;
    let mut batch = BytesMut::new();
    while let Some(first) = queue.recv().await {
        let result = if first.len() >= SMALL {
            write.write_all(&first).await
        } else {
            batch.clear();
            batch.extend_from_slice(&first);
            let mut large = None;
            while batch.len() < BATCH_LIMIT {
                match queue.try_recv() {
                    Ok(next) if next.len() < SMALL => batch.extend_from_slice(&next),
                    Ok(next) => {
                        large = Some(next);
                        break;
                    }
                    Err(_) => break,
                }
            }
            match write.write_all(&batch).await {
                Ok(()) => match large {
                    Some(large) => write.write_all(&large).await,
                    None => Ok(()),
                },
                error => error,
            }
        };
        if let Err(e) = result {
            pending.close(CloseReason::Lost(format!("sending to Blender failed: {e}")));
            return;
        }
    }
}
