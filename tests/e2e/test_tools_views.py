"""get_viewport_screenshot with views, against a real headless Blender:
contact sheets and separate images, framing named objects, the scene left
as it was, and the bad inputs an agent sends."""

import base64

import png
import pytest
from harness import text_of
from tools_helpers import fails, ok, py, remove_objects

STATE = """
s = bpy.context.scene
r = s.render
result = [r.engine, r.resolution_x, r.resolution_y, r.resolution_percentage, r.filepath, r.image_settings.file_format,
          r.image_settings.color_mode, r.use_border, s.display.render_aa,
          s.camera.name if s.camera else None, len(bpy.data.objects), len(bpy.data.cameras), len(bpy.data.images)]
"""


def images_of(result):
    """(width, height, channels, rows) of every image in a tool result."""
    return [png.decode(base64.b64decode(c.data)) for c in result.content if c.type == "image"]


def crop(image, x0, y0, size):
    """A square of an image's pixels (rows top to bottom) as a list of rows of bytes."""
    _, _, channels, rows = image
    return [row[x0 * channels : (x0 + size) * channels] for row in rows[y0 : y0 + size]]


def foreground_fraction(image):
    """The share of pixels that differ from the bottom-right corner (the background)."""
    width, height, channels, rows = image
    background = rows[-1][-channels:]
    differ = sum(
        1
        for row in rows
        for x in range(0, width * channels, channels)
        if max(abs(a - b) for a, b in zip(row[x : x + 3], background)) > 12
    )
    return differ / (width * height)


@pytest.fixture
def asymmetric_scene(tools_server):
    """The default cube plus a cone on top and a sphere to its right, so every side looks different."""
    ok(tools_server, "create_object", {"kind": "cone", "name": "views_cone", "location": [0, 0, 2]})
    ok(
        tools_server,
        "create_object",
        {"kind": "uv_sphere", "name": "views_ball", "size": 1, "location": [2.5, 1, -0.5]},
    )
    yield
    remove_objects(tools_server, "views_cone", "views_ball")


def test_contact_sheet_of_four_labelled_views_that_differ(tools_server, asymmetric_scene):
    before = py(tools_server, STATE)
    res = tools_server.call(
        "get_viewport_screenshot", {"views": ["front", "top", "right", "perspective"], "max_size": 400}
    )
    assert not res.is_error, text_of(res)
    (sheet,) = images_of(res)
    assert sheet[:2] == (400, 400)
    assert "front, top, right, perspective" in text_of(res)
    tiles = [crop(sheet, x, y, 200) for y in (0, 200) for x in (0, 200)]
    for i in range(4):
        for j in range(i + 1, 4):
            assert tiles[i] != tiles[j], f"views {i} and {j} are the same picture"
    channels = sheet[2]
    for tile in tiles:
        corner = {tile[y][x * channels : x * channels + 3] for y in range(10) for x in range(30)}
        assert bytes([0, 0, 0]) in corner and bytes([255, 255, 255]) in corner, "no label in the tile's corner"
    assert py(tools_server, STATE) == before


def test_separate_images_one_per_view(tools_server, asymmetric_scene):
    before = py(tools_server, STATE)
    views = ["front", "back", "left", "bottom", "camera"]
    res = tools_server.call("get_viewport_screenshot", {"views": views, "layout": "separate", "max_size": 128})
    assert not res.is_error, text_of(res)
    images = images_of(res)
    assert [i[:2] for i in images] == [(128, 128)] * 4 + [(128, 72)]  # the camera keeps the scene's 16:9
    assert len({tuple(i[3]) for i in images}) == len(views)
    assert all(png.distinct_colours(i[3], i[2]) > 8 for i in images)
    assert "128x72 PNG of the camera view" in text_of(res)
    assert py(tools_server, STATE) == before


def test_all_eight_views_on_the_smallest_sheet(tools_server):
    views = ["front", "back", "left", "right", "top", "bottom", "camera", "perspective"]
    (sheet,) = images_of(ok_call(tools_server, {"views": views, "max_size": 16}))
    assert sheet[:2] == (15, 15)  # three 5-pixel tiles a side


def test_objects_are_framed(tools_server):
    # A sphere leaves the corners of its own framing empty: the background to measure against.
    ok(tools_server, "create_object", {"kind": "uv_sphere", "name": "views_far", "size": 0.5, "location": [30, 0, 0]})
    try:
        framed = images_of(ok_call(tools_server, {"views": ["front"], "objects": ["views_far"], "max_size": 96}))[0]
        whole = images_of(ok_call(tools_server, {"views": ["front"], "max_size": 96}))[0]
        assert foreground_fraction(framed) > 0.4
        assert foreground_fraction(whole) < 0.1
        # objects alone give the perspective view.
        res = ok_call(tools_server, {"objects": ["views_far", "Cube"], "max_size": 64})
        assert "perspective" in text_of(res) and images_of(res)[0][:2] == (64, 64)
    finally:
        remove_objects(tools_server, "views_far")


def ok_call(server, args):
    res = server.call("get_viewport_screenshot", args)
    assert not res.is_error, text_of(res)
    return res


def test_bad_views_and_objects_name_the_valid_ones(tools_server):
    before = py(tools_server, STATE)
    text = fails(tools_server, "get_viewport_screenshot", {"views": ["top", "frnt"]})
    assert "unknown view 'frnt'" in text and text.index("'front'") < text.index("'back'")
    assert "'perspective'" in text and "'camera'" in text
    assert "Did you mean: 'Cube'" in fails(
        tools_server, "get_viewport_screenshot", {"views": ["top"], "objects": ["Cub"]}
    )
    assert "views repeats 'top'" in fails(tools_server, "get_viewport_screenshot", {"views": ["top", "front", "top"]})
    assert "views is empty" in fails(tools_server, "get_viewport_screenshot", {"views": []})
    py(tools_server, "bpy.context.scene.camera = None")
    try:
        assert "needs an active scene camera" in fails(tools_server, "get_viewport_screenshot", {"views": ["camera"]})
    finally:
        py(tools_server, "bpy.context.scene.camera = bpy.data.objects['Camera']")
    assert "max_size must be between" in fails(
        tools_server, "get_viewport_screenshot", {"views": ["top"], "max_size": 2}
    )
    assert py(tools_server, STATE) == before


def test_a_single_shot_without_camera_frames_objects_moved_just_before(tools_server):
    py(
        tools_server,
        "c = bpy.data.objects['Cube']; c.hide_viewport = c.hide_render = True; bpy.context.scene.camera = None",
    )
    ok(tools_server, "create_object", {"kind": "uv_sphere", "name": "views_moved", "size": 0.5, "location": [30, 0, 0]})
    try:
        shot = images_of(ok_call(tools_server, {"max_size": 96}))[0]
        assert foreground_fraction(shot) > 0.05, "the temporary camera framed where the object was, not where it is"
    finally:
        remove_objects(tools_server, "views_moved")
        py(
            tools_server,
            "c = bpy.data.objects['Cube']; c.hide_viewport = c.hide_render = False; "
            "bpy.context.scene.camera = bpy.data.objects['Camera']",
        )
