//! Undo safety: a checkpoint before a risky call, a rollback if it fails.
//!
//! Used by `execute_blender_code` (rollback_on_error) and by `batch`
//! (atomic). The Blender side (snippets/checkpoint.py) prefers Blender's
//! global undo, which works in the GUI, in `blender -b` and in pip's `bpy`
//! module; where undo is switched off it falls back to a temporary copy of
//! the .blend file that a rollback reloads.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::OwnedMutexGuard;

use super::{BlenderTools, ToolError};
use crate::Snippet;

static CHECKPOINT: Snippet = Snippet::new("checkpoint", include_str!("snippets/checkpoint.py"));
static ROLLBACK: Snippet = Snippet::new("rollback", include_str!("snippets/rollback.py"));

/// A taken checkpoint. Holding it holds the checkpoint lock, so no other
/// guarded call can interleave before it is rolled back or released.
pub(crate) struct Checkpoint {
    /// What checkpoint.py answered; rollback.py takes it back as `args`.
    state: Value,
    _guard: OwnedMutexGuard<()>,
}

/// How a rollback went, for the text the model reads.
#[derive(Debug, Serialize, Deserialize)]
struct RollbackOutcome {
    method: String,
    rolled_back: bool,
}

impl Checkpoint {
    /// "undo" (Blender's undo stack) or "file" (a temporary .blend copy).
    pub(crate) fn method(&self) -> &str {
        self.state
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("?")
    }
}

impl BlenderTools {
    /// Takes a checkpoint labelled `label` (shown in the GUI's undo history).
    pub(crate) async fn checkpoint(&self, label: &str) -> Result<Checkpoint, ToolError> {
        // Held until rollback or release: two guarded calls on one Blender
        // (from two MCP sessions) must not roll back each other's work.
        let guard = self.instances.target().checkpoint_lock.lock_owned().await;
        let state: Value = self
            .run_snippet(&CHECKPOINT, json!({ "label": label }))
            .await
            .map_err(|e| {
                ToolError::new(format!("could not take a checkpoint, nothing was run: {e}"))
            })?;
        Ok(Checkpoint {
            state,
            _guard: guard,
        })
    }

    /// Puts the scene back as it was at `checkpoint`. The answer is a
    /// sentence for the model, also when the rollback itself failed.
    pub(crate) async fn rollback(&self, checkpoint: Checkpoint) -> String {
        match self
            .run_snippet::<RollbackOutcome>(&ROLLBACK, checkpoint.state.clone())
            .await
        {
            Ok(outcome) if outcome.rolled_back => format!(
                "The scene was rolled back to its state before the call (via {}).",
                if outcome.method == "undo" {
                    "Blender's undo"
                } else {
                    "a saved copy"
                }
            ),
            Ok(_) => "The scene was NOT rolled back.".to_string(),
            Err(e) => format!("Rolling the scene back FAILED, so it may be partly changed: {e}"),
        }
    }

    /// Forgets `checkpoint` after a success (deletes a temporary copy).
    pub(crate) async fn release(&self, checkpoint: Checkpoint) {
        if checkpoint.method() == "file" {
            let mut args = checkpoint.state.clone();
            args["discard"] = Value::Bool(true);
            if let Err(e) = self.run_snippet::<Value>(&ROLLBACK, args).await {
                tracing::warn!("could not delete a checkpoint copy: {e}");
            }
        }
    }
}
