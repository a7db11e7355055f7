"""Rendering end to end: real Cycles, EEVEE and Workbench renders in a
headless Blender (Mesa's software EGL for EEVEE/Workbench), checked as real
PNGs. Sizes and samples are tiny to keep the suite fast."""

import base64
import json

import png
import pytest
from harness import text_of
from tools_helpers import fails, ok, py

SETTINGS = (
    "r = bpy.context.scene.render; result = [r.engine, r.resolution_x, r.resolution_y, r.filepath, "
    "bpy.context.scene.cycles.samples, bpy.context.scene.camera.name]"
)


def image_of(result):
    images = [c for c in result.content if getattr(c, "type", None) == "image"]
    assert len(images) == 1 and images[0].mime_type == "image/png"
    return base64.b64decode(images[0].data)


def assert_real_png(data, width, height):
    w, h, channels, rows = png.decode(data)
    assert (w, h) == (width, height)
    assert png.distinct_colours(rows, channels) > 1, "the render is one flat colour"


@pytest.mark.parametrize("engine,samples", [("WORKBENCH", None), ("CYCLES", 4), ("EEVEE", 4)])
def test_render_image_inline_with_each_engine_restores_settings(tools_server, engine, samples):
    before = py(tools_server, SETTINGS)
    args = {"engine": engine, "width": 64, "height": 48}
    if samples:
        args["samples"] = samples
    res = tools_server.call("render_image", args, timeout=600)
    assert not res.is_error, text_of(res)
    assert_real_png(image_of(res), 64, 48)
    summary = res.structured_content
    assert (summary["width"], summary["height"]) == (64, 48)
    assert summary["engine"] == {"WORKBENCH": "BLENDER_WORKBENCH", "CYCLES": "CYCLES"}.get(engine, summary["engine"])
    if engine == "EEVEE":  # the id depends on the Blender version
        assert summary["engine"] in ("BLENDER_EEVEE_NEXT", "BLENDER_EEVEE")
    assert json.loads(text_of(res))["camera"] == before[5]
    assert py(tools_server, SETTINGS) == before


def test_render_image_saved_under_the_output_dir(tools_server, tool_dirs):
    res = tools_server.call(
        "render_image",
        {"engine": "WORKBENCH", "width": 40, "height": 30, "save_as": "renders/still.png", "inline": False},
    )
    assert not res.is_error, text_of(res)
    assert not [c for c in res.content if getattr(c, "type", None) == "image"]
    path = tool_dirs["out"] / "renders" / "still.png"
    assert res.structured_content["path"] == str(path.resolve())
    assert_real_png(path.read_bytes(), 40, 30)


def test_render_keep_settings_and_camera_choice(tools_server):
    before = py(tools_server, SETTINGS)
    ok(
        tools_server,
        "add_camera",
        {"name": "rn_cam", "location": [0, -8, 1], "look_at": {"object": "Cube"}, "make_active": False},
    )
    try:
        res = tools_server.call(
            "render_image",
            {"engine": "WORKBENCH", "width": 32, "height": 32, "camera": "rn_cam", "keep_settings": True},
        )
        assert not res.is_error, text_of(res)
        assert res.structured_content["camera"] == "rn_cam"
        after = py(tools_server, SETTINGS)
        assert after[:3] == ["BLENDER_WORKBENCH", 32, 32] and after[5] == "rn_cam"
    finally:
        py(
            tools_server,
            """
r = bpy.context.scene.render
r.engine, r.resolution_x, r.resolution_y, r.filepath = args['b'][0], args['b'][1], args['b'][2], args['b'][3]
bpy.context.scene.camera = bpy.data.objects[args['b'][5]]
bpy.data.objects.remove(bpy.data.objects['rn_cam'])
""",
            {"b": before},
        )


def test_render_refusals(tools_server, tool_dirs):
    assert "outside the allowed directories" in fails(tools_server, "render_image", {"save_as": "../escape.png"})
    # Allowed roots other than the output dir are not render targets.
    assert "outside" in fails(tools_server, "render_image", {"save_as": str(tool_dirs["assets"] / "x.png")})
    assert ".png" in fails(tools_server, "render_image", {"save_as": "x.jpg"})
    assert "between 1 and" in fails(tools_server, "render_image", {"width": 0})
    assert "not a camera" in fails(tools_server, "render_image", {"engine": "WORKBENCH", "camera": "Cube"})
    assert "save_as" in fails(tools_server, "render_image", {"inline": False})
    assert not (tool_dirs["out"].parent / "escape.png").exists()


def test_render_animation_writes_each_frame(tools_server, tool_dirs):
    before = py(tools_server, "result = bpy.context.scene.frame_current")
    py(
        tools_server,
        """
cube = bpy.data.objects['Cube']
cube.location.x = 0; cube.keyframe_insert('location', frame=1)
cube.location.x = 2; cube.keyframe_insert('location', frame=5)
""",
    )
    try:
        out = ok(
            tools_server,
            "render_animation",
            {
                "engine": "WORKBENCH",
                "width": 32,
                "height": 24,
                "frame_start": 1,
                "frame_end": 5,
                "frame_step": 2,
                "directory": "anim",
            },
            timeout=600,
        )
        expected = [str((tool_dirs["out"] / "anim" / f"frame_{f:04d}.png").resolve()) for f in (1, 3, 5)]
        assert out["files"] == expected
        frames = [open(p, "rb").read() for p in expected]
        for data in frames:
            assert_real_png(data, 32, 24)
        assert frames[0] != frames[2], "the animated cube should move between frames"
        assert py(tools_server, "result = bpy.context.scene.frame_current") == before
        assert "before frame_start" in fails(
            tools_server, "render_animation", {"frame_start": 5, "frame_end": 1, "directory": "anim"}
        )
        assert "outside" in fails(
            tools_server, "render_animation", {"frame_start": 1, "frame_end": 1, "directory": "/tmp"}
        )
    finally:
        py(
            tools_server,
            """
cube = bpy.data.objects['Cube']
cube.animation_data_clear(); cube.location.x = 0
bpy.context.scene.frame_set(args['f'])
""",
            {"f": before},
        )
