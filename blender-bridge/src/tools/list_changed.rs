//! `resources/list_changed`, debounced per session.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::{Peer, RoleServer};

/// The shortest time between two `resources/list_changed` of one session.
const LIST_CHANGED_INTERVAL: Duration = Duration::from_millis(100);

/// Announces `resources/list_changed` after writer tools without delaying
/// their replies, and at most once per interval.
///
/// Awaiting the notification in `call_tool` put a round trip through rmcp's
/// service loop and one more stdout line before every writer's reply; a
/// script of many `execute_blender_code` calls got one notification per
/// call, each one waking the client. Now the first write after a quiet
/// interval is announced at once (so a client sees it before the reply to
/// its next request) and later writes within the interval share one
/// notification sent at its end. Every write is still followed by a
/// notification sent after it completed.
pub(crate) struct ListChanged {
    state: Arc<Mutex<ListChangedState>>,
    interval: Duration,
}

#[derive(Default)]
struct ListChangedState {
    /// A notification task is waiting to send; later writes ride on it.
    scheduled: bool,
    last_sent: Option<tokio::time::Instant>,
}

impl Default for ListChanged {
    fn default() -> Self {
        Self::with_interval(LIST_CHANGED_INTERVAL)
    }
}

/// A clone is the handler of another session (the HTTP server makes one per
/// session), whose client must get its own notifications: it starts with a
/// fresh state rather than sharing this session's.
impl Clone for ListChanged {
    fn clone(&self) -> Self {
        Self::with_interval(self.interval)
    }
}

impl ListChanged {
    fn with_interval(interval: Duration) -> Self {
        ListChanged {
            state: Arc::default(),
            interval,
        }
    }

    pub(crate) fn announce(&self, peer: Peer<RoleServer>) {
        self.schedule(move || async move {
            // Best effort: a client that is gone or does not listen loses nothing.
            let _ = peer.notify_resource_list_changed().await;
        });
    }

    /// Runs `send` at once, or at the end of the interval since the last
    /// send, unless a send is scheduled already.
    fn schedule<F, Fut>(&self, send: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let delay = {
            let mut state = self.state.lock().unwrap();
            if state.scheduled {
                return;
            }
            state.scheduled = true;
            state.last_sent.map_or(Duration::ZERO, |at| {
                (at + self.interval).saturating_duration_since(tokio::time::Instant::now())
            })
        };
        let state = self.state.clone();
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            {
                let mut state = state.lock().unwrap();
                state.scheduled = false;
                state.last_sent = Some(tokio::time::Instant::now());
            }
            send().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counter(list_changed: &ListChanged, sent: &Arc<AtomicUsize>) {
        let sent = sent.clone();
        list_changed.schedule(move || async move {
            sent.fetch_add(1, Ordering::SeqCst);
        });
    }

    /// Waits until `n` were sent (the limit only turns a hang into a failure).
    async fn wait_for(sent: &AtomicUsize, n: usize) {
        let sent_n = async {
            while sent.load(Ordering::SeqCst) < n {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(60), sent_n)
            .await
            .expect("the notifications were never sent");
    }

    #[tokio::test]
    async fn a_burst_of_writes_is_announced_at_once_then_once_more() {
        let sent = Arc::new(AtomicUsize::new(0));
        // An interval no test run outlasts: what is sent does not depend on timing.
        let list_changed = ListChanged::with_interval(Duration::from_secs(3600));
        counter(&list_changed, &sent);
        wait_for(&sent, 1).await;
        for _ in 0..20 {
            counter(&list_changed, &sent);
        }
        tokio::task::yield_now().await;
        assert_eq!(sent.load(Ordering::SeqCst), 1);
        assert!(
            list_changed.state.lock().unwrap().scheduled,
            "the burst waits for one trailing notification"
        );
    }

    #[tokio::test]
    async fn the_trailing_notification_comes_after_the_interval() {
        let sent = Arc::new(AtomicUsize::new(0));
        let list_changed = ListChanged::with_interval(Duration::from_millis(20));
        counter(&list_changed, &sent);
        wait_for(&sent, 1).await;
        counter(&list_changed, &sent);
        counter(&list_changed, &sent);
        wait_for(&sent, 2).await;
        assert!(!list_changed.state.lock().unwrap().scheduled);
        // A session's clone is another session: its own first write goes out at once.
        let other = list_changed.clone();
        counter(&other, &sent);
        wait_for(&sent, 3).await;
    }
}
