# get_viewport_screenshot: a PNG of what the 3D view shows.
# With a window (GUI Blender) it captures the largest 3D View area. Headless
# (`blender -b`, pip's bpy) there is no window to capture, so it renders the
# scene with Workbench -- the engine the solid viewport uses -- from the scene
# camera, or from a temporary camera that frames every visible object. Every
# setting it touches is restored and every datablock it makes is removed, so
# taking a screenshot never changes the user's scene.
import base64
import math
import os
import tempfile

import bpy
from mathutils import Vector

max_size = args["max_size"]
scene = bpy.context.scene


def fit(width, height):
    scale = min(1.0, max_size / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def find_view3d():
    wm = bpy.context.window_manager
    best = None
    for window in wm.windows if wm else []:
        for area in window.screen.areas:
            if area.type == "VIEW_3D" and (best is None or area.width * area.height > best[1].width * best[1].height):
                best = (window, area)
    return best


def capture_area(window, area, path):
    region = next(r for r in area.regions if r.type == "WINDOW")
    if hasattr(bpy.context, "temp_override"):
        with bpy.context.temp_override(window=window, area=area, region=region):
            bpy.ops.screen.screenshot_area(filepath=path)
    else:  # Blender 3.x
        bpy.ops.screen.screenshot_area({"window": window, "area": area, "region": region}, filepath=path)
    image = bpy.data.images.load(path)
    try:
        width, height = image.size
        target = fit(width, height)
        if target != (width, height):
            image.scale(*target)
            image.filepath_raw = path
            image.file_format = "PNG"
            image.save()
        return target
    finally:
        bpy.data.images.remove(image)


def framing_camera():
    bpy.context.view_layer.update()  # matrix_world is stale after edits until the depsgraph runs
    points = []
    for obj in scene.objects:
        if obj.visible_get() and obj.type in {
            "MESH",
            "CURVE",
            "SURFACE",
            "META",
            "FONT",
            "VOLUME",
            "POINTCLOUD",
            "CURVES",
            "GPENCIL",
            "GREASEPENCIL",
        }:
            points.extend(obj.matrix_world @ Vector(c) for c in obj.bound_box)
    if not points:
        points = [Vector((-1, -1, -1)), Vector((1, 1, 1))]
    low = Vector([min(p[i] for p in points) for i in range(3)])
    high = Vector([max(p[i] for p in points) for i in range(3)])
    center, radius = (low + high) / 2, max((high - low).length / 2, 0.1)
    data = bpy.data.cameras.new("blender_mcp_screenshot")
    data.clip_end = max(1000.0, radius * 20)
    cam = bpy.data.objects.new("blender_mcp_screenshot", data)
    scene.collection.objects.link(cam)
    distance = radius / math.sin(min(data.angle_x, data.angle_y) / 2) * 1.2
    direction = Vector((1.0, -1.0, 0.75)).normalized()
    cam.location = center + direction * distance
    cam.rotation_euler = (-direction).to_track_quat("-Z", "Y").to_euler()
    return cam


def render_workbench(path):
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
    temp_cam = None
    try:
        if scene.camera is None:
            temp_cam = framing_camera()
            scene.camera = temp_cam
        width, height = fit(r.resolution_x, r.resolution_y) if r.resolution_x and r.resolution_y else fit(16, 9)
        r.engine = "BLENDER_WORKBENCH"
        r.resolution_x, r.resolution_y, r.resolution_percentage = width, height, 100
        r.image_settings.file_format = "PNG"
        r.image_settings.color_mode = "RGB"
        r.filepath = path
        bpy.ops.render.render(write_still=True)
        return (width, height), scene.camera.name if temp_cam is None else None
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
        if temp_cam is not None:
            data = temp_cam.data
            bpy.data.objects.remove(temp_cam)
            bpy.data.cameras.remove(data)


fd, path = tempfile.mkstemp(prefix="blender-mcp-shot-", suffix=".png")
os.close(fd)
try:
    view = None if bpy.app.background else find_view3d()
    if view is not None:
        size, camera, source = capture_area(*view, path), None, "viewport"
    else:
        size, camera = render_workbench(path)
        source = "workbench_render"
    with open(path, "rb") as f:
        png = f.read()
finally:
    os.unlink(path)

result = {
    "png_base64": base64.b64encode(png).decode("ascii"),
    "width": size[0],
    "height": size[1],
    "source": source,
    "camera": camera,
}
