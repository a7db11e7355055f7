//! `execute_blender_code`: the escape hatch — any `bpy` the typed tools do
//! not cover.

use std::time::Duration;

use rmcp::{
    handler::server::wrapper::Parameters, service::RequestContext, tool, tool_router, Json,
    RoleServer,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::changes;
use super::long_call::LongCall;
use super::{BlenderTools, ToolError};
use crate::CallOptions;

/// The longest time limit a call may ask for.
const MAX_TIMEOUT_SECONDS: f64 = 24.0 * 3600.0;

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
    #[serde(default = "crate::tools::default_true")]
    pub rollback_on_error: bool,
    /// Time limit in seconds (default: the server's, 300 unless configured).
    /// Code still running then is interrupted and the call fails.
    #[serde(default)]
    pub timeout_seconds: Option<f64>,
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
                       (its undo step costs ~1 ms per 1,000 objects; rollback_on_error=false \
                       skips it and keeps partial changes). Long work can report \
                       progress by calling `progress(done, total, message)`; runaway code is \
                       interrupted after timeout_seconds.",
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
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ExecuteCodeOutput>, ToolError> {
        if input.code.trim().is_empty() {
            return Err(ToolError::new(
                "code is empty: send the Python source to run",
            ));
        }
        let limit = match input.timeout_seconds {
            None => self.config.exec_timeout,
            Some(s) if s > 0.0 && s <= MAX_TIMEOUT_SECONDS => Duration::from_secs_f64(s),
            Some(s) => {
                return Err(ToolError::new(format!(
                    "timeout_seconds must be above 0 and at most {MAX_TIMEOUT_SECONDS}; got {s}"
                )))
            }
        };
        let args = Value::Object(input.args.unwrap_or_default());
        let options = CallOptions {
            exec_timeout: Some(limit),
            ..CallOptions::default()
        };
        let long_call = LongCall::new(&context);
        let output = if input.rollback_on_error {
            self.exec_guarded(
                "execute_blender_code",
                &input.code,
                args,
                options,
                &long_call,
            )
            .await?
        } else {
            let client = self.client();
            let code = &input.code;
            let outcome = long_call
                .run(options, |options| async move {
                    let guarded = client.exec_around(code, args, changes::around(), options);
                    let guarded = guarded.await;
                    changes::note_after(&guarded.after);
                    guarded.outcome
                })
                .await;
            match outcome {
                Some(outcome) => outcome.map_err(ToolError::from_user_code)?,
                None => return Err(LongCall::cancelled_error()),
            }
        };
        Ok(Json(ExecuteCodeOutput {
            result: output.value,
            stdout: output.stdout,
            stderr: output.stderr,
        }))
    }
}
