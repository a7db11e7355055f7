"""The GUI-path benchmark (`scripts/bench.sh --gui`): Debian's Blender (3.4)
with its window open under xvfb-run, serving the real addon, and the server
attached to it with `--no-launch`, as most users run it.

Measures, each figure with the load average it was taken under:
- `get_scene_info` p50 over MCP stdio;
- 4 MiB and 16 MiB replies (`execute_blender_code` returning a string,
  rollback_on_error=false so only the transfer is timed) over MCP stdio,
  from the request written to the whole reply line read (the client's own
  JSON parse is left out: it is the client's cost, not ours), and the
  same replies at the bridge level (a raw socket client speaking the addon's
  frames, to the last byte);
- the server's peak RSS while relaying each reply (/proc VmHWM, reset
  through clear_refs before the call);
- the CPU an idle GUI Blender uses with the server attached.
Nothing is asserted: figures go to docs/BENCHMARKS.md next to their targets.

    python scripts/bench_gui.py --server target/release/blender-mcp-rs [--quick] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / suite) for suite in ("e2e", "faults", "shared")]

from exe_blender import ExeBlender  # noqa: E402

MIB = 1 << 20
BIG_CODE = "result = 'x' * args['n']"


def load_average() -> float:
    return os.getloadavg()[0]


def p50(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2]


class BridgeSocket:
    """The addon's framing spoken directly, so a reply is timed to its last
    byte with nothing of ours (or a JSON parse) in between."""

    def __init__(self, port: int, token: str):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.next_id = 0
        self.hello = json.loads(self.request("hello", {"protocol": 1, "token": token, "client": "bench_gui"}))

    def request(self, op: str, params: dict) -> bytes:
        self.next_id += 1
        payload = json.dumps({"id": self.next_id, "op": op, "params": params}).encode()
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)
        return self._read_frame()

    def _read_exact(self, n: int) -> bytearray:
        buf = bytearray(n)
        view, got = memoryview(buf), 0
        while got < n:
            read = self.sock.recv_into(view[got:])
            if not read:
                raise RuntimeError("the addon closed the connection")
            got += read
        return buf

    def _read_frame(self) -> bytes:
        (length,) = struct.unpack(">I", self._read_exact(4))
        return bytes(self._read_exact(length))


def server_env() -> dict:
    """The environment, with BENCH_SERVER_ENV's `K=V,K=V` added (to try allocator settings)."""
    extra = dict(kv.split("=", 1) for kv in os.environ.get("BENCH_SERVER_ENV", "").split(",") if kv)
    return {**os.environ, **extra}


class StdioLines:
    """The server over stdio, one JSON-RPC line at a time; a reply is timed
    to its whole line read."""

    def __init__(self, args: list[str], log: Path):
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(log, "ab"),
            bufsize=1 << 20,
            env=server_env(),
        )
        self.next_id = 0
        self.request(
            "initialize",
            {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "b", "version": "0"}},
        )
        self._write({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def _write(self, message: dict):
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def request_line(self, method: str, params: dict) -> bytes:
        self.next_id += 1
        self._write({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the server closed stdout")
            if b'"id":%d' % self.next_id in line[:200] or b'"id": %d' % self.next_id in line[:200]:
                return line

    def request(self, method: str, params: dict) -> dict:
        reply = json.loads(self.request_line(method, params))
        if "error" in reply:
            raise RuntimeError(f"{method} failed: {reply['error']}")
        return reply["result"]

    def call_line(self, tool: str, arguments: dict) -> bytes:
        return self.request_line("tools/call", {"name": tool, "arguments": arguments})

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(30)


def reset_peak_rss(pid: int):
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def big_reply_figures(mcp: StdioLines, bridge: BridgeSocket, mib: int, repeats: int) -> dict:
    arguments = {"code": BIG_CODE, "args": {"n": mib * MIB}, "rollback_on_error": False, "confirm": True}
    mcp_times, bridge_times, peaks, cpu = [], [], [], []
    for _ in range(repeats):
        reset_peak_rss(mcp.proc.pid)
        cpu_before = cpu_seconds(mcp.proc.pid)
        began = time.perf_counter()
        line = mcp.call_line("execute_blender_code", arguments)
        mcp_times.append(time.perf_counter() - began)
        cpu.append(cpu_seconds(mcp.proc.pid) - cpu_before)
        peaks.append(peak_rss_mib(mcp.proc.pid))
        result = json.loads(line)["result"]
        if result["structuredContent"]["result"] != "x" * (mib * MIB):
            raise RuntimeError(f"the {mib} MiB reply came back wrong")
        began = time.perf_counter()
        frame = bridge.request("exec", {"code": BIG_CODE, "args": {"n": mib * MIB}})
        bridge_times.append(time.perf_counter() - began)
        if len(frame) < mib * MIB:
            raise RuntimeError(f"the {mib} MiB bridge reply is short: {frame[:200]!r}")
    return {
        "mcp_p50_s": p50(mcp_times),
        "bridge_p50_s": p50(bridge_times),
        "server_peak_rss_mib": max(peaks),
        "server_cpu_p50_s": p50(cpu),
        "line_bytes": len(line),
        "load": load_average(),
    }


def measure(server: Path, quick: bool, logs: Path) -> dict:
    blender = ExeBlender("gui", Path(tempfile.mkdtemp(prefix="bench-gui-", dir=logs)))
    figures: dict = {}
    try:
        token = blender.token_file.read_text().strip()
        bridge = BridgeSocket(blender.port, token)
        blender_pid = bridge.hello["result"]["pid"]
        figures["blender"] = bridge.hello["result"]["blender_version"]
        mcp = StdioLines(
            [
                str(server),
                "--port",
                str(blender.port),
                "--no-launch",
                "--token-file",
                str(blender.token_file),
                "--log",
                "warn",
            ],
            logs / "bench_gui_server.log",
        )
        try:
            mcp.call_line("get_scene_info", {})
            samples = []
            for _ in range(20 if quick else 200):
                began = time.perf_counter()
                mcp.call_line("get_scene_info", {})
                samples.append(time.perf_counter() - began)
            figures["get_scene_info_p50_ms"] = p50(samples) * 1e3
            figures["get_scene_info_load"] = load_average()
            repeats = 1 if quick else 5
            figures["reply_4mib"] = big_reply_figures(mcp, bridge, 4, repeats)
            figures["reply_16mib"] = big_reply_figures(mcp, bridge, 16, repeats)
            seconds = 2 if quick else 20
            time.sleep(2)
            before = cpu_seconds(blender_pid)
            time.sleep(seconds)
            figures["idle_blender_cpu_percent"] = (cpu_seconds(blender_pid) - before) / seconds * 100
            figures["idle_load"] = load_average()
        finally:
            mcp.close()
    finally:
        blender.stop()
    return figures


def table(f: dict) -> str:
    r4, r16 = f["reply_4mib"], f["reply_16mib"]
    rows = [
        "| measurement (GUI Blender %s under xvfb-run) | result | load avg | target |" % f["blender"],
        "|---|---|---|---|",
        "| get_scene_info over MCP stdio p50 | %.2f ms | %.1f | ≤ 6 ms |"
        % (f["get_scene_info_p50_ms"], f["get_scene_info_load"]),
        "| 4 MiB reply over MCP stdio p50 | %.0f ms | %.1f | ≤ 100 ms |" % (r4["mcp_p50_s"] * 1e3, r4["load"]),
        "| 4 MiB reply, bridge level p50 | %.0f ms | %.1f | — |" % (r4["bridge_p50_s"] * 1e3, r4["load"]),
        "| 16 MiB reply over MCP stdio p50 | %.0f ms | %.1f | ≤ 300 ms |" % (r16["mcp_p50_s"] * 1e3, r16["load"]),
        "| 16 MiB reply, bridge level p50 | %.0f ms | %.1f | — |" % (r16["bridge_p50_s"] * 1e3, r16["load"]),
        "| server CPU time per reply p50, 4 MiB; 16 MiB | %.0f ms; %.0f ms | %.1f | — |"
        % (r4["server_cpu_p50_s"] * 1e3, r16["server_cpu_p50_s"] * 1e3, r16["load"]),
        "| server peak RSS relaying 4 MiB | %.1f MiB | %.1f | — |" % (r4["server_peak_rss_mib"], r4["load"]),
        "| server peak RSS relaying 16 MiB (line %.1f MiB) | %.1f MiB | %.1f | ≤ 48 MiB |"
        % (r16["line_bytes"] / MIB, r16["server_peak_rss_mib"], r16["load"]),
        "| idle GUI Blender with the server attached, CPU | %.2f %% | %.1f | unchanged |"
        % (f["idle_blender_cpu_percent"], f["idle_load"]),
    ]
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", type=Path, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    logs = Path(os.environ.get("BENCH_LOGS") or tempfile.mkdtemp(prefix="bench-gui-logs-"))
    figures = measure(args.server, args.quick, logs)
    print(table(figures))
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
