//! [`BlenderClient::exec_before`]: code run after a precondition (a rollback
//! checkpoint) in one request and one turn of Blender's main thread (the
//! exec `before` param, PROTOCOL 4.3), so that no other client's work can
//! run between the two and the call costs one round trip instead of two.

use std::sync::atomic::Ordering;

use serde::Serialize;
use serde_json::Value;

use super::{exec_output, BlenderClient, CallOptions, ExecOutput, ExecParams};
use crate::error::BridgeError;
use crate::protocol::{ErrorCode, RemoteError, Snippet};

/// The capability of an addon that serves the exec `before` param.
pub const EXEC_BEFORE: &str = "exec_before";

/// The exec `before` param: the snippet key, its code on a cache miss, its args.
#[derive(Serialize)]
pub(super) struct BeforeParams<'a> {
    snippet: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Value::is_null")]
    args: &'a Value,
}

/// How [`BlenderClient::exec_before`] ended.
#[derive(Debug)]
pub struct GuardedExec {
    /// The precondition's value (for a checkpoint: what a rollback needs)
    /// when it ran to its end, which it always did when `outcome` is `Ok`.
    /// With it, a failed code may have run partway; without it the code
    /// never started, or the outcome is unknown (a transport error).
    pub before: Option<Value>,
    /// The code's value and output, or what failed. A failed precondition
    /// is a [`BridgeError::Remote`] with [`ErrorCode::PreconditionFailed`],
    /// its traceback in the details.
    pub outcome: Result<ExecOutput, BridgeError>,
}

impl GuardedExec {
    fn unguarded(error: BridgeError) -> Self {
        GuardedExec {
            before: None,
            outcome: Err(error),
        }
    }
}

/// What runs after the precondition: Python source, or one of the caller's
/// snippets (sent by key once the addon holds it).
#[derive(Clone, Copy)]
enum Code<'a> {
    Source(&'a str),
    Snippet(&'a Snippet),
}

impl BlenderClient {
    /// Runs `before` (a snippet, with `before_args`), then Python `code`
    /// with the global `args`, in one turn of Blender's main thread: the
    /// code runs only if `before` succeeded, and the precondition does not
    /// count against `opts.exec_timeout`.
    ///
    /// An addon without the `exec_before` capability gets the two as separate
    /// requests (another client's work may then run in between); the answer
    /// has the same shape either way.
    pub async fn exec_before(
        &self,
        code: &str,
        args: Value,
        before: &Snippet,
        before_args: Value,
        opts: CallOptions,
    ) -> GuardedExec {
        self.run_before(Code::Source(code), args, before, before_args, opts)
            .await
    }

    /// [`BlenderClient::exec_before`] for a snippet: its code is sent only
    /// when the addon does not hold it yet.
    pub async fn exec_snippet_before(
        &self,
        snippet: &Snippet,
        args: Value,
        before: &Snippet,
        before_args: Value,
        opts: CallOptions,
    ) -> GuardedExec {
        self.run_before(Code::Snippet(snippet), args, before, before_args, opts)
            .await
    }

    async fn run_before(
        &self,
        code: Code<'_>,
        args: Value,
        before: &Snippet,
        before_args: Value,
        opts: CallOptions,
    ) -> GuardedExec {
        let connection = match self.connection().await {
            Ok(connection) => connection,
            Err(error) => return GuardedExec::unguarded(error),
        };
        let serves = connection
            .info()
            .is_some_and(|info| info.capabilities.iter().any(|c| c == EXEC_BEFORE));
        if !serves {
            return self
                .exec_before_in_two(code, args, before, before_args, opts)
                .await;
        }
        let key = before.key();
        let knows = |key: &str| self.inner.known_snippets.lock().unwrap().contains(key);
        let mut send_before = !knows(key);
        let mut send_code = match code {
            Code::Source(_) => true,
            Code::Snippet(snippet) => !knows(snippet.key()),
        };
        loop {
            let part = BeforeParams {
                snippet: key,
                code: send_before.then(|| before.code()),
                args: &before_args,
            };
            let (source, snippet_key) = match code {
                Code::Source(source) => (Some(source), None),
                Code::Snippet(snippet) => (send_code.then(|| snippet.code()), Some(snippet.key())),
            };
            let size =
                source.or(snippet_key).map_or(0, str::len) + part.code.map_or(key.len(), str::len);
            let params = ExecParams {
                before: Some(part),
                ..ExecParams::new(source, snippet_key, &args, &opts)
            };
            let outcome = connection
                .request_raw(
                    "exec",
                    &params,
                    size,
                    self.timeout(&opts),
                    opts.progress.clone(),
                    // As fast as a separate precondition request would
                    // have shown a Blender that stopped answering.
                    Some(opts.timeout.unwrap_or(self.inner.config.request_timeout)),
                )
                .await;
            let Some(missing) = lost_snippet(&outcome, key, send_before, send_code) else {
                let outcome = split(outcome);
                if outcome.before.is_some() {
                    // Both compiled (the code before `before` ran), so the addon cached them.
                    self.remember_compiled(key, code);
                }
                return outcome;
            };
            tracing::debug!(snippet = missing, "addon lost a snippet; sending its code");
            self.inner.known_snippets.lock().unwrap().remove(&missing);
            self.inner.snippet_resends.fetch_add(1, Ordering::Relaxed);
            if missing == key {
                send_before = true;
            } else {
                send_code = true;
            }
        }
    }

    /// Notes that the addon has compiled (and so cached) these snippets.
    fn remember_compiled(&self, before_key: &str, code: Code<'_>) {
        let mut known = self.inner.known_snippets.lock().unwrap();
        known.insert(before_key.to_owned());
        if let Code::Snippet(snippet) = code {
            known.insert(snippet.key().to_owned());
        }
    }

    /// The precondition and the code as two requests, for an addon without
    /// `exec_before`: what the one request does, minus the atomicity.
    async fn exec_before_in_two(
        &self,
        code: Code<'_>,
        args: Value,
        before: &Snippet,
        before_args: Value,
        opts: CallOptions,
    ) -> GuardedExec {
        let before_opts = CallOptions {
            timeout: opts.timeout,
            ..CallOptions::default()
        };
        let before = match self
            .exec_snippet_with(before, before_args, before_opts)
            .await
        {
            Ok(output) => output.value,
            Err(error) => return GuardedExec::unguarded(precondition_failed(error)),
        };
        let outcome = match code {
            Code::Source(source) => self.exec_with(source, args, opts).await,
            Code::Snippet(snippet) => self.exec_snippet_with(snippet, args, opts).await,
        };
        GuardedExec {
            before: Some(before),
            outcome,
        }
    }
}

/// Takes the `before` value out of a raw exec outcome, and gives the error
/// its typed variant.
fn split(outcome: Result<Value, BridgeError>) -> GuardedExec {
    match outcome {
        Ok(mut value) => {
            let before = value
                .as_object_mut()
                .and_then(|result| result.remove("before"))
                .unwrap_or(Value::Null);
            GuardedExec {
                before: Some(before),
                outcome: exec_output(value),
            }
        }
        Err(BridgeError::Remote(mut remote)) => {
            let before = remote
                .details
                .as_mut()
                .and_then(Value::as_object_mut)
                .and_then(|details| details.remove("before"));
            GuardedExec {
                before,
                outcome: Err(BridgeError::from_reply("exec", remote)),
            }
        }
        Err(error) => GuardedExec::unguarded(error),
    }
}

/// A precondition sent as its own exec that raised or gave no JSON reads
/// as the `precondition_failed` the one-request path would have answered.
fn precondition_failed(error: BridgeError) -> BridgeError {
    let details = match &error {
        BridgeError::Python(py) => serde_json::json!({
            "type": py.exc_type,
            "message": py.message,
            "traceback": py.traceback,
            "stdout": py.stdout,
            "stderr": py.stderr,
        }),
        BridgeError::Remote(remote) if remote.code == ErrorCode::ResultNotJson => {
            serde_json::json!({ "type": "result_not_json", "message": remote.message })
        }
        _ => return error,
    };
    BridgeError::Remote(RemoteError {
        code: ErrorCode::PreconditionFailed,
        message: format!("the precondition failed; the code was not run: {error}"),
        details: Some(details),
    })
}

/// The snippet the addon no longer had (it evicted or restarted), if this
/// reply says so and its code was sent by key only; then the request is
/// sent again with that code. A snippet whose code was sent cannot be lost.
fn lost_snippet(
    outcome: &Result<Value, BridgeError>,
    before_key: &str,
    sent_before: bool,
    sent_code: bool,
) -> Option<String> {
    let Err(BridgeError::Remote(e)) = outcome else {
        return None;
    };
    if e.code != ErrorCode::SnippetUnknown {
        return None;
    }
    let missing = e.detail_str("snippet")?;
    let resend = if missing == before_key {
        !sent_before
    } else {
        !sent_code
    };
    resend.then(|| missing.to_owned())
}
