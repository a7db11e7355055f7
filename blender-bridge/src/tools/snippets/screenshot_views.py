# get_viewport_screenshot with views: Workbench renders of the scene (or of
# the objects named) from several sides, as one labelled contact sheet or one
# image per view. Works with and without a window. Every render setting it
# touches is restored, and its temporary camera and images are removed.
# Needs the prelude (common.py) and rna.py's choice_list before it.
import base64
import os
import tempfile

import numpy

VIEWS = ["front", "back", "left", "right", "top", "bottom", "camera", "perspective"]
# Camera rotation (Euler XYZ, radians) of each axis view: front looks along +Y, top down -Z.
AXIS_VIEWS = {
    "front": (math.pi / 2, 0, 0),
    "back": (math.pi / 2, 0, math.pi),
    "right": (math.pi / 2, 0, math.pi / 2),
    "left": (math.pi / 2, 0, -math.pi / 2),
    "top": (0, 0, 0),
    "bottom": (math.pi, 0, 0),
}
GEOMETRY = {"MESH", "CURVE", "SURFACE", "META", "FONT", "VOLUME", "POINTCLOUD", "CURVES", "GPENCIL", "GREASEPENCIL"}
# A 5x7 bitmap font for the labels: no font library needed.
GLYPHS = {
    "A": "01110 10001 10001 11111 10001 10001 10001",
    "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110",
    "E": "11111 10000 10000 11110 10000 10000 11111",
    "F": "11111 10000 10000 11110 10000 10000 10000",
    "G": "01110 10001 10000 10111 10001 10001 01111",
    "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110",
    "K": "10001 10010 10100 11000 10100 10010 10001",
    "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001",
    "N": "10001 10001 11001 10101 10011 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110",
    "P": "11110 10001 10001 11110 10000 10000 10000",
    "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110",
    "T": "11111 00100 00100 00100 00100 00100 00100",
    "V": "10001 10001 10001 10001 10001 01010 00100",
}
scene = bpy.context.scene


def check_views(views):
    for view in views:
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; valid: {choice_list(view, VIEWS)}")
    if "camera" in views and scene.camera is None:
        raise ValueError("view 'camera' needs an active scene camera; use 'perspective' or set_active_camera")


def framed_points(names):
    """World-space bounding-box corners of the named objects, else of every visible one."""
    bpy.context.view_layer.update()  # matrix_world is stale after edits until the depsgraph runs
    objects = (
        [lookup_object(n) for n in names]
        if names
        else [o for o in scene.objects if o.visible_get() and o.type in GEOMETRY]
    )
    points = [o.matrix_world @ Vector(c) for o in objects for c in o.bound_box]
    return points or [Vector((-1, -1, -1)), Vector((1, 1, 1))]


def aim(cam, view, points):
    """Places the temporary camera `cam` to frame `points` from `view`."""
    low = Vector([min(p[i] for p in points) for i in range(3)])
    high = Vector([max(p[i] for p in points) for i in range(3)])
    center, radius = (low + high) / 2, max((high - low).length / 2, 0.05)
    data = cam.data
    data.clip_start, data.clip_end = radius * 0.001, radius * 10 + 100
    if view == "perspective":
        data.type = "PERSP"
        direction = Vector((1.0, -1.0, 0.75)).normalized()
        cam.rotation_euler = (-direction).to_track_quat("-Z", "Y").to_euler()
        cam.location = center + direction * (radius / math.sin(data.angle / 2) * 1.1)
        return
    data.type = "ORTHO"
    cam.rotation_euler = AXIS_VIEWS[view]
    rotation = cam.rotation_euler.to_matrix()
    right, up, forward = rotation @ Vector((1, 0, 0)), rotation @ Vector((0, 1, 0)), rotation @ Vector((0, 0, -1))
    extent = max(max(abs((p - center).dot(right)), abs((p - center).dot(up))) for p in points) * 2
    data.ortho_scale = max(extent * 1.1, 0.01)
    cam.location = center - forward * (radius * 2 + 1)


def render_pixels(size, path):
    """Renders the scene camera with Workbench at `size`: a (height, width, 4)
    float array, rows bottom to top as Blender stores them."""
    r = scene.render
    r.resolution_x, r.resolution_y = size
    bpy.ops.render.render(write_still=True)
    image = bpy.data.images.load(path)
    try:
        pixels = numpy.empty(size[0] * size[1] * 4, dtype=numpy.float32)
        image.pixels.foreach_get(pixels)
        return pixels.reshape(size[1], size[0], 4)
    finally:
        bpy.data.images.remove(image)


def fit(width, height, box):
    scale = min(box[0] / width, box[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def render_views(views, names, box, path):
    """{view: pixels} rendered to fit `box` (camera views keep the scene's aspect)."""
    r = scene.render
    saved = (
        r.engine,
        r.resolution_x,
        r.resolution_y,
        r.resolution_percentage,
        r.use_border,
        r.filepath,
        r.image_settings.file_format,
        r.image_settings.color_mode,
        scene.camera,
    )
    camera_size = fit(r.resolution_x or 16, r.resolution_y or 9, box)
    data = bpy.data.cameras.new("blender_mcp_views")
    cam = bpy.data.objects.new("blender_mcp_views", data)
    scene.collection.objects.link(cam)
    try:
        r.engine, r.resolution_percentage, r.use_border, r.filepath = "BLENDER_WORKBENCH", 100, False, path
        r.image_settings.file_format, r.image_settings.color_mode = "PNG", "RGBA"
        points = framed_points(names)
        shots = {}
        for view in views:
            if view == "camera":
                scene.camera = saved[-1]
                shots[view] = render_pixels(camera_size, path)
                continue
            scene.camera = cam
            aim(cam, view, points)
            shots[view] = render_pixels(box, path)
        return shots
    finally:
        (
            r.engine,
            r.resolution_x,
            r.resolution_y,
            r.resolution_percentage,
            r.use_border,
            r.filepath,
            r.image_settings.file_format,
            r.image_settings.color_mode,
            scene.camera,
        ) = saved
        bpy.data.objects.remove(cam)
        bpy.data.cameras.remove(data)


def draw_label(tile, text):
    """White capitals on a black box in the tile's top-left corner (rows run bottom to top)."""
    height, width = tile.shape[:2]
    s = max(1, min(width, height) // 150)
    pad = s * 2
    box_w, box_h = min(width, pad * 2 + len(text) * 6 * s - s), min(height, pad * 2 + 7 * s)
    tile[height - box_h :, :box_w] = (0, 0, 0, 1)
    for n, char in enumerate(text.upper()):
        for row, bits in enumerate(GLYPHS[char].split()):
            for col, bit in enumerate(bits):
                x, y = pad + (n * 6 + col) * s, height - 1 - pad - row * s
                if bit == "1" and x + s <= box_w and y - s + 1 >= height - box_h:
                    tile[y - s + 1 : y + 1, x : x + s] = (1, 1, 1, 1)


def contact_sheet(views, shots, tile):
    """The views on a grid of square tiles, left to right, top to bottom, each labelled."""
    cols = math.ceil(math.sqrt(len(views)))
    rows = math.ceil(len(views) / cols)
    sheet = numpy.zeros((rows * tile, cols * tile, 4), dtype=numpy.float32)
    sheet[..., 3] = 1
    for n, view in enumerate(views):
        pixels = shots[view]
        h, w = pixels.shape[:2]
        y0 = (rows - 1 - n // cols) * tile
        x0 = (n % cols) * tile
        cell = sheet[y0 : y0 + tile, x0 : x0 + tile]
        cell[(tile - h) // 2 : (tile - h) // 2 + h, (tile - w) // 2 : (tile - w) // 2 + w] = pixels
        draw_label(cell, view)
    return sheet


def png_of(pixels, path):
    """`pixels` (rows bottom to top) as PNG bytes, through a temporary image."""
    height, width = pixels.shape[:2]
    image = bpy.data.images.new("blender_mcp_sheet", width, height, alpha=True)
    try:
        image.pixels.foreach_set(pixels.ravel())
        image.filepath_raw = path
        image.file_format = "PNG"
        image.save()
    finally:
        bpy.data.images.remove(image)
    with open(path, "rb") as f:
        return f.read()


def encoded(view, pixels, path):
    return {
        "view": view,
        "width": pixels.shape[1],
        "height": pixels.shape[0],
        "png_base64": base64.b64encode(png_of(pixels, path)).decode("ascii"),
    }


views, separate, max_size = args["views"], args.get("layout") == "separate", args["max_size"]
check_views(views)
for name in args.get("objects") or []:
    lookup_object(name)
cols = math.ceil(math.sqrt(len(views)))
tile = max(8, max_size if separate else max_size // cols)
fd, path = tempfile.mkstemp(prefix="blender-mcp-views-", suffix=".png")
os.close(fd)
try:
    shots = render_views(views, args.get("objects"), (tile, tile), path)
    if separate:
        images = [encoded(view, shots[view], path) for view in views]
    else:
        images = [encoded("sheet", contact_sheet(views, shots, tile), path)]
finally:
    os.unlink(path)
result = {"images": images, "views": views, "camera": scene.camera.name if scene.camera else None}
