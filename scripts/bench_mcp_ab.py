"""A/B of MCP tools/call over stdio for two (or more) server builds, interleaved.

    python scripts/bench_mcp_ab.py OLD_BINARY NEW_BINARY [--rounds N] [--block N]

A binary written BINARY:ADDON_DIR runs with $BLENDER_MCP_ADDON_DIR=ADDON_DIR
(its Blender imports that addon tree instead of the embedded one), which
compares two addons behind one server build.

Same client and calls as scripts/bench_mcp.py (raw JSON-RPC over the pipes),
but every binary runs at once, each with the headless Blender it launches
(and so the addon it embeds), and each round measures every (binary, call)
pair for a block of calls in a shuffled order. The wake-up latency of an idle
CPU moves these figures by 2x within a minute on a shared machine
(docs/BENCHMARKS.md): only interleaved runs compare builds fairly. Measures,
never asserts.
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

from support import LockstepStdioServer, StdioServer, launching_args  # noqa: E402

CALLS = {
    "ping": lambda s: s.request("ping"),
    "exec (rollback off)": lambda s: s.call(
        "execute_blender_code", {"code": "None", "rollback_on_error": False, "confirm": True}
    ),
    "exec (rollback on)": lambda s: s.call("execute_blender_code", {"code": "None"}),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--block", type=int, default=200)
    parser.add_argument(
        "--threaded-client",
        action="store_true",
        help="read replies on a reader thread (the tests' StdioServer) instead of the asking one",
    )
    opts = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="bench-mcp-ab-"))
    servers = []
    try:
        for i, spec in enumerate(opts.binaries):
            binary, _, addon_dir = spec.partition(":")
            os.environ["BLENDER_MCP_BIN"] = str(Path(binary).resolve())
            env = {"BLENDER_MCP_ADDON_DIR": str(Path(addon_dir).resolve())} if addon_dir else {}
            client = StdioServer if opts.threaded_client else LockstepStdioServer
            server = client(launching_args("--log", "warn"), logs / f"server{i}.log", env)
            servers.append(server)
            server.initialize()
            server.exec_value("None")
        pairs = [(b, name) for b in range(len(servers)) for name in CALLS]
        samples = {pair: [] for pair in pairs}
        for b, name in pairs:  # warm-up
            for _ in range(opts.block):
                CALLS[name](servers[b])
        load = [os.getloadavg()[0]]
        for _ in range(opts.rounds):
            random.shuffle(pairs)
            for b, name in pairs:
                call, server, out = CALLS[name], servers[b], samples[b, name]
                for _ in range(opts.block):
                    began = time.perf_counter()
                    call(server)
                    out.append(time.perf_counter() - began)
            load.append(os.getloadavg()[0])
        print(f"{opts.rounds} rounds x {opts.block} calls per pair; 1-min load average {min(load):.2f}-{max(load):.2f}")
        for name in CALLS:
            for b, binary in enumerate(opts.binaries):
                s = sorted(samples[b, name])
                print(
                    f"{name:<22} {str(binary):<50} p50 {statistics.median(s) * 1e6:7.1f} us"
                    f"  p99 {s[int(len(s) * 0.99)] * 1e6:7.1f} us"
                )
        for b, server in enumerate(servers):
            extra = [m for m in server.unmatched if "method" in m]
            print(f"notifications received from {opts.binaries[b]}: {len(extra)}")
    finally:
        for server in servers:
            server.close()
    print(f"logs: {logs}", file=sys.stderr)


if __name__ == "__main__":
    main()
