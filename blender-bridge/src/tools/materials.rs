//! Material tools: a Principled BSDF material made, tuned and assigned in
//! one call, and the list of materials.

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{colour, BlenderTools, ToolError};
use crate::tools::snippet_args;
use crate::Snippet;

static SET_MATERIAL: Snippet = typed_snippet!("set_material", "material_set.py");
static LIST_MATERIALS: Snippet = typed_snippet!("list_materials", "material_list.py");

/// Arguments of `set_material`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SetMaterialInput {
    /// The material's name: created if it does not exist, else updated.
    pub name: String,
    /// Base colour [r, g, b] or [r, g, b, a], each 0-1 (linear).
    #[serde(default)]
    pub base_color: Option<Vec<f64>>,
    /// Metallic, 0-1.
    #[serde(default)]
    pub metallic: Option<f64>,
    /// Roughness, 0-1.
    #[serde(default)]
    pub roughness: Option<f64>,
    /// Emission colour [r, g, b] (0-1).
    #[serde(default)]
    pub emission_color: Option<Vec<f64>>,
    /// Emission strength (0 = none).
    #[serde(default)]
    pub emission_strength: Option<f64>,
    /// Opacity, 0-1; below 1 also switches the material to blended transparency.
    #[serde(default)]
    pub alpha: Option<f64>,
    /// Assign the material to this object.
    #[serde(default)]
    pub object: Option<String>,
    /// Material slot to assign to (default 0; the slot count appends a slot).
    #[serde(default)]
    pub slot: Option<u32>,
}

/// A material's main Principled BSDF values.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct MaterialSummary {
    /// The material's name.
    pub name: String,
    /// How many users (object/mesh slots) it has.
    pub users: u64,
    /// Whether it has a Principled BSDF node (else the values below are null).
    pub principled: bool,
    /// Base colour [r, g, b, a].
    pub base_color: Option<Vec<f64>>,
    /// Metallic.
    pub metallic: Option<f64>,
    /// Roughness.
    pub roughness: Option<f64>,
    /// Emission colour [r, g, b, a].
    pub emission_color: Option<Vec<f64>>,
    /// Emission strength.
    pub emission_strength: Option<f64>,
    /// Alpha.
    pub alpha: Option<f64>,
    /// Objects using it (list_materials only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<Vec<String>>,
}

/// Where `set_material` assigned the material.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Assignment {
    /// The object.
    pub object: String,
    /// The slot index.
    pub slot: u32,
}

/// The answer of `set_material`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SetMaterialOutput {
    /// True when the material was created by this call.
    pub created: bool,
    /// Where it was assigned, if it was.
    pub assigned_to: Option<Assignment>,
    /// The material after the change.
    pub material: MaterialSummary,
}

/// Arguments of `list_materials`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListMaterialsInput {}

/// The answer of `list_materials`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct MaterialList {
    /// Every material in the file.
    pub materials: Vec<MaterialSummary>,
}

/// Checks a 0-1 factor.
fn unit(name: &str, value: Option<f64>) -> Result<(), ToolError> {
    match value {
        Some(v) if !(0.0..=1.0).contains(&v) => Err(ToolError::new(format!(
            "{name} must be between 0 and 1; got {v}"
        ))),
        _ => Ok(()),
    }
}

#[tool_router(router = materials_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "set_material",
        description = "Create or update a Principled BSDF material (base_color, metallic, \
                       roughness, emission_color/strength, alpha; only the values given change) \
                       and optionally assign it to an object's material slot.",
        annotations(
            title = "Set material",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn set_material(
        &self,
        Parameters(input): Parameters<SetMaterialInput>,
    ) -> Result<Json<SetMaterialOutput>, ToolError> {
        if input.name.trim().is_empty() {
            return Err(ToolError::new("name is empty: give the material a name"));
        }
        colour::check("base_color", &input.base_color)?;
        colour::check("emission_color", &input.emission_color)?;
        unit("metallic", input.metallic)?;
        unit("roughness", input.roughness)?;
        unit("alpha", input.alpha)?;
        if input
            .emission_strength
            .is_some_and(|s| !(s >= 0.0 && s.is_finite()))
        {
            return Err(ToolError::new("emission_strength must be 0 or more"));
        }
        if input.slot.is_some() && input.object.is_none() {
            return Err(ToolError::new(
                "slot needs object: name the object to assign to",
            ));
        }
        let args = snippet_args(&input)?;
        self.run_snippet(&SET_MATERIAL, args).await.map(Json)
    }

    #[tool(
        name = "list_materials",
        description = "Every material in the file with its Principled BSDF values, user count \
                       and the objects using it.",
        annotations(
            title = "List materials",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn list_materials(
        &self,
        Parameters(_input): Parameters<ListMaterialsInput>,
    ) -> Result<Json<MaterialList>, ToolError> {
        self.run_snippet(&LIST_MATERIALS, json!({})).await.map(Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_are_checked_before_blender_sees_them() {
        assert!(unit("roughness", Some(0.5)).is_ok() && unit("roughness", None).is_ok());
        assert!(unit("roughness", Some(1.5))
            .unwrap_err()
            .message()
            .contains("between 0 and 1"));
    }
}
