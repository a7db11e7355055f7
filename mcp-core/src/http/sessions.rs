//! Stateful Streamable HTTP sessions, bounded in number and in idle time.
//!
//! rmcp's [`LocalSessionManager`] keeps every session until the client sends
//! `DELETE`, and its own idle timeout stops a session's worker but leaves the
//! session in its table, so clients that vanish (the common case) grow the
//! server without limit. [`BoundedSessions`] wraps it: at most `max_sessions`
//! live at once (a new one closes the session idle longest), and a session
//! with no request and no open stream for `idle_timeout` is closed.
//!
//! It also owns the event ids of the standalone `GET` stream; see
//! [`super::event_ids`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionManager, LocalSessionManagerError,
};
use rmcp::transport::streamable_http_server::session::{
    ServerSseMessage, SessionId, SessionManager,
};

use super::event_ids::{self, StandaloneIds};

/// How many sessions may live and for how long they may sit idle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionLimits {
    pub(crate) max_sessions: usize,
    pub(crate) idle_timeout: Duration,
}

/// What the bound needs to know about one live session.
#[derive(Debug)]
struct SessionEntry {
    /// When the last request or stream of this session ended or began.
    last_active: Instant,
    /// Response and `GET` streams still open: a session with one is not idle.
    open_streams: usize,
    /// Numbering of the session's standalone `GET` stream.
    standalone: StandaloneIds,
}

impl SessionEntry {
    fn new(now: Instant) -> Self {
        SessionEntry {
            last_active: now,
            open_streams: 0,
            standalone: StandaloneIds::default(),
        }
    }

    fn idle_since(&self) -> Option<Instant> {
        (self.open_streams == 0).then_some(self.last_active)
    }
}

type Table = Arc<Mutex<HashMap<SessionId, SessionEntry>>>;

/// A [`SessionManager`] that bounds rmcp's in-memory one; see the module docs.
#[derive(Debug)]
pub(crate) struct BoundedSessions {
    inner: LocalSessionManager,
    table: Table,
    limits: SessionLimits,
}

impl BoundedSessions {
    /// A manager whose idle sessions are swept by a task on the current
    /// Tokio runtime (none outside one: then only the count bound applies).
    pub(crate) fn new(limits: SessionLimits) -> Arc<Self> {
        let mut inner = LocalSessionManager::default();
        // The sweep below replaces rmcp's own idle timeout, which would stop
        // the worker but leave the session in rmcp's table.
        inner.session_config.keep_alive = None;
        let sessions = Arc::new(BoundedSessions {
            inner,
            table: Table::default(),
            limits,
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(sweep_idle(Arc::downgrade(&sessions)));
        }
        sessions
    }

    /// Number of live sessions.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.table.lock().unwrap().len()
    }

    fn touch(&self, id: &SessionId) {
        if let Some(entry) = self.table.lock().unwrap().get_mut(id) {
            entry.last_active = Instant::now();
        }
    }

    /// Sessions idle for at least `idle_timeout` at `now`.
    fn expired(&self, now: Instant) -> Vec<SessionId> {
        let table = self.table.lock().unwrap();
        table
            .iter()
            .filter(|(_, entry)| {
                entry
                    .idle_since()
                    .is_some_and(|since| now.duration_since(since) >= self.limits.idle_timeout)
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The session to close so a new one fits: the one idle longest, or,
    /// when every session has an open stream, the least recently active.
    fn eviction_victim(&self) -> Option<SessionId> {
        let table = self.table.lock().unwrap();
        if table.len() < self.limits.max_sessions {
            return None;
        }
        let oldest_idle = table
            .iter()
            .filter_map(|(id, entry)| entry.idle_since().map(|since| (since, id)))
            .min_by_key(|(since, _)| *since);
        let oldest = oldest_idle.or_else(|| {
            table
                .iter()
                .map(|(id, entry)| (entry.last_active, id))
                .min_by_key(|(since, _)| *since)
        });
        oldest.map(|(_, id)| id.clone())
    }

    /// Counts `stream` as open on session `id` until it ends or is dropped.
    fn track<S>(&self, id: &SessionId, stream: S) -> impl Stream<Item = S::Item> + Send + use<S>
    where
        S: Stream + Send + 'static,
    {
        if let Some(entry) = self.table.lock().unwrap().get_mut(id) {
            entry.open_streams += 1;
            entry.last_active = Instant::now();
        }
        let open = OpenStream {
            table: Arc::downgrade(&self.table),
            id: id.clone(),
        };
        stream.map(move |item| {
            let _open = &open;
            item
        })
    }

    fn standalone_ids(&self, id: &SessionId) -> Option<StandaloneIds> {
        self.table
            .lock()
            .unwrap()
            .get(id)
            .map(|entry| entry.standalone.clone())
    }
}

/// Marks a tracked stream closed when the HTTP response body is dropped.
struct OpenStream {
    table: Weak<Mutex<HashMap<SessionId, SessionEntry>>>,
    id: SessionId,
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        let Some(table) = self.table.upgrade() else {
            return;
        };
        if let Some(entry) = table.lock().unwrap().get_mut(&self.id) {
            entry.open_streams = entry.open_streams.saturating_sub(1);
            entry.last_active = Instant::now();
        };
    }
}

/// Closes expired sessions every quarter of the idle timeout (at most once
/// a second, at least once a minute) until the manager is dropped.
async fn sweep_idle(sessions: Weak<BoundedSessions>) {
    let period = sessions
        .upgrade()
        .map(|s| s.limits.idle_timeout / 4)
        .unwrap_or_default()
        .clamp(Duration::from_secs(1), Duration::from_secs(60));
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(sessions) = sessions.upgrade() else {
            return;
        };
        for id in sessions.expired(Instant::now()) {
            tracing::debug!(session = %id, "closing idle Streamable HTTP session");
            let _ = sessions.close_session(&id).await;
        }
    }
}

impl SessionManager for BoundedSessions {
    type Error = LocalSessionManagerError;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        if let Some(victim) = self.eviction_victim() {
            tracing::info!(
                session = %victim,
                max = self.limits.max_sessions,
                "session limit reached: closing the session idle longest"
            );
            self.close_session(&victim).await?;
        }
        let (id, transport) = self.inner.create_session().await?;
        let now = Instant::now();
        self.table
            .lock()
            .unwrap()
            .insert(id.clone(), SessionEntry::new(now));
        Ok((id, transport))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.touch(id);
        self.inner.initialize_session(id, message).await
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.inner.has_session(id).await
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.table.lock().unwrap().remove(id);
        self.inner.close_session(id).await
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let stream = self.inner.create_stream(id, message).await?;
        Ok(self.track(id, stream))
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.touch(id);
        self.inner.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let ids = self.standalone_ids(id).unwrap_or_default();
        // A plain reconnect continues after what earlier streams delivered.
        let stream = match ids.resume_point() {
            Some(next) => self.inner.resume(id, next.to_string()).await?.left_stream(),
            None => self
                .inner
                .create_standalone_stream(id)
                .await?
                .right_stream(),
        };
        Ok(self.track(id, ids.number(stream)))
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let resumption = event_ids::Resumption::parse(&last_event_id);
        let ids = self.standalone_ids(id).unwrap_or_default();
        let stream = self.inner.resume(id, resumption.inner_id()).await?;
        let stream = match resumption {
            event_ids::Resumption::Standalone(_) => ids.number(stream).left_stream(),
            other => other.skip_delivered(stream).right_stream(),
        };
        Ok(self.track(id, stream))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_sessions: usize, idle_timeout: Duration) -> SessionLimits {
        SessionLimits {
            max_sessions,
            idle_timeout,
        }
    }

    #[tokio::test]
    async fn the_session_idle_longest_makes_room() {
        let sessions = BoundedSessions::new(limits(3, Duration::from_secs(3600)));
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(sessions.create_session().await.unwrap().0);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // The oldest session has a stream open, so the second-oldest goes.
        let open = sessions.track(&ids[0], futures::stream::pending::<()>());
        sessions.touch(&ids[2]);
        let (fourth, _) = sessions.create_session().await.unwrap();
        assert_eq!(sessions.len(), 3);
        assert!(sessions.has_session(&ids[0]).await.unwrap());
        assert!(!sessions.has_session(&ids[1]).await.unwrap());
        assert!(sessions.has_session(&ids[2]).await.unwrap());
        assert!(sessions.has_session(&fourth).await.unwrap());
        drop(open);
    }

    #[tokio::test]
    async fn many_sessions_stay_within_the_bound() {
        let sessions = BoundedSessions::new(limits(50, Duration::from_secs(3600)));
        for _ in 0..2_000 {
            sessions.create_session().await.unwrap();
        }
        assert_eq!(sessions.len(), 50);
        assert_eq!(sessions.inner.sessions.read().await.len(), 50);
    }

    #[tokio::test]
    async fn idle_sessions_expire_but_open_streams_keep_theirs() {
        let sessions = BoundedSessions::new(limits(10, Duration::from_millis(50)));
        let (busy, _) = sessions.create_session().await.unwrap();
        let (idle, _) = sessions.create_session().await.unwrap();
        let open = sessions.track(&busy, futures::stream::pending::<()>());
        let later = Instant::now() + Duration::from_millis(60);
        assert_eq!(sessions.expired(later), vec![idle]);
        drop(open);
        let much_later = Instant::now() + Duration::from_millis(60);
        assert_eq!(sessions.expired(much_later).len(), 2);
    }
}
