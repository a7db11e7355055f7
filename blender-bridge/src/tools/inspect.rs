//! Inspection beyond `get_scene_info`: the collection tree, datablocks of
//! one kind, and scene statistics.

use std::collections::BTreeMap;

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{BlenderTools, ToolError};
use crate::tools::snippet_args;
use crate::Snippet;

static COLLECTIONS: Snippet = typed_snippet!("list_collections", "inspect_collections.py");
static DATABLOCKS: Snippet = typed_snippet!("list_datablocks", "inspect_datablocks.py");
static STATS: Snippet = typed_snippet!("scene_statistics", "inspect_stats.py");

/// Arguments of `list_collections`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListCollectionsInput {
    /// Most object names listed per collection (default 50; counts are exact).
    #[serde(default = "default_per_collection")]
    pub objects_per_collection: u32,
}

fn default_per_collection() -> u32 {
    50
}

/// One collection and its sub-collections.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct CollectionNode {
    /// The collection's name ("Scene Collection" for the root).
    pub name: String,
    /// Objects directly in it.
    pub object_count: u64,
    /// Their names (up to objects_per_collection).
    pub objects: Vec<String>,
    /// Hidden in viewports.
    pub hide_viewport: bool,
    /// Hidden in renders.
    pub hide_render: bool,
    /// Excluded from the current view layer.
    pub excluded: bool,
    /// Sub-collections.
    pub children: Vec<CollectionNode>,
}

/// The answer of `list_collections`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct CollectionTree {
    /// The scene's root collection.
    pub root: CollectionNode,
    /// Collections in the file that no scene uses.
    pub orphans: Vec<String>,
}

/// Kinds of datablocks `list_datablocks` lists.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatablockKind {
    /// Materials.
    Materials,
    /// Meshes (vertex and face counts).
    Meshes,
    /// Images (size, source, file path).
    Images,
    /// Light data.
    Lights,
    /// Camera data.
    Cameras,
    /// Collections.
    Collections,
    /// Node groups (geometry, shader, compositor).
    NodeGroups,
    /// Text curves and curves.
    Curves,
    /// Textures.
    Textures,
    /// Worlds.
    Worlds,
    /// Actions (animation data).
    Actions,
}

/// Arguments of `list_datablocks`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ListDatablocksInput {
    /// Which kind to list.
    pub kind: DatablockKind,
    /// Page size (1-1000, default 100).
    #[serde(default = "default_limit")]
    pub limit: u32,
    /// Items to skip, for paging (use next_offset).
    #[serde(default)]
    pub offset: u32,
}

fn default_limit() -> u32 {
    100
}

/// The answer of `list_datablocks`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DatablockList {
    /// The kind listed.
    pub kind: DatablockKind,
    /// How many the file has.
    pub total: u64,
    /// Where this page starts.
    pub offset: u64,
    /// This page: name, users, fake_user, library, plus kind-specific facts
    /// (meshes: vertices/faces/materials; images: size/source/filepath/packed; ...).
    pub items: Vec<Map<String, Value>>,
    /// Offset of the next page, null on the last.
    pub next_offset: Option<u64>,
}

/// Arguments of `scene_statistics`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SceneStatisticsInput {
    /// Count geometry after modifiers, as renders see it (default true).
    #[serde(default = "crate::tools::default_true")]
    pub evaluated: bool,
}

/// The answer of `scene_statistics`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SceneStatistics {
    /// The scene's name.
    pub scene: String,
    /// Objects in the scene.
    pub objects: u64,
    /// Object counts per type.
    pub objects_by_type: BTreeMap<String, u64>,
    /// Mesh vertices.
    pub vertices: u64,
    /// Mesh edges.
    pub edges: u64,
    /// Mesh faces.
    pub faces: u64,
    /// Mesh triangles.
    pub triangles: u64,
    /// Whether modifiers were applied for the counts.
    pub evaluated: bool,
    /// Materials in the file.
    pub materials: u64,
    /// Collections in the file.
    pub collections: u64,
    /// First frame.
    pub frame_start: i64,
    /// Last frame.
    pub frame_end: i64,
    /// Current frame.
    pub frame_current: i64,
}

#[tool_router(router = inspect_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "list_collections",
        description = "The scene's collection tree: each collection's objects (names capped per \
                       collection, counts exact), visibility and view-layer exclusion.",
        annotations(
            title = "List collections",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn list_collections(
        &self,
        Parameters(input): Parameters<ListCollectionsInput>,
    ) -> Result<Json<CollectionTree>, ToolError> {
        let args = json!({ "objects_per_collection": input.objects_per_collection });
        self.run_snippet(&COLLECTIONS, args).await.map(Json)
    }

    #[tool(
        name = "list_datablocks",
        description = "List one kind of datablock in the file (materials, meshes, images, lights, \
                       cameras, collections, node_groups, curves, textures, worlds, actions) with \
                       user counts and kind-specific facts, paged.",
        annotations(
            title = "List datablocks",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn list_datablocks(
        &self,
        Parameters(input): Parameters<ListDatablocksInput>,
    ) -> Result<Json<DatablockList>, ToolError> {
        if input.limit == 0 || input.limit > 1000 {
            return Err(ToolError::new(format!(
                "limit must be between 1 and 1000; got {}",
                input.limit
            )));
        }
        let args = snippet_args(&input)?;
        self.run_snippet(&DATABLOCKS, args).await.map(Json)
    }

    #[tool(
        name = "scene_statistics",
        description = "Scene totals: objects (by type), vertices, edges, faces and triangles \
                       (after modifiers unless evaluated=false), materials, collections, frames.",
        annotations(
            title = "Scene statistics",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn scene_statistics(
        &self,
        Parameters(input): Parameters<SceneStatisticsInput>,
    ) -> Result<Json<SceneStatistics>, ToolError> {
        self.run_snippet(&STATS, json!({ "evaluated": input.evaluated }))
            .await
            .map(Json)
    }
}
