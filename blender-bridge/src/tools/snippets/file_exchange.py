# Shared by import_file / export_file: which operator handles a format in
# this Blender. Blender 4.x moved OBJ/STL/PLY to C++ operators under `wm.`
# and dropped the old Python ones; glTF and FBX stay Python add-ons.
import os

# format -> [(operator path, keyword for "selected objects only")], newest first.
EXPORTERS = {
    "gltf": [("export_scene.gltf", "use_selection")],
    "glb": [("export_scene.gltf", "use_selection")],
    "obj": [("wm.obj_export", "export_selected_objects"), ("export_scene.obj", "use_selection")],
    "fbx": [("export_scene.fbx", "use_selection")],
    "stl": [("wm.stl_export", "export_selected_objects"), ("export_mesh.stl", "use_selection")],
    "ply": [("wm.ply_export", "export_selected_objects"), ("export_mesh.ply", "use_selection")],
}
IMPORTERS = {
    "gltf": ["import_scene.gltf"],
    "glb": ["import_scene.gltf"],
    "obj": ["wm.obj_import", "import_scene.obj"],
    "fbx": ["import_scene.fbx"],
    "stl": ["wm.stl_import", "import_mesh.stl"],
    "ply": ["wm.ply_import", "import_mesh.ply"],
}


def find_operator(candidates, fmt, action):
    for path in candidates:
        op_path = path[0] if isinstance(path, tuple) else path
        module, name = op_path.split(".")
        if hasattr(getattr(bpy.ops, module), name):
            op = getattr(getattr(bpy.ops, module), name)
            try:
                op.get_rna_type()
            except (KeyError, AttributeError):
                continue  # listed but not registered (add-on disabled)
            return path, op
    names = ", ".join(p[0] if isinstance(p, tuple) else p for p in candidates)
    raise RuntimeError(
        f"this Blender ({bpy.app.version_string}) cannot {action} {fmt.upper()}: none of "
        f"{names} is available (the add-on may be disabled)"
    )
