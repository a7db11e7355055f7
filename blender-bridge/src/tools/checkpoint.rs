//! Undo safety: a checkpoint before a risky call, a rollback if it fails.
//!
//! Used by `execute_blender_code` (rollback_on_error) and by `batch`
//! (atomic). The Blender side (snippets/checkpoint.py) prefers Blender's
//! global undo, which works in the GUI, in `blender -b` and in pip's `bpy`
//! module; where undo is switched off it falls back to a temporary copy of
//! the .blend file that a rollback reloads.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::OwnedRwLockWriteGuard;

use super::long_call::LongCall;
use super::{changes, BlenderTools, ToolError};
use crate::client::{Around, GuardedExec, Step};
use crate::{BridgeError, CallOptions, ErrorCode, ExecOutput, RemoteError, Snippet};

static CHECKPOINT: Snippet = Snippet::new("checkpoint", include_str!("snippets/checkpoint.py"));
static ROLLBACK: Snippet = Snippet::new("rollback", include_str!("snippets/rollback.py"));

/// Numbers the checkpoints of `exec_guarded`, which a cancelled call's
/// rollback names without having seen the checkpoint's answer.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A taken checkpoint. Holding it holds the checkpoint lock, so no other
/// guarded call can interleave before it is rolled back or released.
pub(crate) struct Checkpoint {
    /// What checkpoint.py answered; rollback.py takes it back as `args`.
    state: Value,
    _guard: OwnedRwLockWriteGuard<()>,
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
        let guard = self.instances.target().checkpoint_lock.write_owned().await;
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
    /// (one main-thread turn, `BlenderClient::exec_around`), and rolls back
    /// what the code did if it failed or the client cancelled it.
    pub(crate) async fn exec_guarded(
        &self,
        label: &str,
        code: &str,
        args: Value,
        options: CallOptions,
        long_call: &LongCall,
    ) -> Result<ExecOutput, ToolError> {
        let guard = self.instances.target().checkpoint_lock.write_owned().await;
        let client = self.client();
        let id = format!(
            "{}-{}",
            std::process::id(),
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        );
        let around = Around {
            before: Some(checkpoint_step(label, &id)),
            after: changes::diff_step(),
        };
        let outcome = long_call
            .run(options, |options| async move {
                let guarded = client.exec_around(code, args, around, options).await;
                changes::note_after(&guarded.after);
                guarded
            })
            .await;
        let Some(GuardedExec {
            before, outcome, ..
        }) = outcome
        else {
            // Cancelled: dropping the call told Blender to stop, and the
            // rollback queues right behind the stopped code, before anything
            // another caller sends next. Blender's reply, which carries the
            // checkpoint's answer, is not awaited: the rollback names the
            // checkpoint by its id, and Blender remembered the rest.
            let note = self
                .rollback(Checkpoint {
                    state: json!({ "id": id }),
                    _guard: guard,
                })
                .await;
            let error = LongCall::cancelled_error();
            return Err(ToolError::new(format!("{}\n\n{note}", error.message())));
        };
        let (error, roll_back) = match outcome {
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
                return Err(checkpoint_failed(&e));
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
            Ok(outcome) if outcome.method == "none" => {
                "Nothing had run yet, so there was nothing to roll back.".to_string()
            }
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

/// The precondition that takes the checkpoint (and the `changes` snapshot
/// too when the call asked for one), with its arguments.
fn checkpoint_step(label: &str, id: &str) -> Step<'static> {
    let mut args = json!({ "label": label, "id": id });
    match changes::snapshot_due() {
        Some(Value::Object(take)) => {
            args.as_object_mut().expect("an object").extend(take);
            Step {
                snippet: &changes::CHECKPOINT_AND_TAKE,
                args,
            }
        }
        _ => Step {
            snippet: &CHECKPOINT,
            args,
        },
    }
}

/// The error of a call whose checkpoint could not be taken: Blender's
/// reason and traceback, and that none of the code ran.
fn checkpoint_failed(e: &RemoteError) -> ToolError {
    let what = match (e.detail_str("type"), e.detail_str("message")) {
        (Some(kind), Some(message)) => format!("{kind}: {message}"),
        _ => e.message.clone(),
    };
    let traceback = e.detail_str("traceback").unwrap_or_default().trim_end();
    ToolError::new(
        format!("could not take a checkpoint, nothing was run: {what}\n{traceback}")
            .trim_end()
            .to_owned(),
    )
}

/// Whether the code ran and stopped partway (then rolling back undoes its
/// partial work): it raised, returned no JSON, or Blender interrupted it at
/// its time limit or on cancellation. Transport failures are not rolled
/// back: the request may never have reached Blender, or Blender may be gone.
pub(crate) fn user_code_failed(err: &BridgeError) -> bool {
    matches!(
        err,
        BridgeError::Python(_)
            | BridgeError::TimeLimitExceeded { .. }
            | BridgeError::Cancelled { .. }
    ) || matches!(err, BridgeError::Remote(r) if r.code == ErrorCode::ResultNotJson)
}
