//! How a failed tool call reads to the model.
//!
//! MCP has two failure channels: JSON-RPC errors, which clients show as an
//! opaque "internal error", and tool results with `isError`, whose text the
//! model reads. Every Blender-side failure — an unknown object, a Python
//! exception, Blender not answering — goes through the second channel, so
//! the model can see what went wrong and fix its next call.

use rmcp::model::{ContentBlock, IntoContents};

use crate::error::BridgeError;

/// A tool failure, already worded for the model.
#[derive(Debug, Clone)]
pub struct ToolError(String);

impl ToolError {
    /// A failure described in one or more sentences.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// A failure of one of this server's own snippets. The traceback points
    /// into code the model did not write, so only the exception is shown.
    pub fn from_bridge(err: BridgeError) -> Self {
        super::changes::note_failure(&err);
        match err {
            BridgeError::Python(py) => Self(format!("{}: {}", py.exc_type, py.message)),
            other => Self(other.to_string()),
        }
    }

    /// A failure of code the model sent: the traceback and the output so far
    /// are what it needs to debug its own code.
    pub fn from_user_code(err: BridgeError) -> Self {
        super::changes::note_failure(&err);
        match err {
            BridgeError::Python(py) => {
                let mut text = format!(
                    "Python error in Blender: {}: {}\n\n{}",
                    py.exc_type,
                    py.message,
                    py.traceback.trim_end()
                );
                append_output(&mut text, "stdout", &py.stdout);
                append_output(&mut text, "stderr", &py.stderr);
                Self(text)
            }
            other => Self(other.to_string()),
        }
    }

    /// The text the model will read.
    pub fn message(&self) -> &str {
        &self.0
    }
}

/// Appends captured output under a heading, if there is any.
pub(crate) fn append_output(text: &mut String, name: &str, output: &str) {
    if !output.is_empty() {
        text.push_str(&format!("\n\n--- {name} ---\n{}", output.trim_end()));
    }
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl IntoContents for ToolError {
    fn into_contents(self) -> Vec<ContentBlock> {
        vec![ContentBlock::text(self.0)]
    }
}
