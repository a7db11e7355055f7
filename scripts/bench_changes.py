"""What `changes` costs a writer call, on scenes of 1,000 and 10,000 objects.

    python scripts/bench_changes.py OLD_BINARY NEW_BINARY [--rounds N] [--block N]

Two figures per scene size:
- main thread: the snapshot (before) and the snapshot plus diff (after),
  timed inside Blender with the snippet files themselves;
- end to end: an interleaved A/B of `set_transform` and
  `execute_blender_code` over stdio between a build without `changes`
  (OLD_BINARY) and one with it (NEW_BINARY), each with its own headless
  Blender holding the same scene.
Measures, never asserts. The scene: N objects, nine in ten empties, the
rest meshes (one in ten of those with a Bevel modifier and a material).
1,000 objects is the largest scene whose per-object details (parent, data,
modifiers, materials) are compared.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / suite) for suite in ("e2e", "faults", "shared")]

from support import StdioServer, launching_args

SNIPPETS = ROOT / "blender-bridge" / "src" / "tools" / "changes"

BUILD = """
for o in list(bpy.data.objects):
    bpy.data.objects.remove(o)
mat = bpy.data.materials.new("bench_mat")
coll = bpy.context.scene.collection
for i in range(args["n"] - args["n"] // 10):
    coll.objects.link(bpy.data.objects.new(f"bench{i}", None))
for i in range(args["n"] // 10):
    o = bpy.data.objects.new(f"bench_mesh{i}", bpy.data.meshes.new(f"bench_mesh{i}"))
    coll.objects.link(o)
    if i % 10 == 0:
        o.modifiers.new("Bevel", "BEVEL")
        o.data.materials.append(mat)
"""

# Times the snapshot and the diff in Blender over `runs`, in ms, as [best,
# median]: wall time, and the main thread's CPU time, which a loaded machine
# inflates far less (on 2 cores at load 10 a process gets a fifth of a core).
MAIN_THREAD = """
import time
best = {}
changes = {}
exec(compile(args["library"], "changes library", "exec"), changes)  # loaded once per Blender, as load.py does


def timed(label, step, step_args):
    wall, cpu = time.perf_counter(), time.thread_time()
    step(step_args, None)
    for kind, began, now in (("wall", wall, time.perf_counter()), ("cpu", cpu, time.thread_time())):
        key = f"{label} {kind}"
        best.setdefault(key, []).append(now - began)


for _ in range(args["runs"]):
    step_args = {"changes_id": "bench", "cap": 100}
    timed("before", changes["take"], step_args)
    bpy.data.objects["bench7"].location.x += 1
    timed("after", changes["diff_step"], step_args)
import statistics

result = {k: [round(min(v) * 1000, 2), round(statistics.median(v) * 1000, 2)] for k, v in sorted(best.items())}
"""

CALLS = {
    "set_transform": lambda s, i: s.call("set_transform", {"name": "bench3", "location": [i % 7, 0, 0]}),
    "exec (rollback off)": lambda s, i: s.call(
        "execute_blender_code",
        {"code": "bpy.data.objects['bench5'].location.y += 1", "rollback_on_error": False, "confirm": True},
    ),
}


def main_thread(server, runs=20):
    library = "".join((SNIPPETS / f"{name}.py").read_text() for name in ("snapshot", "take", "diff"))
    return server.exec_value(MAIN_THREAD, {"runs": runs, "library": library})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--block", type=int, default=20)
    opts = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="bench-changes-"))
    for size in map(int, opts.sizes.split(",")):
        servers = []
        try:
            for i, binary in enumerate((opts.old, opts.new)):
                os.environ["BLENDER_MCP_BIN"] = str(Path(binary).resolve())
                server = StdioServer(launching_args("--log", "warn"), logs / f"server{size}-{i}.log")
                servers.append(server)
                server.initialize()
                server.exec_value(BUILD, {"n": size})
            print(f"{size} objects: main thread [best, median] of 20: {main_thread(servers[1])}")
            pairs = [(b, name) for b in range(2) for name in CALLS]
            samples = {pair: [] for pair in pairs}
            for b, name in pairs:  # warm-up
                for i in range(3):
                    CALLS[name](servers[b], i)
            load = [os.getloadavg()[0]]
            for _ in range(opts.rounds):
                random.shuffle(pairs)
                for b, name in pairs:
                    for i in range(opts.block):
                        began = time.perf_counter()
                        CALLS[name](servers[b], i)
                        samples[b, name].append(time.perf_counter() - began)
                load.append(os.getloadavg()[0])
            print(f"  {opts.rounds} rounds x {opts.block} calls; 1-min load {min(load):.2f}-{max(load):.2f}")
            for name in CALLS:
                p50 = [statistics.median(samples[b, name]) * 1e3 for b in range(2)]
                print(f"  {name:<20} without {p50[0]:7.2f} ms  with {p50[1]:7.2f} ms  (+{p50[1] - p50[0]:.2f} ms p50)")
        finally:
            for server in servers:
                server.close()
    print(f"logs: {logs}", file=sys.stderr)


if __name__ == "__main__":
    main()
