# get_object_info: everything an agent needs to reason about one object.
# Unknown names raise LookupError with the closest names, so the model can
# correct itself instead of guessing.
import difflib

import bpy
from mathutils import Vector

name = args["name"]
obj = bpy.data.objects.get(name)
if obj is None:
    close = difflib.get_close_matches(name, [o.name for o in bpy.data.objects], n=5)
    hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
    raise LookupError(f"no object named {name!r} in this .blend file.{hint}")


def vec(v):
    return [round(x, 5) for x in v]


corners = [obj.matrix_world @ Vector(c) for c in obj.bound_box]
info = {
    "name": obj.name,
    "type": obj.type,
    "data": obj.data.name if obj.data else None,
    "location": vec(obj.location),
    "rotation_mode": obj.rotation_mode,
    "rotation_euler": vec(obj.rotation_euler),
    "scale": vec(obj.scale),
    "dimensions": vec(obj.dimensions),
    "world_bounding_box": {
        "min": vec(min(c[i] for c in corners) for i in range(3)),
        "max": vec(max(c[i] for c in corners) for i in range(3)),
    },
    "parent": obj.parent.name if obj.parent else None,
    "children": [c.name for c in obj.children],
    "collections": [c.name for c in obj.users_collection],
    "visible": {"viewport": not obj.hide_viewport, "render": not obj.hide_render},
    "materials": [s.material.name if s.material else None for s in obj.material_slots],
    "modifiers": describe_modifiers(obj.modifiers),
    "mesh": None,
}
if obj.type == "MESH":
    mesh = obj.data
    info["mesh"] = {
        "vertices": len(mesh.vertices),
        "edges": len(mesh.edges),
        "faces": len(mesh.polygons),
        "triangles": sum(len(p.vertices) - 2 for p in mesh.polygons),
        "uv_layers": [uv.name for uv in mesh.uv_layers],
    }
result = info
