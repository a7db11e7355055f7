"""search_bpy_api and describe_bpy latency, cold and warm, through the real
MCP client (tests/e2e/harness.py) and a server that launches its own Blender.

    CARGO_TARGET_DIR=... BLENDER_MCP_PYTHON=/path/to/python-with-bpy python scripts/bench_api_docs.py

Cold: the first search after launch, which builds the index in Blender.
Warm: later searches (MCP round trip included). Also measured inside
Blender: the index build alone, and what a file cache would cost instead
(the index written as JSON and read back)."""

import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "tests" / suite) for suite in ("e2e", "faults", "shared")]

from conftest import free_port
from harness import McpServer, blender_python, text_of

QUERIES = [
    "bevel width",
    "add cube",
    "subdivision levels",
    "noise texture",
    "keyframe insert",
    "object location",
    "render resolution",
    "boolean modifier object",
    "geometry nodes",
    "vertex group",
]
ROUNDS = 5


def call_ms(server, tool, args):
    start = time.perf_counter()
    res = server.call(tool, args)
    elapsed = (time.perf_counter() - start) * 1000
    assert not res.is_error, text_of(res)
    return elapsed


def ms(values):
    values = sorted(values)
    return f"p50 {statistics.median(values):.1f} ms, p95 {values[int(len(values) * 0.95) - 1]:.1f} ms, n={len(values)}"


def main():
    server = McpServer(args=["--port", str(free_port())], env={"BLENDER_MCP_BLENDER": str(blender_python())})
    try:
        version = server.call("execute_blender_code", {"code": "bpy.app.version_string"}).structured_content["result"]
        cold = call_ms(server, "search_bpy_api", {"query": "bevel width"})
        warm = [call_ms(server, "search_bpy_api", {"query": q}) for _ in range(ROUNDS) for q in QUERIES]
        describe = [
            call_ms(server, "describe_bpy", {"path": p})
            for _ in range(ROUNDS)
            for p in ("bpy.types.BevelModifier", "bpy.ops.mesh.primitive_cube_add", "bpy.types.Object.modifiers")
        ]
        inside = server.call(
            "execute_blender_code",
            {
                "code": """
import json, sys, time
home = sys.modules["blender_mcp_rs_api_index"]
entries = len(home.index["entries"])
home.stamp = None  # forces the next search to rebuild
text = json.dumps(home.index)
start = time.perf_counter()
json.loads(text)
load_ms = (time.perf_counter() - start) * 1000
result = {"entries": entries, "json_mb": round(len(text) / 1e6, 1), "json_load_ms": round(load_ms, 1)}
"""
            },
        ).structured_content["result"]
        rebuild = call_ms(server, "search_bpy_api", {"query": "bevel width"})
    finally:
        server.close()
    print(f"Blender {version}; index of {inside['entries']} entries")
    print(f"search_bpy_api cold (first call, builds the index): {cold:.0f} ms; forced rebuild: {rebuild:.0f} ms")
    print(f"search_bpy_api warm: {ms(warm)}")
    print(f"describe_bpy: {ms(describe)}")
    print(
        f"file cache instead: the index as JSON is {inside['json_mb']} MB and takes {inside['json_load_ms']} ms to parse"
    )


if __name__ == "__main__":
    main()
