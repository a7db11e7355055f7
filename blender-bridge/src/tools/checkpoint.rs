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

use super::long_call::LongCall;
use super::{BlenderTools, ToolError};
use crate::client::GuardedExec;
use crate::{BridgeError, CallOptions, ErrorCode, ExecOutput, Snippet};

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

    /// Runs the model's `code` after a checkpoint taken in the same request
    /// (one main-thread turn, `BlenderClient::exec_before`), and rolls back
    /// what the code did if it failed or the client cancelled it.
    pub(crate) async fn exec_guarded(
        &self,
        label: &str,
        code: &str,
        args: Value,
        options: CallOptions,
        long_call: &LongCall,
    ) -> Result<ExecOutput, ToolError> {
        let guard = self.instances.target().checkpoint_lock.lock_owned().await;
        let client = self.client();
        let (outcome, cancelled) = long_call
            .run_to_reply(options, |options| {
                let label = json!({ "label": label });
                client.exec_before(code, args, &CHECKPOINT, label, options)
            })
            .await;
        let GuardedExec { before, outcome } = outcome;
        // A call the client cancelled is undone even if the code had
        // finished when the cancel reached Blender.
        let (error, roll_back) = match outcome {
            _ if cancelled => (LongCall::cancelled_error(), true),
            Ok(output) => {
                if let Some(state) = before {
                    self.release(Checkpoint {
                        state,
                        _guard: guard,
                    })
                    .await;
                }
                return Ok(output);
            }
            Err(BridgeError::Remote(e)) if e.code == ErrorCode::PreconditionFailed => {
                let what = match (e.detail_str("type"), e.detail_str("message")) {
                    (Some(kind), Some(message)) => format!("{kind}: {message}"),
                    _ => e.message.clone(),
                };
                let traceback = e.detail_str("traceback").unwrap_or_default().trim_end();
                return Err(ToolError::new(
                    format!("could not take a checkpoint, nothing was run: {what}\n{traceback}")
                        .trim_end()
                        .to_owned(),
                ));
            }
            Err(error) => {
                let failed = user_code_failed(&error);
                (ToolError::from_user_code(error), failed)
            }
        };
        // No state: the code never started (or the reply was lost), so
        // there is nothing to roll back.
        match before {
            Some(state) if roll_back => {
                let note = self
                    .rollback(Checkpoint {
                        state,
                        _guard: guard,
                    })
                    .await;
                Err(ToolError::new(format!("{}\n\n{note}", error.message())))
            }
            _ => Err(error),
        }
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

/// Whether the code ran and stopped partway (then rolling back undoes its
/// partial work): it raised, returned no JSON, or Blender interrupted it at
/// its time limit or on cancellation. Transport failures are not rolled
/// back: the request may never have reached Blender, or Blender may be gone.
pub(crate) fn user_code_failed(err: &BridgeError) -> bool {
    matches!(
        err,
        BridgeError::Python(_) | BridgeError::TimedOut { .. } | BridgeError::Cancelled { .. }
    ) || matches!(err, BridgeError::Remote(r) if r.code == ErrorCode::ResultNotJson)
}
