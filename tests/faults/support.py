"""What the fault tests share: a raw MCP client over a server's stdio, a raw
Streamable HTTP client, and /proc probes for leak checks.

The raw clients write and read JSON-RPC themselves (no SDK in between), so a
test can kill, stall or abandon a call at exactly the moment it wants and can
send input no SDK would produce. Everything they talk to is real: the
`blender-mcp-rs` binary, the bridge, and a headless Blender (pip's bpy).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

from testkit import ROOT, blender_python, free_port, server_binary  # noqa: F401  (re-exported to the tests)

PROTOCOL_VERSION = "2025-11-25"


def launching_args(*extra: str) -> list[str]:
    """Flags for a server that must launch its own Blender."""
    return ["--port", str(free_port()), "--blender-program", str(blender_python()), *extra]


class StdioServer:
    """A `blender-mcp-rs` child spoken to line by line over its stdin/stdout."""

    def __init__(self, args: list[str], log_path: Path, env: dict[str, str] | None = None):
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [str(server_binary()), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env={**os.environ, "RUST_LOG": "info", **(env or {})},
        )
        self.pid = self.proc.pid
        self._replies: dict[object, dict] = {}
        self.unmatched: list[dict] = []
        self._cond = threading.Condition()
        self._next_id = 0
        self._write_lock = threading.Lock()
        self._reader = self._start_reader()

    def _start_reader(self) -> threading.Thread | None:
        reader = threading.Thread(target=self._read, daemon=True)
        reader.start()
        return reader

    def _read(self):
        for line in self.proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                message = {"unparseable": line.decode(errors="replace")}
            with self._cond:
                if isinstance(message, dict) and "id" in message and ("result" in message or "error" in message):
                    self._replies[message["id"]] = message
                else:
                    self.unmatched.append(message)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def next_id(self) -> int:
        with self._cond:
            self._next_id += 1
            return self._next_id

    def write_raw(self, data: bytes):
        with self._write_lock:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def send(self, message: dict):
        self.write_raw(json.dumps(message).encode() + b"\n")

    def request_async(self, method: str, params: dict | None = None) -> int:
        request_id = self.next_id()
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return request_id

    def wait_reply(self, request_id, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while request_id not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no reply to request {request_id!r} within {timeout} s")
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise RuntimeError(
                        f"server exited ({self.proc.returncode}) without answering {request_id!r}: {self.log_tail()}"
                    )
                self._cond.wait(min(left, 0.5))
            return self._replies.pop(request_id)

    def request(self, method: str, params: dict | None = None, timeout: float = 120) -> dict:
        return self.wait_reply(self.request_async(method, params), timeout)

    def initialize(self) -> dict:
        reply = self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "fault-tests", "version": "0"},
            },
            timeout=30,
        )
        assert "result" in reply, reply
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return reply["result"]

    def call_async(self, tool: str, arguments: dict) -> int:
        return self.request_async("tools/call", {"name": tool, "arguments": arguments})

    def call(self, tool: str, arguments: dict, timeout: float = 120) -> dict:
        """The tools/call result (``isError`` set on a tool failure)."""
        reply = self.wait_reply(self.call_async(tool, arguments), timeout)
        assert "result" in reply, reply
        return reply["result"]

    def exec_value(self, code: str, args: dict | None = None, timeout: float = 120):
        """Runs code through execute_blender_code and returns its value (fails the test on error)."""
        result = self.call("execute_blender_code", {"code": code, "args": args or {}}, timeout)
        assert not result.get("isError"), text_of(result)
        return result["structuredContent"]["result"]

    def log_tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def close(self, timeout: float = 30) -> int:
        """Closes stdin (how an MCP client stops a stdio server) and waits."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(10)
            self._log.close()


class LockstepStdioServer(StdioServer):
    """A StdioServer that reads each reply on the thread that asked, for
    benchmarks of one call at a time. StdioServer's reader thread hands
    every reply over through a condition variable and a GIL switch: on a
    2-core machine that costs the client about 35 µs per MCP ping and
    60 µs per tool call (docs/BENCHMARKS.md), more than the server's own
    part of a ping, so its figures measured the client as much as the
    server. Notifications that arrive in between are kept in `unmatched`;
    there is no timeout."""

    def _start_reader(self) -> None:
        return None

    def wait_reply(self, request_id, timeout: float = 120) -> dict:
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"server exited without answering {request_id!r}: {self.log_tail()}")
            message = json.loads(line)
            if message.get("id") == request_id and ("result" in message or "error" in message):
                return message
            self.unmatched.append(message)


def text_of(result: dict) -> str:
    return "\n".join(c.get("text", "") for c in result.get("content", []) if c.get("type") == "text")


class HttpSession:
    """One Streamable HTTP MCP session on its own keep-alive connection."""

    def __init__(self, port: int, timeout: float = 120):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.session_id: str | None = None
        self._next_id = 0

    def post(self, message: dict) -> tuple[int, dict | None]:
        """POSTs one message; returns the status and the JSON-RPC reply (SSE or JSON body)."""
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": PROTOCOL_VERSION,
        }
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        self.conn.request("POST", "/mcp", body=json.dumps(message).encode(), headers=headers)
        response = self.conn.getresponse()
        self.session_id = response.getheader("Mcp-Session-Id") or self.session_id
        body = response.read().decode()
        return response.status, parse_http_reply(body, response.getheader("Content-Type") or "")

    def request(self, method: str, params: dict | None = None) -> dict:
        self._next_id += 1
        message = {"jsonrpc": "2.0", "id": self._next_id, "method": method}
        if params is not None:
            message["params"] = params
        status, reply = self.post(message)
        assert status == 200 and reply is not None, (status, reply)
        return reply

    def initialize(self):
        reply = self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "fault-tests", "version": "0"},
            },
        )
        assert "result" in reply, reply
        status, _ = self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert status in (200, 202), status
        return reply["result"]

    def call(self, tool: str, arguments: dict) -> dict:
        reply = self.request("tools/call", {"name": tool, "arguments": arguments})
        assert "result" in reply, reply
        return reply["result"]

    def close(self):
        self.conn.close()


def parse_http_reply(body: str, content_type: str) -> dict | None:
    """The JSON-RPC response in a Streamable HTTP body (plain JSON or SSE events)."""
    if "application/json" in content_type:
        return json.loads(body) if body.strip() else None
    for event in body.split("\n\n"):
        data = "".join(line[5:].lstrip() for line in event.splitlines() if line.startswith("data:"))
        if data:
            message = json.loads(data)
            if "result" in message or "error" in message:
                return message
    return None


def wait_http_ready(port: int, proc: subprocess.Popen, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"HTTP server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port} after {timeout} s")


# -- /proc probes ------------------------------------------------------------


def children(pid: int) -> list[int]:
    """Direct children of `pid` (zombies included: an unreaped child is a leak)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def state_of(pid: int) -> str | None:
    """The /proc state letter (R, S, T, Z, ...), None once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def fds(pid: int) -> list[str]:
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return out


def sockets(pid: int) -> int:
    return sum(1 for target in fds(pid) if target.startswith("socket:"))


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
