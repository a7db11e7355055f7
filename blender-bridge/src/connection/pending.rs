//! Requests in flight on one connection, and their transport timeouts.
//!
//! Each waiter carries its deadline; one sweeper task per connection fails
//! the overdue ones. A `tokio::time::timeout` per request did the same job,
//! but registering a timer in an empty timer wheel (the case between two
//! sequential requests) wakes the runtime's I/O driver: an eventfd write and
//! an extra `epoll_wait` on every round trip, and a wake-up of the other
//! worker thread when it was the one parked on the driver. The sweeper
//! sleeps until the earliest deadline and is woken only when a request
//! comes with an earlier one, which calls with the same timeout never do.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, Notify};
use tokio::time::Instant;

use super::{CloseReason, Outcome};
use crate::error::BridgeError;
use crate::protocol::Progress;

/// What a waiting caller receives.
pub(super) enum Answer {
    /// The reply, or why the connection failed.
    Reply(Outcome),
    /// Its deadline passed first; it is forgotten (the caller cancels it).
    Expired,
}

/// Requests in flight, by id; closed once the connection is gone.
#[derive(Default)]
pub(super) struct Pending {
    state: Mutex<PendingState>,
    /// Wakes the sweeper: an earlier deadline, or the connection closed.
    sweep: Notify,
}

#[derive(Default)]
struct PendingState {
    waiters: HashMap<u64, Waiter>,
    closed: Option<CloseReason>,
    /// When the sleeping sweeper wakes by itself (None: only when notified).
    sweep_at: Option<Instant>,
}

/// A caller waiting for its reply, and where its progress reports go.
struct Waiter {
    reply: oneshot::Sender<Answer>,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    deadline: Instant,
    /// When to tell the caller, once, that no reply has come yet (it then
    /// checks that the addon is alive); the waiter stays registered.
    check: Option<(Instant, oneshot::Sender<()>)>,
}

impl Pending {
    pub(super) fn register(
        &self,
        id: u64,
        progress: Option<mpsc::UnboundedSender<Progress>>,
        timeout: Duration,
        check: Option<(Duration, oneshot::Sender<()>)>,
    ) -> Result<oneshot::Receiver<Answer>, BridgeError> {
        // A timeout too large for an Instant never expires in practice.
        let at = |after: Duration| {
            Instant::now()
                .checked_add(after)
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(86400 * 365 * 30))
        };
        let deadline = at(timeout);
        let check = check.map(|(after, signal)| (at(after), signal));
        let first = check.as_ref().map_or(deadline, |(at, _)| deadline.min(*at));
        let (tx, rx) = oneshot::channel();
        let wake_sweeper = {
            let mut state = self.state.lock().unwrap();
            if let Some(reason) = &state.closed {
                return Err(reason.to_error());
            }
            state.waiters.insert(
                id,
                Waiter {
                    reply: tx,
                    progress,
                    deadline,
                    check,
                },
            );
            let earlier = state.sweep_at.is_none_or(|at| first < at);
            if earlier {
                state.sweep_at = Some(first);
            }
            earlier
        };
        if wake_sweeper {
            self.sweep.notify_one();
        }
        Ok(rx)
    }

    pub(super) fn complete(&self, id: u64, outcome: Outcome) {
        let waiter = self.state.lock().unwrap().waiters.remove(&id);
        match waiter {
            // The caller may have given up in between; that is fine.
            Some(waiter) => drop(waiter.reply.send(Answer::Reply(outcome))),
            None => tracing::debug!(id, "ignoring a reply to no request in flight"),
        }
    }

    /// Hands a progress report to the caller of request `id`, if it listens.
    pub(super) fn progress(&self, id: u64, progress: Progress) {
        let state = self.state.lock().unwrap();
        match state.waiters.get(&id).and_then(|w| w.progress.as_ref()) {
            // A receiver dropped by the caller only means nobody watches.
            Some(sink) => drop(sink.send(progress)),
            None => tracing::debug!(id, "ignoring progress of no request that asked for it"),
        }
    }

    pub(super) fn forget(&self, id: u64) {
        self.state.lock().unwrap().waiters.remove(&id);
    }

    /// Fails every waiter and every later request with `reason` (first reason wins).
    pub(super) fn close(&self, reason: CloseReason) {
        let waiters = {
            let mut state = self.state.lock().unwrap();
            if state.closed.is_some() {
                return;
            }
            state.closed = Some(reason.clone());
            std::mem::take(&mut state.waiters)
        };
        self.sweep.notify_one();
        for (_, waiter) in waiters {
            let _ = waiter.reply.send(Answer::Reply(Err(reason.to_error())));
        }
    }

    pub(super) fn is_closed(&self) -> bool {
        self.state.lock().unwrap().closed.is_some()
    }

    pub(super) fn close_error(&self) -> BridgeError {
        match &self.state.lock().unwrap().closed {
            Some(reason) => reason.to_error(),
            None => BridgeError::ConnectionLost {
                reason: "the connection was dropped".into(),
            },
        }
    }

    /// Expires the overdue waiters; returns when to look again (`Err` once
    /// the connection is closed, `Ok(None)`: only when notified).
    fn sweep(&self, now: Instant) -> Result<Option<Instant>, ()> {
        let (expired, next) = {
            let mut state = self.state.lock().unwrap();
            if state.closed.is_some() {
                return Err(());
            }
            let expired: Vec<Waiter> = state
                .waiters
                .extract_if(|_, waiter| waiter.deadline <= now)
                .map(|(_, waiter)| waiter)
                .collect();
            for waiter in state.waiters.values_mut() {
                if waiter.check.as_ref().is_some_and(|(at, _)| *at <= now) {
                    let (_, signal) = waiter.check.take().unwrap();
                    let _ = signal.send(());
                }
            }
            let next = state
                .waiters
                .values()
                .map(|w| {
                    w.check
                        .as_ref()
                        .map_or(w.deadline, |(at, _)| w.deadline.min(*at))
                })
                .min();
            state.sweep_at = next;
            (expired, next)
        };
        for waiter in expired {
            let _ = waiter.reply.send(Answer::Expired);
        }
        Ok(next)
    }
}

/// The connection's timeout task: ends when the connection closes (or its
/// `Connection` is dropped, which aborts it).
pub(super) async fn sweep_loop(pending: std::sync::Arc<Pending>) {
    loop {
        match pending.sweep(Instant::now()) {
            Err(()) => return,
            Ok(None) => pending.sweep.notified().await,
            Ok(Some(at)) => {
                tokio::select! {
                    _ = tokio::time::sleep_until(at) => {}
                    _ = pending.sweep.notified() => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::sync::Arc;

    /// Turns a hang into a failure; nothing here is timed.
    const LIMIT: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn only_overdue_requests_expire_and_an_earlier_deadline_wakes_the_sweeper() {
        let pending = Arc::new(Pending::default());
        let sweeper = tokio::spawn(sweep_loop(pending.clone()));
        let long = pending
            .register(1, None, Duration::from_secs(3600), None)
            .unwrap();
        // The sweeper now sleeps towards the hour-long deadline...
        tokio::time::sleep(Duration::from_millis(20)).await;
        // ...and must wake for this one.
        let short = pending
            .register(2, None, Duration::from_millis(10), None)
            .unwrap();
        let expired = tokio::time::timeout(LIMIT, short).await.unwrap();
        assert!(matches!(expired, Ok(Answer::Expired)));
        pending.complete(1, Ok(Value::from(7)));
        let replied = tokio::time::timeout(LIMIT, long).await.unwrap();
        assert!(matches!(replied, Ok(Answer::Reply(Ok(v))) if v == 7));
        pending.close(CloseReason::Lost("test over".into()));
        tokio::time::timeout(LIMIT, sweeper)
            .await
            .expect("the sweeper ends once the connection is closed")
            .unwrap();
    }

    #[tokio::test]
    async fn closing_fails_waiters_and_later_requests() {
        let pending = Pending::default();
        let waiting = pending
            .register(1, None, Duration::from_secs(3600), None)
            .unwrap();
        pending.close(CloseReason::Lost("gone".into()));
        assert!(matches!(
            waiting.await,
            Ok(Answer::Reply(Err(BridgeError::ConnectionLost { .. })))
        ));
        assert!(matches!(
            pending.register(2, None, Duration::from_secs(1), None),
            Err(BridgeError::ConnectionLost { .. })
        ));
    }
}
