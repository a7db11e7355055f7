//! Rendering: `render_image` (one frame, PNG inline and/or saved) and
//! `render_animation` (a frame range into a directory).
//!
//! Both change the scene's render settings only for the render and put
//! them back afterwards, unless the caller asks to keep them: a model that
//! wants a quick 64-pixel preview must not leave the user's 4K settings
//! replaced.

use base64::Engine as _;
use rmcp::{
    handler::server::wrapper::Parameters,
    model::{CallToolResult, ContentBlock},
    service::RequestContext,
    tool, tool_router, Json, RoleServer,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::long_call::LongCall;
use super::{BlenderTools, ToolError};
use crate::tools::snippet_args;
use crate::{CallOptions, Snippet};

static RENDER_IMAGE: Snippet = typed_snippet!("render_image", "render_setup.py", "render_image.py");
static RENDER_ANIMATION: Snippet =
    typed_snippet!("render_animation", "render_setup.py", "render_animation.py");

/// Largest image side; beyond it an inline PNG costs more than it tells.
const MAX_SIDE: u32 = 8192;
/// Most frames one `render_animation` call may render.
const MAX_FRAMES: i64 = 2000;

/// A render engine, by the name users know (the id differs between
/// Blender versions for EEVEE; the snippet maps it).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Engine {
    /// Path tracing; slow but physically based. Runs on the CPU headless.
    Cycles,
    /// Real-time rasteriser (BLENDER_EEVEE_NEXT in 4.2-4.5, BLENDER_EEVEE
    /// elsewhere). Needs OpenGL/EGL.
    Eevee,
    /// The solid-view engine: fastest, flat shading.
    Workbench,
}

/// Render settings both tools take.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RenderSettings {
    /// CYCLES, EEVEE or WORKBENCH (default: the scene's engine).
    #[serde(default)]
    pub engine: Option<Engine>,
    /// Width in pixels (default: the scene's).
    #[serde(default)]
    pub width: Option<u32>,
    /// Height in pixels (default: the scene's).
    #[serde(default)]
    pub height: Option<u32>,
    /// Samples per pixel for Cycles / EEVEE (default: the scene's).
    #[serde(default)]
    pub samples: Option<u32>,
    /// Camera object to render from (default: the active camera).
    #[serde(default)]
    pub camera: Option<String>,
    /// Keep these settings in the scene afterwards (default: restored).
    #[serde(default)]
    pub keep_settings: bool,
}

/// Arguments of `render_image`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RenderImageInput {
    #[serde(flatten)]
    pub settings: RenderSettings,
    /// Frame to render (default: the current frame).
    #[serde(default)]
    pub frame: Option<i64>,
    /// Also save the PNG here: a path under the output directory (relative
    /// paths are taken from it), on Blender's filesystem.
    #[serde(default)]
    pub save_as: Option<String>,
    /// Return the PNG in the answer (default true).
    #[serde(default = "crate::tools::default_true")]
    pub inline: bool,
}

/// Arguments of `render_animation`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RenderAnimationInput {
    #[serde(flatten)]
    pub settings: RenderSettings,
    /// First frame (default: the scene's start).
    #[serde(default)]
    pub frame_start: Option<i64>,
    /// Last frame, included (default: the scene's end).
    #[serde(default)]
    pub frame_end: Option<i64>,
    /// Render every n-th frame (default 1).
    #[serde(default)]
    pub frame_step: Option<i64>,
    /// Directory for frame_####.png files: under the output directory
    /// (relative paths are taken from it), on Blender's filesystem.
    pub directory: String,
}

/// What the render snippets answer.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RenderSummary {
    /// The engine id used.
    pub engine: String,
    /// Image width.
    pub width: u32,
    /// Image height.
    pub height: u32,
    /// The camera rendered from.
    pub camera: Option<String>,
    /// Where the image was saved (render_image with save_as).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The output directory (render_animation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    /// The frame files written, in order (render_animation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
    /// The PNG, base64 (render_image with inline; moved to image content).
    #[serde(default, skip_serializing)]
    #[schemars(skip)]
    pub png_base64: Option<String>,
}

fn check_settings(settings: &RenderSettings) -> Result<(), ToolError> {
    for (name, value) in [("width", settings.width), ("height", settings.height)] {
        if value.is_some_and(|v| v == 0 || v > MAX_SIDE) {
            return Err(ToolError::new(format!(
                "{name} must be between 1 and {MAX_SIDE} pixels"
            )));
        }
    }
    if settings.samples.is_some_and(|s| s == 0 || s > 1 << 16) {
        return Err(ToolError::new("samples must be between 1 and 65536"));
    }
    Ok(())
}

#[tool_router(router = render_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "render_image",
        description = "Render the scene to a PNG with CYCLES, EEVEE or WORKBENCH at a given size, \
                       sample count and camera. Returns the image inline and/or saves it under \
                       the server's output directory (save_as; paths are on Blender's machine). \
                       Render settings are restored afterwards unless keep_settings. Keep sizes \
                       and samples small for previews: Cycles on a CPU is slow.",
        annotations(
            title = "Render image",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn render_image(
        &self,
        Parameters(input): Parameters<RenderImageInput>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ToolError> {
        check_settings(&input.settings)?;
        if !input.inline && input.save_as.is_none() {
            return Err(ToolError::new(
                "inline=false needs save_as, else the render goes nowhere",
            ));
        }
        let path = match &input.save_as {
            Some(path) => {
                if !path.to_ascii_lowercase().ends_with(".png") {
                    return Err(ToolError::new("save_as must end in .png"));
                }
                Some(self.config.confine_output(path)?)
            }
            None => None,
        };
        let mut args = snippet_args(&input.settings)?;
        args["frame"] = json!(input.frame);
        args["inline"] = json!(input.inline);
        args["path"] = json!(path);
        // A frame cannot be stopped midway: on cancel, Blender finishes it
        // and the result is discarded.
        let mut summary: RenderSummary = LongCall::new(&context)
            .run(CallOptions::default(), |options| {
                self.run_snippet_with(&RENDER_IMAGE, args, options)
            })
            .await
            .ok_or_else(LongCall::cancelled_error)??;
        let png = summary.png_base64.take();
        let text = serde_json::to_string(&summary).unwrap_or_default();
        let mut content = Vec::new();
        if let Some(png) = png {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&png)
                .map_err(|e| ToolError::new(format!("Blender sent an unreadable image: {e}")))?;
            if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                return Err(ToolError::new("Blender sent an image that is not a PNG"));
            }
            self.last_image.set(&png);
            content.push(ContentBlock::image(png, "image/png"));
        }
        content.push(ContentBlock::text(text));
        let mut result = CallToolResult::success(content);
        result.structured_content = serde_json::to_value(&summary).ok();
        Ok(result)
    }

    #[tool(
        name = "render_animation",
        description = "Render a frame range (frame_start..frame_end, every frame_step) to \
                       frame_####.png files in a directory under the server's output directory \
                       (paths are on Blender's machine), with CYCLES, EEVEE or WORKBENCH at a \
                       given size and sample count. Returns the list of files.",
        annotations(
            title = "Render animation",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn render_animation(
        &self,
        Parameters(input): Parameters<RenderAnimationInput>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RenderSummary>, ToolError> {
        check_settings(&input.settings)?;
        let step = input.frame_step.unwrap_or(1);
        if step < 1 {
            return Err(ToolError::new("frame_step must be 1 or more"));
        }
        let directory = self.config.confine_output(&input.directory)?;
        // Frame defaults come from the scene, so ask Blender only when needed.
        let (start, end) = match (input.frame_start, input.frame_end) {
            (Some(s), Some(e)) => (s, e),
            (s, e) => {
                let range: serde_json::Value = self
                    .client()
                    .exec(
                        "result = [bpy.context.scene.frame_start, bpy.context.scene.frame_end]",
                        json!({}),
                    )
                    .await
                    .map_err(ToolError::from_bridge)?
                    .value;
                (
                    s.unwrap_or(range[0].as_i64().unwrap_or(1)),
                    e.unwrap_or(range[1].as_i64().unwrap_or(1)),
                )
            }
        };
        if end < start {
            return Err(ToolError::new(format!(
                "frame_end ({end}) is before frame_start ({start})"
            )));
        }
        if (end - start) / step + 1 > MAX_FRAMES {
            return Err(ToolError::new(format!(
                "at most {MAX_FRAMES} frames per call; split the range"
            )));
        }
        let mut args = snippet_args(&input.settings)?;
        args["frame_start"] = json!(start);
        args["frame_end"] = json!(end);
        args["frame_step"] = json!(step);
        args["directory"] = json!(directory);
        // Progress per frame; a cancel stops the work between frames.
        LongCall::new(&context)
            .run(CallOptions::default(), |options| {
                self.run_snippet_with(&RENDER_ANIMATION, args, options)
            })
            .await
            .ok_or_else(LongCall::cancelled_error)?
            .map(Json)
    }
}
