//! The errors of the bridge, worded so that a model or a person can act on them.

use std::fmt;
use std::io;
use std::time::Duration;

use crate::protocol::{ErrorCode, RemoteError};

/// Everything that can go wrong between a caller and Blender.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// No TCP connection could be made.
    #[error(
        "no Blender answered at {endpoint}: {source} — start Blender with the addon, \
         or let blender-mcp-rs launch one (omit --no-launch)"
    )]
    Connect {
        /// Where we tried to connect.
        endpoint: String,
        /// The socket error.
        #[source]
        source: io::Error,
    },
    /// The addon refused our `hello`.
    #[error("Blender refused the connection: {} ({}) — {}", .0.message, .0.code, handshake_hint(&.0.code))]
    Handshake(RemoteError),
    /// No reply within the client's deadline; the request may still run in
    /// Blender. (Not [`BridgeError::TimeLimitExceeded`], where Blender itself
    /// stopped code that ran past its limit.)
    #[error(
        "`{op}` got no reply from Blender within {after:?} — Blender may be busy with a long \
         operation; retry with a longer timeout or simplify the request"
    )]
    NoReply {
        /// The operation that timed out.
        op: String,
        /// The deadline that passed.
        after: Duration,
    },
    /// The connection closed while the request was in flight or before it was sent.
    #[error(
        "lost the connection to Blender: {reason} — Blender may have crashed or been closed; \
         the next call reconnects"
    )]
    ConnectionLost {
        /// What ended the connection.
        reason: String,
    },
    /// The addon answered with an error other than a Python exception.
    #[error("Blender refused the request: {0}")]
    Remote(RemoteError),
    /// The Python code raised.
    #[error("{0}")]
    Python(PythonError),
    /// The call was cancelled: by its caller, or the addon reports it cancelled.
    #[error(
        "`{op}` was cancelled{} — Blender stopped the work where it could; \
         anything it had already changed in the scene stays changed",
        output_suffix(.stdout, .stderr)
    )]
    Cancelled {
        /// The operation that was cancelled.
        op: String,
        /// What the code printed before it stopped (empty if it never ran).
        stdout: String,
        /// What the code wrote to stderr before it stopped.
        stderr: String,
    },
    /// The addon interrupted code that ran past its exec time limit (the
    /// addon's `timeout` error code); Blender is free again.
    #[error(
        "the Python code ran longer than its time limit of {limit:?} and was interrupted; \
         Blender is still serving — make the code faster (e.g. an infinite loop?), \
         split the work, or raise the time limit{}",
        output_suffix(.stdout, .stderr)
    )]
    TimeLimitExceeded {
        /// The time limit that passed.
        limit: Duration,
        /// What the code printed before it was interrupted.
        stdout: String,
        /// What the code wrote to stderr before it was interrupted.
        stderr: String,
    },
    /// A frame exceeded a maximum size: ours for replies, the addon's for requests.
    #[error(
        "{what} of {} exceeds the maximum frame size of {max} bytes — {}",
        length.map(|l| format!("{l} bytes")).unwrap_or_else(|| "unknown size".into()),
        if *what == "reply" { "return less data per call (e.g. write large data to a file)" }
        else { "send less data per call" }
    )]
    FrameTooLarge {
        /// `"request"` or `"reply"`.
        what: &'static str,
        /// The frame's payload length, when known.
        length: Option<u64>,
        /// The maximum it exceeded.
        max: u64,
    },
    /// The peer broke the protocol (a bug on one side, or not the addon at all).
    #[error("protocol error talking to Blender: {0}")]
    Protocol(String),
    /// No token was found to authenticate with.
    #[error("{0}")]
    NoToken(String),
    /// Launching a Blender failed.
    #[error("could not launch Blender: {reason}{}", tail_suffix(.output_tail))]
    Launch {
        /// What went wrong.
        reason: String,
        /// The last lines Blender printed, if any.
        output_tail: String,
    },
}

impl BridgeError {
    /// The remote error code, when the addon sent one.
    pub fn remote_code(&self) -> Option<&ErrorCode> {
        match self {
            BridgeError::Handshake(e) | BridgeError::Remote(e) => Some(&e.code),
            BridgeError::Python(_) => Some(&ErrorCode::PythonError),
            BridgeError::Cancelled { .. } => Some(&ErrorCode::Cancelled),
            BridgeError::TimeLimitExceeded { .. } => Some(&ErrorCode::Timeout),
            _ => None,
        }
    }

    /// Builds a launch error without captured output.
    pub fn launch(reason: impl Into<String>) -> Self {
        BridgeError::Launch {
            reason: reason.into(),
            output_tail: String::new(),
        }
    }
}

fn handshake_hint(code: &ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthorized => {
            "the token differs from Blender's; use the same token on both sides \
             (BLENDER_MCP_TOKEN, or the file ~/.config/blender-mcp-rs/token)"
        }
        ErrorCode::UnsupportedProtocol => {
            "the addon speaks another protocol version; install the addon that matches this \
             blender-mcp-rs"
        }
        _ => "check that the addon and blender-mcp-rs match",
    }
}

fn output_suffix(stdout: &str, stderr: &str) -> String {
    let mut text = String::new();
    if !stdout.is_empty() {
        text.push_str("\n--- stdout before it stopped ---\n");
        text.push_str(stdout.trim_end());
    }
    if !stderr.is_empty() {
        text.push_str("\n--- stderr before it stopped ---\n");
        text.push_str(stderr.trim_end());
    }
    text
}

fn tail_suffix(tail: &str) -> String {
    if tail.trim().is_empty() {
        String::new()
    } else {
        format!("\n--- last output of Blender ---\n{}", tail.trim_end())
    }
}

/// A Python exception raised by code run in Blender (`python_error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonError {
    /// The exception class name, e.g. `ZeroDivisionError`.
    pub exc_type: String,
    /// `str(exc)`.
    pub message: String,
    /// The formatted traceback (addon frames left out).
    pub traceback: String,
    /// What the code printed before it raised.
    pub stdout: String,
    /// What the code wrote to stderr before it raised.
    pub stderr: String,
}

impl PythonError {
    /// Extracts the exception from a `python_error` reply.
    pub fn from_remote(error: &RemoteError) -> Self {
        let field = |key: &str| error.detail_str(key).unwrap_or_default().to_owned();
        PythonError {
            exc_type: error.detail_str("type").unwrap_or("Exception").to_owned(),
            message: error
                .detail_str("message")
                .map(str::to_owned)
                .unwrap_or_else(|| error.message.clone()),
            traceback: field("traceback"),
            stdout: field("stdout"),
            stderr: field("stderr"),
        }
    }
}

impl fmt::Display for PythonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Python raised {}: {}", self.exc_type, self.message)?;
        if !self.traceback.trim().is_empty() {
            write!(f, "\n{}", self.traceback.trim_end())?;
        }
        if !self.stdout.is_empty() {
            write!(
                f,
                "\n--- stdout before the error ---\n{}",
                self.stdout.trim_end()
            )?;
        }
        if !self.stderr.is_empty() {
            write!(
                f,
                "\n--- stderr before the error ---\n{}",
                self.stderr.trim_end()
            )?;
        }
        Ok(())
    }
}

impl BridgeError {
    /// The error of a failed reply to `op`: Python exceptions, cancellations
    /// and time limits get their own variants; the rest stays a remote error.
    pub fn from_reply(op: &str, error: RemoteError) -> Self {
        let text = |key: &str| error.detail_str(key).unwrap_or_default().to_owned();
        match error.code {
            ErrorCode::Cancelled => BridgeError::Cancelled {
                op: op.to_owned(),
                stdout: text("stdout"),
                stderr: text("stderr"),
            },
            ErrorCode::Timeout => BridgeError::TimeLimitExceeded {
                limit: error
                    .details
                    .as_ref()
                    .and_then(|d| d.get("seconds")?.as_f64())
                    .and_then(|s| Duration::try_from_secs_f64(s).ok())
                    .unwrap_or_default(),
                stdout: text("stdout"),
                stderr: text("stderr"),
            },
            _ => BridgeError::from(error),
        }
    }
}

impl From<RemoteError> for BridgeError {
    /// Python exceptions get their own variant; everything else stays a remote error.
    fn from(error: RemoteError) -> Self {
        if error.code == ErrorCode::PythonError {
            BridgeError::Python(PythonError::from_remote(&error))
        } else {
            BridgeError::Remote(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn remote(code: &str, details: serde_json::Value) -> RemoteError {
        RemoteError {
            code: ErrorCode::parse(code),
            message: "m".into(),
            details: Some(details),
        }
    }

    #[test]
    fn cancelled_and_timeout_replies_get_their_own_variants_with_the_output() {
        let error = BridgeError::from_reply(
            "exec",
            remote(
                "timeout",
                json!({"seconds": 2.5, "stdout": "so far\n", "stderr": ""}),
            ),
        );
        match &error {
            BridgeError::TimeLimitExceeded { limit, stdout, .. } => {
                assert_eq!(*limit, Duration::from_millis(2500));
                assert_eq!(stdout, "so far\n");
            }
            other => panic!("{other:?}"),
        }
        let text = error.to_string();
        assert!(
            text.contains("2.5s") && text.contains("so far") && text.contains("still serving"),
            "{text}"
        );

        let error = BridgeError::from_reply("exec", remote("cancelled", json!({})));
        assert!(matches!(&error, BridgeError::Cancelled { op, .. } if op == "exec"));
        assert_eq!(error.remote_code(), Some(&ErrorCode::Cancelled));
        assert!(
            error.to_string().starts_with("`exec` was cancelled"),
            "{error}"
        );

        // Other codes keep their existing mapping.
        assert!(matches!(
            BridgeError::from_reply("exec", remote("python_error", json!({"type": "E"}))),
            BridgeError::Python(_)
        ));
        assert!(matches!(
            BridgeError::from_reply("exec", remote("forbidden", json!({}))),
            BridgeError::Remote(_)
        ));
    }
}
