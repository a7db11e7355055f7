//! Resource subscriptions: `resources/subscribe` (sessions up to 2025-11-25)
//! and `subscriptions/listen` (2026-07-28) for `blender://scene` and
//! `blender://object/{name}`.
//!
//! A client hears `notifications/resources/updated` when what a read of the
//! resource would show has changed, whether a tool call or a person in the
//! Blender window changed it (see [`poll`] for how, and how often). Writer
//! tool calls of any session prompt a poll at once through [`Changes`],
//! which all sessions share; the subscriptions themselves are each
//! session's own and end with it.

mod poll;
mod watched;

use std::sync::{Arc, Mutex};

use rmcp::model::SubscriptionFilter;
use rmcp::service::SubscriptionContext;
use rmcp::{ErrorData, Peer, RoleServer};
use tokio::sync::watch;

use super::BlenderTools;
use poll::{Outlet, Watched};

/// Counters of what changed server-wide, watched by every poll loop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// Writer tool calls completed (by any session).
    pub(crate) scene_writes: u64,
}

/// The subscription state of one handler, i.e. of one session.
pub(crate) struct Subscriptions {
    /// Shared by every session: writes anywhere may change what anyone watches.
    changes: Arc<watch::Sender<Changes>>,
    /// This session's `resources/subscribe` URIs, held weakly by its poll loop.
    session: Arc<Mutex<Watched>>,
}

impl Default for Subscriptions {
    fn default() -> Self {
        Subscriptions {
            changes: Arc::new(watch::channel(Changes::default()).0),
            session: Arc::default(),
        }
    }
}

/// A clone is another session's handler (see `ListChanged`): it shares the
/// server-wide [`Changes`] and starts with no subscriptions of its own.
impl Clone for Subscriptions {
    fn clone(&self) -> Self {
        Subscriptions {
            changes: self.changes.clone(),
            session: Arc::default(),
        }
    }
}

impl Subscriptions {
    /// Records a completed writer tool call: watched resources are polled soon.
    pub(crate) fn scene_written(&self) {
        self.changes.send_modify(|c| c.scene_writes += 1);
    }
}

/// What a `subscriptions/listen` stream may carry, given what it asked for:
/// the one place to extend when the server gains a notification. rmcp then
/// keeps only what the server's capabilities advertise, and the ack tells
/// the client what was accepted; URIs that cannot be watched are left out.
/// Not `tools/list_changed`: a listen stream has no session, and only a
/// session's `enable_tools` changes a tool list.
pub(crate) fn accepted_filter(requested: &SubscriptionFilter) -> SubscriptionFilter {
    let watchable = requested
        .resource_subscriptions
        .iter()
        .flatten()
        .filter(|uri| watched::check(uri).is_ok());
    SubscriptionFilter::builder()
        .resources_list_changed()
        .resource_subscriptions(watchable)
        .build()
}

impl BlenderTools {
    /// `resources/subscribe`: remembers the resource's digest now, so the
    /// first change after this answer is announced, and starts this
    /// session's poll loop if it is not running.
    pub(crate) async fn subscribe_resource(
        &self,
        uri: String,
        peer: Peer<RoleServer>,
    ) -> Result<(), ErrorData> {
        watched::check(&uri)?;
        let prints = self.fingerprints(std::slice::from_ref(&uri)).await?;
        let state = &self.subscriptions.session;
        let start = {
            let mut watched = state.lock().unwrap_or_else(|e| e.into_inner());
            watched.prints.extend(prints);
            !std::mem::replace(&mut watched.polling, true)
        };
        if start {
            tokio::spawn(poll::poll(
                self.clone(),
                Arc::downgrade(state),
                Outlet::Session(peer),
                self.subscriptions.changes.subscribe(),
            ));
        }
        Ok(())
    }

    /// `resources/unsubscribe`: the poll loop ends with the last one.
    /// Unsubscribing from something not subscribed is not an error.
    pub(crate) fn unsubscribe_resource(&self, uri: &str) {
        let mut watched = self
            .subscriptions
            .session
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        watched.prints.remove(uri);
    }

    /// `subscriptions/listen`: polls the accepted URIs (and forwards list
    /// changes) until the client cancels the request or goes away.
    pub(crate) async fn listen_stream(&self, context: SubscriptionContext) {
        let uris = context
            .accepted()
            .resource_subscriptions
            .clone()
            .unwrap_or_default();
        // Without Blender now, every URI counts as absent: its first
        // successful poll announces it.
        let baseline = match uris.is_empty() {
            true => Default::default(),
            false => self
                .fingerprints(&uris)
                .await
                .unwrap_or_else(|_| uris.iter().map(|uri| (uri.clone(), None)).collect()),
        };
        let watched = Arc::new(Mutex::new(Watched {
            prints: baseline,
            polling: true,
        }));
        let changes = self.subscriptions.changes.subscribe();
        let outlet = Outlet::Stream(context.sink().clone());
        let polling = poll::poll(self.clone(), Arc::downgrade(&watched), outlet, changes);
        tokio::select! {
            _ = context.cancelled() => {}
            _ = polling => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listen_stream_accepts_the_watchable_uris_and_resource_list_changes() {
        let requested = SubscriptionFilter::builder()
            .resources_list_changed()
            .resource_subscriptions([
                "blender://scene",
                "blender://object/Cube%20A",
                "blender://object/",
                "blender://material/Red",
                "blender://object/%zz",
            ])
            .build();
        let accepted = requested.intersection(&accepted_filter(&requested));
        assert_eq!(
            accepted.resource_subscriptions.unwrap(),
            ["blender://scene", "blender://object/Cube%20A"]
        );
        assert_eq!(accepted.resources_list_changed, Some(true));
        assert_eq!(accepted.prompts_list_changed, None);
    }

    #[test]
    fn a_clone_is_another_session_sharing_the_change_counters() {
        let subscriptions = Subscriptions::default();
        subscriptions.session.lock().unwrap().polling = true;
        let other = subscriptions.clone();
        assert!(!other.session.lock().unwrap().polling);
        let seen = subscriptions.changes.subscribe();
        other.scene_written();
        assert_eq!(*seen.borrow(), Changes { scene_writes: 1 });
    }
}
