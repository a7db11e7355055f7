"""How big and how fast `get_node_tree` answers on a 50-node material.

Builds the tree with `edit_node_tree` (texture chains as an agent would:
coordinates -> mapping -> noise -> colour ramp, mixed and scaled by math
nodes, into a Principled BSDF), then calls `get_node_tree` repeatedly over
MCP stdio (the official Python SDK) and prints the answer's size and the
call's latency. Nothing is asserted (docs/BENCHMARKS.md has the figures).

    BLENDER_MCP_PYTHON=/path/to/python-with-bpy python scripts/bench_nodes.py [--server PATH] [--calls N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / suite) for suite in ("e2e", "faults", "shared")]

from conftest import free_port
from harness import McpServer, blender_python, text_of

CHAINS = 9  # 9 chains of 5 nodes, 3 mixes, Principled BSDF and Material Output: 50 nodes


def chain_ops(i: int) -> list[dict]:
    """Coordinates -> Mapping -> Noise -> ColorRamp -> Math, with values off their defaults."""
    y = -300 * i
    return [
        {"op": "add", "type": "ShaderNodeTexCoord", "name": f"Coord{i}", "location": [-1400, y]},
        {
            "op": "add",
            "type": "ShaderNodeMapping",
            "name": f"Map{i}",
            "location": [-1200, y],
            "inputs": {"Scale": [1 + i, 1 + i, 1]},
        },
        {
            "op": "add",
            "type": "ShaderNodeTexNoise",
            "name": f"Noise{i}",
            "location": [-1000, y],
            "inputs": {"Scale": 2.0 + i, "Detail": 4.0},
            "properties": {"noise_dimensions": "4D"},
        },
        {
            "op": "add",
            "type": "ShaderNodeValToRGB",
            "name": f"Ramp{i}",
            "location": [-800, y],
            "properties": {"color_ramp": {"elements": [[0.2, [0, 0, 0, 1]], [0.8, [1, 0.1 * i, 0, 1]]]}},
        },
        {
            "op": "add",
            "type": "ShaderNodeMath",
            "name": f"Math{i}",
            "location": [-600, y],
            "properties": {"operation": "MULTIPLY"},
            "inputs": {"1": 0.5},
        },
        {"op": "link", "from": f"Coord{i}.UV", "to": f"Map{i}.Vector"},
        {"op": "link", "from": f"Map{i}.Vector", "to": f"Noise{i}.Vector"},
        {"op": "link", "from": f"Noise{i}.Fac", "to": f"Ramp{i}.Fac"},
        {"op": "link", "from": f"Ramp{i}.Alpha", "to": f"Math{i}.0"},
    ]


def mix_ops() -> list[dict]:
    ops = []
    for j in range(3):
        ops += [
            {
                "op": "add",
                "type": "ShaderNodeMix",
                "name": f"Mix{j}",
                "location": [-300, -600 * j],
                "properties": {"data_type": "RGBA", "blend_type": "MULTIPLY"},
            },
            {"op": "link", "from": f"Ramp{3 * j}.Color", "to": f"Mix{j}.A"},
            {"op": "link", "from": f"Ramp{3 * j + 1}.Color", "to": f"Mix{j}.B"},
            {"op": "link", "from": f"Math{3 * j + 2}.Value", "to": f"Mix{j}.Factor"},
        ]
    ops += [
        {"op": "link", "from": "Mix0.Result", "to": "Principled BSDF.Base Color"},
        {"op": "link", "from": "Math0.Value", "to": "Principled BSDF.Roughness"},
        {"op": "link", "from": "Math1.Value", "to": "Principled BSDF.Metallic"},
    ]
    return ops


def plain_ops() -> list[dict]:
    """48 Math nodes in a chain into the Principled BSDF, one value each: a sparser 50-node tree."""
    ops = [
        {"op": "add", "type": "ShaderNodeMath", "name": f"M{i}", "location": [i * 180, 0], "inputs": {"1": float(i)}}
        for i in range(48)
    ]
    ops += [{"op": "link", "from": f"M{i}.Value", "to": f"M{i + 1}.0"} for i in range(47)]
    return ops + [{"op": "link", "from": "M47.Value", "to": "Principled BSDF.Roughness"}]


def call(server: McpServer, tool: str, args: dict) -> dict:
    res = server.call(tool, args)
    if res.is_error:
        raise RuntimeError(f"{tool}: {text_of(res)}")
    return res.structured_content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", help="the blender-mcp-rs binary (default: the workspace's debug build)")
    parser.add_argument("--calls", type=int, default=30)
    opts = parser.parse_args()
    if opts.server:
        os.environ["BLENDER_MCP_BIN"] = opts.server
    server = McpServer(args=["--port", str(free_port())], env={"BLENDER_MCP_BLENDER": str(blender_python())})
    try:
        new_material = "for n in ('bench', 'plain'): bpy.data.materials.new(n).use_nodes = True"
        call(server, "execute_blender_code", {"code": new_material})
        call(server, "edit_node_tree", {"tree": "material:plain", "ops": plain_ops()})
        plain = call(server, "get_node_tree", {"tree": "material:plain"})
        ops = [op for i in range(CHAINS) for op in chain_ops(i)] + mix_ops()
        built = call(server, "edit_node_tree", {"tree": "material:bench", "ops": ops})
        version = call(server, "execute_blender_code", {"code": "result = bpy.app.version_string"})["result"]
        times = []
        for _ in range(opts.calls):
            start = time.perf_counter()
            answer = call(server, "get_node_tree", {"tree": "material:bench"})
            times.append((time.perf_counter() - start) * 1000)
        size = len(json.dumps(answer, separators=(",", ":")))
        times.sort()
        print(f"Blender {version}: {built['nodes']} nodes, {built['links']} links ({len(ops)} ops in one edit)")
        print(f"get_node_tree answer: {size} bytes of compact JSON")
        print(f"the sparser 50-node chain of Math nodes: {len(json.dumps(plain, separators=(',', ':')))} bytes")
        print(
            f"get_node_tree over stdio, {opts.calls} calls: p50 {statistics.median(times):.1f} ms, "
            f"min {times[0]:.1f} ms, max {times[-1]:.1f} ms"
        )
    finally:
        server.close()


if __name__ == "__main__":
    main()
