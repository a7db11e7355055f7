"""Confirmation before loss: calls that would throw work away ask the user
(form elicitation, or the input-required result on 2026-07-28), and clients
that cannot ask get an error naming what would be lost and `confirm: true`.
Driven by the official MCP SDK, and by raw JSON-RPC where the test must see
the input-required result itself."""

from __future__ import annotations

import pytest
from conftest import free_port
from harness import McpServer, blender_python, server_binary, text_of
from http_process import HttpProcess
from mcp import Client, StdioServerParameters, types
from mcp.client.streamable_http import streamable_http_client
from test_tasks import TASKS, Http, http_poll, result_of

pytestmark = pytest.mark.anyio

DELETE_OVER = 3
ENV = {"BLENDER_MCP_BLENDER": str(blender_python())}


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("confirm-out")


def server_args(out_dir, *extra: str) -> list[str]:
    return ["--port", str(free_port()), "--output-dir", str(out_dir), "--confirm-delete-over", str(DELETE_OVER), *extra]


@pytest.fixture(scope="module")
def http_server(out_dir):
    srv = HttpProcess(
        [str(server_binary()), "--transport", "all", "--bind", "127.0.0.1:0", *server_args(out_dir)], env=ENV
    )
    yield srv
    assert srv.stop() == 0, srv.log


class User:
    """An elicitation callback that answers `action` and keeps the questions."""

    def __init__(self, action: str):
        self.action = action
        self.asked: list[str] = []

    async def __call__(self, context, params):
        self.asked.append(params.message)
        return types.ElicitResult(action=self.action, content={} if self.action == "accept" else None)


MAKE = "for n in args['names']:\n    bpy.context.scene.collection.objects.link(bpy.data.objects.new(n, None))"
EXISTING = "result = sorted(n for n in args['names'] if n in bpy.data.objects)"


async def make(client, prefix: str, count: int = DELETE_OVER + 1) -> list[str]:
    names = [f"{prefix}_{i}" for i in range(count)]
    made = await client.call_tool("execute_blender_code", {"code": MAKE, "args": {"names": names}})
    assert not made.is_error, text_of(made)
    return names


async def existing(client, names: list[str]) -> list[str]:
    found = await client.call_tool("execute_blender_code", {"code": EXISTING, "args": {"names": names}})
    return found.structured_content["result"]


def http_client(srv, mode: str, user: User | None = None) -> Client:
    return Client(streamable_http_client(srv.url("/mcp")), mode=mode, elicitation_callback=user)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_a_declined_delete_deletes_nothing_and_an_accepted_one_proceeds(http_server, mode):
    declines, accepts = User("decline"), User("accept")
    async with http_client(http_server, mode, declines) as client:
        names = await make(client, f"del_{mode[:4]}")
        refused = await client.call_tool("delete_objects", {"names": names})
        assert refused.is_error and "did not confirm" in text_of(refused), text_of(refused)
        assert len(declines.asked) == 1 and f"deletes {len(names)} objects" in declines.asked[0]
        assert await existing(client, names) == sorted(names)
    async with http_client(http_server, mode, accepts) as client:
        done = await client.call_tool("delete_objects", {"names": names})
        assert not done.is_error and sorted(done.structured_content["deleted"]) == sorted(names)
        assert len(accepts.asked) == 1
        # At or under the threshold nothing is asked.
        few = await make(client, f"few_{mode[:4]}", DELETE_OVER)
        assert not (await client.call_tool("delete_objects", {"names": few})).is_error
        assert len(accepts.asked) == 1


async def test_a_declined_open_keeps_the_file_open(http_server, out_dir):
    user = User("decline")
    async with http_client(http_server, "legacy", user) as client:
        saved = await client.call_tool("save_blend", {"path": str(out_dir / "confirm.blend")})
        assert not saved.is_error, text_of(saved)
        # Right after a save nothing is at stake: no question.
        assert not (await client.call_tool("open_blend", {"path": str(out_dir / "confirm.blend")})).is_error
        assert user.asked == []
        kept = await make(client, "unsaved_work", 1)
        refused = await client.call_tool("open_blend", {"path": str(out_dir / "confirm.blend")})
        assert refused.is_error and "unsaved changes" in user.asked[0], text_of(refused)
        assert await existing(client, kept) == kept
        user.action = "accept"
        assert not (await client.call_tool("open_blend", {"path": str(out_dir / "confirm.blend")})).is_error
        assert await existing(client, kept) == []


async def test_a_client_that_cannot_ask_is_told_what_would_be_lost(http_server):
    async with http_client(http_server, "legacy") as client:
        names = await make(client, "noask")
        refused = await client.call_tool("delete_objects", {"names": names})
        text = text_of(refused)
        assert refused.is_error and f"deletes {len(names)} objects" in text and "confirm: true" in text, text
        assert await existing(client, names) == sorted(names)
        code = {"code": "x = 1", "rollback_on_error": False}
        refused = await client.call_tool("execute_blender_code", code)
        assert refused.is_error and "rollback_on_error=false" in text_of(refused), text_of(refused)
        assert not (await client.call_tool("execute_blender_code", {**code, "confirm": True})).is_error
        batch = {"atomic": True, "operations": [{"tool": "delete_objects", "arguments": {"names": names}}]}
        refused = await client.call_tool("batch", batch)
        assert refused.is_error and f"deletes {len(names)} objects" in text_of(refused), text_of(refused)
        assert await existing(client, names) == sorted(names)
        done = await client.call_tool("batch", {**batch, "confirm": True})
        assert not done.is_error and await existing(client, names) == []


def test_input_required_on_a_stateless_2026_request(http_server):
    raw = Http(http_server, stateful=False, tasks=False)
    raw.caps = {"elicitation": {"form": {}}}
    names = [f"mrtr_{i}" for i in range(DELETE_OVER + 1)]
    assert "error" not in raw.call_tool("execute_blender_code", {"code": MAKE, "args": {"names": names}})
    asked = result_of(raw.call_tool("delete_objects", {"names": names}))
    assert asked["resultType"] == "input_required", asked
    ((key, question),) = asked["inputRequests"].items()
    assert question["method"] == "elicitation/create" and "deletes" in question["params"]["message"]

    def answer(action: str) -> dict:
        params = {"name": "delete_objects", "arguments": {"names": names}, "inputResponses": {key: {"action": action}}}
        return result_of(raw.request("tools/call", params, "delete_objects"))

    assert answer("decline")["isError"] is True
    assert result_of(raw.call_tool("get_object_info", {"name": names[0]}))["structuredContent"]["name"] == names[0]
    assert answer("accept")["structuredContent"]["deleted"] == names
    # A 2026 client that declares no elicitation gets the error, not a question.
    raw.caps = {}
    assert "error" not in raw.call_tool("execute_blender_code", {"code": MAKE, "args": {"names": names}})
    refused = result_of(raw.call_tool("delete_objects", {"names": names}))
    assert refused.get("resultType") != "input_required" and "confirm: true" in refused["content"][0]["text"]


@pytest.mark.parametrize("version", ["2025-06-18", "2024-11-05"])
def test_old_clients_see_no_input_required(http_server, version):
    raw = Http(http_server, stateful=False, tasks=False)
    raw.version, raw.caps = version, {}
    init = raw.request(
        "initialize", {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "old", "version": "0"}}
    )
    assert init["result"]["protocolVersion"] == version, init
    raw.notify("notifications/initialized")
    names = [f"old_{version[:4]}_{i}" for i in range(DELETE_OVER + 1)]
    assert "error" not in raw.call_tool("execute_blender_code", {"code": MAKE, "args": {"names": names}})
    refused = result_of(raw.call_tool("delete_objects", {"names": names}))
    assert "resultType" not in refused and refused["isError"] is True, refused
    assert "confirm: true" in refused["content"][0]["text"]
    assert result_of(raw.call_tool("delete_objects", {"names": names, "confirm": True}))["structuredContent"]


async def test_over_stdio_elicitation_and_no_confirm(out_dir, logs_dir):
    user = User("decline")
    params = StdioServerParameters(command=str(server_binary()), args=server_args(out_dir), env=ENV)
    async with Client(params, mode="legacy", elicitation_callback=user) as client:
        names = await make(client, "stdio")
        assert (await client.call_tool("delete_objects", {"names": names})).is_error
        assert await existing(client, names) == sorted(names)
        user.action = "accept"
        assert not (await client.call_tool("delete_objects", {"names": names})).is_error
        assert len(user.asked) == 2 and await existing(client, names) == []
    with McpServer(args=server_args(out_dir, "--no-confirm"), env=ENV, stderr_path=logs_dir / "noconfirm.log") as srv:
        names = [f"nc_{i}" for i in range(DELETE_OVER + 1)]
        srv.call("execute_blender_code", {"code": MAKE, "args": {"names": names}})
        assert not srv.call("delete_objects", {"names": names}).is_error
        assert not srv.call("execute_blender_code", {"code": "1", "rollback_on_error": False}).is_error


def test_a_task_starts_only_after_the_answer(http_server):
    """A task-augmented guarded call on 2026: the question comes first, the
    retry with the user's answer becomes the task."""
    raw = Http(http_server, stateful=False)
    raw.caps = {"elicitation": {"form": {}}, "extensions": {TASKS: {}}}
    unsaved = {"code": MAKE, "args": {"names": ["task_work"]}}
    http_poll(raw, result_of(raw.call_tool("execute_blender_code", unsaved))["taskId"])
    code = {"code": "result = 'ran'", "rollback_on_error": False}
    asked = result_of(raw.call_tool("execute_blender_code", code))
    assert asked["resultType"] == "input_required", asked
    (key,) = asked["inputRequests"]
    params = {"name": "execute_blender_code", "arguments": code, "inputResponses": {key: {"action": "accept"}}}
    created = result_of(raw.request("tools/call", params, "execute_blender_code"))
    assert created["resultType"] == "task", created
    final = http_poll(raw, created["taskId"])
    assert final["status"] == "completed" and final["result"]["structuredContent"]["result"] == "ran", final
