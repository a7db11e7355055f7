"""The animation, mesh and multi-view tools in a Blender with a window
(Debian's Blender 3.4 under Xvfb when there is no display): the GUI path,
and the oldest Blender, whose actions keep F-curves without slots."""

import base64
import math

import png
import pytest
from harness import text_of
from test_tools_hosts import attached_server
from tools_helpers import ok, py, remove_objects


@pytest.fixture(scope="module")
def gui_server(tmp_path_factory, logs_dir):
    """Debian's Blender (3.4) as a GUI under Xvfb, serving the real addon."""
    with attached_server(
        "gui", tmp_path_factory.mktemp("gui-anim-mesh-views"), logs_dir / "gui-anim-mesh-views.log"
    ) as srv:
        yield srv


def test_it_is_a_gui_blender(gui_server):
    assert py(gui_server, "result = bpy.app.background") is False


def test_turntable_keyframes_read_back(gui_server):
    ok(gui_server, "create_object", {"kind": "empty", "name": "gui_pivot"})
    try:
        ok(gui_server, "set_frame_range", {"start": 1, "end": 48})
        ok(
            gui_server,
            "set_keyframes",
            {
                "object": "gui_pivot",
                "data_path": "rotation_euler[2]",
                "keyframes": [{"frame": 1, "value": 0}, {"frame": 49, "value": 2 * math.pi}],
                "interpolation": "LINEAR",
            },
        )
        anim = ok(gui_server, "get_animation", {"object": "gui_pivot"})
        (curve,) = anim["fcurves"]
        assert (curve["data_path"], curve["index"], curve["interpolation"]) == ("rotation_euler", 2, "LINEAR")
        angle = py(
            gui_server,
            "s = bpy.context.scene; s.frame_set(25); result = bpy.data.objects['gui_pivot'].rotation_euler[2]; "
            "s.frame_set(1)",
        )
        assert angle == pytest.approx(math.pi, abs=1e-4)
    finally:
        remove_objects(gui_server, "gui_pivot")


def test_analyze_mesh_of_the_default_cube(gui_server):
    report = ok(gui_server, "analyze_mesh", {"object": "Cube"})
    assert report["watertight"] is True and report["volume"] == pytest.approx(8)
    assert (report["faces"], report["quads"], report["boundary_edges"]) == (6, 6, 0)


def test_contact_sheet_in_a_gui_blender(gui_server):
    res = gui_server.call("get_viewport_screenshot", {"views": ["front", "top"], "max_size": 200})
    assert not res.is_error, text_of(res)
    (image,) = [c for c in res.content if c.type == "image"]
    width, height, channels, rows = png.decode(base64.b64decode(image.data))
    assert (width, height) == (200, 100)
    assert png.distinct_colours(rows, channels) > 8
    assert py(gui_server, "result = bpy.context.scene.render.engine") != "BLENDER_WORKBENCH"
