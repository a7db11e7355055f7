# scene_statistics: object counts and geometry totals of the scene, after
# modifiers (evaluated) by default, as the render would see them.
scene = bpy.context.scene
evaluated = args.get("evaluated", True)
depsgraph = bpy.context.evaluated_depsgraph_get() if evaluated else None
by_type = {}
verts = edges = faces = tris = 0
for obj in scene.objects:
    by_type[obj.type] = by_type.get(obj.type, 0) + 1
    if obj.type != "MESH":
        continue
    mesh = obj.evaluated_get(depsgraph).data if evaluated else obj.data
    verts += len(mesh.vertices)
    edges += len(mesh.edges)
    faces += len(mesh.polygons)
    mesh.calc_loop_triangles()
    tris += len(mesh.loop_triangles)
result = {
    "scene": scene.name,
    "objects": len(scene.objects),
    "objects_by_type": by_type,
    "vertices": verts,
    "edges": edges,
    "faces": faces,
    "triangles": tris,
    "evaluated": evaluated,
    "materials": len(bpy.data.materials),
    "collections": len(bpy.data.collections),
    "frame_start": scene.frame_start,
    "frame_end": scene.frame_end,
    "frame_current": scene.frame_current,
}
