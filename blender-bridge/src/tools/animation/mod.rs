//! Animation: key any animatable property of an object, its data, a
//! material (node values included) or the world; set the frame range; read
//! an ID's F-curves back on every Blender version (5.x keeps them in
//! layered actions, per slot).

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BlenderTools, ToolError};
use crate::tools::snippet_args;
use crate::Snippet;

static SET_KEYFRAMES: Snippet = group_snippet!(
    "set_keyframes",
    "../snippets/rna.py",
    "animated.py",
    "set_keyframes.py"
);
static GET_ANIMATION: Snippet = group_snippet!(
    "get_animation",
    "../snippets/rna.py",
    "animated.py",
    "get_animation.py"
);
static FRAME_RANGE: Snippet =
    group_snippet!("set_frame_range", "../snippets/rna.py", "frame_range.py");

/// A keyed value: a number or boolean for one channel, a list for a whole
/// vector property.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum KeyValue {
    Number(f64),
    Bool(bool),
    Vector(Vec<f64>),
}

/// One keyframe to insert.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct KeyframeInput {
    pub frame: f64,
    pub value: KeyValue,
}

/// Arguments of `set_keyframes`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SetKeyframesInput {
    /// The object (not needed when datablock is world or material:NAME).
    #[serde(default)]
    pub object: Option<String>,
    /// RNA path on the datablock: `location`, `rotation_euler[2]`, `energy`
    /// (datablock data of a light), `nodes["Principled BSDF"].inputs["Roughness"].default_value`
    /// (material or world).
    pub data_path: String,
    /// One channel of a vector property (0=X); without it, values are whole vectors.
    #[serde(default)]
    pub index: Option<u32>,
    pub keyframes: Vec<KeyframeInput>,
    /// Blender's keyframe interpolation: CONSTANT, LINEAR, BEZIER (default), SINE, ...
    #[serde(default)]
    pub interpolation: Option<String>,
    /// `object` (default), `data` (the object's mesh/light/camera...),
    /// `world`, or `material:NAME`.
    #[serde(default)]
    pub datablock: Option<String>,
}

/// Arguments of `get_animation`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct GetAnimationInput {
    /// The object (not needed when datablock is world or material:NAME).
    #[serde(default)]
    pub object: Option<String>,
    /// `object` (default), `data`, `world`, or `material:NAME` (with its node tree).
    #[serde(default)]
    pub datablock: Option<String>,
}

/// Arguments of `set_frame_range`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct FrameRangeInput {
    pub start: i64,
    /// Last frame (inclusive).
    pub end: i64,
    /// Frames per second; fractional rates such as 29.97 are kept exactly.
    #[serde(default)]
    pub fps: Option<f64>,
}

/// A keyframe as read back.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Keyframe {
    pub frame: f64,
    pub value: f64,
    /// Only when the curve mixes interpolations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpolation: Option<String>,
}

/// One animated channel.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct FCurve {
    pub data_path: String,
    /// Channel of a vector property (0 for single values).
    pub index: u32,
    pub keyframes: Vec<Keyframe>,
    /// The keys' interpolation, MIXED when they differ.
    pub interpolation: Option<String>,
}

/// What `set_keyframes` answers: the channels it keyed, in full.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct KeyframesOutput {
    /// The ID holding the animation (a material's node values: its node tree).
    pub datablock: String,
    /// Its RNA type: Object, Material, ShaderNodeTree, World, ...
    pub datablock_type: String,
    pub action: String,
    pub fcurves: Vec<FCurve>,
}

/// What `get_animation` answers.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AnimationOutput {
    pub datablock: String,
    pub datablock_type: String,
    /// Actions read (a material's own and its node tree's).
    pub actions: Vec<String>,
    pub frame_start: i64,
    pub frame_end: i64,
    pub fps: f64,
    pub fcurves: Vec<FCurve>,
    /// For an object: its other animated datablocks, as `datablock` values (`data`, `material:NAME`).
    pub also_animated: Vec<String>,
}

/// The scene's frame range after `set_frame_range`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct FrameRangeOutput {
    pub frame_start: i64,
    pub frame_end: i64,
    pub frame_current: i64,
    pub fps: f64,
}

fn check_keyframes(input: &SetKeyframesInput) -> Result<(), ToolError> {
    if input.keyframes.is_empty() {
        return Err(ToolError::new(
            "keyframes is empty: give at least one {frame, value}",
        ));
    }
    if let Some(bad) = input.keyframes.iter().find(|k| !k.frame.is_finite()) {
        return Err(ToolError::new(format!(
            "frame must be a finite number; got {}",
            bad.frame
        )));
    }
    Ok(())
}

#[tool_router(router = animation_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "set_keyframes",
        description = "Insert keyframes on an animatable property of an object, its data, a \
                       material (node inputs too) or the world. Returns the keyed F-curves; a bad \
                       path names the closest animatable properties.",
        annotations(
            title = "Set keyframes",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn set_keyframes(
        &self,
        Parameters(input): Parameters<SetKeyframesInput>,
    ) -> Result<Json<KeyframesOutput>, ToolError> {
        check_keyframes(&input)?;
        self.run_snippet(&SET_KEYFRAMES, snippet_args(&input)?)
            .await
            .map(Json)
    }

    #[tool(
        name = "set_frame_range",
        description = "Set the scene's frame range (inclusive) and optionally its frame rate.",
        annotations(
            title = "Set frame range",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn set_frame_range(
        &self,
        Parameters(input): Parameters<FrameRangeInput>,
    ) -> Result<Json<FrameRangeOutput>, ToolError> {
        if input.fps.is_some_and(|fps| !(fps > 0.0 && fps <= 1000.0)) {
            return Err(ToolError::new("fps must be above 0 and at most 1000"));
        }
        self.run_snippet(&FRAME_RANGE, snippet_args(&input)?)
            .await
            .map(Json)
    }

    #[tool(
        name = "get_animation",
        description = "The F-curves (path, index, keyframes, interpolation) of an object, its \
                       data, a material or the world, with the scene's frame range and fps.",
        annotations(
            title = "Get animation",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn get_animation(
        &self,
        Parameters(input): Parameters<GetAnimationInput>,
    ) -> Result<Json<AnimationOutput>, ToolError> {
        self.run_snippet(&GET_ANIMATION, snippet_args(&input)?)
            .await
            .map(Json)
    }
}
