"""Render-farm benchmark: 48 Cycles frames rendered by one Blender in
sequence, by the local pool, and by Slurm (two tasks), all submitted and
watched through MCP (submit_render_job / get_render_job). Prints a table:
wall time from submission to done, speed-up over one Blender, the mean
render time per frame, and the per-chunk overhead (a worker's start to its
first frame: starting Blender and loading the job's scene), read from the
workers' logs. Nothing is asserted.

    SLURM_CONF=... BLENDER_MCP_PYTHON=... python scripts/bench_farm.py [--server PATH] [--frames 48]

Slurm runs need `envmgr farm up`; the server defaults to the debug build.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / suite) for suite in ("e2e", "faults", "shared")]

from conftest import free_port
from harness import McpServer, blender_python, text_of

SETTINGS = {"engine": "CYCLES", "samples": 128, "resolution": [64, 64]}
READY = re.compile(r"farm-worker: ready in ([0-9.]+) s")


def run(label, backend, chunk, frames, extra_args, base):
    dirs = {name: base / label / name for name in ("out", "farm")}
    args = ["--port", str(free_port()), "--output-dir", str(dirs["out"]), "--farm-dir", str(dirs["farm"])]
    with McpServer(args=args + extra_args, env={"BLENDER_MCP_BLENDER": str(blender_python())}) as srv:
        started = time.perf_counter()
        res = srv.call("submit_render_job", {"frames": f"1-{frames}", "chunk": chunk, "backend": backend, **SETTINGS})
        assert not res.is_error, text_of(res)
        job = res.structured_content
        while True:
            view = srv.call("get_render_job", {"job": job["id"]}).structured_content
            if view["state"] not in ("queued", "running"):
                break
            time.sleep(0.2)
        wall = time.perf_counter() - started
    assert view["state"] == "done", view
    job_dir = Path(view["job_dir"])
    per_frame = [json.loads(p.read_text())["seconds"] for p in (job_dir / "done").iterdir()]
    ready = [float(m) for log in (job_dir / "logs").iterdir() for m in READY.findall(log.read_text())]
    return {
        "label": label,
        "chunks": len(view["chunks"]),
        "wall": wall,
        "frame": statistics.mean(per_frame),
        "overhead": statistics.mean(ready),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--no-slurm", action="store_true")
    opts = parser.parse_args()
    n = opts.frames
    runs = [
        ("one Blender, 1 chunk", "local", n, ["--farm-workers", "1"]),
        ("local pool, 2 workers x 2 chunks", "local", n // 2, ["--farm-workers", "2"]),
        ("local pool, 2 workers x 8 chunks", "local", n // 8, ["--farm-workers", "2"]),
    ]
    if not opts.no_slurm:
        runs.append(("Slurm, 2 tasks (2 CPUs each)", "slurm", n // 2, ["--slurm-cpus", "2"]))
    with tempfile.TemporaryDirectory(prefix="bench-farm-") as tmp:
        results = [run(label, backend, chunk, n, extra, Path(tmp)) for label, backend, chunk, extra in runs]
    base = results[0]["wall"]
    print(f"{n} frames, Cycles {SETTINGS['resolution'][0]}x{SETTINGS['resolution'][1]}, {SETTINGS['samples']} samples")
    print(f"{'run':<36} {'chunks':>6} {'wall s':>7} {'speed-up':>8} {'s/frame':>8} {'chunk start s':>13}")
    for r in results:
        print(
            f"{r['label']:<36} {r['chunks']:>6} {r['wall']:>7.1f} {base / r['wall']:>7.2f}x "
            f"{r['frame']:>8.2f} {r['overhead']:>13.2f}"
        )


if __name__ == "__main__":
    main()
