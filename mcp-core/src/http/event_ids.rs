//! SSE event ids for resumable Streamable HTTP streams, corrected around
//! rmcp 3.11's in-memory session (no event store).
//!
//! rmcp gets three things wrong on the standalone `GET` stream, and one on
//! every stream; each is fixed here rather than upstream so that the fix
//! ships with us (upstream would need: priming ids distinct from the first
//! event's, `CachedTx::sync` starting after the given index, and a plain
//! `GET` not replaying the cache):
//!
//! * Its priming event and the first notification are both `id: 0`. Here the
//!   standalone stream's events are numbered from 1 (`rmcp index + 1`), so
//!   the priming event's `0` means "nothing delivered yet".
//! * `Last-Event-ID: N` replays event `N` itself. For the standalone stream
//!   the shifted numbering makes rmcp's inclusive replay start after `N`; for
//!   request streams (`N/R`) the replayed `N` is dropped.
//! * A `GET` without `Last-Event-ID` replays every cached notification, even
//!   those already delivered. Here it resumes after the last event any
//!   earlier stream of the session delivered.

use std::sync::{Arc, Mutex};

use futures::{Stream, StreamExt};
use rmcp::transport::streamable_http_server::session::ServerSseMessage;

/// Numbering of one session's standalone stream, shared by its successive
/// `GET` connections.
#[derive(Debug, Clone, Default)]
pub(crate) struct StandaloneIds {
    /// rmcp's index of the last event written to any standalone stream.
    delivered: Arc<Mutex<Option<usize>>>,
}

impl StandaloneIds {
    /// rmcp's index to replay from on a plain reconnect; `None` when nothing
    /// was delivered yet (then the whole cache is new to the client).
    pub(crate) fn resume_point(&self) -> Option<usize> {
        self.delivered.lock().unwrap().map(|index| index + 1)
    }

    /// Renumbers rmcp's standalone events as `index + 1` and records what
    /// was delivered. Other events (request streams, priming) pass unchanged.
    pub(crate) fn number<S>(
        &self,
        stream: S,
    ) -> impl Stream<Item = ServerSseMessage> + Send + Sync + 'static + use<S>
    where
        S: Stream<Item = ServerSseMessage> + Send + Sync + 'static,
    {
        let delivered = self.delivered.clone();
        stream.map(move |mut event| {
            if let Some(index) = standalone_index(&event) {
                let mut last = delivered.lock().unwrap();
                *last = Some(last.map_or(index, |last| last.max(index)));
                event.event_id = Some((index + 1).to_string());
            }
            event
        })
    }
}

/// rmcp's index of a standalone-stream event (`id: N`, no `/request`).
fn standalone_index(event: &ServerSseMessage) -> Option<usize> {
    event.message.as_ref()?;
    event.event_id.as_deref()?.parse().ok()
}

/// What a `Last-Event-ID` asks to resume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resumption {
    /// Our standalone numbering: events up to `N` were delivered.
    Standalone(usize),
    /// A request stream `index/request`, numbered by rmcp.
    Request { index: usize, request: u64 },
    /// Not an id we issued; rmcp refuses it (an empty stream).
    Unknown(String),
}

impl Resumption {
    pub(crate) fn parse(last_event_id: &str) -> Self {
        if let Ok(delivered) = last_event_id.parse() {
            return Resumption::Standalone(delivered);
        }
        let parsed = last_event_id
            .split_once('/')
            .and_then(|(index, request)| Some((index.parse().ok()?, request.parse().ok()?)));
        match parsed {
            Some((index, request)) => Resumption::Request { index, request },
            None => Resumption::Unknown(last_event_id.to_owned()),
        }
    }

    /// The id to hand rmcp, whose replay includes the event it names.
    pub(crate) fn inner_id(&self) -> String {
        match self {
            // Ours `N` is rmcp's `N - 1`; replaying from rmcp's `N` is "after".
            Resumption::Standalone(delivered) => delivered.to_string(),
            Resumption::Request { index, request } => format!("{index}/{request}"),
            Resumption::Unknown(id) => id.clone(),
        }
    }

    /// Drops the replayed copy of the event the client already has.
    pub(crate) fn skip_delivered<S>(
        self,
        stream: S,
    ) -> impl Stream<Item = ServerSseMessage> + Send + Sync + 'static + use<S>
    where
        S: Stream<Item = ServerSseMessage> + Send + Sync + 'static,
    {
        let delivered = self.inner_id();
        stream.filter(move |event| {
            futures::future::ready(event.event_id.as_deref() != Some(delivered.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::{ServerJsonRpcMessage, ServerNotification, ToolListChangedNotification};

    fn event(id: &str) -> ServerSseMessage {
        let note =
            ServerNotification::ToolListChangedNotification(ToolListChangedNotification::default());
        ServerSseMessage::new(id, ServerJsonRpcMessage::notification(note))
    }

    async fn ids(stream: impl Stream<Item = ServerSseMessage>) -> Vec<String> {
        stream
            .map(|event| event.event_id.unwrap_or_default())
            .collect()
            .await
    }

    #[tokio::test]
    async fn standalone_events_count_from_one_and_remember_delivery() {
        let numbering = StandaloneIds::default();
        assert_eq!(numbering.resume_point(), None);
        let first = numbering.number(futures::stream::iter([event("0"), event("1")]));
        assert_eq!(ids(first).await, ["1", "2"]);
        assert_eq!(numbering.resume_point(), Some(2));
        let priming = ServerSseMessage::priming("0", std::time::Duration::from_secs(1));
        let next = numbering.number(futures::stream::iter([priming, event("2")]));
        assert_eq!(ids(next).await, ["0", "3"]);
    }

    #[test]
    fn last_event_ids_parse_to_what_rmcp_replays() {
        assert_eq!(Resumption::parse("3"), Resumption::Standalone(3));
        assert_eq!(Resumption::parse("3").inner_id(), "3");
        assert_eq!(
            Resumption::parse("4/2"),
            Resumption::Request {
                index: 4,
                request: 2
            }
        );
        assert!(matches!(Resumption::parse("x"), Resumption::Unknown(_)));
    }

    #[tokio::test]
    async fn request_stream_replay_starts_after_the_delivered_event() {
        let replay = futures::stream::iter([event("4/2"), event("5/2")]);
        let resumed = Resumption::parse("4/2").skip_delivered(replay);
        assert_eq!(ids(resumed).await, ["5/2"]);
    }
}
