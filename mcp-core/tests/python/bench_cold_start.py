"""Measures (does not assert) cold start to the first `tools/list` answer over
stdio: spawn echo_server, send initialize + initialized + tools/list at once,
stop the clock when the tools/list reply arrives.

    cargo build --release -p mcp-core --example echo_server
    ~/.cache/blender-mcp-rs/venv/bin/python mcp-core/tests/python/bench_cold_start.py [BINARY] [RUNS]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_BINARY = REPO_ROOT / "target" / "release" / "examples" / "echo_server"

MESSAGES = b"".join(
    json.dumps(m).encode() + b"\n"
    for m in [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "bench", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ]
)


def one_run(binary: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(binary), "--transport", "stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    proc.stdin.write(MESSAGES)
    proc.stdin.flush()
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("server closed stdout before answering tools/list")
        if json.loads(line).get("id") == 2:
            elapsed = time.perf_counter() - started
            break
    proc.stdin.close()
    proc.wait(timeout=10)
    return elapsed


def main() -> None:
    binary = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_BINARY
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    one_run(binary)  # warm the page cache; cold *process* start is what we measure
    samples = sorted(one_run(binary) * 1000 for _ in range(runs))
    print(
        f"{binary.name}: cold start to first tools/list over stdio, {runs} runs: "
        f"min {samples[0]:.1f} ms, median {statistics.median(samples):.1f} ms, "
        f"p90 {samples[int(runs * 0.9) - 1]:.1f} ms, max {samples[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
