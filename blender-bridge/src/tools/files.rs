//! File tools: save / open `.blend`, import and export glTF/GLB, OBJ, FBX,
//! STL and PLY. Every path is confined to the allowed roots (see
//! [`super::ToolConfig`]) before Blender sees it.

use std::path::Path;

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::objects::ObjectRef;
use super::{BlenderTools, ToolError};
use crate::Snippet;

static SAVE: Snippet = typed_snippet!("save_blend", "file_save.py");
static OPEN: Snippet = typed_snippet!("open_blend", "file_open.py");
static IMPORT: Snippet = typed_snippet!("import_file", "file_exchange.py", "file_import.py");
static EXPORT: Snippet = typed_snippet!("export_file", "file_exchange.py", "file_export.py");

/// Interchange formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// glTF 2.0, JSON with a separate .bin.
    Gltf,
    /// glTF 2.0, binary single file.
    Glb,
    /// Wavefront OBJ.
    Obj,
    /// Autodesk FBX.
    Fbx,
    /// STL (meshes only).
    Stl,
    /// Stanford PLY (meshes only).
    Ply,
}

impl Format {
    /// The format a file name implies, from its extension.
    fn from_path(path: &str) -> Option<Self> {
        let ext = Path::new(path).extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "gltf" => Self::Gltf,
            "glb" => Self::Glb,
            "obj" => Self::Obj,
            "fbx" => Self::Fbx,
            "stl" => Self::Stl,
            "ply" => Self::Ply,
            _ => return None,
        })
    }
}

/// Arguments of `save_blend`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SaveBlendInput {
    /// Where to save (.blend), on Blender's filesystem and under an allowed
    /// root; relative paths go under the output directory. Omit to save to
    /// the file's current path.
    #[serde(default)]
    pub path: Option<String>,
    /// Save a copy and keep working on the current file.
    #[serde(default)]
    pub copy: bool,
    /// Compress the file.
    #[serde(default)]
    pub compress: bool,
}

/// The answer of `save_blend`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SaveBlendOutput {
    /// The file written.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// The file Blender now considers open.
    pub current_file: String,
}

/// Arguments of `open_blend`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct OpenBlendInput {
    /// The .blend file to open (replaces the whole session: unsaved changes
    /// are lost), on Blender's filesystem and under an allowed root.
    pub path: String,
}

/// The answer of `open_blend`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct OpenBlendOutput {
    /// The file now open.
    pub path: String,
    /// Its active scene.
    pub scene: String,
    /// Objects in that scene.
    pub objects: u64,
}

/// Arguments of `import_file`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ImportFileInput {
    /// The file to import, on Blender's filesystem and under an allowed root.
    pub path: String,
    /// gltf, glb, obj, fbx, stl or ply (default: from the extension).
    #[serde(default)]
    pub format: Option<Format>,
}

/// The answer of `import_file`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ImportFileOutput {
    /// The file imported.
    pub path: String,
    /// Its format.
    pub format: Format,
    /// The objects the import added.
    pub objects: Vec<ObjectRef>,
}

/// Arguments of `export_file`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExportFileInput {
    /// The file to write, on Blender's filesystem and under an allowed root;
    /// relative paths go under the output directory.
    pub path: String,
    /// gltf, glb, obj, fbx, stl or ply (default: from the extension).
    #[serde(default)]
    pub format: Option<Format>,
    /// Objects to export (default: every object in the view layer).
    #[serde(default)]
    pub objects: Option<Vec<String>>,
}

/// The answer of `export_file`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ExportFileOutput {
    /// The file written.
    pub path: String,
    /// Its format.
    pub format: Format,
    /// Its size in bytes.
    pub bytes: u64,
    /// The objects exported.
    pub objects: Vec<String>,
}

/// The format to use: the one given, else the extension's.
fn format_of(path: &str, given: Option<Format>) -> Result<Format, ToolError> {
    given.or_else(|| Format::from_path(path)).ok_or_else(|| {
        ToolError::new(format!(
            "cannot tell the format of {path}: give format (gltf, glb, obj, fbx, stl, ply) or use that extension"
        ))
    })
}

fn require_extension(path: &str, ext: &str) -> Result<(), ToolError> {
    match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case(ext) => Ok(()),
        _ => Err(ToolError::new(format!("{path} is not a .{ext} file"))),
    }
}

/// Makes sure the directory a file will be written to exists.
fn ensure_parent(path: &Path) -> Result<(), ToolError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| ToolError::new(format!("cannot create {}: {e}", parent.display())))?;
    }
    Ok(())
}

#[tool_router(router = files_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "save_blend",
        description = "Save the session as a .blend file: to path (save-as; copy=true saves a copy \
                       and keeps the current file), or to the current file without path. Paths are \
                       on Blender's machine and must be under the server's allowed directories.",
        annotations(
            title = "Save .blend",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn save_blend(
        &self,
        Parameters(input): Parameters<SaveBlendInput>,
    ) -> Result<Json<SaveBlendOutput>, ToolError> {
        let path = match &input.path {
            Some(path) => {
                require_extension(path, "blend")?;
                let confined = self.config.confine(path)?;
                ensure_parent(&confined)?;
                Some(confined)
            }
            None => None,
        };
        let args = json!({ "path": path, "copy": input.copy, "compress": input.compress });
        self.run_snippet(&SAVE, args).await.map(Json)
    }

    #[tool(
        name = "open_blend",
        description = "Open a .blend file, replacing the current session (unsaved changes are \
                       lost). The path is on Blender's machine and must be under the server's \
                       allowed directories.",
        annotations(
            title = "Open .blend",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn open_blend(
        &self,
        Parameters(input): Parameters<OpenBlendInput>,
    ) -> Result<Json<OpenBlendOutput>, ToolError> {
        require_extension(&input.path, "blend")?;
        let path = self.config.confine(&input.path)?;
        self.run_snippet(&OPEN, json!({ "path": path }))
            .await
            .map(Json)
    }

    #[tool(
        name = "import_file",
        description = "Import a glTF/GLB, OBJ, FBX, STL or PLY file (format from the extension \
                       unless given) and list the objects it added. The path is on Blender's \
                       machine and must be under the server's allowed directories.",
        annotations(
            title = "Import file",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn import_file(
        &self,
        Parameters(input): Parameters<ImportFileInput>,
    ) -> Result<Json<ImportFileOutput>, ToolError> {
        let format = format_of(&input.path, input.format)?;
        let path = self.config.confine(&input.path)?;
        if !path.is_file() {
            return Err(ToolError::new(format!("no file at {}", path.display())));
        }
        self.run_snippet(&IMPORT, json!({ "path": path, "format": format }))
            .await
            .map(Json)
    }

    #[tool(
        name = "export_file",
        description = "Export objects (default: all in the view layer) to glTF/GLB, OBJ, FBX, STL \
                       or PLY (format from the extension unless given). The path is on Blender's \
                       machine and must be under the server's allowed directories; relative \
                       paths go under the output directory.",
        annotations(
            title = "Export file",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn export_file(
        &self,
        Parameters(input): Parameters<ExportFileInput>,
    ) -> Result<Json<ExportFileOutput>, ToolError> {
        let format = format_of(&input.path, input.format)?;
        let path = self.config.confine(&input.path)?;
        ensure_parent(&path)?;
        if input.objects.as_ref().is_some_and(Vec::is_empty) {
            return Err(ToolError::new(
                "objects is empty: list objects, or omit it to export all",
            ));
        }
        let args = json!({ "path": path, "format": format, "objects": input.objects });
        self.run_snippet(&EXPORT, args).await.map(Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_comes_from_the_extension_unless_given() {
        assert_eq!(format_of("a/b/model.GLB", None).unwrap(), Format::Glb);
        assert_eq!(format_of("scene.gltf", None).unwrap(), Format::Gltf);
        assert_eq!(
            format_of("mesh.stl", Some(Format::Ply)).unwrap(),
            Format::Ply
        );
        let err = format_of("notes.txt", None).unwrap_err();
        assert!(err.message().contains("cannot tell the format"), "{err}");
    }

    #[test]
    fn blend_paths_need_the_blend_extension() {
        assert!(require_extension("x/scene.blend", "blend").is_ok());
        assert!(require_extension("x/scene.BLEND", "blend").is_ok());
        assert!(require_extension("x/scene.blend1", "blend").is_err());
        assert!(require_extension("scene", "blend").is_err());
    }
}
