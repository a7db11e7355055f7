# get_viewport_screenshot with views: Workbench renders of the scene (or of
# the objects named) from several sides, as one labelled contact sheet or one
# image per view. Works with and without a window. Every render setting it
# touches is restored, and its temporary camera and images are removed.
# Needs the prelude (common.py) and rna.py's choice_list before it.
import base64
import os
import tempfile
from array import array

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
    repeated = sorted({v for v in views if views.count(v) > 1})
    if repeated:
        raise ValueError(f"views repeats {', '.join(repr(v) for v in repeated)}; give each view once")
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


class Pixels:
    """An RGBA float image, rows bottom to top as Blender stores them. Plain
    `array`s, not numpy: the Blender a distribution packages may lack it."""

    def __init__(self, width, height, data=None):
        self.width, self.height = width, height
        self.data = data if data is not None else array("f", [0.0, 0.0, 0.0, 1.0]) * (width * height)

    def row(self, y, x=0, width=None):
        start = (y * self.width + x) * 4
        return slice(start, start + (self.width - x if width is None else width) * 4)

    def paste(self, other, x0, y0):
        for y in range(other.height):
            self.data[self.row(y0 + y, x0, other.width)] = other.data[other.row(y)]

    def fill(self, x0, y0, width, height, rgba):
        line = array("f", rgba) * width
        for y in range(y0, y0 + height):
            self.data[self.row(y, x0, width)] = line


def render_pixels(size, path):
    """Renders the scene camera with Workbench at `size`."""
    r = scene.render
    r.resolution_x, r.resolution_y = size
    bpy.ops.render.render(write_still=True)
    image = bpy.data.images.load(path)
    try:
        pixels = Pixels(*size)
        image.pixels.foreach_get(pixels.data)
        return pixels
    finally:
        bpy.data.images.remove(image)


def fit(width, height, box):
    scale = min(box[0] / width, box[1] / height)
    return max(4, round(width * scale)), max(4, round(height * scale))  # Blender renders at least 4x4


def touched_settings():
    """(struct, attribute) of every setting the renders change, to restore."""
    r = scene.render
    return [
        (r, "engine"),
        (r, "resolution_x"),
        (r, "resolution_y"),
        (r, "resolution_percentage"),
        (r, "use_border"),
        (r, "filepath"),
        (r.image_settings, "file_format"),
        (r.image_settings, "color_mode"),
        (scene.display, "render_aa"),
        (scene, "camera"),
    ]


def render_views(views, names, box, path):
    """{view: pixels} rendered to fit `box` (camera views keep the scene's aspect)."""
    r = scene.render
    saved = [(struct, name, getattr(struct, name)) for struct, name in touched_settings()]
    scene_camera = scene.camera
    camera_size = fit(r.resolution_x or 16, r.resolution_y or 9, box)
    data = bpy.data.cameras.new("blender_mcp_views")
    cam = bpy.data.objects.new("blender_mcp_views", data)
    scene.collection.objects.link(cam)
    try:
        r.engine, r.resolution_percentage, r.use_border, r.filepath = "BLENDER_WORKBENCH", 100, False, path
        r.image_settings.file_format, r.image_settings.color_mode = "PNG", "RGBA"
        scene.display.render_aa = "FXAA"  # one pass instead of 8 samples: half the time, edges still smooth
        points = framed_points(names)
        shots = {}
        for view in views:
            scene.camera = scene_camera if view == "camera" else cam
            if view != "camera":
                aim(cam, view, points)
            shots[view] = render_pixels(camera_size if view == "camera" else box, path)
        return shots
    finally:
        for struct, name, value in saved:
            setattr(struct, name, value)
        bpy.data.objects.remove(cam)
        bpy.data.cameras.remove(data)


def draw_label(sheet, x0, top, size, text):
    """White capitals on a black box at the top-left corner of the tile
    whose left edge is `x0` and top row `top` (rows run bottom to top)."""
    s = max(1, size // 150)
    pad = s * 2
    box_w, box_h = min(size, pad * 2 + len(text) * 6 * s - s), min(size, pad * 2 + 7 * s)
    sheet.fill(x0, top - box_h + 1, box_w, box_h, (0, 0, 0, 1))
    for n, char in enumerate(text.upper()):
        for row, bits in enumerate(GLYPHS[char].split()):
            for col, bit in enumerate(bits):
                x, y = pad + (n * 6 + col) * s, pad + row * s
                if bit == "1" and x + s <= box_w and y + s <= box_h:
                    sheet.fill(x0 + x, top - y - s + 1, s, s, (1, 1, 1, 1))


def contact_sheet(views, shots, tile):
    """The views on a grid of square tiles, left to right, top to bottom, each labelled."""
    cols = math.ceil(math.sqrt(len(views)))
    rows = math.ceil(len(views) / cols)
    sheet = Pixels(cols * tile, rows * tile)
    for n, view in enumerate(views):
        shot = shots[view]
        x0, y0 = (n % cols) * tile, (rows - 1 - n // cols) * tile
        sheet.paste(shot, x0 + (tile - shot.width) // 2, y0 + (tile - shot.height) // 2)
        draw_label(sheet, x0, y0 + tile - 1, tile, view)
    return sheet


def png_of(pixels, path):
    """`pixels` (rows bottom to top) as PNG bytes, through a temporary image."""
    image = bpy.data.images.new("blender_mcp_sheet", pixels.width, pixels.height, alpha=True)
    try:
        image.pixels.foreach_set(pixels.data)
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
        "width": pixels.width,
        "height": pixels.height,
        "png_base64": base64.b64encode(png_of(pixels, path)).decode("ascii"),
    }


views, separate, max_size = args["views"], args.get("layout") == "separate", args["max_size"]
check_views(views)
for name in args.get("objects") or []:
    lookup_object(name)
cols = math.ceil(math.sqrt(len(views)))
tile = max_size if separate else max_size // cols
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
