//! The MCP tool set: what an agent can ask Blender to do.
//!
//! Every tool is a thin Rust shell (typed input schema, typed output, error
//! text a model can act on) around a Python snippet that runs inside Blender
//! through the bridge's `exec` op. Keeping the Blender logic in snippets on
//! this side means a new tool never needs a new addon: users update the
//! server, not the Blender they have installed.
//!
//! Tool names match the original Blender MCP server (`get_scene_info`,
//! `get_object_info`, `execute_blender_code`, `get_viewport_screenshot`) so
//! existing prompts keep working.

mod error;
mod exec;
mod scene;
mod screenshot;

use rmcp::{
    handler::server::router::tool::ToolRouter,
    model::{Implementation, ServerCapabilities, ServerConfig},
    tool_handler, ServerHandler,
};

use crate::BlenderClient;

pub use error::ToolError;
pub use exec::{ExecuteCodeInput, ExecuteCodeOutput};
pub use scene::{ObjectInfoInput, SceneInfoInput};
pub use screenshot::ScreenshotInput;

/// What the server tells the model about itself at `initialize`: a short
/// playbook, because a model that knows the loop (inspect, change, look,
/// verify) makes far fewer blind edits.
const INSTRUCTIONS: &str =
    "Drives a live Blender. Inspect with get_scene_info (paged: use offset/limit and \
name_contains on big scenes) and get_object_info; change things with execute_blender_code \
(Python with `bpy`; set `result = ...` or end with an expression to return JSON data; \
`args` holds the JSON you pass); look at the result with get_viewport_screenshot. \
Objects are addressed by their exact names; an unknown name is an error that lists close matches.";

/// The Blender tools as an rmcp server handler.
///
/// Cheap to clone: clones share one [`BlenderClient`], hence one connection
/// to Blender, which is what lets every MCP session of an HTTP server drive
/// the same scene.
#[derive(Clone)]
pub struct BlenderTools {
    client: BlenderClient,
    tool_router: ToolRouter<Self>,
}

impl BlenderTools {
    /// The full tool set over `client`.
    pub fn new(client: BlenderClient) -> Self {
        let tool_router = Self::scene_router() + Self::exec_router() + Self::screenshot_router();
        Self {
            client,
            tool_router,
        }
    }

    /// Keeps only the tools annotated read-only, for users who want an agent
    /// to inspect and never to edit or run code. The others are neither
    /// listed nor callable (a call is an unknown-tool error). A tool that does
    /// not say it is read-only is treated as a writer: safe by default.
    pub fn read_only(mut self) -> Self {
        let writers: Vec<String> = self
            .tool_router
            .list_all()
            .into_iter()
            .filter(|tool| tool.annotations.as_ref().and_then(|a| a.read_only_hint) != Some(true))
            .map(|tool| tool.name.to_string())
            .collect();
        for name in writers {
            self.tool_router.remove_route(&name);
        }
        self
    }

    /// The client the tools talk through, for callers that want to reuse it.
    pub fn client(&self) -> &BlenderClient {
        &self.client
    }

    /// The tool router, so an embedding server can list or merge the tools.
    pub fn tool_router(&self) -> &ToolRouter<Self> {
        &self.tool_router
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for BlenderTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("blender-mcp-rs", env!("CARGO_PKG_VERSION"))
                    .with_title("Blender (blender-mcp-rs)"),
            )
            .with_instructions(INSTRUCTIONS)
    }
}
