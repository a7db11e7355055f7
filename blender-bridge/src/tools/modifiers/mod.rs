//! Modifiers: add, tune, apply and remove the modifiers of an object.
//!
//! Settings are `{rna_property: value}` checked against the running
//! Blender's RNA (snippets/rna.py), so a wrong name or value is an error
//! that lists the valid ones; on a geometry-nodes modifier the inputs its
//! node group exposes are settings too, by name.

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::scene::{MeshStats, ModifierSummary};
use super::{BlenderTools, ToolError};
use crate::tools::snippet_args;
use crate::Snippet;

static EDIT: Snippet = group_snippet!(
    "add_modifier",
    "../snippets/rna.py",
    "modifier_info.py",
    "modifier_edit.py"
);
static APPLY: Snippet = group_snippet!(
    "apply_modifier",
    "../snippets/rna.py",
    "modifier_info.py",
    "modifier_apply.py"
);
static REMOVE: Snippet = group_snippet!(
    "remove_modifier",
    "../snippets/rna.py",
    "modifier_info.py",
    "modifier_remove.py"
);

/// Arguments of `add_modifier`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AddModifierInput {
    /// The object.
    pub object: String,
    /// Blender's modifier type: BEVEL, SUBSURF, ARRAY, SOLIDIFY, MIRROR,
    /// BOOLEAN, NODES, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Name of the modifier (default from the type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// {rna_property: value}, e.g. {"width": 0.1, "segments": 3}; pointers
    /// take a name ({"object": "Cutter"}).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Map<String, Value>>,
}

/// Arguments of `set_modifier`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SetModifierInput {
    /// The object.
    pub object: String,
    /// The modifier's name.
    pub modifier: String,
    /// {rna_property: value}; on a NODES modifier also {input name: value}.
    pub settings: Map<String, Value>,
}

/// Arguments of `apply_modifier` and `remove_modifier`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ModifierTarget {
    /// The object.
    pub object: String,
    /// The modifier's name.
    pub modifier: String,
}

/// A modifier after `add_modifier` / `set_modifier`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ModifierOutput {
    /// The object.
    pub object: String,
    /// The modifier as it is now.
    pub modifier: ModifierSummary,
    /// The object's modifier names, top to bottom.
    pub stack: Vec<String>,
}

/// The answer of `apply_modifier`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AppliedModifier {
    /// The object.
    pub object: String,
    /// The modifier baked into the object's data.
    pub applied: String,
    /// The modifiers left, top to bottom.
    pub stack: Vec<String>,
    /// The mesh after applying (null for non-mesh objects).
    pub mesh: Option<MeshStats>,
}

/// The answer of `remove_modifier`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RemovedModifier {
    /// The object.
    pub object: String,
    /// The modifier removed.
    pub removed: String,
    /// The modifiers left, top to bottom.
    pub stack: Vec<String>,
}

fn args_of<T: Serialize>(input: &T, create: bool) -> Result<Value, ToolError> {
    let mut args = snippet_args(input)?;
    args["create"] = Value::Bool(create);
    Ok(args)
}

#[tool_router(router = modifiers_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "add_modifier",
        description = "Add a modifier to an object, optionally with settings. type NODES gets a \
                       new geometry-nodes group (Group Input -> Group Output) unless settings \
                       name a node_group; edit it with edit_node_tree at geometry:OBJECT/MODIFIER.",
        annotations(
            title = "Add modifier",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn add_modifier(
        &self,
        Parameters(input): Parameters<AddModifierInput>,
    ) -> Result<Json<ModifierOutput>, ToolError> {
        self.run_snippet(&EDIT, args_of(&input, true)?)
            .await
            .map(Json)
    }

    #[tool(
        name = "set_modifier",
        description = "Change a modifier's settings (all or none); a geometry-nodes modifier also \
                       takes its group's inputs by name, e.g. {\"Count\": 40}.",
        annotations(
            title = "Set modifier",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn set_modifier(
        &self,
        Parameters(input): Parameters<SetModifierInput>,
    ) -> Result<Json<ModifierOutput>, ToolError> {
        self.run_snippet(&EDIT, args_of(&input, false)?)
            .await
            .map(Json)
    }

    #[tool(
        name = "apply_modifier",
        description = "Apply a modifier: bake its result into the object's data and remove it \
                       from the stack.",
        annotations(
            title = "Apply modifier",
            read_only_hint = false,
            destructive_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn apply_modifier(
        &self,
        Parameters(input): Parameters<ModifierTarget>,
    ) -> Result<Json<AppliedModifier>, ToolError> {
        self.run_snippet(&APPLY, args_of(&input, false)?)
            .await
            .map(Json)
    }

    #[tool(
        name = "remove_modifier",
        description = "Remove a modifier from an object's stack.",
        annotations(
            title = "Remove modifier",
            read_only_hint = false,
            destructive_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn remove_modifier(
        &self,
        Parameters(input): Parameters<ModifierTarget>,
    ) -> Result<Json<RemovedModifier>, ToolError> {
        self.run_snippet(&REMOVE, args_of(&input, false)?)
            .await
            .map(Json)
    }
}
