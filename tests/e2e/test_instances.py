"""Several Blenders behind one server: `--blender NAME=...`, the `instance`
argument on every tool, `list_instances`, and parallel calls."""

import concurrent.futures

import pytest
from addon_process import AddonBlender
from harness import McpServer, blender_python, bpy_version, text_of

STAMP = "import time\nstart = time.time()\ntime.sleep(1.5)\nresult = [start, time.time(), args['tag']]"


@pytest.fixture(scope="module")
def two_blenders(tmp_path_factory):
    attached = AddonBlender(env={"BLENDER_MCP_TOKEN": "instances-test-token-0123456789"})
    log = tmp_path_factory.mktemp("instances") / "server.log"
    srv = McpServer(
        args=[
            "--blender",
            "main=launch",
            "--blender",
            "other=launch",
            "--blender",
            f"side=127.0.0.1:{attached.port}",
            "--token",
            "instances-test-token-0123456789",
        ],
        env={"BLENDER_MCP_BLENDER": str(blender_python())},
        stderr_path=log,
    )
    yield srv, attached
    srv.close()
    attached.stop()


def test_every_tool_takes_an_instance(two_blenders):
    srv, _ = two_blenders
    for tool in srv.list_tools():
        assert "instance" in tool.input_schema["properties"], tool.name


def test_list_instances_reports_each_blender(two_blenders):
    srv, attached = two_blenders
    before = {i["name"]: i for i in srv.call("list_instances").structured_content["instances"]}
    assert set(before) == {"main", "other", "side"}
    assert before["main"]["default"] and not before["side"]["default"] and not before["other"]["default"]
    assert before["side"]["state"] == "idle"  # listing does not connect or launch
    srv.call("get_scene_info", {"instance": "side"})
    srv.call("get_scene_info", {})
    after = {i["name"]: i for i in srv.call("list_instances").structured_content["instances"]}
    major_minor = ".".join(bpy_version().split(".")[:2]) + "."
    for name in ("main", "side"):
        assert after[name]["state"] == "ready", after[name]
        assert after[name]["mode"] == "module" and after[name]["blender_version"].startswith(major_minor)
        assert after[name]["queued"] == 0
    assert str(attached.port) in after["side"]["endpoint"]


def test_instances_are_separate_scenes(two_blenders):
    srv, attached = two_blenders
    made = srv.call("create_object", {"kind": "empty", "name": "only_on_side", "instance": "side"})
    assert not made.is_error, text_of(made)
    side = srv.call(
        "execute_blender_code",
        {"code": "import os; [os.getpid(), 'only_on_side' in bpy.data.objects]", "instance": "side"},
    )
    main = srv.call("execute_blender_code", {"code": "import os; [os.getpid(), 'only_on_side' in bpy.data.objects]"})
    assert side.structured_content["result"] == [attached.pid, True]
    assert main.structured_content["result"][1] is False and main.structured_content["result"][0] != attached.pid
    srv.call("delete_objects", {"names": ["only_on_side"], "instance": "side"})


def test_unknown_or_mistyped_instance_is_a_readable_error(two_blenders):
    srv, _ = two_blenders
    res = srv.call("get_scene_info", {"instance": "nope"})
    assert res.is_error and "main, other, side" in text_of(res)
    res = srv.call("get_scene_info", {"instance": 3})
    assert res.is_error and "must be a string" in text_of(res)


def test_calls_to_two_launched_blenders_run_in_parallel(two_blenders):
    srv, _ = two_blenders
    pids = {
        name: srv.call("execute_blender_code", {"code": "import os; os.getpid()", "instance": name}).structured_content[
            "result"
        ]
        for name in ("main", "other")
    }
    assert pids["main"] != pids["other"], "the two launched instances are one Blender"
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        calls = [
            pool.submit(srv.call, "execute_blender_code", {"code": STAMP, "args": {"tag": name}, "instance": name})
            for name in ("main", "other")
        ]
        (a_start, a_end, _), (b_start, b_end, _) = [c.result().structured_content["result"] for c in calls]
    # Both Blenders were busy at the same moment: the intervals overlap.
    assert a_start < b_end and b_start < a_end, ((a_start, a_end), (b_start, b_end))
