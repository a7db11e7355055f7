# export_file: exports the named objects (or every object in the scene)
# by selecting exactly them for the exporter's "selected only" option, then
# putting the selection back as it was.
fmt, path = args["format"], args["path"]
(_, selected_kw), op = find_operator(EXPORTERS[fmt], fmt, "export")
view_layer = bpy.context.view_layer
names = args.get("objects")
chosen = [lookup_object(n) for n in names] if names else layer_objects()
if not chosen:
    raise ValueError("there is nothing to export: the scene has no objects")
# Remembered by name: some exporters (glTF) step Blender's undo internally,
# which invalidates Python references to objects.
selected_before = {o.name for o in layer_objects() if o.select_get()}
active = view_layer.objects.active.name if view_layer.objects.active else None
chosen_names = [o.name for o in chosen]
options = {"filepath": path, selected_kw: True}
if fmt in ("gltf", "glb"):
    options["export_format"] = "GLB" if fmt == "glb" else "GLTF_SEPARATE"
try:
    for o in layer_objects():
        o.select_set(False)
    for o in chosen:
        o.select_set(True)
    outcome = op(**options)
finally:
    view_layer = bpy.context.view_layer
    for o in layer_objects():
        o.select_set(o.name in selected_before)
    view_layer.objects.active = view_layer.objects.get(active) if active else None
if "FINISHED" not in outcome or not os.path.isfile(path):
    raise RuntimeError(f"the {fmt.upper()} exporter did not write {path} ({', '.join(outcome)})")
result = {"path": path, "format": fmt, "bytes": os.path.getsize(path), "objects": sorted(chosen_names)}
