# Shared prelude of the typed tools, prepended to their snippets at compile
# time. Names are looked up exactly; a miss raises LookupError listing close
# matches so the model can correct its next call instead of guessing.
import difflib
import math

import bpy
from mathutils import Euler, Vector


def lookup(collection, name, what):
    """The datablock `name` in `collection` (e.g. bpy.data.objects)."""
    item = collection.get(name)
    if item is None:
        close = difflib.get_close_matches(name, [i.name for i in collection], n=5)
        hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
        raise LookupError(f"no {what} named {name!r}.{hint}")
    return item


def lookup_object(name):
    return lookup(bpy.data.objects, name, "object")


def rounded(values):
    return [round(v, 5) for v in values]


def describe_object(obj):
    """The short object description every object tool answers with."""
    return {
        "name": obj.name,
        "type": obj.type,
        "data": obj.data.name if obj.data else None,
        "location": rounded(obj.location),
        "rotation_degrees": rounded(math.degrees(a) for a in obj.rotation_euler),
        "scale": rounded(obj.scale),
        "parent": obj.parent.name if obj.parent else None,
        "collections": [c.name for c in obj.users_collection],
    }


def apply_transform(obj, spec, relative=False):
    """Sets location / rotation_degrees / scale from `spec` where given."""
    if spec.get("location") is not None:
        loc = Vector(spec["location"])
        obj.location = obj.location + loc if relative else loc
    if spec.get("rotation_degrees") is not None:
        rot = [math.radians(a) for a in spec["rotation_degrees"]]
        if relative:
            rot = [a + b for a, b in zip(obj.rotation_euler, rot)]
        obj.rotation_mode = (
            obj.rotation_mode if obj.rotation_mode in {"XYZ", "XZY", "YXZ", "YZX", "ZXY", "ZYX"} else "XYZ"
        )
        obj.rotation_euler = Euler(rot, obj.rotation_euler.order)
    if spec.get("scale") is not None:
        scale = Vector(spec["scale"])
        obj.scale = Vector(a * b for a, b in zip(obj.scale, scale)) if relative else scale


def target_collection(name, create=False):
    """The collection `name` (the active collection, where Blender adds new
    objects, when None)."""
    scene = bpy.context.scene
    if name is None:
        return bpy.context.view_layer.active_layer_collection.collection
    if name == scene.collection.name:
        return scene.collection
    coll = bpy.data.collections.get(name)
    if coll is None and create:
        coll = bpy.data.collections.new(name)
        scene.collection.children.link(coll)
    if coll is None:
        return lookup(bpy.data.collections, name, "collection")
    return coll


def point_at(obj, target):
    """Rotates `obj` so its -Z axis (the view axis of cameras and lights) faces `target`."""
    bpy.context.view_layer.update()
    direction = Vector(target) - obj.matrix_world.translation
    if direction.length < 1e-9:
        raise ValueError(f"{obj.name!r} is at the point it should look at; move it or pick another target")
    obj.rotation_mode = "XYZ"
    obj.rotation_euler = direction.to_track_quat("-Z", "Y").to_euler()


def resolve_target(spec):
    """A world-space point from {"object": name} or {"location": [x, y, z]}."""
    if spec.get("object") is not None:
        bpy.context.view_layer.update()
        return lookup_object(spec["object"]).matrix_world.translation.copy()
    if spec.get("location") is not None:
        return Vector(spec["location"])
    raise ValueError("the target needs either an object name or a location")


def uses_nodes(mat):
    """Whether `mat` renders with its node tree: always in Blender 5, where
    Material.use_nodes is deprecated (and warns)."""
    return bpy.app.version >= (5, 0, 0) or mat.use_nodes


def describe_material(mat):
    """A material's main Principled BSDF values (null where it has none)."""
    bsdf = None
    if uses_nodes(mat) and mat.node_tree is not None:
        bsdf = next((n for n in mat.node_tree.nodes if n.type == "BSDF_PRINCIPLED"), None)

    def value(*names):
        for n in names:
            if bsdf is not None and n in bsdf.inputs:
                v = bsdf.inputs[n].default_value
                return rounded(v) if hasattr(v, "__len__") else round(v, 5)
        return None

    return {
        "name": mat.name,
        "users": mat.users,
        "principled": bsdf is not None,
        "base_color": value("Base Color") or rounded(mat.diffuse_color),
        "metallic": value("Metallic"),
        "roughness": value("Roughness"),
        "emission_color": value("Emission Color", "Emission"),
        "emission_strength": value("Emission Strength"),
        "alpha": value("Alpha"),
    }


def layer_objects():
    """The current view layer's objects. Right after objects are removed the
    layer's cache can yield None entries until it is synced, so skip them."""
    return [o for o in bpy.context.view_layer.objects if o is not None]
