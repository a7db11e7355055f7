//! Mesh checks: what a 3D print, a boolean or a game export needs to know
//! about an object's mesh before it fails there.

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::objects::Vec3;
use super::{BlenderTools, ToolError};
use crate::tools::snippet_args;
use crate::Snippet;

static ANALYZE_MESH: Snippet = group_snippet!("analyze_mesh", "analyze_mesh.py");

/// Arguments of `analyze_mesh`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AnalyzeMeshInput {
    /// A mesh object (curves, text, surfaces and metaballs are converted).
    pub object: String,
    /// With modifiers applied (default true); false for the base mesh.
    #[serde(default = "crate::tools::default_true")]
    pub evaluated: bool,
}

/// The checks, measured in world space.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct MeshReport {
    pub name: String,
    pub evaluated: bool,
    pub vertices: u64,
    pub edges: u64,
    pub faces: u64,
    /// Faces with 3 corners.
    pub triangles: u64,
    /// Faces with 4 corners.
    pub quads: u64,
    /// Faces with more than 4 corners.
    pub ngons: u64,
    /// Edges not shared by exactly two faces (boundary, loose and 3+-face edges).
    pub non_manifold_edges: u64,
    /// Edges of exactly one face (holes, open borders).
    pub boundary_edges: u64,
    /// Vertices on no edge.
    pub loose_vertices: u64,
    /// Edges on no face.
    pub loose_edges: u64,
    /// Faces of area at most 1e-8.
    pub zero_area_faces: u64,
    /// Manifold edges whose two faces wind in opposite directions (flipped faces).
    pub inconsistent_normal_edges: u64,
    /// Closed, manifold, consistently oriented, with no loose parts.
    pub watertight: bool,
    pub surface_area: f64,
    /// Enclosed volume; null unless watertight.
    pub volume: Option<f64>,
    /// World bounding box corners (null for an empty mesh).
    pub bounds_min: Option<Vec3>,
    pub bounds_max: Option<Vec3>,
}

#[tool_router(router = mesh_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "analyze_mesh",
        description = "Check a mesh in world space: counts, tris/quads/ngons, non-manifold, boundary \
                       and loose elements, zero-area faces, flipped normals, watertightness, area, \
                       volume, bounds. Modifiers applied unless evaluated=false.",
        annotations(title = "Analyze mesh", read_only_hint = true, open_world_hint = false)
    )]
    pub async fn analyze_mesh(
        &self,
        Parameters(input): Parameters<AnalyzeMeshInput>,
    ) -> Result<Json<MeshReport>, ToolError> {
        self.run_snippet(&ANALYZE_MESH, snippet_args(&input)?)
            .await
            .map(Json)
    }
}
