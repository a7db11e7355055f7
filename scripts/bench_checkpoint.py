"""What the rollback checkpoint of `execute_blender_code` costs Blender, by scene size.

    /path/to/python-with-bpy scripts/bench_checkpoint.py [--sizes 1000,10000,100000] [--runs 7]

Runs inside Blender's Python (pip's `bpy`, or `blender -b --python` with the
arguments after `--`), on scenes of N empties named like scripts/bench_mcp.py
makes them, and times:
- the checkpoint snippet itself (blender-bridge/src/tools/snippets/checkpoint.py,
  an undo step pushed without bpy.ops' depsgraph evaluation where Blender
  allows it) and, for comparison, `bpy.ops.ed.undo_push` through bpy.ops'
  Python wrapper: each when nothing changed since the last step, and after
  one object moved (what a call that changed the scene leaves for the next
  call's checkpoint);
- the fallback where undo is off: a copy of the file saved to a temporary
  .blend.
Prints [best, median] of `--runs` in ms, wall time and the main thread's CPU
time (which a loaded machine inflates far less). Measures, never asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import bpy

CHECKPOINT = Path(__file__).resolve().parents[1] / "blender-bridge" / "src" / "tools" / "snippets" / "checkpoint.py"


def build(n):
    """n empties in the scene collection, as scripts/bench_mcp.py makes them."""
    objects = bpy.data.objects
    for obj in list(objects):
        objects.remove(obj)
    link = bpy.context.scene.collection.objects.link
    for i in range(n):
        link(objects.new("obj_%06d" % i, None))


def timed(runs, work, prepare=None):
    """{"wall": [best, median], "cpu": [best, median]} of `work` in ms."""
    wall, cpu = [], []
    for _ in range(runs):
        if prepare:
            prepare()
        began, began_cpu = time.perf_counter(), time.thread_time()
        work()
        wall.append(time.perf_counter() - began)
        cpu.append(time.thread_time() - began_cpu)
    return {
        kind: [round(min(v) * 1e3, 2), round(statistics.median(v) * 1e3, 2)]
        for kind, v in (("wall", wall), ("cpu", cpu))
    }


def push():
    bpy.ops.ed.undo_push(message="bench checkpoint")


def snippet(code):
    """The checkpoint snippet, run as the addon runs it."""

    def run():
        namespace = {"bpy": bpy, "args": {"label": "bench", "id": "bench"}}
        exec(code, namespace)
        assert namespace["result"]["method"] == "undo", namespace["result"]

    return run


def move_one():
    bpy.data.objects[0].location.x += 1.0


def save_copy(directory):
    path = os.path.join(directory, "checkpoint.blend")
    bpy.ops.wm.save_as_mainfile(filepath=path, copy=True, compress=False)
    os.remove(path)


def main():
    argv = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else sys.argv[1:]
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=7)
    opts = parser.parse_args(argv)
    print(f"Blender {bpy.app.version_string}, 1-min load {os.getloadavg()[0]:.2f}")
    checkpoint = snippet(compile(CHECKPOINT.read_text(), str(CHECKPOINT), "exec"))
    with tempfile.TemporaryDirectory(prefix="bench-checkpoint-") as directory:
        for n in map(int, opts.sizes.split(",")):
            build(n)
            push()  # the first step of a fresh undo stack writes everything
            rows = {
                "checkpoint.py, nothing changed": timed(opts.runs, checkpoint),
                "checkpoint.py, one object moved": timed(opts.runs, checkpoint, move_one),
                "bpy.ops undo_push, nothing changed": timed(opts.runs, push),
                "bpy.ops undo_push, one moved": timed(opts.runs, push, move_one),
                "file copy (undo off)": timed(max(2, opts.runs // 3), lambda: save_copy(directory)),
            }
            for name, figures in rows.items():
                print(f"{n:>7} objects  {name:<34} wall {figures['wall']}  cpu {figures['cpu']}")
    print(f"1-min load {os.getloadavg()[0]:.2f}")


main()
