"""tools/list size and latency over stdio (docs/BENCHMARKS.md, "tools/list").

Starts `blender-mcp-rs` over stdio (no Blender is needed: the server connects
on the first tool call), initializes, and reports the tools/list result's
bytes as sent on the wire, split by tool group when `--by-group` is given
(each group enabled alone next to core), then the p50/p99 of N tools/list
round trips. Nothing is asserted; the budgets are a Rust test.

    python scripts/bench_tools_list.py SERVER [--by-group] [--n 2000] [--server-args '--tools all']
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time


class Session:
    def __init__(self, server: str, args: list[str]):
        self.proc = subprocess.Popen(
            [server, "--port", "1", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.next_id = 0
        self.request(
            "initialize",
            {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}},
        )
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, message: dict) -> None:
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict | None = None) -> tuple[dict, int]:
        """The reply to one request and its result's bytes as written by the server."""
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params or {}})
        while True:
            line = self.proc.stdout.readline()
            message = json.loads(line)
            if message.get("id") == self.next_id:
                result = json.dumps(message.get("result"), separators=(",", ":"))
                return message, len(result.encode())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def listing(server: str, args: list[str]) -> tuple[int, int]:
    session = Session(server, args)
    reply, size = session.request("tools/list")
    session.close()
    return len(reply["result"]["tools"]), size


def latency(server: str, args: list[str], n: int) -> dict:
    session = Session(server, args)
    for _ in range(100):
        session.request("tools/list")
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        session.request("tools/list")
        samples.append(time.perf_counter() - began)
    session.close()
    samples.sort()
    return {"n": n, "p50_us": round(samples[n // 2] * 1e6), "p99_us": round(samples[int(n * 0.99)] * 1e6)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("--by-group", action="store_true")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--server-args", default="", help="e.g. '--tools all'")
    options = parser.parse_args()
    options.args = options.server_args.split()
    tools, size = listing(options.server, options.args)
    print(f"{' '.join(options.args) or '(default)'}: {tools} tools, {size} bytes")
    if options.by_group:
        core_tools, core_size = listing(options.server, ["--tools", "core"])
        print(f"core: {core_tools} tools, {core_size} bytes")
        for group in [
            "objects",
            "materials_nodes",
            "modifiers",
            "animation",
            "render",
            "files_assets",
            "api_docs",
            "mesh",
            "instances",
            "farm",
        ]:
            tools, size = listing(options.server, ["--tools", f"core,{group}"])
            print(f"{group}: +{tools - core_tools} tools, +{size - core_size} bytes")
    print("tools/list latency:", latency(options.server, options.args, options.n))


if __name__ == "__main__":
    main()
