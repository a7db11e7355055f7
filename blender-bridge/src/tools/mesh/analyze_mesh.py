# analyze_mesh: topology and soundness checks of an object's mesh in world
# space, with bmesh: what a 3D print or a boolean needs to know.
import bmesh

# Faces at most this large (in square scene units) count as zero-area.
ZERO_AREA = 1e-8
MESHLIKE = {"MESH", "CURVE", "SURFACE", "FONT", "META"}

obj = lookup_object(args["object"])
if obj.type not in MESHLIKE:
    raise ValueError(f"{obj.name!r} is a {obj.type} object; analyze_mesh takes {', '.join(sorted(MESHLIKE))}")


def world_bmesh(obj, evaluated):
    """The object's mesh (after modifiers when `evaluated`) as a bmesh in world space."""
    bm = bmesh.new()
    if evaluated or obj.type != "MESH":
        depsgraph = bpy.context.evaluated_depsgraph_get()
        source = obj.evaluated_get(depsgraph) if evaluated else obj
        mesh = source.to_mesh()
        try:
            bm.from_mesh(mesh)
        finally:
            source.to_mesh_clear()
    else:
        bm.from_mesh(obj.data)
    bm.transform(obj.matrix_world)
    return bm


bm = world_bmesh(obj, args.get("evaluated", True))
try:
    sides = [len(f.verts) for f in bm.faces]
    face_counts = [len(e.link_faces) for e in bm.edges]
    loose_vertices = sum(1 for v in bm.verts if not v.link_edges)
    non_manifold = sum(1 for n in face_counts if n != 2)
    inconsistent = sum(1 for e in bm.edges if e.is_manifold and not e.is_contiguous)
    watertight = bool(bm.faces) and non_manifold == 0 and loose_vertices == 0 and inconsistent == 0
    points = [v.co for v in bm.verts]
    result = {
        "name": obj.name,
        "evaluated": args.get("evaluated", True),
        "vertices": len(bm.verts),
        "edges": len(bm.edges),
        "faces": len(bm.faces),
        "triangles": sum(1 for n in sides if n == 3),
        "quads": sum(1 for n in sides if n == 4),
        "ngons": sum(1 for n in sides if n > 4),
        "non_manifold_edges": non_manifold,
        "boundary_edges": sum(1 for n in face_counts if n == 1),
        "loose_vertices": loose_vertices,
        "loose_edges": sum(1 for n in face_counts if n == 0),
        "zero_area_faces": sum(1 for f in bm.faces if f.calc_area() <= ZERO_AREA),
        "inconsistent_normal_edges": inconsistent,
        "watertight": watertight,
        "surface_area": round(sum(f.calc_area() for f in bm.faces), 6),
        "volume": round(abs(bm.calc_volume(signed=True)), 6) if watertight else None,
        "bounds_min": rounded(min(p[i] for p in points) for i in range(3)) if points else None,
        "bounds_max": rounded(max(p[i] for p in points) for i in range(3)) if points else None,
    }
finally:
    bm.free()
