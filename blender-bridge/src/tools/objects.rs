//! Object tools: create, duplicate, delete, rename, parent, transform,
//! select, hide, and move between collections.

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BlenderTools, ToolError};
use crate::tools::snippet_args;
use crate::Snippet;

static CREATE: Snippet = typed_snippet!("create_object", "object_create.py");
static DUPLICATE: Snippet = typed_snippet!("duplicate_object", "object_duplicate.py");
static DELETE: Snippet = typed_snippet!("delete_objects", "object_delete.py");
static RENAME: Snippet = typed_snippet!("rename_object", "object_rename.py");
static PARENT: Snippet = typed_snippet!("set_parent", "object_parent.py");
static TRANSFORM: Snippet = typed_snippet!("set_transform", "object_transform.py");
static SELECT: Snippet = typed_snippet!("select_objects", "object_select.py");
static VISIBILITY: Snippet = typed_snippet!("set_visibility", "object_visibility.py");
static COLLECTION: Snippet = typed_snippet!("move_to_collection", "object_collection.py");

pub use super::placement::Vec3;
use super::placement::{Placement, Pose};

/// An object as every object tool reports it back.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ObjectRef {
    /// The object's unique name (use it in later calls).
    pub name: String,
    /// MESH, EMPTY, FONT, CURVE, LIGHT, CAMERA, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Its data block (mesh, curve, light...), if any.
    pub data: Option<String>,
    /// Location in parent space.
    pub location: Vec3,
    /// Euler rotation in degrees.
    pub rotation_degrees: Vec3,
    /// Scale per axis.
    pub scale: Vec3,
    /// The parent's name, if any.
    pub parent: Option<String>,
    /// Collections the object is in.
    pub collections: Vec<String>,
}

/// What `create_object` makes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Cube,
    Plane,
    Grid,
    Circle,
    UvSphere,
    IcoSphere,
    Cylinder,
    Cone,
    Torus,
    Monkey,
    Empty,
    Text,
    Curve,
}

/// Arguments of `create_object`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct CreateObjectInput {
    /// What to create: a mesh primitive, an empty, a text or a Bezier curve.
    pub kind: ObjectKind,
    /// Name for the new object (Blender appends .001 if taken; the answer
    /// has the real name). Default: from the kind.
    #[serde(default)]
    pub name: Option<String>,
    /// Overall size in scene units (default 2: a 2 m cube, a 1 m radius sphere).
    #[serde(default)]
    pub size: Option<f64>,
    #[serde(flatten)]
    pub placement: Placement,
    /// Scale [x, y, z].
    #[serde(default)]
    pub scale: Option<Vec3>,
    /// The text, for kind "text".
    #[serde(default)]
    pub text: Option<String>,
}

/// Arguments of `duplicate_object`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DuplicateObjectInput {
    /// The object to copy.
    pub name: String,
    /// Name for the copy (default: Blender's "<name>.001").
    #[serde(default)]
    pub new_name: Option<String>,
    /// Share the mesh/curve data with the original instead of copying it.
    #[serde(default)]
    pub linked: bool,
    /// Offset [x, y, z] added to the copy's location.
    #[serde(default)]
    pub location: Option<Vec3>,
}

/// Arguments of `delete_objects`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DeleteObjectsInput {
    /// Objects to delete. All names are checked first: one unknown name
    /// deletes nothing.
    pub names: Vec<String>,
    /// Keep mesh/curve/light data that no other object uses (default: removed).
    #[serde(default)]
    pub keep_data: bool,
}

/// The answer of `delete_objects`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DeleteObjectsOutput {
    /// The objects deleted.
    pub deleted: Vec<String>,
    /// Data blocks removed because nothing used them any more.
    pub removed_data: Vec<String>,
}

/// Arguments of `rename_object`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RenameObjectInput {
    /// The object's current name.
    pub name: String,
    /// The new name; refused if another object has it.
    pub new_name: String,
    /// Rename its data block (mesh, light...) too.
    #[serde(default)]
    pub rename_data: bool,
}

/// Arguments of `set_parent`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SetParentInput {
    /// The child object.
    pub name: String,
    /// The new parent; null to clear the parent.
    pub parent: Option<String>,
    /// Keep the child where it is in the world (default true); false keeps its
    /// local transform, so it moves with the new parent.
    #[serde(default = "crate::tools::default_true")]
    pub keep_transform: bool,
}

/// Arguments of `set_transform`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SetTransformInput {
    /// The object.
    pub name: String,
    #[serde(flatten)]
    pub pose: Pose,
    /// Scale [x, y, z].
    #[serde(default)]
    pub scale: Option<Vec3>,
    /// Add location and rotation to the current values and multiply the
    /// scale, instead of replacing them.
    #[serde(default)]
    pub relative: bool,
}

/// Arguments of `select_objects`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SelectObjectsInput {
    /// Objects to select (empty with extend=false clears the selection).
    pub names: Vec<String>,
    /// Add to the current selection instead of replacing it.
    #[serde(default)]
    pub extend: bool,
    /// Make this object the active one.
    #[serde(default)]
    pub active: Option<String>,
}

/// The answer of `select_objects`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Selection {
    /// Every selected object of the view layer.
    pub selected: Vec<String>,
    /// The active object.
    pub active: Option<String>,
}

/// Arguments of `set_visibility`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SetVisibilityInput {
    /// The objects.
    pub names: Vec<String>,
    /// Show (true) or hide (false) in the viewport; omit to leave as is.
    #[serde(default)]
    pub viewport: Option<bool>,
    /// Show (true) or hide (false) in renders; omit to leave as is.
    #[serde(default)]
    pub render: Option<bool>,
}

/// One object's visibility.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ObjectVisibility {
    /// The object.
    pub name: String,
    /// Shown in the viewport.
    pub viewport: bool,
    /// Shown in renders.
    pub render: bool,
}

/// The answer of `set_visibility`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct VisibilityOutput {
    /// The objects, after the change.
    pub objects: Vec<ObjectVisibility>,
}

/// Arguments of `move_to_collection`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct MoveToCollectionInput {
    /// The objects.
    pub names: Vec<String>,
    /// The target collection (the scene's root is "Scene Collection").
    pub collection: String,
    /// Create the collection under the scene if it does not exist.
    #[serde(default)]
    pub create: bool,
    /// Link into the collection but stay in the current ones too.
    #[serde(default)]
    pub keep_others: bool,
}

/// The answer of `move_to_collection`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct MoveToCollectionOutput {
    /// The collection the objects are now in.
    pub collection: String,
    /// The objects, after the move.
    pub objects: Vec<ObjectRef>,
}

/// Refuses an empty list of names with a sentence the model can act on.
fn require_names(names: &[String]) -> Result<(), ToolError> {
    if names.is_empty() {
        return Err(ToolError::new(
            "names is empty: list at least one object name",
        ));
    }
    Ok(())
}

/// Serialises validated input for the snippet.
fn args_of<T: Serialize>(input: &T) -> Result<serde_json::Value, ToolError> {
    snippet_args(input)
}

#[tool_router(router = objects_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "create_object",
        description = "Create an object: a mesh primitive (cube, plane, grid, circle, uv_sphere, \
                       ico_sphere, cylinder, cone, torus, monkey), an empty, a text or a Bezier \
                       curve, with optional name, size, location, rotation (degrees), scale and \
                       collection. Returns the object with its actual name.",
        annotations(
            title = "Create object",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn create_object(
        &self,
        Parameters(input): Parameters<CreateObjectInput>,
    ) -> Result<Json<ObjectRef>, ToolError> {
        if input.size.is_some_and(|s| !(s > 0.0 && s.is_finite())) {
            return Err(ToolError::new("size must be a positive number"));
        }
        self.run_snippet(&CREATE, args_of(&input)?).await.map(Json)
    }

    #[tool(
        name = "duplicate_object",
        description = "Copy an object (with its own copy of the mesh, or sharing it when \
                       linked=true) into the same collections, optionally offset by location.",
        annotations(
            title = "Duplicate object",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn duplicate_object(
        &self,
        Parameters(input): Parameters<DuplicateObjectInput>,
    ) -> Result<Json<ObjectRef>, ToolError> {
        self.run_snippet(&DUPLICATE, args_of(&input)?)
            .await
            .map(Json)
    }

    #[tool(
        name = "delete_objects",
        description = "Delete objects by name (all or nothing: an unknown name deletes none), \
                       removing mesh/curve/light data no other object uses unless keep_data.",
        annotations(
            title = "Delete objects",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn delete_objects(
        &self,
        Parameters(input): Parameters<DeleteObjectsInput>,
    ) -> Result<Json<DeleteObjectsOutput>, ToolError> {
        require_names(&input.names)?;
        self.run_snippet(&DELETE, args_of(&input)?).await.map(Json)
    }

    #[tool(
        name = "rename_object",
        description = "Rename an object (refused if the new name is taken), optionally its data too.",
        annotations(
            title = "Rename object",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn rename_object(
        &self,
        Parameters(input): Parameters<RenameObjectInput>,
    ) -> Result<Json<ObjectRef>, ToolError> {
        if input.new_name.trim().is_empty() {
            return Err(ToolError::new("new_name is empty"));
        }
        self.run_snippet(&RENAME, args_of(&input)?).await.map(Json)
    }

    #[tool(
        name = "set_parent",
        description = "Parent an object to another (parent=null clears it), keeping its world \
                       position unless keep_transform=false. Parent loops are refused.",
        annotations(
            title = "Set parent",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn set_parent(
        &self,
        Parameters(input): Parameters<SetParentInput>,
    ) -> Result<Json<ObjectRef>, ToolError> {
        self.run_snippet(&PARENT, args_of(&input)?).await.map(Json)
    }

    #[tool(
        name = "set_transform",
        description = "Set an object's location, rotation (Euler degrees) and/or scale; with \
                       relative=true, location and rotation are added and scale multiplied.",
        annotations(
            title = "Set transform",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn set_transform(
        &self,
        Parameters(input): Parameters<SetTransformInput>,
    ) -> Result<Json<ObjectRef>, ToolError> {
        if input.pose.is_empty() && input.scale.is_none() {
            return Err(ToolError::new(
                "give at least one of location, rotation_degrees, scale",
            ));
        }
        self.run_snippet(&TRANSFORM, args_of(&input)?)
            .await
            .map(Json)
    }

    #[tool(
        name = "select_objects",
        description = "Select objects (replacing or extending the selection) and optionally set \
                       the active object; exporters and operators act on the selection.",
        annotations(
            title = "Select objects",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn select_objects(
        &self,
        Parameters(input): Parameters<SelectObjectsInput>,
    ) -> Result<Json<Selection>, ToolError> {
        self.run_snippet(&SELECT, args_of(&input)?).await.map(Json)
    }

    #[tool(
        name = "set_visibility",
        description = "Show or hide objects in the viewport and/or in renders.",
        annotations(
            title = "Set visibility",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn set_visibility(
        &self,
        Parameters(input): Parameters<SetVisibilityInput>,
    ) -> Result<Json<VisibilityOutput>, ToolError> {
        require_names(&input.names)?;
        if input.viewport.is_none() && input.render.is_none() {
            return Err(ToolError::new(
                "give viewport and/or render (true shows, false hides)",
            ));
        }
        self.run_snippet(&VISIBILITY, args_of(&input)?)
            .await
            .map(Json)
    }

    #[tool(
        name = "move_to_collection",
        description = "Move objects into a collection (create=true makes it under the scene), or \
                       also link them there with keep_others=true.",
        annotations(
            title = "Move to collection",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn move_to_collection(
        &self,
        Parameters(input): Parameters<MoveToCollectionInput>,
    ) -> Result<Json<MoveToCollectionOutput>, ToolError> {
        require_names(&input.names)?;
        self.run_snippet(&COLLECTION, args_of(&input)?)
            .await
            .map(Json)
    }
}
