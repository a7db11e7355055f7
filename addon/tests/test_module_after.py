"""The exec ``after`` param against real Blender (pip's bpy): a step that
runs right after the code, in the same main-thread turn, whatever the code
did (PROTOCOL.md 4.3)."""

import json
import time
import zlib
from pathlib import Path

from test_module_before import WRITE_MARKER, before
from test_module_longops import collect, send_exec

#: Reads what the code left in the driver namespace.
READ_MARK = "result = {'mark': bpy.app.driver_namespace.pop('mcp_after_test', None), 'tag': args.get('tag')}"
SET_MARK = "bpy.app.driver_namespace['mcp_after_test'] = args['mark']\n"


def after(code=None, snippet=None, **args):
    return before(code, snippet, **args)


def test_hello_advertises_exec_after(addon):
    client = addon.connect()
    assert "exec_after" in client.hello(addon.token)["result"]["capabilities"]
    client.close()


def test_after_sees_what_the_code_did_and_its_value_comes_back(client):
    code = SET_MARK + "print('user output')\nresult = 'done'"
    reply = client.exec_params(
        {"code": code, "args": {"mark": "m1"}, "after": after(READ_MARK, "after-test-1", tag="t")}
    )
    assert reply["ok"], reply
    # Its own args, its own output (dropped), its value beside the code's.
    assert reply["result"] == {
        "value": "done",
        "stdout": "user output\n",
        "stderr": "",
        "after": {"mark": "m1", "tag": "t"},
    }
    # By snippet key alone once cached; with before, both come back.
    again = client.exec_params(
        {
            "code": SET_MARK,
            "args": {"mark": "m2"},
            "before": before("result = 'pre'"),
            "after": after(snippet="after-test-1"),
        }
    )
    assert again["result"]["before"] == "pre" and again["result"]["after"] == {"mark": "m2", "tag": None}
    assert "after" not in client.exec("1")["result"]


def test_after_runs_when_the_code_fails_and_its_value_rides_on_the_error(client):
    step = after(READ_MARK)
    raised = client.exec_params({"code": SET_MARK + "1 / 0", "args": {"mark": "r"}, "after": step})
    assert raised["error"]["code"] == "python_error"
    assert raised["error"]["details"]["after"] == {"mark": "r", "tag": None}
    not_json = client.exec_params({"code": SET_MARK + "result = object()", "args": {"mark": "n"}, "after": step})
    assert not_json["error"]["code"] == "result_not_json"
    assert not_json["error"]["details"]["after"]["mark"] == "n"
    loop = SET_MARK + "while True:\n    pass"
    timed_out = client.exec_params({"code": loop, "args": {"mark": "t"}, "timeout": 0.3, "after": step})
    assert timed_out["error"]["code"] == "timeout"
    assert timed_out["error"]["details"]["after"]["mark"] == "t"
    running = send_exec(client, loop, args={"mark": "c"}, after=step)
    time.sleep(0.3)
    cancel_id = client.next_id()
    client.send({"id": cancel_id, "op": "cancel", "params": {"target": running}})
    replies, _ = collect(client, [running, cancel_id])
    assert replies[running]["error"]["code"] == "cancelled"
    assert replies[running]["error"]["details"]["after"]["mark"] == "c"


def test_a_failing_after_leaves_the_codes_answer_alone(client):
    reply = client.exec_params({"code": "result = 6 * 7", "after": after("print('x')\nraise KeyError('gone')")})
    assert reply["ok"], reply
    assert reply["result"]["value"] == 42 and "after" not in reply["result"]
    failed = reply["result"]["after_failed"]
    assert failed["type"] == "KeyError" and failed["message"] == "'gone'" and "line 2" in failed["traceback"]
    reply = client.exec_params({"code": "1 / 0", "after": after("result = float('nan')")})
    assert reply["error"]["code"] == "python_error"
    assert reply["error"]["details"]["after_failed"]["type"] == "result_not_json"


def test_after_does_not_run_when_the_code_never_did(client, tmp_path):
    marker = tmp_path / "after-ran.txt"
    step = after(WRITE_MARKER, path=str(marker))
    failed_before = client.exec_params({"code": "1", "before": before("raise RuntimeError('no')"), "after": step})
    assert failed_before["error"]["code"] == "precondition_failed" and "after" not in failed_before["error"]["details"]
    bad_code = client.exec_params({"code": "def (:", "after": step})
    assert bad_code["error"]["code"] == "python_error" and "after" not in bad_code["error"]["details"]
    assert not marker.exists()


def test_an_unknown_or_broken_after_runs_nothing(client, tmp_path):
    marker = tmp_path / "ran.txt"
    params = {"code": WRITE_MARKER, "args": {"path": str(marker)}, "after": after(snippet="after-never-sent-0")}
    unknown = client.exec_params(params)
    assert unknown["error"]["code"] == "snippet_unknown"
    assert unknown["error"]["details"] == {"snippet": "after-never-sent-0"}
    broken = client.exec_params(dict(params, after=after("def (:")))
    assert broken["error"]["code"] == "bad_request" and "after step does not compile" in broken["error"]["message"]
    assert not marker.exists()
    for bad in ([], {}, {"code": 5}, {"code": "1", "args": [1]}):
        reply = client.exec_params({"code": "1", "after": bad})
        assert reply["error"]["code"] == "bad_request", (bad, reply)
    assert client.value("6 * 7") == 42


#: The server's `changes` snippets (blender-bridge/src/tools/changes/), which rely on `job`.
CHANGES = Path(__file__).resolve().parents[2] / "blender-bridge" / "src" / "tools" / "changes"


def changes_snippet(entry):
    """A changes snippet as mod.rs's library_snippet builds it: the library
    as a string constant, the loader, then the entry point."""
    library = "".join((CHANGES / name).read_text() for name in ("snapshot.py", "take.py", "diff.py"))
    constants = "CHANGES_LIBRARY_NAME = %s\nCHANGES_LIBRARY = %s\n" % (
        json.dumps("blender_mcp_changes_test_%d" % zlib.crc32(library.encode())),
        json.dumps(library),
    )
    return constants + (CHANGES / "load.py").read_text() + entry + "\n"


def writer_call(client, n, code):
    """A request as the server sends a writer call's: snapshot before, diff after."""
    take = {"code": changes_snippet("changes_library.take(args, globals().get('job'))")}
    take["args"] = {"changes_id": "job-test-%d" % n}
    diff = {"code": changes_snippet("result = changes_library.diff_step(args, globals().get('job'))")}
    diff["args"] = {"changes_id": "job-test-%d" % n, "cap": 100}
    reply = client.exec_params({"code": code, "before": take, "after": diff})
    assert reply["ok"], reply
    return reply["result"]


def test_steps_see_the_job_count_and_changes_reuses_a_snapshot_only_with_no_job_between(addon, client):
    jobs = "result = job"
    first = client.exec_params({"code": "1", "before": before(jobs), "after": after(jobs)})["result"]
    assert first["before"] == first["after"] > 0
    assert client.exec_params({"code": "1", "after": after(jobs)})["result"]["after"] == first["after"] + 1
    other = addon.connect()
    assert other.hello(addon.token)["ok"]
    reused = "result = getattr(__import__('sys').modules['blender_mcp_changes_state'], 'reused', 0)"
    try:
        made = writer_call(client, 1, "bpy.data.objects.new('job_a', None)")
        assert made["after"] == {"added": {"objects": ["job_a"]}}
        # Another connection's job between two writer calls: the next call
        # must take its own snapshot, or it would report this rename as its own.
        assert other.value("bpy.data.objects['job_a'].name = 'job_b'") is None
        idle = writer_call(client, 2, reused)
        assert idle["after"] == {}
        moved = writer_call(client, 3, "bpy.data.objects['job_b'].location.x = 3\n" + reused)
        assert moved["after"] == {"modified": {"job_b": ["transform"]}}
        assert moved["value"] == idle["value"] + 1, "call 3 followed call 2 with no job between: one snapshot reused"
    finally:
        other.value("[bpy.data.objects.remove(o) for o in list(bpy.data.objects) if o.name.startswith('job_')]")
        other.close()
