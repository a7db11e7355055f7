"""The exec ``before`` param against real Blender (pip's bpy): a precondition
that runs in the same main-thread turn as the code (PROTOCOL.md 4.3)."""

import time

from test_module_longops import collect, send_exec

#: Writes a marker file: the proof that user code ran (or, absent, that it did not).
WRITE_MARKER = "open(args['path'], 'w').write('ran')\nresult = 'ran'"


def before(code=None, snippet=None, **args):
    part = {"args": args}
    if code is not None:
        part["code"] = code
    if snippet is not None:
        part["snippet"] = snippet
    return part


def test_hello_advertises_exec_before(addon):
    client = addon.connect()
    assert "exec_before" in client.hello(addon.token)["result"]["capabilities"]
    client.close()


def test_before_runs_first_and_its_value_comes_back(client):
    pre = "print('checkpoint output')\nbpy.app.driver_namespace['mcp_before_test'] = args['tag']\nresult = {'tag': args['tag']}"
    code = "print('user output')\nresult = [bpy.app.driver_namespace.pop('mcp_before_test'), args['own']]"
    reply = client.exec_params({"code": code, "args": {"own": 2}, "before": before(pre, "before-test-1", tag="t1")})
    assert reply["ok"], reply
    # The code saw what before did; each saw its own args; before's output stays apart.
    assert reply["result"] == {"value": ["t1", 2], "stdout": "user output\n", "stderr": "", "before": {"tag": "t1"}}
    # The snippet key alone now names the cached precondition.
    again = client.exec_params({"code": code, "args": {"own": 3}, "before": before(snippet="before-test-1", tag="t2")})
    assert again["ok"], again
    assert again["result"]["value"] == ["t2", 3] and again["result"]["before"] == {"tag": "t2"}
    # A trailing expression is before's value too; a plain exec carries no before.
    tail = client.exec_params({"code": "1", "before": before("6 * 7")})
    assert tail["result"]["before"] == 42
    assert "before" not in client.exec("1")["result"]


def test_an_unknown_before_snippet_runs_nothing_and_is_named(client, tmp_path):
    marker = tmp_path / "ran.txt"
    params = {"code": WRITE_MARKER, "args": {"path": str(marker)}, "before": before(snippet="before-never-sent-0")}
    reply = client.exec_params(params)
    assert reply["error"]["code"] == "snippet_unknown"
    assert reply["error"]["details"] == {"snippet": "before-never-sent-0"}
    assert not marker.exists()
    # What a client does next: send it again with the code.
    params["before"]["code"] = "result = 'pre'"
    reply = client.exec_params(params)
    assert reply["ok"] and reply["result"]["before"] == "pre" and marker.read_text() == "ran"


def test_a_failing_before_is_precondition_failed_and_the_code_never_runs(client, tmp_path):
    marker = tmp_path / "ran.txt"
    pre = "print('trying')\nraise RuntimeError('no checkpoint today')"
    reply = client.exec_params({"code": WRITE_MARKER, "args": {"path": str(marker)}, "before": before(pre)})
    error = reply["error"]
    assert error["code"] == "precondition_failed", reply
    assert error["details"]["type"] == "RuntimeError"
    assert error["details"]["message"] == "no checkpoint today"
    assert "no checkpoint today" in error["details"]["traceback"] and "line 2" in error["details"]["traceback"]
    assert error["details"]["stdout"] == "trying\n"
    assert "before" not in error["details"]
    # A value the reply cannot carry, and a syntax error, fail the same way.
    reply = client.exec_params(
        {"code": WRITE_MARKER, "args": {"path": str(marker)}, "before": before("result = float('nan')")}
    )
    assert reply["error"]["code"] == "precondition_failed"
    assert reply["error"]["details"]["type"] == "result_not_json" and reply["error"]["details"]["repr"] == "nan"
    reply = client.exec_params({"code": WRITE_MARKER, "args": {"path": str(marker)}, "before": before("def (:")})
    assert reply["error"]["code"] == "precondition_failed" and reply["error"]["details"]["type"] == "SyntaxError"
    # SystemExit in before stops neither the addon nor anything but this request.
    reply = client.exec_params(
        {"code": WRITE_MARKER, "args": {"path": str(marker)}, "before": before("raise SystemExit(3)")}
    )
    assert reply["error"]["code"] == "precondition_failed"
    assert not marker.exists()
    assert client.value("6 * 7") == 42


def test_user_code_that_does_not_compile_does_not_run_before(client):
    reply = client.exec_params({"code": "def (:", "before": before("bpy.app.driver_namespace['mcp_pre_ran'] = True")})
    assert reply["error"]["code"] == "python_error" and reply["error"]["details"]["type"] == "SyntaxError"
    assert "before" not in reply["error"]["details"]
    assert client.value("bpy.app.driver_namespace.pop('mcp_pre_ran', False)") is False


def test_every_failure_of_the_code_carries_the_before_value(client):
    pre = before("result = {'handle': args['n']}", "before-test-handle", n=7)
    raised = client.exec_params({"code": "print('x')\n1 / 0", "before": pre})
    assert raised["error"]["code"] == "python_error"
    assert raised["error"]["details"]["before"] == {"handle": 7}
    assert raised["error"]["details"]["stdout"] == "x\n"
    not_json = client.exec_params({"code": "result = object()", "before": pre})
    assert not_json["error"]["code"] == "result_not_json"
    assert not_json["error"]["details"]["before"] == {"handle": 7}
    timed_out = client.exec_params({"code": "while True:\n    pass", "timeout": 0.3, "before": pre})
    assert timed_out["error"]["code"] == "timeout"
    assert timed_out["error"]["details"]["before"] == {"handle": 7}
    # Cancelled while the code (not before) runs.
    loop = send_exec(client, "print('looping')\nwhile True:\n    pass", before=pre)
    time.sleep(0.3)
    cancel_id = client.next_id()
    client.send({"id": cancel_id, "op": "cancel", "params": {"target": loop}})
    replies, _ = collect(client, [loop, cancel_id])
    assert replies[cancel_id]["result"] == {"state": "interrupting"}
    details = replies[loop]["error"]["details"]
    assert replies[loop]["error"]["code"] == "cancelled"
    assert details["before"] == {"handle": 7} and details["stdout"] == "looping\n"


def test_cancel_while_before_runs_runs_nothing(client, tmp_path):
    marker = tmp_path / "ran.txt"
    started = tmp_path / "before-started.txt"
    pre = before("open(args['started'], 'w').close()\nwhile True:\n    pass", started=str(started))
    request = send_exec(client, WRITE_MARKER, args={"path": str(marker)}, before=pre)
    deadline = time.monotonic() + 30
    while not started.exists():
        assert time.monotonic() < deadline, "before never started"
        time.sleep(0.02)
    cancel_id = client.next_id()
    client.send({"id": cancel_id, "op": "cancel", "params": {"target": request}})
    replies, _ = collect(client, [request, cancel_id])
    assert replies[cancel_id]["result"] == {"state": "interrupting"}
    error = replies[request]["error"]
    assert error["code"] == "cancelled"
    assert error["details"]["completed"] is False
    assert "before" not in error["details"]  # the code never started
    assert not marker.exists()
    assert client.value("6 * 7") == 42


def test_before_runs_outside_the_time_limit(client):
    # before sleeps past the limit; the limit only starts with the code.
    pre = before("import time\ntime.sleep(0.6)\nresult = 'slow checkpoint'")
    reply = client.exec_params({"code": "result = 'fast code'", "timeout": 0.2, "before": pre})
    assert reply["ok"], reply
    assert reply["result"]["value"] == "fast code" and reply["result"]["before"] == "slow checkpoint"


def test_no_other_job_runs_between_before_and_the_code(addon, client):
    """The reason for ``before``: a request of another connection, read
    while this one's before runs, waits until its code has run too."""
    other = addon.connect()
    assert other.hello(addon.token)["ok"]
    try:
        blocker = send_exec(client, "import time\ntime.sleep(0.3)")
        time.sleep(0.1)
        pre = before("import time\nbpy.app.driver_namespace['mcp_owner'] = 'mine'\ntime.sleep(0.3)")
        guarded = send_exec(client, "result = bpy.app.driver_namespace.pop('mcp_owner')", before=pre)
        time.sleep(0.45)  # the blocker is done; before is sleeping now
        intruder = send_exec(other, "bpy.app.driver_namespace['mcp_owner'] = 'intruder'")
        replies, _ = collect(client, [blocker, guarded])
        assert replies[guarded]["result"]["value"] == "mine", replies[guarded]
        assert collect(other, [intruder])[0][intruder]["ok"]
    finally:
        other.close()
        client.value("bpy.app.driver_namespace.pop('mcp_owner', None)")


def test_a_malformed_before_is_a_bad_request(client):
    for bad in ([], {}, {"args": {}}, {"code": 5}, {"snippet": ["x"]}, {"code": "1", "args": [1]}):
        reply = client.exec_params({"code": "1", "before": bad})
        assert reply["error"]["code"] == "bad_request", (bad, reply)
