"""The MCP-level half of the benchmark suite (scripts/bench.sh runs it).

Measures, against the release `blender-mcp-rs` and a headless bpy Blender:
cold start to the first tools/list answer, MCP tool-call round trips over
stdio and over Streamable HTTP, get_scene_info's first page on a
100,000-object scene, and the server's RSS idle and under load (32 HTTP
clients, from tests/faults/load.py). Prints one table together with the
figures of `bridge_bench --json` and of `stdio_bench --json` (MCP over
stdio from a compiled client, interleaved with the bridge's own round trip
on the same Blender: the figure the stdio target is read from). Python's
own figures stay beside it: they are what a Python MCP client sees. Nothing
is asserted.

    python scripts/bench_mcp.py --server target/release/blender-mcp-rs --bridge-json FILE --stdio-json FILE [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / suite) for suite in ("e2e", "faults", "shared")]

from load import run_load  # noqa: E402
from support import HttpSession, LockstepStdioServer, free_port, launching_args, rss_kib, wait_http_ready  # noqa: E402


def percentiles(samples: list[float]) -> dict:
    samples = sorted(samples)
    at = lambda p: samples[min(len(samples) - 1, round((len(samples) - 1) * p))] * 1e6  # noqa: E731
    return {"n": len(samples), "p50_us": at(0.5), "p99_us": at(0.99)}


def timed(n: int, call) -> dict:
    for _ in range(min(n, 100)):
        call()
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return percentiles(samples)


def cold_start(server: Path, runs: int) -> dict:
    """Reuses mcp-core's cold-start script: spawn, initialize, first tools/list answer."""
    script = ROOT / "mcp-core" / "tests" / "python" / "bench_cold_start.py"
    out = subprocess.run(
        [sys.executable, str(script), str(server), str(runs)], check=True, capture_output=True, text=True
    ).stdout
    found = dict(re.findall(r"(min|median|p90|max) ([\d.]+) ms", out))
    return {k: float(v) for k, v in found.items()}


def stdio_figures(quick: bool, logs: Path) -> dict:
    figures = {}
    # One request at a time, read on the asking thread: what is measured is
    # the server and Blender, not the client's own thread hand-offs.
    server = LockstepStdioServer(launching_args("--log", "warn"), logs / "bench_stdio.log")
    try:
        server.initialize()
        time.sleep(0.5)
        figures["rss_kib_idle_before_blender"] = rss_kib(server.pid)
        server.exec_value("None")
        n = 20 if quick else 3000
        figures["tools_list"] = timed(n, lambda: server.request("tools/list"))
        figures["ping"] = timed(n, lambda: server.request("ping"))
        # As users call it (a rollback checkpoint around the code), and bare.
        figures["exec_call"] = timed(n, lambda: server.call("execute_blender_code", {"code": "None"}))
        bare = {"code": "None", "rollback_on_error": False, "confirm": True}
        figures["exec_call_no_rollback"] = timed(n, lambda: server.call("execute_blender_code", bare))
        time.sleep(1.0)
        figures["rss_kib_idle_connected"] = rss_kib(server.pid)

        objects = 1000 if quick else 100_000
        made = server.exec_value(
            "objs = bpy.data.objects\ncoll = bpy.context.scene.collection.objects\n"
            "for i in range(args['n']):\n    coll.link(objs.new('obj_%06d' % i, None))\nresult = len(objs)",
            {"n": objects},
            timeout=600,
        )
        figures["scene_objects"] = made
        figures["scene_first_page"] = timed(2 if quick else 5, lambda: server.call("get_scene_info", {"limit": 100}))
        figures["scene_exec_call"] = timed(
            2 if quick else 5, lambda: server.call("execute_blender_code", {"code": "None"})
        )
        figures["scene_exec_call_no_rollback"] = timed(
            2 if quick else 5, lambda: server.call("execute_blender_code", bare)
        )
    finally:
        server.close()
    return figures


def http_figures(server_binary: Path, quick: bool, logs: Path) -> dict:
    port = free_port()
    log = open(logs / "bench_http.log", "ab")
    proc = subprocess.Popen(
        [str(server_binary), "--transport", "http", "--bind", f"127.0.0.1:{port}", *launching_args("--log", "warn")],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    figures = {}
    try:
        wait_http_ready(port, proc)
        session = HttpSession(port)
        session.initialize()
        session.call("execute_blender_code", {"code": "None"})
        n = 20 if quick else 2000
        figures["exec_call"] = timed(n, lambda: session.call("execute_blender_code", {"code": "None"}))
        bare = {"code": "None", "rollback_on_error": False, "confirm": True}
        figures["exec_call_no_rollback"] = timed(n, lambda: session.call("execute_blender_code", bare))
        figures["ping"] = timed(n, lambda: session.request("ping"))
        session.close()
        time.sleep(1.0)
        figures["rss_kib_idle"] = rss_kib(proc.pid)
        clients, calls, shots = (4, 20, 1) if quick else (32, 200, 4)
        load = run_load(port, proc.pid, clients, calls, shots)
        if load["failures"]:
            raise RuntimeError(f"load run failed: {load['failures'][:3]}")
        figures["load"] = load
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
    return figures


def row(name, value, target, unit=""):
    return f"| {name} | {value}{unit} | {target} |"


def fmt_us(d):
    return f"{d['p50_us']:.0f} / {d['p99_us']:.0f} µs"


def table(bridge: dict, one_run: dict, stdio: dict, http: dict, cold: dict) -> str:
    load = http["load"]
    lines = [
        "| measurement | result | target |",
        "|---|---|---|",
        row("bridge round trip, ping p50 / p99", fmt_us(bridge["ping"]), "p50 ≤ 150 µs"),
        row("bridge round trip, exec None p50 / p99", fmt_us(bridge["exec_none"]), "p50 ≤ 150 µs"),
        row(
            "MCP tools/call over stdio p50 / p99 (rollback_on_error=false), compiled client; "
            "in the same run, the bridge's exec None on the same Blender",
            f"{fmt_us(one_run['mcp_call_no_rollback'])}; bridge {fmt_us(one_run['bridge_exec_none'])}",
            "p50 ≤ 300 µs",
        ),
        row(
            "CPU per tools/call of that run: server; Blender; client",
            "; ".join(
                f"{one_run['mcp_call_no_rollback']['cpu_us_per_call'][p]:.0f} µs"
                for p in ("server", "blender", "client")
            ),
            "—",
        ),
        row(
            "MCP tools/call over stdio p50 / p99, Python client (execute_blender_code, rollback checkpoint on)",
            fmt_us(stdio["exec_call"]),
            "—",
        ),
        row(
            "MCP tools/call over stdio p50 / p99, Python client (rollback_on_error=false)",
            fmt_us(stdio["exec_call_no_rollback"]),
            "—",
        ),
        row("MCP tools/list over stdio p50 / p99 (no Blender)", fmt_us(stdio["tools_list"]), "—"),
        row("MCP tools/call over Streamable HTTP p50 / p99 (checkpoint on)", fmt_us(http["exec_call"]), "—"),
        row(
            "MCP tools/call over Streamable HTTP p50 / p99 (rollback_on_error=false)",
            fmt_us(http["exec_call_no_rollback"]),
            "—",
        ),
        row(
            "MCP ping (no tool, no Blender) p50 / p99: stdio, compiled client; stdio, Python client; HTTP",
            f"{fmt_us(one_run['mcp_ping'])}; {fmt_us(stdio['ping'])}; {fmt_us(http['ping'])}",
            "— (client + transport floor)",
        ),
        row("throughput, 16 in flight, ping", f"{bridge['in_flight_16_ping_ops_s']:,.0f} ops/s", "≥ 10,000 ops/s"),
        row("throughput, 16 in flight, exec None", f"{bridge['in_flight_16_exec_ops_s']:,.0f} ops/s", "≥ 10,000 ops/s"),
        row("1 MiB reply p50", f"{bridge['reply_1_mib']['p50_us'] / 1000:.1f} ms", "—"),
        row("4 MiB reply p50", f"{bridge['reply_4_mib']['p50_us'] / 1000:.1f} ms", "—"),
        row("16 MiB reply p50", f"{bridge['reply_16_mib']['p50_us'] / 1000:.1f} ms", "≤ 300 ms"),
        row(
            f"get_scene_info first page, {stdio['scene_objects']:,} objects p50",
            f"{stdio['scene_first_page']['p50_us'] / 1000:.1f} ms",
            "≤ 100 ms",
        ),
        row(
            f"execute_blender_code `None`, {stdio['scene_objects']:,} objects p50 (checkpoint on / off)",
            f"{stdio['scene_exec_call']['p50_us'] / 1000:.1f} ms / {stdio['scene_exec_call_no_rollback']['p50_us'] / 1000:.1f} ms",
            "—",
        ),
        row("cold start to first tools/list (median)", f"{cold.get('median', float('nan')):.1f} ms", "≤ 20 ms"),
        row(
            "server RSS idle (stdio, Blender connected)", f"{stdio['rss_kib_idle_connected'] / 1024:.1f} MiB", "≤ 10 MB"
        ),
        row("server RSS idle (HTTP)", f"{http['rss_kib_idle'] / 1024:.1f} MiB", "≤ 10 MB"),
        row(
            f"server RSS peak under load ({load['clients']} HTTP clients)",
            f"{load['rss_kib_peak'] / 1024:.1f} MiB",
            "≤ 20 MB",
        ),
        row(
            f"load: {load['clients']} clients × {load['calls_per_client']} mixed calls",
            f"{load['calls_per_s']:,.0f} calls/s, p50 {load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms, "
            f"{load['answered']}/{load['clients'] * load['calls_per_client']} answered",
            "zero lost",
        ),
        row("idle headless Blender with the addon, CPU", f"{bridge['blender_idle_cpu_percent']:.2f} %", "≤ 1 %"),
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", type=Path, default=ROOT / "target" / "release" / "blender-mcp-rs")
    parser.add_argument("--bridge-json", type=Path, required=True)
    parser.add_argument("--stdio-json", type=Path, required=True, help="the figures of the stdio_bench example")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json-out", type=Path)
    options = parser.parse_args()
    os.environ["BLENDER_MCP_BIN"] = str(options.server.resolve())
    logs = Path(os.environ.get("BENCH_LOGS", "/tmp"))
    bridge = json.loads(options.bridge_json.read_text())
    one_run = json.loads(options.stdio_json.read_text())
    cold = cold_start(options.server, 3 if options.quick else 30)
    stdio = stdio_figures(options.quick, logs)
    http = http_figures(options.server, options.quick, logs)
    if options.json_out:
        options.json_out.write_text(
            json.dumps({"bridge": bridge, "one_run": one_run, "stdio": stdio, "http": http, "cold": cold})
        )
    print(table(bridge, one_run, stdio, http, cold))


if __name__ == "__main__":
    main()
