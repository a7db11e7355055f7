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
    /// No reply within the deadline; the request may still run in Blender.
    #[error(
        "`{op}` got no reply from Blender within {after:?} — Blender may be busy with a long \
         operation; retry with a longer timeout or simplify the request"
    )]
    Timeout {
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
