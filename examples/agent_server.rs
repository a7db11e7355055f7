//! An agent's own MCP server that offers its own tool *and* every Blender
//! tool, over stdio, sharing one `BlenderClient`.
//!
//! Run: `cargo run --example agent_server` (then speak MCP on stdin/stdout).
//! Blender: attaches to 127.0.0.1:9876 if an addon answers there, else
//! launches a headless one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use blender_bridge::attach::AttachOrLaunch;
use blender_bridge::launcher::{default_program, LaunchConfig, LaunchingConnector};
use blender_bridge::tools::BlenderTools;
use blender_bridge::{BlenderClient, ClientConfig, Connector, Endpoint};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router, Json, ServerHandler};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The agent's server: its own state and tools, plus the Blender tools.
#[derive(Clone)]
struct AgentServer {
    blender: BlenderTools,
    notes: Arc<AtomicU64>,
    tool_router: ToolRouter<Self>,
}

#[derive(Deserialize, JsonSchema)]
struct NoteInput {
    /// Text to print into Blender's console log.
    text: String,
}

#[derive(Serialize, Deserialize, JsonSchema)]
struct NoteOutput {
    /// How many notes this server has logged so far.
    count: u64,
    /// Objects in Blender's scene when the note was taken.
    objects_in_scene: u64,
}

#[tool_router(router = own_tools)]
impl AgentServer {
    /// The agent's own tool, which also uses the shared Blender connection.
    #[tool(description = "Log a note in Blender's console and report how many notes were taken.")]
    async fn take_note(
        &self,
        Parameters(input): Parameters<NoteInput>,
    ) -> Result<Json<NoteOutput>, String> {
        let out = self
            .blender
            .client()
            .exec(
                "print('agent note:', args['text'])\nlen(bpy.data.objects)",
                json!({ "text": input.text }),
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok(Json(NoteOutput {
            count: self.notes.fetch_add(1, Ordering::Relaxed) + 1,
            objects_in_scene: out.value.as_u64().unwrap_or(0),
        }))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for AgentServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    mcp_core::init_tracing("warn");
    let launcher =
        default_program().map(|p| Arc::new(LaunchingConnector::new(LaunchConfig::new(p))));
    let connector = AttachOrLaunch::new(
        Endpoint::new("127.0.0.1", 9876),
        launcher.clone().map(|l| l as Arc<dyn Connector>),
    );
    let client =
        BlenderClient::with_connector(Arc::new(connector), ClientConfig::new("127.0.0.1", 9876));
    let blender = BlenderTools::new(client);
    let tool_router = AgentServer::own_tools()
        + mcp_core::mount_tools(blender.tool_router().clone(), |s: &AgentServer| &s.blender);
    let server = AgentServer {
        blender,
        notes: Arc::new(AtomicU64::new(0)),
        tool_router,
    };
    let served = mcp_core::serve_stdio(server).await;
    if let Some(launcher) = launcher {
        launcher.shutdown().await;
    }
    Ok(served?)
}
