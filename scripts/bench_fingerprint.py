"""What one resource-subscription poll costs Blender, on scenes of 1,000 and
10,000 objects.

    $BLENDER_MCP_PYTHON scripts/bench_fingerprint.py [--rounds N]

Runs in a Python with pip's bpy (no server): the poll's snippet file itself
(blender-bridge/src/tools/subscriptions/fingerprint.py) is run as the bridge
runs it, for `blender://scene` alone and for the scene plus one object (a
mesh with a Bevel modifier and a material). Prints the main thread's CPU
time (`time.thread_time`) and wall time, median (best) of N runs, and the
spacing the server then keeps between polls: max(500 ms, 10 x cost).
Measures, never asserts. The scene: N objects, nine in ten empties, the rest
meshes sharing one mesh and material (one in ten of those with a Bevel
modifier), much as in scripts/bench_changes.py.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import bpy

SNIPPET = Path(__file__).resolve().parents[1] / "blender-bridge/src/tools/subscriptions/fingerprint.py"


def build(n: int):
    for o in list(bpy.data.objects):
        bpy.data.objects.remove(o)
    mat = bpy.data.materials.get("bench_mat") or bpy.data.materials.new("bench_mat")
    coll = bpy.context.scene.collection
    mesh = bpy.data.meshes.new("bench_mesh")
    mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    mesh.materials.append(mat)  # every mesh object shares this mesh and its material
    for i in range(n):
        if i % 10:
            obj = bpy.data.objects.new(f"E{i}", None)
        else:
            obj = bpy.data.objects.new(f"M{i}", mesh)
            if i % 100 == 0:
                obj.modifiers.new("Bevel", "BEVEL")
        obj.location = (i % 100, i // 100, 0)
        coll.objects.link(obj)


def measure(code, args: dict, rounds: int) -> tuple[list[float], list[float]]:
    cpu, wall = [], []
    for _ in range(rounds):
        scope = {"args": args, "__name__": "__blender_mcp__"}
        w, c = time.perf_counter(), time.thread_time()
        exec(code, scope)
        cpu.append((time.thread_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return cpu, wall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    code = compile(SNIPPET.read_text(), str(SNIPPET), "exec")
    print("| scene | watched | CPU ms median (best) | wall ms median (best) | poll spacing |")
    print("|---|---|---|---|---|")
    for n in (1_000, 10_000):
        build(n)
        for label, args in (
            ("blender://scene", {"scene": True, "objects": []}),
            ("scene + 1 object", {"scene": True, "objects": ["M100"]}),
        ):
            cpu, wall = measure(code, args, rounds)
            spacing = max(500.0, 10 * statistics.median(wall))
            print(
                f"| {n:,} objects | {label} | {statistics.median(cpu):.1f} ({min(cpu):.1f}) "
                f"| {statistics.median(wall):.1f} ({min(wall):.1f}) | {spacing:.0f} ms |"
            )


if __name__ == "__main__":
    main()
