//! The placement fields every tool that puts or moves an object shares,
//! declared once so their names, units and documentation never drift apart
//! between objects, lights and cameras. Flattened into each input: the
//! snippets read the same flat keys (`location`, `rotation_degrees`, ...).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A point or vector [x, y, z].
pub type Vec3 = [f64; 3];

/// Where an object sits and how it is turned. Omitted fields: a new object
/// gets the origin and no rotation, an existing one keeps its own.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct Pose {
    /// Location [x, y, z] in parent space.
    #[serde(default)]
    pub location: Option<Vec3>,
    /// Euler rotation in degrees [x, y, z].
    #[serde(default)]
    pub rotation_degrees: Option<Vec3>,
}

impl Pose {
    /// Whether the call asks for no change of pose.
    pub fn is_empty(&self) -> bool {
        self.location.is_none() && self.rotation_degrees.is_none()
    }
}

/// A new object's pose and the collection it goes into.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct Placement {
    #[serde(flatten)]
    pub pose: Pose,
    /// Collection to put it in (default the active collection).
    #[serde(default)]
    pub collection: Option<String>,
}
