"""Long operations against real Blender (pip's bpy): cancel, time limits and
progress frames (PROTOCOL.md 4.3 and 4.5)."""

import time

from raw_client import RawClient


def send_exec(client, code, **params):
    request_id = client.next_id()
    client.send({"id": request_id, "op": "exec", "params": dict(params, code=code)})
    return request_id


def collect(client, ids):
    """Read frames until every id in ``ids`` has its reply; returns (replies, progress frames)."""
    replies, progress = {}, []
    while not set(ids) <= set(replies):
        frame = client.recv()
        assert frame is not None, "connection closed while waiting for %s" % ids
        if "ok" in frame:
            replies[frame["id"]] = frame
        else:
            progress.append(frame)
    return replies, progress


def wait_running(client, marker):
    """Give the main thread time to start the exec before the next step."""
    time.sleep(0.3)


def test_hello_advertises_the_long_operation_capabilities(addon):
    client = addon.connect()
    capabilities = client.hello(addon.token)["result"]["capabilities"]
    assert {"cancel", "exec_timeout", "progress"} <= set(capabilities)
    client.close()


def test_cancel_drops_a_queued_request_that_never_runs(client, tmp_path):
    marker = tmp_path / "ran.txt"
    blocker = send_exec(client, "import time\ntime.sleep(1.0)\nresult = 'slept'")
    time.sleep(0.2)  # the sleep now holds Blender's main thread
    queued = send_exec(client, "open(args['path'], 'w').write('x')\nresult = 'ran'", args={"path": str(marker)})
    cancel_id = client.next_id()
    client.send({"id": cancel_id, "op": "cancel", "params": {"target": queued}})
    replies, _ = collect(client, [blocker, queued, cancel_id])
    assert replies[cancel_id] == {"id": cancel_id, "ok": True, "result": {"state": "dropped"}}
    assert replies[queued]["ok"] is False
    assert replies[queued]["error"]["code"] == "cancelled"
    assert replies[blocker]["result"]["value"] == "slept"
    # The dropped request never ran, not even after the blocker finished.
    assert client.value("import os\nos.path.exists(args['p'])", {"p": str(marker)}) is False


def test_cancel_interrupts_a_running_infinite_loop(client):
    loop = send_exec(client, "print('started')\nwhile True:\n    pass")
    time.sleep(0.3)
    started = time.monotonic()
    cancel_id = client.next_id()
    client.send({"id": cancel_id, "op": "cancel", "params": {"target": loop}})
    replies, _ = collect(client, [loop, cancel_id])
    assert replies[cancel_id]["result"] == {"state": "interrupting"}
    error = replies[loop]["error"]
    assert error["code"] == "cancelled"
    assert error["details"]["completed"] is False
    assert error["details"]["stdout"] == "started\n"
    assert time.monotonic() - started < 5.0
    assert client.request("ping")["ok"]
    assert client.value("6 * 7") == 42


def test_cancel_during_a_c_call_is_answered_when_it_returns(client):
    # A C call (here a sleep, in real use a render frame) cannot be stopped
    # from Python: the interrupt lands as soon as it returns.
    started = time.monotonic()
    call = send_exec(client, "import time\ntime.sleep(1.0)\nprint('after the call')")
    time.sleep(0.2)
    cancel_id = client.next_id()
    client.send({"id": cancel_id, "op": "cancel", "params": {"target": call}})
    replies, _ = collect(client, [call, cancel_id])
    assert replies[cancel_id]["result"]["state"] == "interrupting"
    assert replies[call]["error"]["code"] == "cancelled"
    assert "after the call" not in replies[call]["error"]["details"]["stdout"]
    assert time.monotonic() - started >= 0.9


def test_cancel_of_nothing_in_flight_is_unknown_and_bad_targets_are_refused(client):
    assert client.request("cancel", {"target": 123456})["result"] == {"state": "unknown"}
    for params in ({}, {"target": "7"}, {"target": -1}, {"target": True}):
        reply = client.request("cancel", params)
        assert reply["error"]["code"] == "bad_request", params
    assert client.request("ping")["ok"]


def test_timeout_interrupts_runaway_code_and_blender_keeps_serving(client):
    started = time.monotonic()
    reply = client.exec_params({"code": "print('before')\nwhile True:\n    pass", "timeout": 0.5})
    elapsed = time.monotonic() - started
    error = reply["error"]
    assert error["code"] == "timeout"
    assert error["details"]["seconds"] == 0.5
    assert error["details"]["stdout"] == "before\n"
    assert "0.5" in error["message"]
    assert 0.4 < elapsed < 5.0
    assert client.value("1 + 1") == 2


def test_timeout_beats_code_that_swallows_the_first_interrupt(client):
    code = "try:\n    while True:\n        pass\nexcept BaseException:\n    pass\nwhile True:\n    pass"
    reply = client.exec_params({"code": code, "timeout": 0.3})
    assert reply["error"]["code"] == "timeout"
    assert client.value("'still serving'") == "still serving"


def test_code_within_its_time_limit_is_unaffected(client):
    reply = client.exec_params({"code": "import time\ntime.sleep(0.2)\nresult = 'done'", "timeout": 5})
    assert reply["ok"] and reply["result"]["value"] == "done"
    # The expired deadline of an earlier call must never hit a later one.
    time.sleep(0.3)
    assert client.value("sum(range(100000))") == 4999950000


def test_bad_timeout_and_progress_params_are_refused(client):
    for params in ({"timeout": 0}, {"timeout": -1}, {"timeout": "5"}, {"timeout": True}, {"progress": 1}):
        reply = client.exec_params(dict(params, code="1"))
        assert reply["error"]["code"] == "bad_request", params


def test_progress_frames_arrive_in_order_rate_limited_and_the_last_one_always(client):
    code = (
        "import time\n"
        "for i in range(40):\n"
        "    progress(i + 1, 40, 'step %d' % (i + 1))\n"
        "    time.sleep(0.01)\n"
        "result = 'finished'\n"
    )
    started = time.monotonic()
    request_id = send_exec(client, code, progress=True)
    replies, frames = collect(client, [request_id])
    elapsed = time.monotonic() - started
    assert replies[request_id]["result"]["value"] == "finished"
    assert frames, "no progress frame arrived"
    for frame in frames:
        assert set(frame) == {"id", "progress"} and frame["id"] == request_id
        assert frame["progress"]["total"] == 40
    done = [frame["progress"]["done"] for frame in frames]
    assert done == sorted(done) and len(set(done)) == len(done)
    assert done[0] == 1
    assert frames[-1]["progress"] == {"done": 40, "total": 40, "message": "step 40"}
    # 40 reports over ~0.4 s at most one per 50 ms: far fewer than 40 frames.
    assert len(frames) <= elapsed / 0.05 + 2
    assert len(frames) < 40


def test_no_progress_frames_unless_asked_and_bad_reports_raise(client):
    reply = client.exec("for i in range(5):\n    progress(i, 5)\nresult = 'quiet'")
    assert reply["result"]["value"] == "quiet"  # request() fails on any frame but the reply
    reply = client.exec_params({"code": "progress('half')", "progress": True})
    assert reply["error"]["code"] == "python_error"
    assert reply["error"]["details"]["type"] == "TypeError"


def test_two_connections_cancel_only_their_own_requests(addon, client):
    other = addon.connect()
    assert other.hello(addon.token)["ok"]
    loop = send_exec(client, "while True:\n    pass", timeout=3)
    time.sleep(0.2)
    # Another connection cannot name this one's request.
    assert other.request("cancel", {"target": loop})["result"] == {"state": "unknown"}
    cancel_id = client.next_id()
    client.send({"id": cancel_id, "op": "cancel", "params": {"target": loop}})
    replies, _ = collect(client, [loop, cancel_id])
    assert replies[loop]["error"]["code"] == "cancelled"
    other.close()


def test_a_fresh_connection_works_after_interrupts(addon):
    fresh = RawClient(addon.port)
    assert fresh.hello(addon.token)["ok"]
    assert fresh.value("'ok'") == "ok"
    fresh.close()


def test_cancel_stops_a_frame_by_frame_render_between_frames(client, tmp_path):
    # Real long work: Workbench renders, one operator call per frame, with a
    # progress report per frame. A frame cannot be stopped mid-render; the
    # cancel lands when the frame in progress returns to Python.
    code = (
        "scene = bpy.context.scene\n"
        "scene.render.engine = 'BLENDER_WORKBENCH'\n"
        "scene.render.resolution_x, scene.render.resolution_y = 320, 240\n"
        "scene.render.image_settings.file_format = 'PNG'\n"
        "if scene.camera is None:\n"
        "    bpy.ops.object.camera_add(location=(7, -7, 5), rotation=(1.1, 0, 0.78))\n"
        "    scene.camera = bpy.context.active_object\n"
        "for frame in range(1, 201):\n"
        "    scene.render.filepath = args['dir'] + '/frame_%03d.png' % frame\n"
        "    bpy.ops.render.render(write_still=True)\n"
        "    print('rendered', frame)\n"
        "    progress(frame, 200, 'frame %d' % frame)\n"
    )
    request_id = send_exec(client, code, args={"dir": str(tmp_path)}, progress=True)
    # Wait for the first rendered frame, then cancel.
    first = client.recv()
    assert first.get("progress", {}).get("done") == 1, first
    cancel_id = client.next_id()
    client.send({"id": cancel_id, "op": "cancel", "params": {"target": request_id}})
    replies, frames = collect(client, [request_id, cancel_id])
    assert replies[cancel_id]["result"] == {"state": "interrupting"}
    error = replies[request_id]["error"]
    assert error["code"] == "cancelled" and error["details"]["completed"] is False
    rendered = error["details"]["stdout"].count("rendered")
    written = sorted(p.name for p in tmp_path.glob("frame_*.png"))
    assert 1 <= rendered < 200
    # The frame that was rendering when the cancel came was finished (and
    # written) by Blender; the interrupt landed right after it returned.
    assert len(written) in (rendered, rendered + 1)
    assert not any(frame["progress"]["done"] > rendered for frame in frames)
    assert client.value("len(bpy.data.objects) > 0") is True


def test_a_cancel_swallowed_by_the_code_stops_it_at_its_next_progress_report(client):
    # Blender's own Python (Cycles' modules, frame handlers) catches and prints
    # an interrupt that lands in it, and a render spends nearly all its time
    # there: here a bare except around the slow step plays that part.
    code = (
        "import time\n"
        "for step in range(400):\n"
        "    try:\n"
        "        time.sleep(0.05)\n"
        "    except BaseException:\n"
        "        print('swallowed')\n"
        "    progress(step, 400)\n"
    )
    loop = send_exec(client, code)
    time.sleep(0.5)
    cancel_id = client.next_id()
    client.send({"id": cancel_id, "op": "cancel", "params": {"target": loop}})
    replies, _ = collect(client, [loop, cancel_id])
    error = replies[loop]["error"]
    assert error["code"] == "cancelled"
    assert error["details"]["stdout"].count("swallowed") <= 1, error["details"]["stdout"]
    assert client.value("6 * 7") == 42
