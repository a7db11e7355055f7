//! Node graphs: read, edit and look up the nodes of material, world,
//! geometry-nodes, group and compositor trees.
//!
//! `edit_node_tree` is atomic: its operations run on a scratch copy of the
//! tree first, and on the tree itself only when all of them succeed.

use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{BlenderTools, ToolError};
use crate::Snippet;

pub(crate) static GET: Snippet = group_snippet!(
    "get_node_tree",
    "../snippets/rna.py",
    "../modifiers/modifier_info.py",
    "node_trees.py",
    "node_types.py",
    "node_sockets.py",
    "node_dump.py",
    "node_tree_get.py"
);
static EDIT: Snippet = group_snippet!(
    "edit_node_tree",
    "../snippets/rna.py",
    "../modifiers/modifier_info.py",
    "node_trees.py",
    "node_types.py",
    "node_sockets.py",
    "node_edit.py",
    "node_tree_edit.py"
);
static DESCRIBE: Snippet = group_snippet!(
    "describe_node_type",
    "../snippets/rna.py",
    "node_types.py",
    "node_sockets.py",
    "node_type_describe.py"
);

/// Most operations in one `edit_node_tree` call.
const MAX_OPS: usize = 500;

/// A tree: `material:NAME`, `world`, `geometry:OBJECT/MODIFIER`,
/// `group:NAME` or `compositor`.
type TreeName = String;

/// Arguments of `get_node_tree`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct GetNodeTreeInput {
    /// material:NAME, world, geometry:OBJECT/MODIFIER, group:NAME or compositor.
    pub tree: TreeName,
}

/// A socket: "Node.Socket" (socket by name or index) or {node, socket}.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SocketRef {
    /// "Node.Socket", e.g. "Noise.Fac" or "Mix.001.0".
    Path(String),
    /// The node and the socket apart.
    Parts {
        /// The node's name.
        node: String,
        /// The socket's name, identifier or index.
        socket: SocketKey,
    },
}

/// A socket of a known node: its name or identifier, or its index.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SocketKey {
    Index(u32),
    Name(String),
}

/// One operation of `edit_node_tree`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum NodeOp {
    /// Add a node (refused if `name` is taken).
    Add {
        /// Node type id, e.g. ShaderNodeTexNoise (see describe_node_type).
        #[serde(rename = "type")]
        kind: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(flatten)]
        values: NodeValues,
    },
    /// Change a node.
    Set {
        node: String,
        #[serde(flatten)]
        values: NodeValues,
    },
    /// Link an output to an input (replacing the input's link).
    Link { from: SocketRef, to: SocketRef },
    /// Remove the links into `to` and/or out of `from`.
    Unlink {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<SocketRef>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<SocketRef>,
    },
    /// Remove a node.
    Remove { node: String },
    /// Add an input or output to a node group (a geometry-nodes input shows
    /// on its modifier).
    AddSocket {
        name: String,
        /// NodeSocketFloat, NodeSocketInt, NodeSocketVector, NodeSocketColor,
        /// NodeSocketBool, NodeSocketObject, NodeSocketGeometry, ...
        socket_type: String,
        /// INPUT (default) or OUTPUT.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        in_out: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default_value: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_value: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_value: Option<f64>,
    },
}

/// What `add` and `set` change on a node.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct NodeValues {
    /// [x, y] in the editor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<[f64; 2]>,
    /// {socket name or index: value} for unlinked inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Map<String, Value>>,
    /// {rna_property: value}, e.g. {"operation": "MULTIPLY"}; color_ramp
    /// takes {"elements": [[position, [r, g, b, a]], ...], "interpolation"}.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A frame node to put it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// Arguments of `edit_node_tree`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct EditNodeTreeInput {
    /// material:NAME, world, geometry:OBJECT/MODIFIER, group:NAME or compositor.
    pub tree: TreeName,
    /// Operations, applied in order, all or none.
    #[schemars(with = "Vec<NodeOp>")]
    pub ops: Vec<Value>,
}

/// Arguments of `describe_node_type`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DescribeNodeTypeInput {
    /// Node type id, e.g. ShaderNodeTexNoise, GeometryNodeDistributePointsOnFaces.
    #[serde(rename = "type")]
    pub kind: String,
}

/// One node of a tree.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct NodeInfo {
    pub name: String,
    /// Node type id.
    #[serde(rename = "type")]
    pub kind: String,
    pub location: [i64; 2],
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The frame it sits in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mute: Option<bool>,
    /// Unlinked inputs off the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Map<String, Value>>,
    /// Properties off the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Map<String, Value>>,
}

/// The answer of `get_node_tree`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct NodeTreeOutput {
    pub tree: TreeName,
    /// ShaderNodeTree, GeometryNodeTree, CompositorNodeTree, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub nodes: Vec<NodeInfo>,
    /// [from "Node.Socket", to "Node.Socket"] pairs.
    pub links: Vec<[String; 2]>,
    /// A node group's inputs and outputs: [name, socket type] pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<Value>,
}

/// The answer of `edit_node_tree`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct EditNodeTreeOutput {
    pub tree: TreeName,
    /// Operations applied.
    pub applied: usize,
    /// Names of the nodes added.
    pub added: Vec<String>,
    /// Nodes in the tree now.
    pub nodes: usize,
    /// Links in the tree now.
    pub links: usize,
}

/// The answer of `describe_node_type`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct NodeTypeOutput {
    #[serde(rename = "type")]
    pub kind: String,
    pub label: String,
    pub description: String,
    /// Name, socket type, default and range (enabled: false when hidden by
    /// the node's current settings).
    pub inputs: Vec<Value>,
    pub outputs: Vec<Value>,
    /// Settable properties with type, range, default and enum items.
    pub properties: Vec<Value>,
}

/// Parses each operation, so a malformed one is named by its index before
/// anything runs.
fn check_ops(ops: &[Value]) -> Result<(), ToolError> {
    if ops.is_empty() {
        return Err(ToolError::new("ops is empty: list the operations to apply"));
    }
    if ops.len() > MAX_OPS {
        return Err(ToolError::new(format!(
            "at most {MAX_OPS} ops per call; split them"
        )));
    }
    for (i, op) in ops.iter().enumerate() {
        if let Err(e) = serde_json::from_value::<NodeOp>(op.clone()) {
            return Err(ToolError::new(format!(
                "op {i}: {e}. Nothing was changed: no op was applied."
            )));
        }
    }
    Ok(())
}

#[tool_router(router = nodes_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "get_node_tree",
        description = "A node tree compactly: nodes (name, type, location, inputs and properties \
                       off their defaults), links as [\"Node.Socket\", \"Node.Socket\"], a \
                       group's interface.",
        annotations(
            title = "Get node tree",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn get_node_tree(
        &self,
        Parameters(input): Parameters<GetNodeTreeInput>,
    ) -> Result<Json<NodeTreeOutput>, ToolError> {
        self.run_snippet(&GET, json!({ "tree": input.tree }))
            .await
            .map(Json)
    }

    #[tool(
        name = "edit_node_tree",
        description = "Edit a node tree with ops applied in order, all or none (a failure names \
                       the op's index and changes nothing): add, set, link, unlink, remove, \
                       add_socket. Sockets are \"Node.Socket\" (name or index). Turns on a \
                       material's or world's nodes, or the compositor, when needed.",
        annotations(
            title = "Edit node tree",
            read_only_hint = false,
            destructive_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn edit_node_tree(
        &self,
        Parameters(input): Parameters<EditNodeTreeInput>,
    ) -> Result<Json<EditNodeTreeOutput>, ToolError> {
        check_ops(&input.ops)?;
        self.run_snippet(&EDIT, json!({ "tree": input.tree, "ops": input.ops }))
            .await
            .map(Json)
    }

    #[tool(
        name = "describe_node_type",
        description = "A node type's inputs, outputs (socket type, default, range) and \
                       properties (with enum items) as this Blender version has them; unknown \
                       types list close matches.",
        annotations(
            title = "Describe node type",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn describe_node_type(
        &self,
        Parameters(input): Parameters<DescribeNodeTypeInput>,
    ) -> Result<Json<NodeTypeOutput>, ToolError> {
        self.run_snippet(&DESCRIBE, json!({ "type": input.kind }))
            .await
            .map(Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_op_is_named_by_its_index() {
        let ops = vec![
            json!({"op": "add", "type": "ShaderNodeTexNoise", "name": "Noise"}),
            json!({"op": "link", "from": "Noise.Fac", "to": {"node": "Ramp", "socket": 0}}),
            json!({"op": "link", "from": "Noise.Fac"}),
        ];
        let error = check_ops(&ops).unwrap_err().to_string();
        assert!(error.starts_with("op 2: missing field `to`"), "{error}");
        assert!(check_ops(&ops[..2]).is_ok());
        assert!(check_ops(&[]).is_err());
    }
}
