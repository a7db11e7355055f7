"""MCP Tasks (io.modelcontextprotocol/tasks, SEP-2663) over stdio and
Streamable HTTP, driven with raw JSON-RPC: the Python SDK has no client side
for tasks. A client that declares the extension gets a task for the long
tools, polls tasks/get (queue position, then progress, in the status
message), reads the result, or cancels it with tasks/cancel; a client that
does not declare it sees exactly the plain results it always did."""

from __future__ import annotations

import http.client
import json
import re
import time
from pathlib import Path

import pytest
from conftest import free_port
from harness import RawStdioServer, blender_python, server_binary
from http_process import HttpProcess

TASKS = "io.modelcontextprotocol/tasks"
INVALID_PARAMS = -32602
MISSING_CAPABILITY = -32021
TERMINAL = {"completed", "failed", "cancelled"}

# Makes each frame of render_animation take a while, so a test sees the
# task working without relying on how fast Blender is.
SLOW_FRAMES = """
import time
def blender_mcp_test_slow_frame(scene, *rest):
    time.sleep(args['seconds'])
handlers = bpy.app.handlers.frame_change_pre
handlers[:] = [h for h in handlers if h.__name__ != 'blender_mcp_test_slow_frame']
if args['seconds']:
    handlers.append(blender_mcp_test_slow_frame)
"""


class TaskClient(RawStdioServer):
    """A raw stdio client that declares the tasks extension at initialize."""

    def request(self, method: str, params: dict, others: list | None = None) -> dict:
        if method != "initialize":
            return super().request(method, params, others)
        params = {**params, "protocolVersion": "2025-11-25", "capabilities": {"extensions": {TASKS: {}}}}
        self.init = super().request(method, params, others)
        return self.init


def result_of(reply: dict) -> dict:
    assert "result" in reply, reply
    return reply["result"]


def direct(srv, tool: str, arguments: dict) -> dict:
    """A call answered directly (a tool that never runs as a task)."""
    result = result_of(srv.call_tool(tool, arguments))
    assert result.get("resultType") != "task" and not result.get("isError"), result
    return result


def slow_frames(srv, seconds: float):
    """Sets (or, with 0, removes) the per-frame delay; through a task, as
    execute_blender_code is one for this client."""
    task = start_task(srv, "execute_blender_code", {"code": SLOW_FRAMES, "args": {"seconds": seconds}})
    final, _ = poll(srv, task)
    assert final["status"] == "completed" and not final["result"].get("isError"), final


def start_task(srv, tool: str, arguments: dict) -> str:
    result = result_of(srv.call_tool(tool, arguments))
    assert result["resultType"] == "task", result
    assert result["status"] == "working" and result["ttlMs"] > 0 and result["pollIntervalMs"] > 0, result
    return result["taskId"]


def get(srv, task_id: str) -> dict:
    return result_of(srv.request("tasks/get", {"taskId": task_id}))


def poll(srv, task_id: str, until=lambda task: task["status"] in TERMINAL, limit: float = 300):
    """Polls until `until(task)`; returns the last state and every status message seen."""
    messages = []
    deadline = time.monotonic() + limit
    while True:
        task = get(srv, task_id)
        if task.get("statusMessage") and (not messages or messages[-1] != task["statusMessage"]):
            messages.append(task["statusMessage"])
        if until(task):
            return task, messages
        assert time.monotonic() < deadline, f"task never got there: {task}"
        time.sleep(0.05)


def frames_done(message: str) -> int:
    match = re.search(r"\((\d+)/\d+\)$", message or "")
    return int(match.group(1)) if match else -1


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("task-out")


@pytest.fixture(scope="module")
def tasks_server(logs_dir, out_dir):
    srv = TaskClient(
        ["--port", str(free_port()), "--output-dir", str(out_dir), "--max-tasks-per-blender", "1"],
        {"BLENDER_MCP_BLENDER": str(blender_python())},
        logs_dir / "tasks-server.log",
    )
    yield srv
    srv.close()


def test_the_extension_is_advertised_with_the_tools_that_use_it(tasks_server):
    assert tasks_server.init["result"]["capabilities"]["extensions"][TASKS] == {}
    tools = result_of(tasks_server.request("tools/list", {}))["tools"]
    marked = {t["name"] for t in tools if TASKS in (t.get("_meta") or {})}
    assert marked == {"render_image", "render_animation", "execute_blender_code", "batch"}
    assert all(t["_meta"][TASKS] == {"taskSupport": "optional"} for t in tools if t["name"] in marked)


def test_render_animation_task_reports_frames_and_completes(tasks_server, out_dir):
    slow_frames(tasks_server, 0.15)
    try:
        task_id = start_task(
            tasks_server,
            "render_animation",
            {"engine": "WORKBENCH", "width": 16, "height": 16, "frame_start": 1, "frame_end": 24, "directory": "t24"},
        )
        final, messages = poll(tasks_server, task_id)
    finally:
        slow_frames(tasks_server, 0)
    assert final["status"] == "completed", final
    result = final["result"]
    assert not result.get("isError"), result
    assert len(result["structuredContent"]["files"]) == 24
    assert sorted(p.name for p in (out_dir / "t24").iterdir()) == [f"frame_{f:04d}.png" for f in range(1, 25)]
    progress = [m for m in messages if re.fullmatch(r"rendering frame \d+ \(\d+/24\)", m)]
    assert len(progress) >= 2, messages
    counts = [frames_done(m) for m in progress]
    assert counts == sorted(counts) and counts[-1] > counts[0], messages
    # The finished task stays readable.
    assert get(tasks_server, task_id)["status"] == "completed"


def test_cancel_stops_the_render_in_blender(tasks_server, out_dir):
    # No frame handler here: the interrupt must land in the snippet between
    # frames, and Blender swallows an exception raised in a handler (or in
    # Cycles' Python callbacks: see the report on cancelling Cycles renders).
    task_id = start_task(
        tasks_server,
        "render_animation",
        {"engine": "WORKBENCH", "width": 64, "height": 64, "frame_start": 1, "frame_end": 120, "directory": "t120"},
    )
    poll(tasks_server, task_id, until=lambda task: frames_done(task.get("statusMessage")) >= 2)
    ack = result_of(tasks_server.request("tasks/cancel", {"taskId": task_id}))
    assert ack.get("resultType", "complete") == "complete"
    final, _ = poll(tasks_server, task_id)
    assert final["status"] == "cancelled", final
    written = len(list((out_dir / "t120").iterdir()))
    assert 2 <= written < 120
    # Blender is idle: it answers the next call, and no frame lands afterwards.
    direct(tasks_server, "get_scene_info", {})
    time.sleep(1.0)  # more than a frame takes here
    direct(tasks_server, "get_scene_info", {})
    assert len(list((out_dir / "t120").iterdir())) == written


def test_a_second_task_waits_its_turn_on_the_one_blender(tasks_server):
    slow_frames(tasks_server, 0.2)
    try:
        first = start_task(
            tasks_server,
            "render_animation",
            {"engine": "WORKBENCH", "width": 16, "height": 16, "frame_start": 1, "frame_end": 10, "directory": "q"},
        )
        poll(tasks_server, first, until=lambda task: frames_done(task.get("statusMessage")) >= 0)
        second = start_task(tasks_server, "execute_blender_code", {"code": "'second ran'"})
        queued, _ = poll(tasks_server, second, until=lambda task: task.get("statusMessage") == "queued: 1 ahead")
        assert queued["status"] == "working"
        assert get(tasks_server, first)["status"] == "working", "the second task was seen queued behind the first"
        done_first, _ = poll(tasks_server, first)
        done_second, _ = poll(tasks_server, second)
    finally:
        slow_frames(tasks_server, 0)
    assert done_first["status"] == "completed", done_first
    assert done_second["status"] == "completed", done_second
    assert done_second["result"]["structuredContent"]["result"] == "second ran"


def test_unknown_task_ids_are_invalid_params(tasks_server):
    for method in ("tasks/get", "tasks/cancel"):
        reply = tasks_server.request(method, {"taskId": "no-such-task"})
        assert reply["error"]["code"] == INVALID_PARAMS, reply


def test_tool_errors_complete_the_task_with_the_error_result(tasks_server):
    task_id = start_task(tasks_server, "execute_blender_code", {"code": "raise ValueError('boom')"})
    final, _ = poll(tasks_server, task_id)
    assert final["status"] == "completed" and final["result"]["isError"], final
    assert "boom" in json.dumps(final["result"])


def test_an_expired_task_is_gone(logs_dir):
    srv = TaskClient(
        ["--port", str(free_port()), "--task-ttl", "1"],
        {"BLENDER_MCP_BLENDER": str(blender_python())},
        logs_dir / "tasks-ttl-server.log",
    )
    try:
        direct(srv, "get_scene_info", {})  # Blender's launch would outlast the TTL
        task_id = start_task(srv, "execute_blender_code", {"code": "1 + 1"})
        final, _ = poll(srv, task_id)
        # Completed, or failed as expired if this slow machine took over a second.
        assert final["status"] in {"completed", "failed"}, final
        time.sleep(2.5)  # past the TTL again: the result's retention is over
        reply = srv.request("tasks/get", {"taskId": task_id})
        assert reply["error"]["code"] == INVALID_PARAMS, reply
    finally:
        srv.close()


class OldClient(RawStdioServer):
    """A raw stdio client of an older protocol version, declaring nothing."""

    version = "2025-06-18"

    def request(self, method: str, params: dict, others: list | None = None) -> dict:
        if method == "initialize":
            params = {**params, "protocolVersion": self.version, "capabilities": {}}
        return super().request(method, params, others)


@pytest.mark.parametrize("version", ["2024-11-05", "2025-06-18"])
def test_a_client_without_the_extension_sees_no_task(logs_dir, version):
    client = type("Client", (OldClient,), {"version": version})
    srv = client(["--port", str(free_port())], {"BLENDER_MCP_BLENDER": str(blender_python())}, logs_dir / "old.log")
    try:
        result = result_of(srv.call_tool("execute_blender_code", {"code": "6 * 7"}))
        assert "resultType" not in result and "taskId" not in result, result
        assert result["structuredContent"]["result"] == 42
        reply = srv.request("tasks/get", {"taskId": "anything"})
        assert reply["error"]["code"] == MISSING_CAPABILITY, reply
    finally:
        srv.close()


# --- Streamable HTTP -------------------------------------------------------


class Http:
    """Raw JSON-RPC over Streamable HTTP: stateless 2026-07-28 requests, or
    an initialize-era session (`Mcp-Session-Id`)."""

    def __init__(self, srv: HttpProcess, stateful: bool, tasks: bool = True):
        self.host, port = srv.addr.rsplit(":", 1)
        self.port = int(port)
        self.caps = {"extensions": {TASKS: {}}} if tasks else {}
        self.session = None
        self.version = "2025-11-25" if stateful else "2026-07-28"
        self._next = 0
        if stateful:
            init = self.request(
                "initialize",
                {
                    "protocolVersion": self.version,
                    "capabilities": self.caps,
                    "clientInfo": {"name": "raw", "version": "0"},
                },
            )
            assert "result" in init, init
            self.notify("notifications/initialized")

    def _post(self, message: dict, name: str | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            "Mcp-Method": message["method"],
        }
        if message["method"] != "initialize":
            headers["MCP-Protocol-Version"] = self.version
        if name:
            headers["Mcp-Name"] = name
        if self.session:
            headers["Mcp-Session-Id"] = self.session
        conn.request("POST", "/mcp", body=json.dumps(message).encode(), headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        self.session = self.session or response.getheader("Mcp-Session-Id")
        conn.close()
        return response, text

    def notify(self, method: str):
        self._post({"jsonrpc": "2.0", "method": method})

    def request(self, method: str, params: dict, name: str | None = None) -> dict:
        self._next += 1
        if self.session is None and method != "initialize":
            params = {
                **params,
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": self.version,
                    "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
                    "io.modelcontextprotocol/clientCapabilities": self.caps,
                },
            }
        message = {"jsonrpc": "2.0", "id": self._next, "method": method, "params": params}
        response, text = self._post(message, name)
        datas = [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
        messages = [json.loads(d) for d in datas if d] or [json.loads(text)]
        return next(m for m in messages if m.get("id") == self._next)

    def call_tool(self, name: str, arguments: dict) -> dict:
        return self.request("tools/call", {"name": name, "arguments": arguments}, name)

    def get(self, task_id: str) -> dict:
        return self.request("tasks/get", {"taskId": task_id}, task_id)


@pytest.fixture(scope="module")
def http_out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("task-http-out")


@pytest.fixture(scope="module")
def http_server(http_out):
    srv = HttpProcess(
        [
            str(server_binary()),
            *("--transport", "all", "--bind", "127.0.0.1:0", "--port", str(free_port())),
            *("--output-dir", str(http_out)),
        ],
        env={"BLENDER_MCP_BLENDER": str(blender_python())},
    )
    yield srv
    assert srv.stop() == 0, srv.log


def http_poll(client: Http, task_id: str, until=lambda task: task["status"] in TERMINAL, limit: float = 300) -> dict:
    deadline = time.monotonic() + limit
    while True:
        task = result_of(client.get(task_id))
        if until(task):
            return task
        assert time.monotonic() < deadline, task
        time.sleep(0.05)


@pytest.mark.parametrize("stateful", [False, True], ids=["stateless-2026", "session"])
def test_tasks_over_streamable_http(http_server, stateful):
    client = Http(http_server, stateful)
    created = result_of(client.call_tool("execute_blender_code", {"code": "'over http'"}))
    assert created["resultType"] == "task", created
    final = http_poll(client, created["taskId"])
    assert final["status"] == "completed", final
    assert final["result"]["structuredContent"]["result"] == "over http"


@pytest.mark.parametrize("stateful", [False, True], ids=["stateless-2026", "session"])
def test_an_http_render_task_shows_progress_and_cancels(http_server, http_out, stateful):
    client = Http(http_server, stateful)
    directory = f"http_{stateful}"
    created = result_of(
        client.call_tool(
            "render_animation",
            {
                "engine": "WORKBENCH",
                "width": 64,
                "height": 64,
                "frame_start": 1,
                "frame_end": 120,
                "directory": directory,
            },
        )
    )
    assert created["resultType"] == "task", created
    task_id = created["taskId"]
    working = http_poll(client, task_id, until=lambda task: frames_done(task.get("statusMessage")) >= 2)
    assert re.fullmatch(r"rendering frame \d+ \(\d+/120\)", working["statusMessage"]), working
    assert result_of(client.request("tasks/cancel", {"taskId": task_id}, task_id)).get("resultType") == "complete"
    assert http_poll(client, task_id)["status"] == "cancelled"
    written = len(list((http_out / directory).iterdir()))
    assert 2 <= written < 120
    scene = result_of(client.call_tool("get_scene_info", {}))
    assert "objects" in scene["structuredContent"], scene
    time.sleep(1.0)
    assert len(list((http_out / directory).iterdir())) == written


def test_a_session_cannot_read_another_sessions_task(http_server):
    owner, other = Http(http_server, stateful=True), Http(http_server, stateful=True)
    task_id = result_of(owner.call_tool("execute_blender_code", {"code": "'private'"}))["taskId"]
    assert http_poll(owner, task_id)["status"] == "completed"
    for stranger in (other, Http(http_server, stateful=False)):
        for method in ("tasks/get", "tasks/cancel"):
            reply = stranger.request(method, {"taskId": task_id}, task_id)
            assert reply["error"]["code"] == INVALID_PARAMS, reply
            assert "private" not in json.dumps(reply)
    assert result_of(owner.get(task_id))["status"] == "completed"


def test_http_clients_without_the_extension_see_no_task(http_server):
    for stateful in (False, True):
        client = Http(http_server, stateful, tasks=False)
        result = result_of(client.call_tool("execute_blender_code", {"code": "6 * 7"}))
        assert result.get("resultType") in (None, "complete") and "taskId" not in result, result
        assert result["structuredContent"]["result"] == 42


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_an_sdk_sse_client_sees_plain_results(http_server, anyio_backend):
    from mcp import Client
    from mcp.client.sse import sse_client

    async with Client(sse_client(http_server.url("/sse")), mode="legacy") as client:
        result = await client.call_tool("execute_blender_code", {"code": "6 * 7"})
        assert not result.is_error and result.structured_content["result"] == 42
