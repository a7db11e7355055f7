//! `get_viewport_screenshot`: lets the model see what it built.
//!
//! The PNG travels inside the bridge reply and goes back as MCP image
//! content, so server and Blender need no shared filesystem (Blender may be
//! in a container or on another machine).

use base64::Engine as _;
use rmcp::{
    handler::server::wrapper::Parameters,
    model::{CallToolResult, ContentBlock},
    tool, tool_router,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::{BlenderTools, ToolError};
use crate::Snippet;

static SCREENSHOT: Snippet = Snippet::new(
    "get_viewport_screenshot",
    include_str!("snippets/screenshot.py"),
);

/// Bounds on `max_size`: below 16 px nothing is recognisable, above 4096 the
/// image costs more context than it is worth.
const MIN_SIZE: u32 = 16;
const MAX_SIZE: u32 = 4096;

fn default_max_size() -> u32 {
    800
}

/// Arguments of `get_viewport_screenshot`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ScreenshotInput {
    /// Longest side of the image in pixels (16-4096, default 800).
    #[serde(default = "default_max_size")]
    pub max_size: u32,
}

/// What the snippet sends back.
#[derive(Debug, Deserialize)]
struct Shot {
    png_base64: String,
    width: u32,
    height: u32,
    source: String,
    camera: Option<String>,
}

#[tool_router(router = screenshot_router, vis = "pub(crate)")]
impl BlenderTools {
    /// Captures the 3D view as a PNG.
    #[tool(
        name = "get_viewport_screenshot",
        description = "A PNG image of the 3D viewport, returned inline. In a Blender with a window \
                       it captures the 3D View; headless it renders the scene with Workbench (the \
                       solid-view engine) from the active camera, or from a temporary camera \
                       framing all visible objects. The scene is left unchanged.",
        annotations(
            title = "Viewport screenshot",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn get_viewport_screenshot(
        &self,
        Parameters(input): Parameters<ScreenshotInput>,
    ) -> Result<CallToolResult, ToolError> {
        if !(MIN_SIZE..=MAX_SIZE).contains(&input.max_size) {
            return Err(ToolError::new(format!(
                "max_size must be between {MIN_SIZE} and {MAX_SIZE} pixels; got {}",
                input.max_size
            )));
        }
        let shot: Shot = self
            .run_snippet(&SCREENSHOT, json!({ "max_size": input.max_size }))
            .await?;
        // Decode once to prove Blender sent a PNG: a broken image is worse
        // for the model than a clear error.
        let png = base64::engine::general_purpose::STANDARD
            .decode(&shot.png_base64)
            .map_err(|e| ToolError::new(format!("Blender sent an unreadable image: {e}")))?;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(ToolError::new("Blender sent an image that is not a PNG"));
        }
        let from = match (&shot.source[..], &shot.camera) {
            ("viewport", _) => "the 3D View".to_string(),
            (_, Some(camera)) => format!("a Workbench render from camera '{camera}'"),
            _ => "a Workbench render from a temporary camera framing the scene".to_string(),
        };
        let caption = format!("{}x{} PNG of {from}.", shot.width, shot.height);
        self.last_image.set(&shot.png_base64);
        Ok(CallToolResult::success(vec![
            ContentBlock::image(shot.png_base64, "image/png"),
            ContentBlock::text(caption),
        ]))
    }
}
