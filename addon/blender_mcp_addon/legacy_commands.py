"""The original Blender MCP addon's commands, main-thread side (PROTOCOL.md 10).

A compatibility shim: the four commands the original MCP server needs, with
the result shapes the original addon returned, so its tools parse them
unchanged. Everything else stays in the bridge protocol.
"""

import builtins
import io
import json
import math
import os
import sys
import traceback


def run(bpy, params):
    """Answer one command: the bytes of ``{"status": ..., ...}``."""
    if "error" in params:
        return _encode({"status": "error", "message": params["error"]})
    kind = params["type"]
    handler = _COMMANDS.get(kind)
    if handler is None:
        return _encode({"status": "error", "message": "Unknown command type: %s" % kind})
    try:
        result = handler(bpy, **params["params"])
        return _encode({"status": "success", "result": result})
    except BaseException as exc:  # SystemExit from user code must not stop the addon
        return _encode({"status": "error", "message": str(exc) or type(exc).__name__})


def _encode(message):
    try:
        return json.dumps(message).encode("utf-8", "replace")
    except (TypeError, ValueError) as exc:
        return json.dumps({"status": "error", "message": "result is not JSON: %s" % exc}).encode("utf-8")


def get_scene_info(bpy):
    """The original's summary: the first 10 objects, locations rounded to 2 places."""
    scene = bpy.context.scene
    objects = []
    for obj in list(scene.objects)[:10]:
        objects.append({"name": obj.name, "type": obj.type, "location": [round(float(v), 2) for v in obj.location]})
    return {
        "name": scene.name,
        "object_count": len(scene.objects),
        "objects": objects,
        "materials_count": len(bpy.data.materials),
    }


def get_object_info(bpy, name):
    obj = bpy.data.objects.get(name)
    if obj is None:
        raise ValueError("Object not found: %s" % name)
    info = {
        "name": obj.name,
        "type": obj.type,
        "location": list(obj.location),
        "rotation": list(obj.rotation_euler),
        "scale": list(obj.scale),
        "visible": obj.visible_get(),
        "materials": [slot.material.name for slot in obj.material_slots if slot.material],
    }
    if obj.type == "MESH":
        corners = [obj.matrix_world @ _vector(corner) for corner in obj.bound_box]
        info["world_bounding_box"] = [
            [min(c[i] for c in corners) for i in range(3)],
            [max(c[i] for c in corners) for i in range(3)],
        ]
        if obj.data:
            mesh = obj.data
            info["mesh"] = {"vertices": len(mesh.vertices), "edges": len(mesh.edges), "polygons": len(mesh.polygons)}
    return info


def execute_code(bpy, code):
    """Run code; the result is what it printed, as the original returned it."""
    namespace = {"bpy": bpy, "__builtins__": builtins}
    captured = io.StringIO()
    saved = sys.stdout
    sys.stdout = captured
    try:
        exec(code, namespace)
    except BaseException as exc:
        raise RuntimeError("Code execution error: %s" % exc) from None
    finally:
        sys.stdout = saved
    return {"executed": True, "result": captured.getvalue()}


def get_viewport_screenshot(bpy, max_size=800, filepath=None, format="png"):
    """Write an image of the 3D view to ``filepath`` (a path both sides see).

    With a window it captures the largest 3D View; headless there is none,
    so it renders the scene with Workbench (the solid viewport's engine) from
    the scene camera, or from a temporary camera framing every object.
    """
    if not filepath:
        return {"error": "No filepath provided"}
    file_format = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}.get(str(format).lower())
    if file_format is None:
        return {"error": "Unsupported format: %s (png or jpg)" % format}
    if not isinstance(max_size, int) or max_size < 1:
        return {"error": "max_size must be a positive integer"}
    area = None if bpy.app.background else _largest_view3d(bpy)
    try:
        if area is not None:
            width, height = _capture(bpy, area, filepath, max_size, file_format)
        else:
            width, height = _render(bpy, filepath, max_size, file_format)
    except Exception as exc:
        return {"error": "Screenshot failed: %s" % exc, "traceback": traceback.format_exc()[-2000:]}
    return {"success": True, "width": width, "height": height, "filepath": filepath}


def _vector(values):
    from mathutils import Vector

    return Vector(values)


def _fit(width, height, max_size):
    scale = min(1.0, max_size / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _largest_view3d(bpy):
    best = None
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D" and (best is None or area.width * area.height > best[1].width * best[1].height):
                best = (window, area)
    return best


def _capture(bpy, view, filepath, max_size, file_format):
    window, area = view
    region = next(r for r in area.regions if r.type == "WINDOW")
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.screen.screenshot_area(filepath=filepath)
    image = bpy.data.images.load(filepath)
    try:
        size = tuple(image.size)
        target = _fit(size[0], size[1], max_size)
        if target != size or file_format != "PNG":
            image.scale(*target)
            image.filepath_raw = filepath
            image.file_format = file_format
            image.save()
        return target
    finally:
        bpy.data.images.remove(image)


def _render(bpy, filepath, max_size, file_format):
    scene = bpy.context.scene
    r = scene.render
    saved = (
        r.engine,
        r.resolution_x,
        r.resolution_y,
        r.resolution_percentage,
        r.filepath,
        r.image_settings.file_format,
        r.image_settings.color_mode,
        scene.camera,
    )
    camera = None
    try:
        if scene.camera is None:
            camera = _framing_camera(bpy, scene)
            scene.camera = camera
        width, height = _fit(r.resolution_x or 16, r.resolution_y or 9, max_size)
        r.engine = "BLENDER_WORKBENCH"
        r.resolution_x, r.resolution_y, r.resolution_percentage = width, height, 100
        r.image_settings.file_format = file_format
        r.image_settings.color_mode = "RGB"
        r.filepath = filepath
        bpy.ops.render.render(write_still=True)
        # Blender appends the extension when the path lacks it.
        if not os.path.exists(filepath):
            written = bpy.path.ensure_ext(filepath, r.file_extension)
            if os.path.exists(written):
                os.replace(written, filepath)
        return width, height
    finally:
        (
            r.engine,
            r.resolution_x,
            r.resolution_y,
            r.resolution_percentage,
            r.filepath,
            r.image_settings.file_format,
            r.image_settings.color_mode,
            scene.camera,
        ) = saved
        if camera is not None:
            data = camera.data
            bpy.data.objects.remove(camera)
            bpy.data.cameras.remove(data)


def _framing_camera(bpy, scene):
    from mathutils import Vector

    points = [
        obj.matrix_world @ Vector(c)
        for obj in scene.objects
        if obj.visible_get() and obj.type == "MESH"
        for c in obj.bound_box
    ]
    if not points:
        points = [Vector((-1, -1, -1)), Vector((1, 1, 1))]
    low = Vector([min(p[i] for p in points) for i in range(3)])
    high = Vector([max(p[i] for p in points) for i in range(3)])
    center, radius = (low + high) / 2, max((high - low).length / 2, 0.1)
    data = bpy.data.cameras.new("blender_mcp_legacy_shot")
    camera = bpy.data.objects.new("blender_mcp_legacy_shot", data)
    scene.collection.objects.link(camera)
    direction = Vector((1.0, -1.0, 0.75)).normalized()
    camera.location = center + direction * (radius / math.sin(min(data.angle_x, data.angle_y) / 2) * 1.2)
    camera.rotation_euler = (-direction).to_track_quat("-Z", "Y").to_euler()
    return camera


_COMMANDS = {
    "get_scene_info": get_scene_info,
    "get_object_info": get_object_info,
    "execute_code": execute_code,
    "get_viewport_screenshot": get_viewport_screenshot,
}

# The original server asks for these at start and for some tools; it treats a
# disabled integration as a normal answer, not an error.
for _name, _service in (
    ("get_polyhaven_status", "Poly Haven"),
    ("get_hyper3d_status", "Hyper3D Rodin"),
    ("get_sketchfab_status", "Sketchfab"),
    ("get_hunyuan3d_status", "Hunyuan3D"),
):
    _COMMANDS[_name] = (
        lambda service: (
            lambda bpy, **_: {
                "enabled": False,
                "message": "%s integration is not available in the blender-mcp-rs addon" % service,
            }
        )
    )(_service)
