//! Scene inspection: `get_scene_info` and `get_object_info`.

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{BlenderTools, ToolError};
use crate::Snippet;

pub(crate) static SCENE_INFO: Snippet =
    Snippet::new("get_scene_info", include_str!("snippets/scene_info.py"));
pub(crate) static OBJECT_INFO: Snippet = Snippet::new(
    "get_object_info",
    concat!(
        include_str!("snippets/common.py"),
        include_str!("snippets/rna.py"),
        include_str!("modifiers/modifier_info.py"),
        include_str!("snippets/object_info.py")
    ),
);

/// The largest page `get_scene_info` returns: big enough to be useful, small
/// enough that a 100,000-object scene cannot flood the model's context.
const MAX_PAGE: u32 = 1000;

fn default_limit() -> u32 {
    100
}

/// Arguments of `get_scene_info`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SceneInfoInput {
    /// How many objects to list (1-1000, default 100).
    #[serde(default = "default_limit")]
    pub limit: u32,
    /// How many matching objects to skip, for paging (default 0). Use the
    /// `next_offset` of the previous answer.
    #[serde(default)]
    pub offset: u32,
    /// List only objects whose name contains this text (case-insensitive).
    #[serde(default)]
    pub name_contains: Option<String>,
    /// Also count objects by type (walks every object: slower on huge scenes).
    #[serde(default)]
    pub count_types: bool,
}

/// One object in the scene listing.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ObjectSummary {
    /// The object's unique name.
    pub name: String,
    /// MESH, CAMERA, LIGHT, EMPTY, CURVE, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// World-space location of the origin, in scene units.
    pub location: [f64; 3],
    /// The parent object's name, if any.
    pub parent: Option<String>,
    /// The first collection the object is linked to.
    pub collection: Option<String>,
}

/// The answer of `get_scene_info`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SceneInfo {
    /// The scene's name.
    pub name: String,
    /// The current frame.
    pub frame_current: i64,
    /// First frame of the animation range.
    pub frame_start: i64,
    /// Last frame of the animation range.
    pub frame_end: i64,
    /// Render engine id (e.g. CYCLES, BLENDER_EEVEE_NEXT, BLENDER_WORKBENCH).
    pub render_engine: String,
    /// Output resolution in pixels, [width, height].
    pub resolution: [i64; 2],
    /// The active camera's name, if any.
    pub active_camera: Option<String>,
    /// METRIC, IMPERIAL or NONE.
    pub unit_system: String,
    /// All objects in the scene.
    pub object_count: u64,
    /// Collections in the file.
    pub collection_count: u64,
    /// Materials in the file.
    pub material_count: u64,
    /// Objects matching `name_contains` (all objects without a filter).
    pub total_matching: u64,
    /// The offset this page starts at.
    pub offset: u64,
    /// This page of matching objects.
    pub objects: Vec<ObjectSummary>,
    /// Offset of the next page, or null on the last page.
    pub next_offset: Option<u64>,
    /// Object counts per type, when `count_types` was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts_by_type: Option<std::collections::BTreeMap<String, u64>>,
}

/// An axis-aligned box in world space.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct BoundingBox {
    /// Lowest corner.
    pub min: [f64; 3],
    /// Highest corner.
    pub max: [f64; 3],
}

/// Whether the object shows in the viewport and in renders.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Visibility {
    /// Shown in the viewport.
    pub viewport: bool,
    /// Shown in renders.
    pub render: bool,
}

/// One modifier in the object's stack.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ModifierSummary {
    /// The modifier's name.
    pub name: String,
    /// SUBSURF, BEVEL, ARRAY, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Enabled in the viewport.
    pub show_viewport: bool,
    /// Enabled in renders.
    pub show_render: bool,
    /// Settings that differ from Blender's defaults.
    #[serde(default)]
    pub settings: serde_json::Map<String, Value>,
    /// A geometry-nodes modifier's inputs, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<serde_json::Map<String, Value>>,
}

/// Mesh statistics, for mesh objects.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct MeshStats {
    /// Vertex count.
    pub vertices: u64,
    /// Edge count.
    pub edges: u64,
    /// Face (polygon) count.
    pub faces: u64,
    /// Triangles after triangulating every face.
    pub triangles: u64,
    /// UV map names.
    pub uv_layers: Vec<String>,
}

/// The answer of `get_object_info`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ObjectInfo {
    /// The object's unique name.
    pub name: String,
    /// MESH, CAMERA, LIGHT, EMPTY, CURVE, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The name of its data block (mesh, camera, light...), if any.
    pub data: Option<String>,
    /// Location in parent space.
    pub location: [f64; 3],
    /// XYZ, QUATERNION, AXIS_ANGLE, ...
    pub rotation_mode: String,
    /// Euler rotation in radians.
    pub rotation_euler: [f64; 3],
    /// Scale per axis.
    pub scale: [f64; 3],
    /// Size of the bounding box in object axes, scale applied.
    pub dimensions: [f64; 3],
    /// Bounding box in world space.
    pub world_bounding_box: BoundingBox,
    /// The parent's name, if any.
    pub parent: Option<String>,
    /// Names of direct children.
    pub children: Vec<String>,
    /// Collections the object is linked to.
    pub collections: Vec<String>,
    /// Viewport and render visibility.
    pub visible: Visibility,
    /// Material per slot (null for an empty slot).
    pub materials: Vec<Option<String>>,
    /// The modifier stack, top to bottom.
    pub modifiers: Vec<ModifierSummary>,
    /// Mesh statistics (null for non-mesh objects).
    pub mesh: Option<MeshStats>,
}

/// Arguments of `get_object_info`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ObjectInfoInput {
    /// The object's exact name (see get_scene_info).
    pub name: String,
}

#[tool_router(router = scene_router, vis = "pub(crate)")]
impl BlenderTools {
    /// Lists the scene: summary plus one page of objects.
    #[tool(
        name = "get_scene_info",
        description = "Summary of the current Blender scene (name, frame range, render engine, \
                       camera, counts) and one page of its objects (name, type, location, parent, \
                       collection). Page with offset/limit; filter with name_contains.",
        annotations(title = "Scene info", read_only_hint = true, open_world_hint = false)
    )]
    pub async fn get_scene_info(
        &self,
        Parameters(input): Parameters<SceneInfoInput>,
    ) -> Result<Json<SceneInfo>, ToolError> {
        if input.limit == 0 || input.limit > MAX_PAGE {
            return Err(ToolError::new(format!(
                "limit must be between 1 and {MAX_PAGE}; got {}",
                input.limit
            )));
        }
        let args = json!({
            "limit": input.limit,
            "offset": input.offset,
            "name_contains": input.name_contains,
            "count_types": input.count_types,
        });
        self.run_snippet(&SCENE_INFO, args).await.map(Json)
    }

    /// Describes one object in depth.
    #[tool(
        name = "get_object_info",
        description = "Details of one object by exact name: transform (location, rotation, \
                       scale), dimensions and world bounding box, parent/children, collections, \
                       visibility, materials, modifiers (with their settings) and mesh statistics.",
        annotations(title = "Object info", read_only_hint = true, open_world_hint = false)
    )]
    pub async fn get_object_info(
        &self,
        Parameters(input): Parameters<ObjectInfoInput>,
    ) -> Result<Json<ObjectInfo>, ToolError> {
        self.run_snippet(&OBJECT_INFO, json!({ "name": input.name }))
            .await
            .map(Json)
    }
}
