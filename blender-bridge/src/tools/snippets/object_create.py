# create_object: a mesh primitive, empty, text or curve, built with bmesh and
# bpy.data rather than bpy.ops so it works the same in every host (no 3D View
# context needed) and never depends on what happens to be selected.
import bmesh

kind = args["kind"]
size = args.get("size") or 2.0
name = args.get("name") or kind.replace("_", " ").title().replace(" ", "")
coll = target_collection(args.get("collection"))


def torus(bm, major, minor, rings=48, sides=12):
    grid = []
    for i in range(rings):
        a = 2 * math.pi * i / rings
        row = []
        for j in range(sides):
            b = 2 * math.pi * j / sides
            r = major + minor * math.cos(b)
            row.append(bm.verts.new((r * math.cos(a), r * math.sin(a), minor * math.sin(b))))
        grid.append(row)
    for i in range(rings):
        for j in range(sides):
            bm.faces.new(
                (grid[i][j], grid[(i + 1) % rings][j], grid[(i + 1) % rings][(j + 1) % sides], grid[i][(j + 1) % sides])
            )


def build_mesh():
    bm = bmesh.new()
    half = size / 2
    if kind == "cube":
        bmesh.ops.create_cube(bm, size=size, calc_uvs=True)
    elif kind == "plane":
        bmesh.ops.create_grid(bm, x_segments=1, y_segments=1, size=half, calc_uvs=True)
    elif kind == "grid":
        bmesh.ops.create_grid(bm, x_segments=10, y_segments=10, size=half, calc_uvs=True)
    elif kind == "circle":
        bmesh.ops.create_circle(bm, cap_ends=False, segments=32, radius=half, calc_uvs=True)
    elif kind == "uv_sphere":
        bmesh.ops.create_uvsphere(bm, u_segments=32, v_segments=16, radius=half, calc_uvs=True)
    elif kind == "ico_sphere":
        bmesh.ops.create_icosphere(bm, subdivisions=2, radius=half, calc_uvs=True)
    elif kind in ("cylinder", "cone"):
        bmesh.ops.create_cone(
            bm,
            cap_ends=True,
            segments=32,
            radius1=half,
            radius2=half if kind == "cylinder" else 0.0,
            depth=size,
            calc_uvs=True,
        )
    elif kind == "torus":
        torus(bm, size * 0.375, size * 0.125)
    elif kind == "monkey":
        bmesh.ops.create_monkey(bm, calc_uvs=True)
        bmesh.ops.scale(bm, vec=(half, half, half), verts=bm.verts)
    else:
        raise ValueError(f"unknown primitive {kind!r}")
    mesh = bpy.data.meshes.new(name)
    bm.to_mesh(mesh)
    bm.free()
    return mesh


if kind == "empty":
    data = None
elif kind == "text":
    data = bpy.data.curves.new(name, "FONT")
    data.body = args.get("text") or "Text"
    data.size = size / 2
elif kind == "curve":
    data = bpy.data.curves.new(name, "CURVE")
    data.dimensions = "3D"
    spline = data.splines.new("BEZIER")
    spline.bezier_points.add(1)
    for point, x in zip(spline.bezier_points, (-size / 2, size / 2)):
        point.co = (x, 0, 0)
        point.handle_left_type = point.handle_right_type = "AUTO"
else:
    data = build_mesh()

obj = bpy.data.objects.new(name, data)
if kind == "empty":
    obj.empty_display_size = size / 2
coll.objects.link(obj)
apply_transform(obj, args)
result = describe_object(obj)
