"""Blender dies under the server: SIGKILL in the middle of a call.

The server launched this Blender, so after a crash its next call must
relaunch one — and fifty crashes in a row must leave no dead children,
sockets, file descriptors or threads behind in the server.
"""

import os
import signal
import time

from support import StdioServer, children, fds, launching_args, sockets, state_of, text_of, threads, wait_until

SLOW = "import time; time.sleep(args['s']); result = 'finished'"


def blender_pid(server) -> int:
    pid = server.exec_value("import os; result = os.getpid()")
    assert pid in children(server.pid), "the Blender we talk to is the server's own child"
    return pid


def kill_mid_call(server, pid: int) -> tuple[dict, float]:
    """Starts a long call, SIGKILLs Blender while it runs; returns the reply and how long it took."""
    request_id = server.call_async("execute_blender_code", {"code": SLOW, "args": {"s": 30}})
    time.sleep(0.3)  # let the request reach Blender's main thread
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    reply = server.wait_reply(request_id, timeout=15)
    return reply, time.monotonic() - killed_at


def test_sigkill_mid_call_is_a_clear_error_and_the_next_call_relaunches(launched):
    first = blender_pid(launched)
    reply, elapsed = kill_mid_call(launched, first)
    result = reply["result"]
    assert result["isError"], result
    text = text_of(result)
    assert "lost the connection to Blender" in text and "next call" in text, text
    assert elapsed < 5, f"the error took {elapsed:.1f} s; the request timeout is 20 s"
    second = blender_pid(launched)
    assert second != first
    assert state_of(first) is None, "the killed Blender was reaped, not left a zombie"
    assert launched.exec_value("args['x'] * 2", {"x": 21}) == 42


def test_fifty_kill_and_relaunch_cycles_leak_nothing(logs):
    cycles = int(os.environ.get("FAULT_KILL_CYCLES", "50"))
    server = StdioServer(launching_args("--request-timeout", "20"), logs / "kill_cycles.log")
    try:
        server.initialize()
        pid = blender_pid(server)
        # Warm-up cycle: the first relaunch creates lazily made state (runtime
        # blocking threads, the scratch folder) that later cycles reuse.
        reply, _ = kill_mid_call(server, pid)
        assert reply["result"]["isError"]
        pid = blender_pid(server)
        baseline = {"fds": len(fds(server.pid)), "sockets": sockets(server.pid), "threads": threads(server.pid)}
        seen = {pid}
        for cycle in range(cycles):
            reply, elapsed = kill_mid_call(server, pid)
            assert reply["result"]["isError"], (cycle, reply)
            assert "lost the connection" in text_of(reply["result"]), (cycle, text_of(reply["result"]))
            assert elapsed < 5, (cycle, elapsed)
            pid = blender_pid(server)
            assert pid not in seen, f"cycle {cycle}: pid {pid} reused or Blender not relaunched"
            seen.add(pid)
            kids = children(server.pid)
            assert kids == [pid], f"cycle {cycle}: the server's children are {kids}, expected only {pid}"
        assert server.exec_value("len(args['s'])", {"s": "ok"}) == 2
        # Threads of tokio's blocking pool may linger a few seconds after a
        # relaunch's process work; give them time to retire before counting.
        after = wait_until(
            lambda: (lambda now: now if now["threads"] <= baseline["threads"] + 2 else None)(
                {"fds": len(fds(server.pid)), "sockets": sockets(server.pid), "threads": threads(server.pid)}
            ),
            timeout=15,
            what="the server's threads to settle",
        )
        print(f"\n{cycles} kill/relaunch cycles: before {baseline}, after {after}")
        assert after["fds"] <= baseline["fds"], (baseline, after, fds(server.pid))
        assert after["sockets"] <= baseline["sockets"], (baseline, after)
        assert all(state_of(p) is None for p in seen - {pid}), "every killed Blender was reaped"
    finally:
        server.close()
    assert all(state_of(p) is None for p in seen), "closing the server stops the Blender it launched"
