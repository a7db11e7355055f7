//! Local asset libraries: list the assets marked in .blend files (a file, a
//! folder, or the libraries configured in Blender's preferences) and append
//! or link one into the open file. Offline; paths the agent gives are
//! confined like every file tool's, while a configured library is named, as
//! the user chose it in Blender.

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{BlenderTools, ToolError};
use crate::Snippet;

static LIST: Snippet = group_snippet!(
    "list_assets",
    "../snippets/rna.py",
    "asset_library.py",
    "assets_list.py"
);
static APPEND: Snippet = group_snippet!(
    "append_asset",
    "../snippets/rna.py",
    "asset_library.py",
    "asset_append.py"
);

/// The kinds of datablock Blender marks as assets.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetType {
    /// An object (with its mesh, materials, ...).
    Object,
    /// A collection of objects.
    Collection,
    /// A material.
    Material,
    /// A node group (geometry, shader or compositor nodes).
    NodeGroup,
    /// A world.
    World,
    /// An action (pose or animation).
    Action,
    /// A brush.
    Brush,
}

/// Arguments of `list_assets`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ListAssetsInput {
    /// A configured library's name, or a path to a .blend file or a folder of
    /// them. Default: every configured library and the open file.
    #[serde(default)]
    pub library: Option<String>,
    /// Only assets of this type.
    #[serde(default, rename = "type")]
    pub asset_type: Option<AssetType>,
    /// Only assets whose name contains this (any case).
    #[serde(default)]
    pub name_contains: Option<String>,
    /// Most assets listed (default 100).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One asset.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AssetInfo {
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub asset_type: AssetType,
    /// The library it was found in (its name or path; "Current File").
    pub library: String,
    /// The .blend file holding it.
    pub file: Option<String>,
    /// Its catalog path ("Furniture/Chairs"), if it is in one.
    pub catalog: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its description, if any.
    pub description: Option<String>,
}

/// What `list_assets` found.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ListAssetsOutput {
    /// The assets, up to the limit.
    pub assets: Vec<AssetInfo>,
    /// How many matched in all.
    pub total: u64,
    /// The libraries searched.
    pub libraries: Vec<String>,
}

/// Arguments of `append_asset`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AppendAssetInput {
    /// A configured library's name, or a path to a .blend file or a folder.
    pub library: String,
    /// The asset's name.
    pub name: String,
    /// The asset's type.
    #[serde(rename = "type")]
    pub asset_type: AssetType,
    /// Link instead of appending a copy (default false).
    #[serde(default)]
    pub link: bool,
    /// Collection for an object or collection asset (default the active one).
    #[serde(default)]
    pub collection: Option<String>,
}

/// A datablock the file gained.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AddedDatablock {
    /// Its bpy.data collection (objects, meshes, materials, libraries, ...).
    #[serde(rename = "type")]
    pub collection: String,
    /// Its name.
    pub name: String,
}

/// What `append_asset` brought in.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AppendAssetOutput {
    /// The asset's name in this file (Blender adds .001 on a clash).
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub asset_type: AssetType,
    /// The library it came from.
    pub library: String,
    /// The .blend file it came from.
    pub file: String,
    /// Whether it was linked rather than appended.
    pub linked: bool,
    /// The collection an object or collection asset was put in.
    pub placed_in: Option<String>,
    /// Every datablock the file gained (the asset and what it uses).
    pub added: Vec<AddedDatablock>,
}

/// Whether `library` is a path rather than a configured library's name.
fn is_path(library: &str) -> bool {
    library.contains('/') || library.contains('\\') || library.ends_with(".blend")
}

impl BlenderTools {
    /// The snippet arguments naming a library: a confined `path`, or the
    /// configured library's name.
    fn library_args(&self, library: &str) -> Result<Map<String, Value>, ToolError> {
        let mut args = Map::new();
        if library.trim().is_empty() {
            return Err(ToolError::new(
                "library is empty; give a configured library's name or a path to a .blend file or folder",
            ));
        }
        if is_path(library) {
            let path = self.config().confine(library)?;
            args.insert("path".into(), json!(path.display().to_string()));
        } else {
            args.insert("library".into(), json!(library));
        }
        Ok(args)
    }
}

#[tool_router(router = assets_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "list_assets",
        description = "List assets marked in local asset libraries: a configured library (by \
                       name), a .blend file or a folder of them; by default every configured \
                       library and the open file. Gives name, type, catalog, tags, library, file.",
        annotations(
            title = "List assets",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn list_assets(
        &self,
        Parameters(input): Parameters<ListAssetsInput>,
    ) -> Result<Json<ListAssetsOutput>, ToolError> {
        if input.limit == Some(0) {
            return Err(ToolError::new("limit must be 1 or more"));
        }
        let mut args = match input.library.as_deref() {
            Some(library) => self.library_args(library)?,
            None => Map::new(),
        };
        args.insert("type".into(), json!(input.asset_type));
        args.insert("name_contains".into(), json!(input.name_contains));
        args.insert("limit".into(), json!(input.limit));
        self.run_snippet(&LIST, Value::Object(args)).await.map(Json)
    }

    #[tool(
        name = "append_asset",
        description = "Append (or link) an asset from a local library into the open file; \
                       objects and collections are put in the scene. Returns what was added.",
        annotations(
            title = "Append asset",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn append_asset(
        &self,
        Parameters(input): Parameters<AppendAssetInput>,
    ) -> Result<Json<AppendAssetOutput>, ToolError> {
        let mut args = self.library_args(&input.library)?;
        args.insert("name".into(), json!(input.name));
        args.insert("type".into(), json!(input.asset_type));
        args.insert("link".into(), json!(input.link));
        args.insert("collection".into(), json!(input.collection));
        self.run_snippet(&APPEND, Value::Object(args))
            .await
            .map(Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_library_names_are_told_apart() {
        assert!(is_path("/home/me/assets"));
        assert!(is_path("props.blend"));
        assert!(is_path("kits\\chairs"));
        assert!(!is_path("User Library"));
    }
}
