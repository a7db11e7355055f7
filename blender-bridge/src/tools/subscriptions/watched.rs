//! Which resources can be watched, and how their state is read cheaply.

use std::collections::BTreeMap;

use rmcp::ErrorData;
use serde::Deserialize;
use serde_json::json;

use super::super::resources::{decode, OBJECT, SCENE};
use super::super::BlenderTools;
use crate::Snippet;

static FINGERPRINT: Snippet = Snippet::new("resource_fingerprint", include_str!("fingerprint.py"));

/// One digest per watched URI; `None` for an object that does not exist
/// (yet), so its creation is a change too.
pub(super) type Fingerprints = BTreeMap<String, Option<String>>;

/// Whether `uri` names a resource that can be subscribed to: only these
/// two change under a person's hands in ways a client wants to hear about.
pub(super) fn check(uri: &str) -> Result<(), ErrorData> {
    if uri == SCENE {
        return Ok(());
    }
    match uri.strip_prefix(OBJECT) {
        Some(name) if !name.is_empty() => decode(name, uri).map(|_| ()),
        _ => Err(ErrorData::invalid_params(
            format!(
                "cannot subscribe to {uri}: subscriptions cover {SCENE} and {OBJECT}{{name}} \
                 (name percent-encoded)"
            ),
            Some(json!({ "uri": uri })),
        )),
    }
}

#[derive(Deserialize)]
struct Digests {
    scene: Option<String>,
    objects: BTreeMap<String, Option<String>>,
}

impl BlenderTools {
    /// The current digest of each of `uris` (all passed [`check`]), in one
    /// snippet run. Waits out a guarded call's rollback like a read does, so
    /// a half-undone edit is never announced.
    pub(super) async fn fingerprints(&self, uris: &[String]) -> Result<Fingerprints, ErrorData> {
        let mut names = BTreeMap::new();
        for uri in uris.iter().filter(|uri| *uri != SCENE) {
            let encoded = uri.strip_prefix(OBJECT).unwrap_or_default();
            names.insert(decode(encoded, uri)?, uri.clone());
        }
        let args = json!({
            "scene": uris.iter().any(|uri| uri == SCENE),
            "objects": names.keys().collect::<Vec<_>>(),
        });
        let _reading = self.instances.target().checkpoint_lock.read_owned().await;
        let digests: Digests = self
            .run_snippet(&FINGERPRINT, args)
            .await
            .map_err(|e| ErrorData::internal_error(format!("fingerprint: {e}"), None))?;
        let mut prints: Fingerprints = names
            .into_iter()
            .map(|(name, uri)| (uri, digests.objects.get(&name).cloned().flatten()))
            .collect();
        if uris.iter().any(|uri| uri == SCENE) {
            prints.insert(SCENE.to_owned(), digests.scene);
        }
        Ok(prints)
    }
}
