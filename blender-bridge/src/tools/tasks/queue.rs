//! The per-Blender run queue: at most N tasks work on one Blender at a time,
//! the others wait their turn in arrival order.
//!
//! One Blender renders one thing at a time (its main thread does the work),
//! so running two renders "in parallel" only interleaves them and makes both
//! late. Tasks past the limit wait here, and each waiting task learns how
//! many are ahead of it, which its status message tells the client.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// The tasks running on one Blender, and the ones waiting for it.
pub(super) struct RunQueue {
    limit: usize,
    state: Mutex<QueueState>,
    /// Woken whenever a slot frees or a waiter leaves.
    changed: Notify,
}

#[derive(Default)]
struct QueueState {
    running: usize,
    waiting: VecDeque<u64>,
    next_ticket: u64,
}

/// A running task's place on its Blender; dropping it lets the next one in.
pub(super) struct Slot {
    queue: Arc<RunQueue>,
}

/// A waiting task's place in line; dropping it (a task cancelled while
/// queued) leaves the line.
struct Ticket {
    queue: Arc<RunQueue>,
    id: u64,
}

impl RunQueue {
    /// A queue letting `limit` tasks run at once (at least one).
    pub(super) fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            limit: limit.max(1),
            state: Mutex::default(),
            changed: Notify::new(),
        })
    }

    /// Waits until it is this caller's turn, telling `ahead` how many tasks
    /// (running or queued) are before it whenever that number changes.
    pub(super) async fn wait_turn(self: &Arc<Self>, mut ahead: impl FnMut(usize)) -> Slot {
        let ticket = self.enqueue();
        let mut told = None;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Registered before the check, so a slot freed in between still wakes us.
            notified.as_mut().enable();
            match self.try_start(&ticket) {
                Ok(slot) => return slot,
                Err(before) if told != Some(before) => {
                    told = Some(before);
                    ahead(before);
                }
                Err(_) => {}
            }
            notified.await;
        }
    }

    fn enqueue(self: &Arc<Self>) -> Ticket {
        let mut state = self.state.lock().unwrap();
        let id = state.next_ticket;
        state.next_ticket += 1;
        state.waiting.push_back(id);
        Ticket {
            queue: self.clone(),
            id,
        }
    }

    /// Starts `ticket`'s task if it is first in line and a slot is free;
    /// else answers how many tasks are ahead of it.
    fn try_start(self: &Arc<Self>, ticket: &Ticket) -> Result<Slot, usize> {
        let mut state = self.state.lock().unwrap();
        let position = state
            .waiting
            .iter()
            .position(|&id| id == ticket.id)
            .expect("a live ticket is in line");
        if position == 0 && state.running < self.limit {
            state.waiting.pop_front();
            state.running += 1;
            return Ok(Slot {
                queue: self.clone(),
            });
        }
        Err(state.running + position)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.queue.state.lock().unwrap().running -= 1;
        self.queue.changed.notify_waiters();
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        // Gone already when its task started; still there when it was cancelled.
        self.queue
            .state
            .lock()
            .unwrap()
            .waiting
            .retain(|&id| id != self.id);
        self.queue.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Fails instead of hanging when a turn never comes.
    async fn within<F: std::future::Future>(future: F) -> F::Output {
        tokio::time::timeout(Duration::from_secs(60), future)
            .await
            .expect("the queue never moved")
    }

    #[tokio::test]
    async fn tasks_past_the_limit_wait_in_order_and_learn_how_many_are_ahead() {
        let queue = RunQueue::new(1);
        let first = within(queue.wait_turn(|_| {})).await;
        let (told_tx, mut told) = tokio::sync::mpsc::unbounded_channel();
        let second = tokio::spawn({
            let queue = queue.clone();
            let told_tx = told_tx.clone();
            async move {
                queue
                    .wait_turn(move |n| told_tx.send(("second", n)).unwrap())
                    .await
            }
        });
        assert_eq!(within(told.recv()).await, Some(("second", 1)));
        let third = tokio::spawn({
            let queue = queue.clone();
            async move {
                queue
                    .wait_turn(move |n| told_tx.send(("third", n)).unwrap())
                    .await
            }
        });
        assert_eq!(within(told.recv()).await, Some(("third", 2)));
        drop(first);
        let second = within(second).await.unwrap();
        assert_eq!(within(told.recv()).await, Some(("third", 1)));
        drop(second);
        drop(within(third).await.unwrap());
        assert_eq!(queue.state.lock().unwrap().running, 0);
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_leaves_the_line() {
        let queue = RunQueue::new(1);
        let first = within(queue.wait_turn(|_| {})).await;
        let quitter = tokio::spawn({
            let queue = queue.clone();
            async move { queue.wait_turn(|_| {}).await }
        });
        while queue.state.lock().unwrap().waiting.is_empty() {
            tokio::task::yield_now().await;
        }
        quitter.abort();
        let _ = quitter.await;
        assert!(queue.state.lock().unwrap().waiting.is_empty());
        drop(first);
        // The next comer starts at once: nobody is left in line before it.
        drop(within(queue.wait_turn(|_| {})).await);
    }

    #[tokio::test]
    async fn the_limit_lets_that_many_run_together() {
        let queue = RunQueue::new(2);
        let a = within(queue.wait_turn(|_| {})).await;
        let b = within(queue.wait_turn(|_| {})).await;
        assert_eq!(queue.state.lock().unwrap().running, 2);
        drop((a, b));
    }
}
