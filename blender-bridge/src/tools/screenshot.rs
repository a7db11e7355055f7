//! `get_viewport_screenshot`: lets the model see what it built.
//!
//! The PNG travels inside the bridge reply and goes back as MCP image
//! content, so server and Blender need no shared filesystem (Blender may be
//! in a container or on another machine). With `views` it renders several
//! sides at once, so one call shows what one angle hides.

use base64::Engine as _;
use rmcp::{
    handler::server::wrapper::Parameters,
    model::{CallToolResult, ContentBlock},
    tool, tool_router,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{BlenderTools, ToolError};
use crate::Snippet;

static SCREENSHOT: Snippet = Snippet::new(
    "get_viewport_screenshot",
    include_str!("snippets/screenshot.py"),
);
static VIEWS: Snippet = typed_snippet!("get_viewport_screenshot", "rna.py", "screenshot_views.py");

/// Bounds on `max_size`: below 16 px nothing is recognisable, above 4096 the
/// image costs more context than it is worth.
const MIN_SIZE: u32 = 16;
const MAX_SIZE: u32 = 4096;

fn default_max_size() -> u32 {
    800
}

// Only describes the schema: `views` is taken as strings and checked in
// Blender, so an unknown one is answered with the valid ones, close matches
// first, rather than with serde's bare list.
/// A side to look from.
#[allow(dead_code)]
#[derive(Debug, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Front,
    Back,
    Left,
    Right,
    Top,
    Bottom,
    /// The scene's active camera.
    Camera,
    /// A three-quarter view from above.
    Perspective,
}

/// How several views come back.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One labelled contact sheet.
    #[default]
    Sheet,
    /// One image per view.
    Separate,
}

/// Arguments of `get_viewport_screenshot`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ScreenshotInput {
    /// Longest side of the image in pixels (16-4096, default 800).
    #[serde(default = "default_max_size")]
    pub max_size: u32,
    /// Render these sides (Workbench, with or without a window).
    #[serde(default)]
    #[schemars(with = "Option<Vec<View>>")]
    pub views: Option<Vec<String>>,
    #[serde(default)]
    pub layout: Layout,
    /// Frame these objects instead of the whole scene (implies views, default perspective).
    #[serde(default)]
    pub objects: Option<Vec<String>>,
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

/// What the views snippet sends back.
#[derive(Debug, Deserialize)]
struct ViewShots {
    images: Vec<ViewShot>,
    views: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ViewShot {
    view: String,
    width: u32,
    height: u32,
    png_base64: String,
}

/// Decodes a PNG Blender sent, to refuse a broken one: a broken image is
/// worse for the model than a clear error.
fn check_png(png_base64: &str) -> Result<(), ToolError> {
    let png = base64::engine::general_purpose::STANDARD
        .decode(png_base64)
        .map_err(|e| ToolError::new(format!("Blender sent an unreadable image: {e}")))?;
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(ToolError::new("Blender sent an image that is not a PNG"));
    }
    Ok(())
}

#[tool_router(router = screenshot_router, vis = "pub(crate)")]
impl BlenderTools {
    /// Captures the 3D view as a PNG.
    #[tool(
        name = "get_viewport_screenshot",
        description = "A PNG image of the 3D viewport, returned inline. In a Blender with a window \
                       it captures the 3D View; headless it renders the scene with Workbench (the \
                       solid-view engine) from the active camera, or from a temporary camera \
                       framing all visible objects. `views` renders several sides (framing the \
                       scene or `objects`) into one labelled contact sheet, or one image each with \
                       layout=separate. The scene is left unchanged.",
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
        if input.views.is_some() || input.objects.is_some() {
            return self.screenshot_views(input).await;
        }
        let shot: Shot = self
            .run_snippet(&SCREENSHOT, json!({ "max_size": input.max_size }))
            .await?;
        check_png(&shot.png_base64)?;
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

impl BlenderTools {
    /// `get_viewport_screenshot` with views: Workbench renders from each side.
    async fn screenshot_views(&self, input: ScreenshotInput) -> Result<CallToolResult, ToolError> {
        let views = input
            .views
            .unwrap_or_else(|| vec!["perspective".to_string()]);
        if views.is_empty() {
            return Err(ToolError::new(
                "views is empty: give at least one of front, back, left, right, top, bottom, camera, perspective",
            ));
        }
        let args = json!({
            "max_size": input.max_size,
            "views": views,
            "layout": input.layout,
            "objects": input.objects,
        });
        let shots: ViewShots = self.run_snippet(&VIEWS, args).await?;
        let mut content = Vec::with_capacity(shots.images.len() * 2);
        for image in &shots.images {
            check_png(&image.png_base64)?;
        }
        for image in shots.images {
            let caption = if image.view == "sheet" {
                format!(
                    "{}x{} PNG contact sheet (Workbench), left to right, top to bottom: {}.",
                    image.width,
                    image.height,
                    shots.views.join(", ")
                )
            } else {
                format!(
                    "{}x{} PNG of the {} view (Workbench).",
                    image.width, image.height, image.view
                )
            };
            self.last_image.set(&image.png_base64);
            content.push(ContentBlock::image(image.png_base64, "image/png"));
            content.push(ContentBlock::text(caption));
        }
        Ok(CallToolResult::success(content))
    }
}
