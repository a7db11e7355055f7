"""Opens many Streamable HTTP sessions against echo_server and prints its
resident memory as they pile up: with the session bound the figure levels off
once the bound is reached; with a bound above the count it keeps growing.

    python bench_sessions.py [--sessions 10000] [--max-sessions 1024]

Prints one line per checkpoint: sessions opened, live-session bound, RSS MiB.
The figures go in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
INIT = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "bench", "version": "0"},
        },
    }
).encode()
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def echo_binary() -> Path:
    from conftest import _build_example  # the script's own folder is on sys.path

    return _build_example([])


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--max-sessions", type=int, default=1024)
    args = parser.parse_args()
    server = subprocess.Popen(
        [str(echo_binary()), "--transport", "http", "--bind", "127.0.0.1:0", "--max-sessions", str(args.max_sessions)],
        stderr=subprocess.PIPE,
        env={**os.environ, "RUST_LOG": "warn,mcp_core::http::serve=info"},
    )
    try:
        for line in server.stderr:
            match = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        print(f"sessions  bound  rss_mib   (echo_server pid {server.pid})")
        print(f"{0:>8}  {args.max_sessions:>5}  {rss_mib(server.pid):7.1f}")
        step = max(args.sessions // 10, 1)
        for opened in range(1, args.sessions + 1):
            conn.request("POST", "/mcp", body=INIT, headers=HEADERS)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            if opened % step == 0:
                print(f"{opened:>8}  {args.max_sessions:>5}  {rss_mib(server.pid):7.1f}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
