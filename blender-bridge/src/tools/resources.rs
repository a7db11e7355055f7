//! MCP resources: the scene, each object, each material, the last image.
//!
//! Tools act; resources let a client show or attach the current state
//! without a tool call. URIs are `blender://scene`,
//! `blender://object/{name}`, `blender://material/{name}`,
//! `blender://node_group/{name}` (names percent-encoded) and
//! `blender://render/last`. After any tool that may
//! change the scene, clients that listen get `resources/list_changed`.

use std::sync::{Arc, Mutex};

use rmcp::model::{
    ListResourceTemplatesResult, ListResourcesResult, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate,
};
use rmcp::ErrorData;
use serde::Deserialize;
use serde_json::{json, Value};

use super::scene::{ObjectInfo, SceneInfo};
use super::BlenderTools;
use crate::Snippet;

static NAMES: Snippet = Snippet::new("resource_names", include_str!("snippets/resource_names.py"));
static MATERIAL: Snippet = typed_snippet!("material_info", "material_info.py");

/// How many objects and materials the resource list names; bigger scenes are
/// still readable through the templates.
const LISTED: usize = 200;

pub(super) const SCENE: &str = "blender://scene";
pub(super) const OBJECT: &str = "blender://object/";
pub(super) const MATERIAL_PREFIX: &str = "blender://material/";
pub(super) const NODE_GROUP: &str = "blender://node_group/";
const LAST_RENDER: &str = "blender://render/last";

/// The latest image a tool produced (render or screenshot), as base64 PNG.
#[derive(Clone, Default)]
pub(crate) struct LastImage(Arc<Mutex<Option<String>>>);

impl LastImage {
    /// Remembers `png_base64` as the latest image.
    pub(crate) fn set(&self, png_base64: &str) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(png_base64.to_owned());
    }

    fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[derive(Deserialize)]
struct Names {
    objects: Vec<String>,
    materials: Vec<String>,
}

impl BlenderTools {
    /// The concrete resources: the scene, the last image, and the first
    /// objects and materials by name.
    pub(crate) async fn resource_list(&self) -> Result<ListResourcesResult, ErrorData> {
        let names: Names = self
            .run_snippet(&NAMES, json!({ "limit": LISTED }))
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let mut resources = vec![json_resource(
            SCENE,
            "scene",
            "The current scene and its first objects",
        )];
        if self.last_image.get().is_some() {
            resources.push(
                Resource::new(LAST_RENDER, "last render")
                    .with_description("The latest render or screenshot")
                    .with_mime_type("image/png"),
            );
        }
        for name in &names.objects {
            resources.push(json_resource(
                &format!("{OBJECT}{}", encode(name)),
                name,
                "Object",
            ));
        }
        for name in &names.materials {
            resources.push(json_resource(
                &format!("{MATERIAL_PREFIX}{}", encode(name)),
                name,
                "Material",
            ));
        }
        Ok(ListResourcesResult::with_all_items(resources))
    }

    /// The templates, for objects and materials beyond the listed ones.
    pub(crate) fn resource_templates(&self) -> ListResourceTemplatesResult {
        ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(format!("{OBJECT}{{name}}"), "object")
                .with_description("One object by exact name (percent-encoded)")
                .with_mime_type("application/json"),
            ResourceTemplate::new(format!("{MATERIAL_PREFIX}{{name}}"), "material")
                .with_description("One material by exact name (percent-encoded)")
                .with_mime_type("application/json"),
            ResourceTemplate::new(format!("{NODE_GROUP}{{name}}"), "node group")
                .with_description("One node group's tree by exact name (percent-encoded)")
                .with_mime_type("application/json"),
        ])
    }

    /// Reads one resource.
    pub(crate) async fn read(&self, uri: &str) -> Result<ReadResourceResult, ErrorData> {
        // Like a read-only tool: not while a guarded call may still roll back.
        let _reading = self.instances.target().checkpoint_lock.read_owned().await;
        let value: Value = if uri == SCENE {
            let scene: SceneInfo = self
                .run_snippet(&super::scene::SCENE_INFO, scene_args())
                .await
                .map_err(not_found(uri))?;
            serde_json::to_value(scene).map_err(not_encoded(uri))?
        } else if uri == LAST_RENDER {
            let png = self
                .last_image
                .get()
                .ok_or_else(|| missing(uri, format!("{uri}: no render or screenshot yet")))?;
            return Ok(ReadResourceResult::new(vec![ResourceContents::blob(
                png, uri,
            )
            .with_mime_type("image/png")]));
        } else if let Some(name) = uri.strip_prefix(OBJECT) {
            let object: ObjectInfo = self
                .run_snippet(
                    &super::scene::OBJECT_INFO,
                    json!({ "name": decode(name, uri)? }),
                )
                .await
                .map_err(not_found(uri))?;
            serde_json::to_value(object).map_err(not_encoded(uri))?
        } else if let Some(name) = uri.strip_prefix(MATERIAL_PREFIX) {
            self.run_snippet(&MATERIAL, json!({ "name": decode(name, uri)? }))
                .await
                .map_err(not_found(uri))?
        } else if let Some(name) = uri.strip_prefix(NODE_GROUP) {
            let tree = format!("group:{}", decode(name, uri)?);
            self.run_snippet(&super::nodes::GET, json!({ "tree": tree }))
                .await
                .map_err(not_found(uri))?
        } else {
            return Err(missing(
                uri,
                format!("unknown resource {uri}: try blender://scene, blender://object/{{name}}, blender://material/{{name}}, blender://node_group/{{name}}"),
            ));
        };
        Ok(ReadResourceResult::new(vec![ResourceContents::text(
            value.to_string(),
            uri,
        )
        .with_mime_type("application/json")]))
    }
}

fn scene_args() -> Value {
    json!({ "limit": 100, "offset": 0, "name_contains": null, "count_types": true })
}

fn json_resource(uri: &str, name: &str, description: &str) -> Resource {
    Resource::new(uri, name)
        .with_description(description)
        .with_mime_type("application/json")
}

fn not_found(uri: &str) -> impl Fn(super::ToolError) -> ErrorData + '_ {
    move |e| missing(uri, format!("{uri}: {e}"))
}

/// An internal error for a resource Blender sent that could not be re-encoded.
fn not_encoded(uri: &str) -> impl Fn(serde_json::Error) -> ErrorData + '_ {
    move |e| ErrorData::internal_error(format!("{uri}: cannot encode it: {e}"), None)
}

/// Resource-not-found naming the URI in `data.uri`, as the spec shows it.
fn missing(uri: &str, message: String) -> ErrorData {
    ErrorData::resource_not_found(message, Some(json!({ "uri": uri })))
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so any
/// Blender name (spaces, dots, slashes, unicode) survives in a URI.
fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub(super) fn decode(encoded: &str, uri: &str) -> Result<String, ErrorData> {
    let bad = || ErrorData::invalid_params(format!("{uri}: malformed percent-encoding"), None);
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = encoded.get(i + 1..i + 3).ok_or_else(bad)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_uris() {
        for name in [
            "Cube",
            "Cube.001",
            "my object/with:odd chars",
            "žluťoučký 🐍",
            "100%",
        ] {
            let encoded = encode(name);
            assert!(encoded
                .bytes()
                .all(|b| b.is_ascii() && b != b' ' && b != b'/'));
            assert_eq!(decode(&encoded, "u").unwrap(), name);
        }
    }

    #[test]
    fn malformed_encodings_are_refused() {
        for bad in ["%", "%4", "%zz", "%ff%fe"] {
            assert!(decode(bad, "u").is_err(), "{bad}");
        }
    }
}
