//! Running one of this server's snippets for a tool: the one path every
//! typed tool takes to Blender, so each gets the `changes` snapshot (when
//! the call asked for it) and the same error for a reply of the wrong shape.

use serde::Serialize;
use serde_json::Value;

use super::{changes, BlenderTools, ToolError};
use crate::{CallOptions, Snippet};

impl BlenderTools {
    /// Runs one of this server's snippets and decodes its value.
    pub(crate) async fn run_snippet<T: serde::de::DeserializeOwned>(
        &self,
        snippet: &Snippet,
        args: Value,
    ) -> Result<T, ToolError> {
        self.run_snippet_with(snippet, args, CallOptions::default())
            .await
    }

    /// [`Self::run_snippet`] with call options (progress, time limits).
    pub(crate) async fn run_snippet_with<T: serde::de::DeserializeOwned>(
        &self,
        snippet: &Snippet,
        args: Value,
        options: CallOptions,
    ) -> Result<T, ToolError> {
        let guarded = self
            .client()
            .exec_snippet_around(snippet, args, changes::around(), options)
            .await;
        changes::note_after(&guarded.after);
        let output = guarded.outcome.map_err(ToolError::from_bridge)?;
        serde_json::from_value(output.value).map_err(|e| {
            ToolError::new(format!(
                "Blender answered in an unexpected shape ({e}); the addon and server versions may not match"
            ))
        })
    }
}

/// `input` as the JSON a snippet reads. Tool inputs always encode; if one
/// ever did not, the call fails saying so instead of sending `{}` and
/// letting Blender act on defaults the caller never chose.
pub(crate) fn snippet_args(input: &impl Serialize) -> Result<Value, ToolError> {
    serde_json::to_value(input)
        .map_err(|e| ToolError::new(format!("cannot encode the arguments for Blender: {e}")))
}
