"""A/B round trips of two (or more) addon trees, interleaved (measures, never asserts).

    ~/.cache/blender-mcp-rs/venv/bin/python addon/bench/bench_ab.py OLD_ADDON_DIR NEW_ADDON_DIR [rounds]

Each ADDON_DIR is a folder holding ``blender_mcp_addon/`` (e.g. ``addon`` of a
``git worktree`` at the older commit). All hosts run at once in module mode;
every round measures each (host, request) pair for a short block, in a
shuffled order. On a shared 2-core machine the wake-up latency of an idle
CPU moves round trips by 2x within a minute (docs/BENCHMARKS.md), so figures
taken one after the other compare the machine's moods, not the code:
interleaving puts both trees under the same conditions.
"""

import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_roundtrip import PYTHON, TOKEN, Client, spawn  # noqa: E402

BLOCK = 200
VARIANTS = (
    ("ping", {}),
    ("exec", {"code": "None"}),
    # What blender-mcp-rs sends for execute_blender_code: a time limit and args.
    ("exec", {"code": "None", "args": {}, "timeout": 300.0}),
)


def start(addon_dir, workdir):
    ready = workdir / "ready.json"
    argv = [PYTHON, "-m", "blender_mcp_addon", "--port", "0", "--ready-file", str(ready), "--allow-shutdown"]
    env = dict(os.environ, PYTHONPATH=str(addon_dir), BLENDER_MCP_TOKEN=TOKEN)
    return spawn(argv, env, ready)


def label(op, params):
    return op + "".join("+" + key for key in params if key != "code")


def main(dirs, rounds=10):
    procs, clients = [], []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for i, addon_dir in enumerate(dirs):
                workdir = Path(tmp) / str(i)
                workdir.mkdir()
                proc, ready = start(Path(addon_dir).resolve(), workdir)
                procs.append(proc)
                client = Client(ready["port"])
                assert client.call({"id": 0, "op": "hello", "params": {"protocol": 1, "token": TOKEN}})["ok"]
                clients.append(client)
            samples = {(h, v): [] for h in range(len(dirs)) for v in range(len(VARIANTS))}
            pairs = list(samples)
            for h, v in pairs:  # warm-up: imports, caches, the watchdog thread
                op, params = VARIANTS[v]
                for i in range(BLOCK):
                    clients[h].call({"id": i + 1, "op": op, "params": params})
            for _ in range(rounds):
                random.shuffle(pairs)
                for h, v in pairs:
                    op, params = VARIANTS[v]
                    for i in range(BLOCK):
                        started = time.perf_counter()
                        reply = clients[h].call({"id": i + 1, "op": op, "params": params})
                        samples[h, v].append(time.perf_counter() - started)
                        assert reply["ok"], reply
            print("load average before/after: see uptime; %d rounds x %d calls per pair" % (rounds, BLOCK))
            for v, (op, params) in enumerate(VARIANTS):
                for h, addon_dir in enumerate(dirs):
                    s = sorted(samples[h, v])
                    print(
                        "%-22s %-40s p50 %6.1f us  p99 %6.1f us"
                        % (label(op, params), addon_dir, statistics.median(s) * 1e6, s[int(len(s) * 0.99)] * 1e6)
                    )
        finally:
            for client in clients:
                try:
                    client.call({"id": 999999, "op": "shutdown"})
                except BaseException:
                    pass
            for proc in procs:
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(30)


if __name__ == "__main__":
    args = sys.argv[1:]
    rounds = int(args.pop()) if args and args[-1].isdigit() else 10
    if len(args) < 2:
        raise SystemExit(__doc__)
    main(args, rounds)
