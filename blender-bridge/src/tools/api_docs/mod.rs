//! The running Blender's own API reference: search it by words, describe a
//! path. Agents guess bpy names that changed between versions; these answer
//! from the RNA of the Blender actually connected, offline.
//!
//! The search index lives in Blender's process (built on the first search,
//! about a second, then reused until the enabled add-ons or the registered
//! operators change): the process is the one place that knows exactly which
//! version and add-ons it runs, so no cache key can go stale. See
//! docs/BENCHMARKS.md for cold and warm latencies.

use std::collections::BTreeMap;

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{BlenderTools, ToolError};
use crate::Snippet;

static SEARCH: Snippet = group_snippet!(
    "search_bpy_api",
    "../snippets/rna.py",
    "api_index.py",
    "api_search.py"
);
static DESCRIBE: Snippet = group_snippet!(
    "describe_bpy",
    "../snippets/rna.py",
    "api_index.py",
    "api_describe.py"
);

/// Most matches one search returns.
const MAX_LIMIT: u32 = 50;

/// Arguments of `search_bpy_api`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SearchApiInput {
    /// Words to look for, e.g. "bevel width" or "add cube".
    pub query: String,
    /// How many matches (default 10, at most 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One search result.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ApiMatch {
    /// Its bpy path, for describe_bpy.
    pub path: String,
    /// type, property, function or operator.
    pub kind: String,
    /// The first line of its description.
    pub description: String,
    /// A property's type, a function's or operator's signature, a type's base.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What `search_bpy_api` found.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SearchApiOutput {
    /// The Blender version the answer is true for.
    pub blender: String,
    /// Best first.
    pub matches: Vec<ApiMatch>,
    /// How many entries matched at least one word.
    pub candidates: u64,
}

/// Arguments of `describe_bpy`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DescribeBpyInput {
    /// e.g. bpy.types.BevelModifier, bpy.types.Object.modifiers,
    /// bpy.ops.mesh.primitive_cube_add, bpy.data.objects.
    pub path: String,
}

/// A function of a type or of a collection (`Object.modifiers.new`).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct FunctionInfo {
    /// Its name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Its parameters (like properties; `required` where it must be given).
    pub parameters: Vec<Value>,
    /// What it returns.
    pub returns: Vec<Value>,
}

/// One enum item of a property.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct EnumChoice {
    /// The value to set.
    pub id: String,
    /// Its UI name.
    pub name: String,
    /// What it means.
    pub description: String,
}

/// What `describe_bpy` says about a path. Properties and parameters read as
/// {name, type, description, subtype, length, min, max (null: unbounded),
/// default, items, multiple, of (pointed type), readonly}.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DescribeBpyOutput {
    /// The canonical path.
    pub path: String,
    /// type, property, function, operator or module (of bpy.ops).
    pub kind: String,
    /// The Blender version the answer is true for.
    pub blender: String,
    /// What it is.
    pub description: String,
    /// A type's base type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// The type a property or function belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// A property's type, range, default and items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<Value>,
    /// An enum property's items, each explained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<EnumChoice>>,
    /// A type's own properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Vec<Value>>,
    /// A type's inherited property names, by the base type defining them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inherited: Option<BTreeMap<String, Vec<String>>>,
    /// A type's own functions, or a collection property's (new, remove, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<Vec<FunctionInfo>>,
    /// A function's or operator's parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<Value>>,
    /// What a function returns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<Vec<Value>>,
    /// An operator's call form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The types derived from a type (Modifier: BevelModifier, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtypes: Option<Vec<String>>,
    /// The operators of a bpy.ops module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operators: Option<Vec<String>>,
}

#[tool_router(router = api_docs_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "search_bpy_api",
        description = "Search this Blender's Python API (bpy.types, their properties and functions, \
                       bpy.ops operators) by words such as 'bevel width' or 'add cube'. Returns the \
                       best paths with one-line descriptions; describe_bpy gives the details.",
        annotations(
            title = "Search the bpy API",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn search_bpy_api(
        &self,
        Parameters(input): Parameters<SearchApiInput>,
    ) -> Result<Json<SearchApiOutput>, ToolError> {
        if input.query.trim().is_empty() {
            return Err(ToolError::new(
                "query is empty; give words such as 'bevel width' or 'add cube'",
            ));
        }
        let limit = input.limit.unwrap_or(10);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ToolError::new(format!(
                "limit must be between 1 and {MAX_LIMIT}, got {limit}"
            )));
        }
        self.run_snippet(&SEARCH, json!({ "query": input.query, "limit": limit }))
            .await
            .map(Json)
    }

    #[tool(
        name = "describe_bpy",
        description = "Describe a bpy path as this Blender version has it: a type's properties \
                       (type, range, default, enum items) and functions, a property, a function's \
                       or operator's parameters. Unknown paths list close matches.",
        annotations(
            title = "Describe a bpy path",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn describe_bpy(
        &self,
        Parameters(input): Parameters<DescribeBpyInput>,
    ) -> Result<Json<DescribeBpyOutput>, ToolError> {
        if input.path.trim().is_empty() {
            return Err(ToolError::new(
                "path is empty; give one such as bpy.types.Object or bpy.ops.mesh.primitive_cube_add",
            ));
        }
        self.run_snippet(&DESCRIBE, json!({ "path": input.path }))
            .await
            .map(Json)
    }
}
