"""Timings of analyze_mesh, multi-view screenshots and set_keyframes over
MCP stdio (docs/BENCHMARKS.md, "Animation, mesh checks, several views").

    CARGO_TARGET_DIR=... BLENDER_MCP_PYTHON=/path/to/python-with-bpy python scripts/bench_anim_mesh_views.py

Each figure is the median of five calls, the client's own cost included."""

import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "tests" / suite) for suite in ("e2e", "faults", "shared")]
from conftest import free_port
from harness import McpServer, text_of


def timed(server, tool, args, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        res = server.call(tool, args, timeout=600)
        times.append(time.perf_counter() - start)
        assert not res.is_error, text_of(res)
    return statistics.median(times) * 1000


def main():
    server = McpServer(args=["--port", str(free_port())], env={"BLENDER_MCP_BLENDER": os.environ["BLENDER_MCP_PYTHON"]})
    try:
        version = server.call("execute_blender_code", {"code": "result = bpy.app.version_string"}).structured_content
        print(f"Blender {version['result']}")
        for level in (2, 4):
            server.call(
                "execute_blender_code",
                {
                    "code": f"""
bpy.ops.mesh.primitive_monkey_add()
o = bpy.context.object
o.name = "bench_monkey_{level}"
m = o.modifiers.new("sub", "SUBSURF")
m.levels = {level}
"""
                },
            )
            faces = server.call("analyze_mesh", {"object": f"bench_monkey_{level}"}).structured_content["faces"]
            ms = timed(server, "analyze_mesh", {"object": f"bench_monkey_{level}"})
            print(f"analyze_mesh, {faces} faces (evaluated): {ms:.0f} ms")
        for views, size in (
            (["front"], 400),
            (["front", "top", "right", "perspective"], 800),
            (["front", "back", "left", "right", "top", "bottom", "camera", "perspective"], 800),
        ):
            ms = timed(server, "get_viewport_screenshot", {"views": views, "max_size": size})
            print(f"get_viewport_screenshot, {len(views)} views, sheet {size} px: {ms:.0f} ms")
        ms = timed(server, "get_viewport_screenshot", {"max_size": 800})
        print(f"get_viewport_screenshot, no views (camera render), 800 px: {ms:.0f} ms")
        keys = [{"frame": f, "value": 2 * math.pi * (f - 1) / 48} for f in range(1, 49)]
        ms = timed(
            server,
            "set_keyframes",
            {"object": "Cube", "data_path": "rotation_euler", "index": 2, "keyframes": keys, "interpolation": "LINEAR"},
        )
        print(f"set_keyframes, 48 keys: {ms:.0f} ms")
        ms = timed(server, "get_animation", {"object": "Cube"})
        print(f"get_animation, one 48-key curve: {ms:.0f} ms")
    finally:
        server.close()


if __name__ == "__main__":
    main()
