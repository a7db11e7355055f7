"""Completions, resource subscriptions and `subscriptions/listen`, driven by
the official MCP SDK over stdio and Streamable HTTP against a real Blender.

No assertion here depends on timing: a test that expects no notification
makes a second, watched change afterwards and waits for *its* notification.
One poll covers every watched URI and announces them in one go, so anything
the first change caused has arrived by then.

The `gui` test runs Debian's Blender 3.4 as a GUI under Xvfb (see
test_tools_hosts.py) and is excluded by `-k "not gui"`."""

import os
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import anyio
import pytest
from conftest import free_port
from harness import blender_python, server_binary
from http_process import HttpProcess
from mcp import Client, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

# resources/subscribe is the 2025 way, still what most clients speak.
pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore:resources/(un)?subscribe is removed")]

OBJECT_TEMPLATE = "blender://object/{name}"
SCENE = "blender://scene"
# Generous: only a hang turns into a failure.
WAIT = 120
POLL_LOG = "blender_bridge::tools::subscriptions::poll"


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def http_server():
    srv = HttpProcess(
        [str(server_binary()), "--transport", "http", "--bind", "127.0.0.1:0", "--port", str(free_port())],
        # The poll loops log each poll at trace level: how a test sees them end.
        env={"BLENDER_MCP_BLENDER": str(blender_python()), "RUST_LOG": f"info,{POLL_LOG}=trace"},
    )
    yield srv
    assert srv.stop() == 0, srv.log


class Updates:
    """The `notifications/resources/updated` URIs a client received, in order."""

    def __init__(self):
        self.uris: list[str] = []

    async def handle(self, message):
        message = getattr(message, "root", message)
        if getattr(message, "method", None) == "notifications/resources/updated":
            self.uris.append(message.params.uri)

    async def wait_for(self, uri: str, count: int = 1):
        with anyio.fail_after(WAIT):
            while self.uris.count(uri) < count:
                await anyio.sleep(0.02)


@asynccontextmanager
async def connect(transport: str, http_server, handler=None, mode="legacy", args=()):
    if transport == "stdio":
        params = StdioServerParameters(
            command=str(server_binary()),
            args=["--port", str(free_port()), *args],
            env={**os.environ, "BLENDER_MCP_BLENDER": str(blender_python())},
        )
        stream = stdio_client(params)
    else:
        stream = streamable_http_client(http_server.url("/mcp"))
    async with Client(stream, mode=mode, message_handler=handler) as client:
        yield client


async def run(client, code: str, args=None):
    result = await client.call_tool("execute_blender_code", {"code": code, "args": args or {}})
    assert not result.is_error, result
    return result.structured_content["result"]


MAKE = """
for i in range(args['n']):
    o = bpy.data.objects.new(f"{args['prefix']}{i}", None)
    bpy.context.scene.collection.objects.link(o)
"""


async def make_objects(client, prefix: str, n: int):
    await run(client, MAKE, {"prefix": prefix, "n": n})


async def make_object(client, name: str):
    code = "bpy.context.scene.collection.objects.link(bpy.data.objects.new(args['name'], None))"
    await run(client, code, {"name": name})


def move(name: str, x: float) -> str:
    return f"bpy.data.objects[{name!r}].location.x = {x}"


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_object_names_complete_by_prefix_with_a_cap(http_server, transport):
    prefix = f"Comp{transport}_"
    async with connect(transport, http_server) as client:
        assert client.server_capabilities.completions is not None
        await make_objects(client, prefix, 150)
        ref = types.ResourceTemplateReference(type="ref/resource", uri=OBJECT_TEMPLATE)

        capped = (await client.complete(ref, {"name": "name", "value": prefix})).completion
        assert len(capped.values) == 100 and capped.total == 150 and capped.has_more
        assert all(v.startswith(prefix) for v in capped.values)

        # Case-insensitive prefix: Comp..._1, _10-_19, _100-_149.
        some = (await client.complete(ref, {"name": "name", "value": prefix.lower() + "1"})).completion
        assert sorted(some.values) == sorted(
            [f"{prefix}1"] + [f"{prefix}{i}" for i in range(10, 20)] + [f"{prefix}{i}" for i in range(100, 150)]
        )
        assert some.total == 61 and not some.has_more

        none = (await client.complete(ref, {"name": "name", "value": "no such prefix"})).completion
        assert none.values == [] and none.total == 0

        style = types.PromptReference(type="ref/prompt", name="build_scene")
        looks = (await client.complete(style, {"name": "style", "value": "low"})).completion
        assert looks.values == ["low-poly"]

        bad = types.ResourceTemplateReference(type="ref/resource", uri="blender://nothing/{name}")
        with pytest.raises(Exception, match="blender://object/"):
            await client.complete(bad, {"name": "name", "value": ""})
        # The server keeps serving after the refusal.
        assert (await client.complete(ref, {"name": "name", "value": prefix + "149"})).completion.values == [
            f"{prefix}149"
        ]


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_subscribed_resources_are_announced_after_a_change_and_not_after_unsubscribe(http_server, transport):
    updates = Updates()
    watched, other = f"Watched_{transport}", f"Sentinel_{transport}"
    watched_uri, other_uri = f"blender://object/{watched}", f"blender://object/{other}"
    async with connect(transport, http_server, updates.handle) as client:
        assert client.server_capabilities.resources.subscribe
        await make_object(client, watched)
        await make_object(client, other)
        await client.subscribe_resource(watched_uri)
        await client.subscribe_resource(other_uri)
        await client.subscribe_resource(SCENE)

        await run(client, move(watched, 3.0))
        await updates.wait_for(watched_uri)
        assert other_uri not in updates.uris

        # A new object changes the scene's counts: the scene is announced.
        await make_objects(client, f"SceneChange_{transport}_", 1)
        await updates.wait_for(SCENE)

        await client.unsubscribe_resource(watched_uri)
        before = updates.uris.count(watched_uri)
        await run(client, move(watched, 5.0))
        await run(client, move(other, 1.0))
        await updates.wait_for(other_uri)
        assert updates.uris.count(watched_uri) == before, updates.uris

        with pytest.raises(Exception, match="blender://scene"):
            await client.subscribe_resource("blender://render/last")


async def test_a_burst_of_changes_is_debounced(http_server):
    updates = Updates()
    name, sentinel = "Burst", "BurstSentinel"
    uri, sentinel_uri = f"blender://object/{name}", f"blender://object/{sentinel}"
    async with connect("http", http_server, updates.handle) as client:
        await make_object(client, name)
        await make_object(client, sentinel)
        await client.subscribe_resource(uri)
        await client.subscribe_resource(sentinel_uri)
        async with anyio.create_task_group() as burst:
            for i in range(10):
                burst.start_soon(run, client, move(name, float(i + 10)))
        await updates.wait_for(uri)
        await run(client, move(sentinel, 2.0))
        await updates.wait_for(sentinel_uri)
        count = updates.uris.count(uri)
        assert 1 <= count <= 5, f"10 changes gave {count} notifications: {updates.uris}"


async def test_a_listen_stream_delivers_updates_and_list_changes(http_server):
    name = "Listened"
    uri = f"blender://object/{name}"
    async with connect("http", http_server, mode="2026-07-28") as client:
        await make_object(client, name)
        wanted = [uri, "blender://material/NotWatchable"]
        async with client.listen(resources_list_changed=True, resource_subscriptions=wanted) as stream:
            assert stream.honored.resource_subscriptions == [uri]
            assert stream.honored.resources_list_changed
            await run(client, move(name, 7.0))
            seen = set()
            with anyio.fail_after(WAIT):
                async for event in stream:
                    seen.add(type(event).__name__ + getattr(event, "uri", ""))
                    if {"ResourcesListChanged", f"ResourceUpdated{uri}"} <= seen:
                        break


def polls_of(srv, uri: str) -> int:
    return sum(1 for line in srv.log.splitlines() if "resource poll" in line and f'"{uri}"' in line)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_polling_ends_with_the_session(http_server, mode):
    """A closed session's (or listen stream's) poll loop stops. Measured
    against a second session's loop, which runs at the same cadence: while
    it polls six times, the first polls at most once more (one may be in
    flight as the session closes)."""
    first, second = f"blender://object/Gone_{mode}", f"blender://object/Stays_{mode}"

    async def watch(uri: str):
        if mode == "legacy":
            await client.subscribe_resource(uri)
            return None
        return await stack.enter_async_context(client.listen(resource_subscriptions=[uri]))

    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(connect("http", http_server, mode=mode))
        await watch(first)
        with anyio.fail_after(WAIT):
            while polls_of(http_server, first) < 2:
                await anyio.sleep(0.05)
    after_close = polls_of(http_server, first)
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(connect("http", http_server, mode=mode))
        await watch(second)
        with anyio.fail_after(WAIT):
            while polls_of(http_server, second) < 6:
                await anyio.sleep(0.05)
    assert polls_of(http_server, first) <= after_close + 1, http_server.log[-3000:]


PERSON = """
import os, bpy

def person():
    trigger = os.environ["PERSON_TRIGGER"]
    if os.path.exists(trigger):
        os.remove(trigger)
        bpy.data.objects["Cube"].location.x += 1.0
    return 0.1

bpy.app.timers.register(person, first_interval=0.1, persistent=True)
"""


async def test_gui_an_edit_in_the_blender_window_is_announced(tmp_path, logs_dir, monkeypatch):
    """A change made inside a GUI Blender, by a script in its own timer and
    not through MCP, reaches a subscribed client."""
    from exe_blender import ExeBlender

    trigger = tmp_path / "trigger"
    script = tmp_path / "person.py"
    script.write_text(PERSON)
    monkeypatch.setenv("PERSON_TRIGGER", str(trigger))
    blender = ExeBlender("gui", tmp_path, extra=("--python", str(script)))
    try:
        await _watch_person(blender, trigger, logs_dir / "subscriptions-gui.log")
    finally:
        blender.stop()


async def _watch_person(blender, trigger: Path, log: Path):
    updates = Updates()
    params = StdioServerParameters(
        command=str(server_binary()),
        args=["--port", str(blender.port), "--no-launch", "--token-file", str(blender.token_file)],
        env=dict(os.environ),
    )
    with open(log, "w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy", message_handler=updates.handle) as client:
            await client.subscribe_resource("blender://object/Cube")
            trigger.write_text("move")
            await updates.wait_for("blender://object/Cube")
            moved = await client.call_tool("get_object_info", {"name": "Cube"})
            assert moved.structured_content["location"][0] == 1.0
