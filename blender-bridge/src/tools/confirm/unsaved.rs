//! The server's own record of which Blenders have changes since their last
//! save or open.
//!
//! Blender's `bpy.data.is_dirty` cannot be trusted here: in pip's `bpy`
//! (headless, how the server usually runs Blender) it reads `True` at start,
//! after any edit and even right after `save_as_mainfile` (checked with
//! bpy 4.5). So the server keeps its own flag per instance: a writer tool
//! call marks it, a successful `save_blend` (not a copy) or `open_blend`
//! clears it; a fresh Blender starts unmarked. Edits a person makes in Blender's window are not seen; the
//! record errs towards asking, never towards losing.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

/// Instances (by name) with writes since their last save or open. Shared by
/// every session, as the Blenders are.
#[derive(Clone, Default)]
pub(crate) struct UnsavedEdits(Arc<Mutex<HashSet<String>>>);

impl UnsavedEdits {
    /// Whether `instance` has writes since its last save or open.
    pub(crate) fn any(&self, instance: &str) -> bool {
        self.0.lock().unwrap().contains(instance)
    }

    /// Records that a writer tool is about to run on `instance` (before the
    /// call: a failed call may still have changed something).
    pub(crate) fn mark(&self, instance: &str) {
        self.0.lock().unwrap().insert(instance.to_owned());
    }

    /// Records that `instance`'s session was saved to its own file or replaced.
    pub(crate) fn clear(&self, instance: &str) {
        self.0.lock().unwrap().remove(instance);
    }
}

/// Whether `tool` called with `args` saves the session to its own file or
/// replaces it: what ends "unsaved changes" once it succeeds.
pub(crate) fn ends_unsaved(tool: &str, args: Option<&Map<String, Value>>) -> bool {
    let copy = args.and_then(|a| a.get("copy")) == Some(&Value::Bool(true));
    tool == "open_blend" || (tool == "save_blend" && !copy)
}
