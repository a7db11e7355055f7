//! [`BlenderClient::exec_around`]: code run between a `before` step (a
//! rollback checkpoint, a snapshot) and an `after` step (what the code
//! changed) in one request and one turn of Blender's main thread (the exec
//! `before` and `after` params, PROTOCOL 4.3), so that no other client's
//! work can run in between and the call costs one round trip instead of
//! three.

use std::sync::atomic::Ordering;

use serde::Serialize;
use serde_json::Value;

use super::{exec_output, BlenderClient, CallOptions, ExecOutput, ExecParams};
use crate::error::BridgeError;
use crate::protocol::{ErrorCode, RemoteError, Snippet};

/// The capability of an addon that serves the exec `before` param.
pub const EXEC_BEFORE: &str = "exec_before";

/// The capability of an addon that serves the exec `after` param.
pub const EXEC_AFTER: &str = "exec_after";

/// One of the caller's snippets run beside the code, with its own args.
pub struct Step<'a> {
    /// What runs (sent by key once the addon holds it).
    pub snippet: &'a Snippet,
    /// Its `args` global.
    pub args: Value,
}

/// What runs around the code in the same main-thread turn.
#[derive(Default)]
pub struct Around<'a> {
    /// Runs first; the code runs only if it succeeded.
    pub before: Option<Step<'a>>,
    /// Runs once the code has ended, however it ended.
    pub after: Option<Step<'a>>,
}

impl<'a> Around<'a> {
    /// A precondition alone.
    pub fn before(snippet: &'a Snippet, args: Value) -> Self {
        Around {
            before: Some(Step { snippet, args }),
            after: None,
        }
    }
}

/// A `before` or `after` param: the snippet key, its code on a cache miss, its args.
#[derive(Serialize)]
pub(super) struct StepParams<'a> {
    snippet: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Value::is_null")]
    args: &'a Value,
}

/// How [`BlenderClient::exec_around`] ended.
#[derive(Debug)]
pub struct GuardedExec {
    /// The precondition's value (for a checkpoint: what a rollback needs)
    /// when it ran to its end, which it always did when `outcome` is `Ok`.
    /// With it, a failed code may have run partway; without it the code
    /// never started, or the outcome is unknown (a transport error).
    pub before: Option<Value>,
    /// The `after` step's value, or why it has none (it raised, or its
    /// value was not JSON). `None` when it did not run: none was asked, the
    /// code never started, the addon lacks `exec_after`, or no reply came.
    pub after: Option<Result<Value, String>>,
    /// The code's value and output, or what failed. A failed precondition
    /// is a [`BridgeError::Remote`] with [`ErrorCode::PreconditionFailed`],
    /// its traceback in the details.
    pub outcome: Result<ExecOutput, BridgeError>,
}

impl GuardedExec {
    fn unguarded(outcome: Result<ExecOutput, BridgeError>) -> Self {
        GuardedExec {
            before: None,
            after: None,
            outcome,
        }
    }
}

/// What runs between the steps: Python source, or one of the caller's
/// snippets (sent by key once the addon holds it).
#[derive(Clone, Copy)]
enum Code<'a> {
    Source(&'a str),
    Snippet(&'a Snippet),
}

/// A snippet of the request and whether its code goes along this time.
struct Keyed<'a> {
    snippet: &'a Snippet,
    send: bool,
}

impl<'a> Keyed<'a> {
    fn code(&self) -> Option<&'a str> {
        self.send.then(|| self.snippet.code())
    }
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
        let around = Around::before(before, before_args);
        self.exec_around(code, args, around, opts).await
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
        let around = Around::before(before, before_args);
        self.exec_snippet_around(snippet, args, around, opts).await
    }

    /// Runs Python `code` between the steps of `around`, in one turn of
    /// Blender's main thread. Neither step counts against
    /// `opts.exec_timeout`; `after` runs whenever the code started.
    ///
    /// An addon without `exec_before` gets the precondition as a request of
    /// its own; one without `exec_after` gets no `after` (the answer's
    /// `after` is `None`, and the caller asks separately if it must know).
    pub async fn exec_around(
        &self,
        code: &str,
        args: Value,
        around: Around<'_>,
        opts: CallOptions,
    ) -> GuardedExec {
        self.run_around(Code::Source(code), args, around, opts)
            .await
    }

    /// [`BlenderClient::exec_around`] for a snippet.
    pub async fn exec_snippet_around(
        &self,
        snippet: &Snippet,
        args: Value,
        around: Around<'_>,
        opts: CallOptions,
    ) -> GuardedExec {
        self.run_around(Code::Snippet(snippet), args, around, opts)
            .await
    }

    async fn run_around(
        &self,
        code: Code<'_>,
        args: Value,
        mut around: Around<'_>,
        opts: CallOptions,
    ) -> GuardedExec {
        let connection = match self.connection().await {
            Ok(connection) => connection,
            Err(error) => return GuardedExec::unguarded(Err(error)),
        };
        let serves = |capability: &str| {
            connection
                .info()
                .is_some_and(|info| info.capabilities.iter().any(|c| c == capability))
        };
        if !serves(EXEC_AFTER) {
            around.after = None;
        }
        if around.before.is_some() && !serves(EXEC_BEFORE) {
            return self.exec_before_in_two(code, args, around, opts).await;
        }
        if around.before.is_none() && around.after.is_none() {
            return GuardedExec::unguarded(self.exec_code(code, args, opts).await);
        }
        let knows = |key: &str| self.inner.known_snippets.lock().unwrap().contains(key);
        let keyed = |snippet| Keyed {
            snippet,
            send: !knows(snippet.key()),
        };
        let mut before = around.before.as_ref().map(|step| keyed(step.snippet));
        let mut after = around.after.as_ref().map(|step| keyed(step.snippet));
        let mut send_code = match code {
            Code::Source(_) => true,
            Code::Snippet(snippet) => !knows(snippet.key()),
        };
        loop {
            let (source, snippet_key) = match code {
                Code::Source(source) => (Some(source), None),
                Code::Snippet(snippet) => (send_code.then(|| snippet.code()), Some(snippet.key())),
            };
            let params = ExecParams {
                before: step_params(before.as_ref(), around.before.as_ref()),
                after: step_params(after.as_ref(), around.after.as_ref()),
                ..ExecParams::new(source, snippet_key, &args, &opts)
            };
            let size = [params.before.as_ref(), params.after.as_ref()]
                .into_iter()
                .flatten()
                .map(|p| p.code.map_or(p.snippet.len(), str::len))
                .sum::<usize>()
                + source.or(snippet_key).map_or(0, str::len);
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
            let Some(missing) = lost_snippet(&outcome) else {
                let mut outcome = split(outcome);
                if before.is_none() {
                    outcome.before = None;
                }
                // The code started (every part compiled, so the addon cached
                // them) if the last part it resolves answered.
                let started = match after {
                    Some(_) => outcome.after.is_some(),
                    None => outcome.before.is_some(),
                };
                if started {
                    self.remember_compiled(before.iter().chain(after.iter()), code);
                }
                return outcome;
            };
            let mut resent = false;
            for part in before.iter_mut().chain(after.iter_mut()) {
                if part.snippet.key() == missing && !part.send {
                    part.send = true;
                    resent = true;
                }
            }
            if let Code::Snippet(snippet) = code {
                if snippet.key() == missing && !send_code {
                    send_code = true;
                    resent = true;
                }
            }
            if !resent {
                // A snippet sent with its code cannot be missing: not ours to fix.
                return split(outcome);
            }
            tracing::debug!(snippet = missing, "addon lost a snippet; sending its code");
            self.inner.known_snippets.lock().unwrap().remove(&missing);
            self.inner.snippet_resends.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The code alone, as a plain exec.
    async fn exec_code(
        &self,
        code: Code<'_>,
        args: Value,
        opts: CallOptions,
    ) -> Result<ExecOutput, BridgeError> {
        match code {
            Code::Source(source) => self.exec_with(source, args, opts).await,
            Code::Snippet(snippet) => self.exec_snippet_with(snippet, args, opts).await,
        }
    }

    /// Notes that the addon has compiled (and so cached) these snippets.
    fn remember_compiled<'a>(&self, steps: impl Iterator<Item = &'a Keyed<'a>>, code: Code<'_>) {
        let mut known = self.inner.known_snippets.lock().unwrap();
        known.extend(steps.map(|step| step.snippet.key().to_owned()));
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
        around: Around<'_>,
        opts: CallOptions,
    ) -> GuardedExec {
        let Some(before) = around.before else {
            return GuardedExec::unguarded(self.exec_code(code, args, opts).await);
        };
        let before_opts = CallOptions {
            timeout: opts.timeout,
            ..CallOptions::default()
        };
        let before = match self
            .exec_snippet_with(before.snippet, before.args, before_opts)
            .await
        {
            Ok(output) => output.value,
            Err(error) => return GuardedExec::unguarded(Err(precondition_failed(error))),
        };
        GuardedExec {
            before: Some(before),
            after: None,
            outcome: self.exec_code(code, args, opts).await,
        }
    }
}

/// The param of a step, its code included when the addon may lack it.
fn step_params<'b>(
    keyed: Option<&Keyed<'b>>,
    step: Option<&'b Step<'b>>,
) -> Option<StepParams<'b>> {
    let (keyed, step) = (keyed?, step?);
    Some(StepParams {
        snippet: keyed.snippet.key(),
        code: keyed.code(),
        args: &step.args,
    })
}

/// Takes the `before` and `after` values out of a raw exec outcome, and
/// gives the error its typed variant.
fn split(outcome: Result<Value, BridgeError>) -> GuardedExec {
    match outcome {
        Ok(mut value) => {
            let result = value.as_object_mut();
            let (before, after) = match result {
                Some(result) => (result.remove("before"), after_of(result)),
                None => (None, None),
            };
            GuardedExec {
                before: Some(before.unwrap_or(Value::Null)),
                after,
                outcome: exec_output(value),
            }
        }
        Err(BridgeError::Remote(mut remote)) => {
            let details = remote.details.as_mut().and_then(Value::as_object_mut);
            let (before, after) = match details {
                Some(details) => (details.remove("before"), after_of(details)),
                None => (None, None),
            };
            GuardedExec {
                before,
                after,
                outcome: Err(BridgeError::from_reply("exec", remote)),
            }
        }
        Err(error) => GuardedExec::unguarded(Err(error)),
    }
}

/// The `after` step's value, or its failure as one line.
fn after_of(reply: &mut serde_json::Map<String, Value>) -> Option<Result<Value, String>> {
    if let Some(value) = reply.remove("after") {
        return Some(Ok(value));
    }
    let failed = reply.remove("after_failed")?;
    let field = |name| failed.get(name).and_then(Value::as_str).unwrap_or("?");
    Some(Err(format!("{}: {}", field("type"), field("message"))))
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

/// The snippet the addon no longer has (it evicted or restarted), if this
/// reply says so; the request is then sent again with that snippet's code.
fn lost_snippet(outcome: &Result<Value, BridgeError>) -> Option<String> {
    let Err(BridgeError::Remote(e)) = outcome else {
        return None;
    };
    if e.code != ErrorCode::SnippetUnknown {
        return None;
    }
    e.detail_str("snippet").map(str::to_owned)
}
