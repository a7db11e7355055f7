//! `execute_blender_code`: the escape hatch — any `bpy` the typed tools do
//! not cover.

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{BlenderTools, ToolError};
use crate::BridgeError;

/// Whether the code ran and failed (then rolling back undoes its partial
/// work). Transport failures are not rolled back: the request may never
/// have reached Blender, or Blender may be gone.
fn user_code_failed(err: &BridgeError) -> bool {
    matches!(err, BridgeError::Python(_))
        || matches!(err, BridgeError::Remote(r) if r.code == crate::ErrorCode::ResultNotJson)
}

/// Arguments of `execute_blender_code`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExecuteCodeInput {
    /// Python source run on Blender's main thread with `bpy` imported. Set
    /// `result = ...` (or end with an expression) to return JSON data.
    pub code: String,
    /// JSON object made available to the code as the global `args`, so data
    /// need not be pasted into the source.
    #[serde(default)]
    pub args: Option<Map<String, Value>>,
    /// If the code raises, put the scene back as it was before the call
    /// (default true). Set false to keep a failing script's partial changes.
    #[serde(default = "default_true")]
    pub rollback_on_error: bool,
}

fn default_true() -> bool {
    true
}

/// The answer of `execute_blender_code`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ExecuteCodeOutput {
    /// The global `result` if the code set it, else the value of a final
    /// expression, else null.
    pub result: Value,
    /// Everything the code printed.
    pub stdout: String,
    /// Everything the code wrote to stderr.
    pub stderr: String,
}

#[tool_router(router = exec_router, vis = "pub(crate)")]
impl BlenderTools {
    /// Runs Python in Blender.
    #[tool(
        name = "execute_blender_code",
        description = "Run Python code inside Blender (bpy is imported). Return data by setting \
                       `result = <JSON-able value>` or by ending with an expression; pass data in \
                       `args` (available as the global `args`). Returns the value, stdout and \
                       stderr; a Python exception returns an error with its traceback, and by \
                       default the scene is rolled back to how it was before the call \
                       (rollback_on_error=false keeps partial changes).",
        annotations(
            title = "Execute Blender Python",
            read_only_hint = false,
            destructive_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn execute_blender_code(
        &self,
        Parameters(input): Parameters<ExecuteCodeInput>,
    ) -> Result<Json<ExecuteCodeOutput>, ToolError> {
        if input.code.trim().is_empty() {
            return Err(ToolError::new(
                "code is empty: send the Python source to run",
            ));
        }
        let args = Value::Object(input.args.unwrap_or_default());
        let checkpoint = if input.rollback_on_error {
            Some(self.checkpoint("execute_blender_code").await?)
        } else {
            None
        };
        let outcome = self.client.exec(&input.code, args).await;
        let output = match (outcome, checkpoint) {
            (Ok(output), Some(checkpoint)) => {
                self.release(checkpoint).await;
                output
            }
            (Ok(output), None) => output,
            (Err(err), checkpoint) => {
                let rolled_back = user_code_failed(&err);
                let mut error = ToolError::from_user_code(err);
                if let (Some(checkpoint), true) = (checkpoint, rolled_back) {
                    let note = self.rollback(checkpoint).await;
                    error = ToolError::new(format!("{}\n\n{note}", error.message()));
                }
                return Err(error);
            }
        };
        Ok(Json(ExecuteCodeOutput {
            result: output.value,
            stdout: output.stdout,
            stderr: output.stderr,
        }))
    }
}
