"""A synchronous handle on a real `blender-mcp-rs` process, driven by the
official MCP Python SDK over stdio.

The SDK is async and its stdio client must be entered and left in one task.
Tests want one server (one headless Blender) shared by many test functions,
so the session lives on its own event-loop thread and tests call it through
blocking methods. Nothing here imitates the server or Blender: every call
crosses the real stdio pipe, the real bridge and a real Blender.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from testkit import ROOT, blender_python, server_binary  # noqa: F401  (ROOT: re-exported to the tests)

# Every server a test starts lists every tool group unless the test says
# otherwise (the default lists core only; test_tool_groups.py covers that).
os.environ.setdefault("BLENDER_MCP_TOOLS", "all")


def bpy_version() -> str:
    """The version of pip's bpy the server launches ("4.5.15", "5.3.0"), read
    from the package metadata without importing bpy."""
    code = "import importlib.metadata as m; print(m.version('bpy'))"
    return subprocess.run([blender_python(), "-c", code], capture_output=True, text=True, check=True).stdout.strip()


class McpServer:
    """One `blender-mcp-rs` child process and an initialized MCP session to it."""

    def __init__(
        self,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        stderr_path: Path | None = None,
        command: Path | None = None,
        message_handler=None,
    ):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="mcp-client")
        self._thread.start()
        full_env = dict(os.environ)
        full_env.setdefault("RUST_LOG", "info")
        full_env.update(env or {})
        self.params = StdioServerParameters(command=str(command or server_binary()), args=args or [], env=full_env)
        self._stderr = open(stderr_path or os.devnull, "w")
        self._message_handler = message_handler
        self.session: ClientSession | None = None
        self._ready: asyncio.Future | None = None
        self._closing: asyncio.Event | None = None
        # One task owns the stdio client from start to close: anyio's cancel
        # scopes must be left in the task that entered them.
        self._main = asyncio.run_coroutine_threadsafe(self._own_session(), self._loop)
        try:
            self.init_result = self._run(self._wait_ready(), timeout=60)
        except BaseException:
            self.close()
            raise

    def _run(self, coro, timeout: float = 180):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _own_session(self):
        self._ready = self._loop.create_future()
        self._closing = asyncio.Event()
        try:
            async with stdio_client(self.params, errlog=self._stderr) as (read, write):
                async with ClientSession(read, write, message_handler=self._message_handler) as session:
                    self.session = session
                    self._ready.set_result(await session.initialize())
                    await self._closing.wait()
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
            raise

    async def _wait_ready(self):
        while self._ready is None:
            await asyncio.sleep(0.01)
        return await self._ready

    def list_tools(self):
        return self._run(self.session.list_tools()).tools

    def call(self, name: str, arguments: dict[str, Any] | None = None, timeout: float = 180, progress=None):
        """Calls a tool; `progress`, if given, is a list that collects the
        (progress, total, message) notifications the call produced."""
        callback = None
        if progress is not None:

            async def callback(done, total, message):
                progress.append((done, total, message))

        return self._run(self.session.call_tool(name, arguments or {}, progress_callback=callback), timeout=timeout)

    def request_raw(self, coro_factory, timeout: float = 60):
        """Runs `coro_factory(session)` on the client loop (for protocol-level probes)."""
        return self._run(coro_factory(self.session), timeout=timeout)

    def close(self):
        """Closes stdin (the MCP way to stop a stdio server) and waits for the child."""
        if self._closing is not None and not self._main.done():
            self._loop.call_soon_threadsafe(self._closing.set)
            try:
                self._main.result(60)
            except Exception:
                pass  # a failed session was already reported by whoever used it
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def text_of(result) -> str:
    """All text blocks of a tool result, joined."""
    return "\n".join(c.text for c in result.content if getattr(c, "type", None) == "text")


class RawStdioServer:
    """`blender-mcp-rs` spoken to line by line, for what an SDK client hides:
    sending `notifications/cancelled`, or vanishing without a goodbye."""

    def __init__(self, args: list[str], env: dict[str, str], stderr_path: Path):
        import subprocess

        self._stderr = open(stderr_path, "w")
        self.proc = subprocess.Popen(
            [str(server_binary()), *args],
            env={**os.environ, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._next = 0
        init = self.request(
            "initialize",
            {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
        )
        assert "result" in init, init
        self.init = init
        self.notify("notifications/initialized")

    def send(self, message: dict):
        import json

        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict | None = None):
        self.send({"jsonrpc": "2.0", "method": method, **({"params": params} if params else {})})

    def start(self, method: str, params: dict) -> int:
        """Sends a request without waiting; returns its id."""
        self._next += 1
        self.send({"jsonrpc": "2.0", "id": self._next, "method": method, "params": params})
        return self._next

    def wait(self, request_id: int, others: list | None = None) -> dict:
        """Reads messages until the answer to `request_id`; the others are
        appended to `others` if given, else dropped."""
        import json

        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise EOFError("the server closed stdout")
            message = json.loads(line)
            if message.get("id") == request_id:
                return message
            if others is not None:
                others.append(message)

    def request(self, method: str, params: dict, others: list | None = None) -> dict:
        return self.wait(self.start(method, params), others)

    def call_tool(self, name: str, arguments: dict, others: list | None = None) -> dict:
        return self.request("tools/call", {"name": name, "arguments": arguments}, others)

    def close(self, kill: bool = False):
        import signal

        if kill:
            self.proc.send_signal(signal.SIGKILL)
        else:
            self.proc.stdin.close()
        self.proc.wait(30)
        self._stderr.close()
