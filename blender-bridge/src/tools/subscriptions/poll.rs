//! The loop that turns scene changes into notifications.
//!
//! Blender has no change feed a server can listen to across every host (pip's
//! bpy, `blender -b`, the GUI), so the watched resources' digests are polled:
//! every [`POLL_EVERY`] while anything is watched, and soon after each writer
//! tool call. A poll is one snippet run that answers a few bytes per URI; on
//! a big scene it costs more, so polls are spaced by [`COST_FACTOR`] times
//! their own cost and Blender spends at most a tenth of its time on them.
//! At most one poll per [`MIN_GAP`] is also the debounce: a burst of edits
//! yields a notification or two per URI, not one per edit.

use std::sync::{Mutex, Weak};
use std::time::Duration;

use rmcp::model::ResourceUpdatedNotificationParam;
use rmcp::service::SubscriptionSink;
use rmcp::{Peer, RoleServer};
use tokio::sync::watch;
use tokio::time::{sleep_until, Instant};

use super::super::BlenderTools;
use super::watched::Fingerprints;
use super::Changes;

/// The shortest time between two polls, hence between two notifications
/// for one URI: at most four a second.
pub(super) const MIN_GAP: Duration = Duration::from_millis(250);
/// How often the scene is polled when no tool call prompts it, for edits
/// a person makes in the Blender window.
pub(super) const POLL_EVERY: Duration = Duration::from_millis(500);
/// A poll that took `t` is followed by at least `COST_FACTOR * t` of rest.
const COST_FACTOR: u32 = 10;

/// Where notifications go: a legacy session's client (`resources/subscribe`)
/// or one `subscriptions/listen` stream, whose sink applies its filter.
pub(super) enum Outlet {
    Session(Peer<RoleServer>),
    Stream(SubscriptionSink),
}

impl Outlet {
    /// Sends `notifications/resources/updated`; false once nobody listens.
    async fn updated(&self, uri: &str) -> bool {
        match self {
            Outlet::Session(peer) => peer
                .notify_resource_updated(ResourceUpdatedNotificationParam::new(uri))
                .await
                .is_ok(),
            Outlet::Stream(sink) => sink.notify_resource_updated(uri).await.is_ok(),
        }
    }

    /// Forwards list changes to a stream that accepted them. A legacy
    /// session gets these from the handler itself (see `ListChanged`).
    async fn lists_changed(&self, before: Changes, now: Changes) -> bool {
        let Outlet::Stream(sink) = self else {
            return true;
        };
        let accepted = sink.accepted();
        let writes = now.scene_writes != before.scene_writes;
        !(writes
            && accepted.resources_list_changed == Some(true)
            && sink.notify_resource_list_changed().await.is_err())
    }
}

/// What a poll loop watches: the URIs with their last digests, and whether
/// the loop still runs. Owned by a session (or a listen stream); the loop
/// holds it weakly, so it ends when its owner goes.
#[derive(Default)]
pub(super) struct Watched {
    pub(super) prints: Fingerprints,
    pub(super) polling: bool,
}

/// Polls until the owner of `watched` is gone, the outlet's client stops
/// listening, or (for a session) nothing is watched any more.
pub(super) async fn poll(
    tools: BlenderTools,
    watched: Weak<Mutex<Watched>>,
    outlet: Outlet,
    mut changes: watch::Receiver<Changes>,
) {
    let mut seen = *changes.borrow_and_update();
    let mut last_poll = Instant::now();
    let mut cost = Duration::ZERO;
    loop {
        let gap = MIN_GAP.max(cost * COST_FACTOR);
        tokio::select! {
            _ = sleep_until(last_poll + POLL_EVERY.max(gap)) => {}
            moved = changes.changed() => {
                if moved.is_err() {
                    return;
                }
                sleep_until(last_poll + gap).await;
            }
        }
        let now = *changes.borrow_and_update();
        if !outlet.lists_changed(seen, now).await {
            return;
        }
        seen = now;
        let Some(uris) = uris_to_poll(&watched, &outlet) else {
            return;
        };
        if uris.is_empty() {
            continue;
        }
        let started = Instant::now();
        // Blender away (restarting, reconnecting): try again next time.
        let prints = match tools.fingerprints(&uris).await {
            Ok(prints) => prints,
            Err(e) => {
                tracing::debug!("resource poll failed: {}", e.message);
                continue;
            }
        };
        // tests/e2e/test_subscriptions.py counts these to see a loop end.
        tracing::trace!(?prints, "resource poll");
        last_poll = Instant::now();
        cost = last_poll - started;
        let Some(changed) = record(&watched, prints) else {
            return;
        };
        for uri in changed {
            if !outlet.updated(&uri).await {
                return;
            }
        }
    }
}

/// The URIs to poll now; `None` when the loop should end. A session's loop
/// ends with its last subscription (and says so under the same lock, so a
/// new subscription starts a new loop); a stream's runs until cancelled.
fn uris_to_poll(watched: &Weak<Mutex<Watched>>, outlet: &Outlet) -> Option<Vec<String>> {
    let watched = watched.upgrade()?;
    let mut watched = watched.lock().unwrap_or_else(|e| e.into_inner());
    if watched.prints.is_empty() && matches!(outlet, Outlet::Session(_)) {
        watched.polling = false;
        return None;
    }
    Some(watched.prints.keys().cloned().collect())
}

/// Stores the new digests and answers the URIs whose digest changed; URIs
/// unsubscribed while the poll ran are left out.
fn record(watched: &Weak<Mutex<Watched>>, prints: Fingerprints) -> Option<Vec<String>> {
    let watched = watched.upgrade()?;
    let mut watched = watched.lock().unwrap_or_else(|e| e.into_inner());
    let mut changed = Vec::new();
    for (uri, print) in prints {
        if let Some(old) = watched.prints.get_mut(&uri) {
            if *old != print {
                *old = print;
                changed.push(uri);
            }
        }
    }
    Some(changed)
}
