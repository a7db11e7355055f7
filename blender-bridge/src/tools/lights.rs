//! Lights and cameras: add and tune lights, add cameras, aim any object at
//! a target, choose the active camera.

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::objects::ObjectRef;
use super::placement::{Placement, Pose, Vec3};
use super::{colour, BlenderTools, ToolError};
use crate::tools::snippet_args;
use crate::Snippet;

static LIGHT: Snippet = typed_snippet!("set_light", "light_set.py");
static CAMERA: Snippet = typed_snippet!("set_camera", "camera_set.py");

/// Blender's light types.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum LightType {
    /// Omnidirectional, from a point.
    Point,
    /// Parallel rays from infinitely far (rotation matters, location not).
    Sun,
    /// A cone.
    Spot,
    /// A rectangle.
    Area,
}

/// Something to look at: an object's origin or a point.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Target {
    /// Look at this object's origin.
    #[serde(default)]
    pub object: Option<String>,
    /// Look at this point [x, y, z].
    #[serde(default)]
    pub location: Option<Vec3>,
}

/// The light settings `add_light` and `set_light` share.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct LightSettings {
    /// Power in watts (sun: irradiance in W/m²).
    #[serde(default)]
    pub energy: Option<f64>,
    /// Colour [r, g, b], 0-1.
    #[serde(default)]
    pub color: Option<Vec<f64>>,
    /// Soft-shadow size: radius (point/spot), edge length (area), angle in
    /// degrees (sun).
    #[serde(default)]
    pub radius: Option<f64>,
    /// Cone angle in degrees (spot lights only).
    #[serde(default)]
    pub spot_size_degrees: Option<f64>,
    /// Aim the light (its -Z axis) at an object or point; overrides rotation.
    #[serde(default)]
    pub look_at: Option<Target>,
}

/// Arguments of `add_light`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AddLightInput {
    /// Name of the new light object (refused if taken).
    pub name: String,
    /// POINT (default), SUN, SPOT or AREA.
    #[serde(default)]
    pub light_type: Option<LightType>,
    #[serde(flatten)]
    pub placement: Placement,
    #[serde(flatten)]
    pub settings: LightSettings,
}

/// Arguments of `set_light`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SetLightInput {
    /// The light object.
    pub name: String,
    /// Change the light's type.
    #[serde(default)]
    pub light_type: Option<LightType>,
    #[serde(flatten)]
    pub pose: Pose,
    #[serde(flatten)]
    pub settings: LightSettings,
}

/// A light after `add_light` / `set_light`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct LightOutput {
    #[serde(flatten)]
    pub object: ObjectRef,
    /// POINT, SUN, SPOT or AREA.
    pub light_type: String,
    /// Power.
    pub energy: f64,
    /// Colour [r, g, b].
    pub color: Vec3,
}

/// Arguments of `add_camera`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AddCameraInput {
    /// Name of the new camera object (refused if taken).
    pub name: String,
    #[serde(flatten)]
    pub placement: Placement,
    /// Point the camera at an object or point (overrides rotation_degrees).
    #[serde(default)]
    pub look_at: Option<Target>,
    /// Focal length in mm (default 50).
    #[serde(default)]
    pub lens_mm: Option<f64>,
    /// Make it the scene's active camera (default true).
    #[serde(default = "crate::tools::default_true")]
    pub make_active: bool,
}

/// Arguments of `point_at`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct PointAtInput {
    /// The object to turn (a camera, a light, anything).
    pub name: String,
    /// What it should face.
    pub look_at: Target,
}

/// Arguments of `set_active_camera`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SetActiveCameraInput {
    /// The camera object renders should use.
    pub name: String,
}

/// A camera (or aimed object) after the call.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct CameraOutput {
    #[serde(flatten)]
    pub object: ObjectRef,
    /// Whether it is the scene's active camera.
    pub active: bool,
    /// Focal length in mm (null for non-cameras).
    pub lens_mm: Option<f64>,
}

fn check_target(target: &Option<Target>) -> Result<(), ToolError> {
    match target {
        Some(Target {
            object: None,
            location: None,
        }) => Err(ToolError::new(
            "look_at needs either object (a name) or location ([x, y, z])",
        )),
        Some(Target {
            object: Some(_),
            location: Some(_),
        }) => Err(ToolError::new("look_at takes object or location, not both")),
        _ => Ok(()),
    }
}

fn check_light(settings: &LightSettings) -> Result<(), ToolError> {
    check_target(&settings.look_at)?;
    if settings
        .energy
        .is_some_and(|e| !(e >= 0.0 && e.is_finite()))
    {
        return Err(ToolError::new("energy must be 0 or more"));
    }
    colour::check("color", &settings.color)?;
    if settings
        .spot_size_degrees
        .is_some_and(|a| !(1.0..=180.0).contains(&a))
    {
        return Err(ToolError::new(
            "spot_size_degrees must be between 1 and 180",
        ));
    }
    Ok(())
}

/// The snippet's arguments: the input plus the mode flags.
fn with_flags<T: Serialize>(input: &T, flags: Value) -> Result<Value, ToolError> {
    let mut args = snippet_args(input)?;
    if let (Some(args), Value::Object(flags)) = (args.as_object_mut(), flags) {
        args.extend(flags);
    }
    Ok(args)
}

#[tool_router(router = lights_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "add_light",
        description = "Add a light (POINT, SUN, SPOT or AREA) with energy (W), colour, shadow \
                       radius, spot size, location/rotation, optionally aimed at an object or point.",
        annotations(
            title = "Add light",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn add_light(
        &self,
        Parameters(input): Parameters<AddLightInput>,
    ) -> Result<Json<LightOutput>, ToolError> {
        check_light(&input.settings)?;
        self.run_snippet(&LIGHT, with_flags(&input, json!({ "create": true }))?)
            .await
            .map(Json)
    }

    #[tool(
        name = "set_light",
        description = "Change an existing light: type, energy, colour, shadow radius, spot size, \
                       location/rotation or aim. Only the values given change.",
        annotations(
            title = "Set light",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn set_light(
        &self,
        Parameters(input): Parameters<SetLightInput>,
    ) -> Result<Json<LightOutput>, ToolError> {
        check_light(&input.settings)?;
        self.run_snippet(&LIGHT, with_flags(&input, json!({ "create": false }))?)
            .await
            .map(Json)
    }

    #[tool(
        name = "add_camera",
        description = "Add a camera at a location, aimed at an object or point (look_at) or with \
                       a rotation, with a focal length; it becomes the active camera unless \
                       make_active=false.",
        annotations(
            title = "Add camera",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn add_camera(
        &self,
        Parameters(input): Parameters<AddCameraInput>,
    ) -> Result<Json<CameraOutput>, ToolError> {
        check_target(&input.look_at)?;
        if input.lens_mm.is_some_and(|l| !(1.0..=5000.0).contains(&l)) {
            return Err(ToolError::new("lens_mm must be between 1 and 5000"));
        }
        self.run_snippet(&CAMERA, with_flags(&input, json!({ "create": true }))?)
            .await
            .map(Json)
    }

    #[tool(
        name = "point_at",
        description = "Turn an object (camera, light or any other) so its view axis (-Z) faces \
                       another object's origin or a point.",
        annotations(
            title = "Point at",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn point_at(
        &self,
        Parameters(input): Parameters<PointAtInput>,
    ) -> Result<Json<CameraOutput>, ToolError> {
        check_target(&Some(Target {
            object: input.look_at.object.clone(),
            location: input.look_at.location,
        }))?;
        self.run_snippet(
            &CAMERA,
            with_flags(&input, json!({ "require_camera": false }))?,
        )
        .await
        .map(Json)
    }

    #[tool(
        name = "set_active_camera",
        description = "Make a camera the scene's active camera (the one renders use).",
        annotations(
            title = "Set active camera",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn set_active_camera(
        &self,
        Parameters(input): Parameters<SetActiveCameraInput>,
    ) -> Result<Json<CameraOutput>, ToolError> {
        self.run_snippet(&CAMERA, with_flags(&input, json!({ "make_active": true }))?)
            .await
            .map(Json)
    }
}
