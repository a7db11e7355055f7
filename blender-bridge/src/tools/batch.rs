//! `batch`: many tool calls in one MCP round trip, optionally atomic.
//!
//! Each step is dispatched through the same tool router a client's call
//! goes through, so a step behaves exactly like the tool called alone
//! (validation, errors, results). With `atomic`, a checkpoint is taken
//! first and any failing step rolls the whole batch back.

use rmcp::{
    handler::server::tool::ToolCallContext,
    handler::server::wrapper::Parameters,
    model::{CallToolRequestParams, CallToolResponse, CallToolResult},
    service::RequestContext,
    tool, tool_router, Json, RoleServer,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{BlenderTools, ToolError};

/// Most steps in one batch: enough for building a scene, few enough that
/// one call cannot hold Blender for long.
const MAX_STEPS: usize = 200;

/// One step of a batch.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct BatchStep {
    /// The tool to call (any tool of this server except batch).
    pub tool: String,
    /// Its arguments, as for a direct call.
    #[serde(default)]
    pub arguments: Option<Map<String, Value>>,
}

/// Arguments of `batch`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct BatchInput {
    /// The steps, run in order.
    pub operations: Vec<BatchStep>,
    /// All or nothing: if a step fails, put the scene back as it was before
    /// the batch (default false: earlier steps stay done).
    #[serde(default)]
    pub atomic: bool,
    /// Without atomic: go on with the next steps after a failure (default false).
    #[serde(default)]
    pub continue_on_error: bool,
}

/// The outcome of one step.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct StepOutcome {
    /// The tool called.
    pub tool: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// Its structured result (or its text when it has none); images are left out.
    pub result: Value,
}

/// The answer of `batch`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct BatchOutput {
    /// One entry per step that ran, in order.
    pub steps: Vec<StepOutcome>,
    /// Steps that succeeded.
    pub succeeded: usize,
    /// Steps that failed.
    pub failed: usize,
}

/// A step's result as data: the structured content, else the text.
fn outcome_of(tool: String, result: CallToolResult) -> StepOutcome {
    let ok = result.is_error != Some(true);
    let value = result.structured_content.clone().unwrap_or_else(|| {
        let text: Vec<String> = result
            .content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect();
        Value::String(text.join("\n"))
    });
    StepOutcome {
        tool,
        ok,
        result: value,
    }
}

#[tool_router(router = batch_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "batch",
        description = "Run many tool calls in one request: operations is a list of {tool, \
                       arguments} run in order. Stops at the first failure (continue_on_error \
                       goes on). With atomic=true, a failure puts the scene back exactly as it \
                       was before the batch. Returns each step's result.",
        annotations(
            title = "Batch",
            read_only_hint = false,
            destructive_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn batch(
        &self,
        Parameters(input): Parameters<BatchInput>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<BatchOutput>, ToolError> {
        self.check_operations(&input.operations)?;
        // One diff of the whole batch at its end, not one after each step.
        super::changes::diff_once_at_end();
        let checkpoint = if input.atomic {
            Some(self.checkpoint("batch").await?)
        } else {
            None
        };
        let mut steps = Vec::new();
        let mut failure = None;
        for (i, step) in input.operations.into_iter().enumerate() {
            let outcome = self.run_step(step, input.atomic, &context).await;
            let ok = outcome.ok;
            steps.push(outcome);
            if !ok {
                failure.get_or_insert(i);
                if input.atomic || !input.continue_on_error {
                    break;
                }
            }
        }
        let failed = steps.iter().filter(|s| !s.ok).count();
        let output = BatchOutput {
            succeeded: steps.len() - failed,
            failed,
            steps,
        };
        let Some(first) = failure else {
            if let Some(checkpoint) = checkpoint {
                self.release(checkpoint).await;
            }
            return Ok(Json(output));
        };
        let note = match checkpoint {
            Some(checkpoint) => format!(" Atomic batch: {}", self.rollback(checkpoint).await),
            None if first > 0 => format!(" Steps before {first} stayed done (atomic was off)."),
            None => String::new(),
        };
        let step = &output.steps[first];
        Err(ToolError::new(format!(
            "batch operation {first} ({}) failed: {}.{note}\n\nAll steps: {}",
            step.tool,
            step.result
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| step.result.to_string()),
            serde_json::to_string(&output).unwrap_or_default()
        )))
    }
}

impl BlenderTools {
    /// Refuses a batch before any step runs: empty, too long, nested, or
    /// naming a tool that does not exist.
    fn check_operations(&self, operations: &[BatchStep]) -> Result<(), ToolError> {
        if operations.is_empty() {
            return Err(ToolError::new(
                "operations is empty: list the tool calls to run",
            ));
        }
        if operations.len() > MAX_STEPS {
            return Err(ToolError::new(format!(
                "at most {MAX_STEPS} operations per batch; split it"
            )));
        }
        for (i, step) in operations.iter().enumerate() {
            if step.tool == "batch" {
                return Err(ToolError::new(format!(
                    "operation {i}: batch cannot contain batch"
                )));
            }
            if self.tool_router.get(&step.tool).is_none() {
                return Err(ToolError::new(format!(
                    "operation {i}: there is no tool named {:?}",
                    step.tool
                )));
            }
        }
        Ok(())
    }

    /// Runs one step through the router, as its own tool call would.
    async fn run_step(
        &self,
        step: BatchStep,
        atomic: bool,
        context: &RequestContext<RoleServer>,
    ) -> StepOutcome {
        let mut arguments = step.arguments.unwrap_or_default();
        if atomic && step.tool == "execute_blender_code" {
            // The batch's checkpoint covers it (and holds the lock its own would wait on).
            arguments.insert("rollback_on_error".into(), Value::Bool(false));
        }
        let params = CallToolRequestParams::new(step.tool.clone()).with_arguments(arguments);
        let failed = |message: String| StepOutcome {
            tool: step.tool.clone(),
            ok: false,
            result: Value::String(message),
        };
        match self
            .tool_router
            .call(ToolCallContext::new(self, params, context.clone()))
            .await
        {
            Ok(CallToolResponse::Complete(result)) => outcome_of(step.tool, result),
            Ok(_) => failed("the tool asked for client input, which batch cannot give".into()),
            Err(e) => failed(e.message.to_string()),
        }
    }
}
