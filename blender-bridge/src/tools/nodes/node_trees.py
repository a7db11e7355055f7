# Node trees by the names the node tools give them: material:NAME, world,
# geometry:OBJECT/MODIFIER, group:NAME, compositor. The compositor is the
# one place where versions differ: up to 4.x it is the scene's embedded
# `node_tree` behind `use_nodes`; from 5.0 on it is a node group the scene
# points to (`compositing_node_group`).
TREE_KINDS = ["material:NAME", "world", "geometry:OBJECT/MODIFIER", "group:NAME", "compositor"]


def compositor_tree(scene, create):
    if hasattr(scene, "compositing_node_group"):
        if scene.compositing_node_group is None and create:
            scene.compositing_node_group = new_compositor_group()
        return scene.compositing_node_group
    if create and not scene.use_nodes:
        scene.use_nodes = True
    return scene.node_tree if scene.use_nodes else None


def new_compositor_group():
    """A 5.x compositor as Blender's own "New" makes it: Render Layers into
    the group's Image output. An empty group would composite nothing, and
    every render after it would write no image."""
    group = bpy.data.node_groups.new("Compositor", "CompositorNodeTree")
    group.interface.new_socket(name="Image", in_out="OUTPUT", socket_type="NodeSocketColor")
    layers = group.nodes.new("CompositorNodeRLayers")
    layers.location = (-300, 0)
    output = group.nodes.new("NodeGroupOutput")
    output.location = (200, 0)
    group.links.new(layers.outputs["Image"], output.inputs["Image"])
    return group


# Up to 4.x materials and worlds switch their nodes on and off; from 5.0 on
# they always use them and reading `use_nodes` warns that it is deprecated.
HAS_USE_NODES = bpy.app.version < (5, 0, 0)


def nodes_on(owner, create):
    """The node tree of a material or world, switched on when asked."""
    if HAS_USE_NODES:
        if create and not owner.use_nodes:
            owner.use_nodes = True
        if not owner.use_nodes:
            return None
    return owner.node_tree


def geometry_modifier(path):
    """The NODES modifier at OBJECT/MODIFIER (either name may hold '/')."""
    for cut in [i for i, c in enumerate(path) if c == "/"]:
        obj = bpy.data.objects.get(path[:cut])
        if obj is not None:
            mod = lookup_modifier(obj, path[cut + 1 :])
            if mod.type != "NODES":
                raise ValueError(f"modifier {mod.name!r} of {obj.name!r} is a {mod.type} modifier, not geometry nodes")
            return mod
    lookup_object(path.split("/")[0])
    raise ValueError(f"geometry trees are named geometry:OBJECT/MODIFIER; got {path!r}")


def find_tree(spec, create=False):
    """(tree or None, owner): the owner is the datablock a dry run copies."""
    kind, _, name = spec.partition(":")
    scene = bpy.context.scene
    if kind == "material" and name:
        owner = lookup(bpy.data.materials, name, "material")
        return nodes_on(owner, create), owner
    if kind == "world" and not name:
        if scene.world is None and create:
            scene.world = bpy.data.worlds.new("World")
        return (nodes_on(scene.world, create) if scene.world else None), scene.world
    if kind == "geometry" and name:
        group = geometry_modifier(name).node_group
        if group is None:
            raise ValueError(
                f"{name!r} has no node group; give it one with set_modifier settings {{'node_group': NAME}}"
            )
        return group, group
    if kind == "group" and name:
        group = lookup(bpy.data.node_groups, name, "node group")
        return group, group
    if kind == "compositor" and not name:
        tree = compositor_tree(scene, create)
        return tree, (tree if hasattr(scene, "compositing_node_group") else scene)
    raise ValueError(f"unknown tree {spec!r}; trees are {', '.join(TREE_KINDS)}")


def existing_tree(spec):
    tree, _ = find_tree(spec)
    if tree is None:
        raise ValueError(f"{spec} has no node tree yet (edit_node_tree creates it)")
    return tree


def scratch_tree(spec):
    """(tree, remove): a throwaway copy of the tree `spec` names, with nodes
    switched on, for a dry run that must not touch the real one."""
    _, owner = find_tree(spec)
    kind = spec.partition(":")[0]
    if owner is not None:
        copy = owner.copy()
    elif kind == "world":  # the scene has no world yet
        copy = bpy.data.worlds.new("scratch")
    else:  # no 5.x compositor group yet
        copy = bpy.data.node_groups.new("scratch", "CompositorNodeTree")
    if isinstance(copy, bpy.types.NodeTree):
        return copy, lambda: bpy.data.node_groups.remove(copy)
    if isinstance(copy, bpy.types.Scene):
        return compositor_tree(copy, True), lambda: bpy.data.scenes.remove(copy)
    store = bpy.data.materials if isinstance(copy, bpy.types.Material) else bpy.data.worlds
    return nodes_on(copy, True), lambda: store.remove(copy)
