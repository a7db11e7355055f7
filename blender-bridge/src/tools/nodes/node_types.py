# Node types as this Blender has them: their names (for close matches) and
# fresh instances in a scratch group, which give a type's real defaults
# (its sockets' per-node values, not the generic RNA ones).
NODE_BASES = {"Node", "NodeInternal", "ShaderNode", "CompositorNode", "TextureNode", "GeometryNode", "FunctionNode"}
# Node fields that are layout or UI, never settings.
NODE_UI = {p.identifier for p in bpy.types.Node.bl_rna.properties} | {"is_active_output", "target"}
TREE_OF_PREFIX = {
    "ShaderNode": "ShaderNodeTree",
    "GeometryNode": "GeometryNodeTree",
    "FunctionNode": "GeometryNodeTree",
    "CompositorNode": "CompositorNodeTree",
    "TextureNode": "TextureNodeTree",
}


def node_type_names():
    names = []
    for name in dir(bpy.types):
        cls = getattr(bpy.types, name, None)
        if isinstance(cls, type) and issubclass(cls, bpy.types.Node) and name not in NODE_BASES:
            names.append(name)
    return names


def unknown_type(kind):
    names = node_type_names()
    close = [n for n in names if n.lower() == str(kind).lower()]
    close += difflib.get_close_matches(str(kind), names, n=8, cutoff=0.4)
    hint = ", ".join(repr(n) for n in dict.fromkeys(close)) or "none close"
    return LookupError(f"no node type {kind!r} in Blender {bpy.app.version_string}; closest: {hint}")


def node_settings(node):
    """The node's own settable properties (not layout), by identifier."""
    return {
        name: prop
        for name, prop in rna_properties(node).items()
        if name not in NODE_UI
        and prop.type != "COLLECTION"
        and (prop.type != "POINTER" or _is_id_type(prop) or name == "color_ramp")
    }


class Scratch:
    """Reference nodes, one per type, in throwaway trees removed on close:
    a node group of the tree's type, else (for nodes only a scene's own
    compositor takes, up to 4.x: Render Layers) a scratch scene's."""

    def __init__(self):
        self.trees, self.nodes, self.scene = {}, {}, None

    def node(self, kind, tree_type=None):
        key = (kind, tree_type)
        if key not in self.nodes:
            tree_type = tree_type or next(
                (t for p, t in TREE_OF_PREFIX.items() if kind.startswith(p)), "GeometryNodeTree"
            )
            self.nodes[key] = self._make(kind, self._tree(tree_type))
            if self.nodes[key] is None and tree_type == "CompositorNodeTree" and self._scene_tree() is not None:
                self.nodes[key] = self._make(kind, self._scene_tree())
        return self.nodes[key]

    def _tree(self, tree_type):
        if tree_type not in self.trees:
            self.trees[tree_type] = bpy.data.node_groups.new("scratch", tree_type)
        return self.trees[tree_type]

    def _scene_tree(self):
        if hasattr(bpy.types.Scene, "compositing_node_group"):
            return None
        if self.scene is None:
            self.scene = bpy.data.scenes.new("scratch")
            self.scene.use_nodes = True
        return self.scene.node_tree

    @staticmethod
    def _make(kind, tree):
        try:
            return tree.nodes.new(kind)
        except RuntimeError:
            return None

    def close(self):
        for tree in self.trees.values():
            bpy.data.node_groups.remove(tree)
        if self.scene is not None:
            bpy.data.scenes.remove(self.scene)
