"""Blender stops answering (SIGSTOP): calls time out with a clear error
instead of hanging; after SIGCONT the same Blender serves again."""

import os
import signal
import time

from support import StdioServer, children, launching_args, state_of, text_of, wait_until


def test_sigstop_times_out_clearly_and_sigcont_serves_again(logs):
    server = StdioServer(launching_args("--request-timeout", "2"), logs / "sigstop.log")
    try:
        server.initialize()
        pid = server.exec_value("import os; result = os.getpid()")
        os.kill(pid, signal.SIGSTOP)
        try:
            wait_until(lambda: state_of(pid) == "T", 5, "Blender to stop")
            started = time.monotonic()
            # Two calls at once: both must come back, neither may wedge the other.
            ids = [
                server.call_async("execute_blender_code", {"code": "result = args['n']", "args": {"n": n}})
                for n in range(2)
            ]
            replies = [server.wait_reply(i, timeout=30) for i in ids]
            elapsed = time.monotonic() - started
            for reply in replies:
                assert reply["result"]["isError"], reply
                text = text_of(reply["result"])
                assert "got no reply from Blender within 2s" in text, text
            assert 1.9 <= elapsed < 6, f"timed out after {elapsed:.1f} s with a 2 s request timeout"
            # tools/list does not need Blender: the server itself still answers.
            assert len(server.request("tools/list", timeout=5)["result"]["tools"]) >= 4
        finally:
            os.kill(pid, signal.SIGCONT)
        assert server.exec_value("result = args['n'] + 1", {"n": 41}) == 42
        assert server.exec_value("import os; result = os.getpid()") == pid, "the same Blender serves: no relaunch"
        assert children(server.pid) == [pid]
    finally:
        server.close()
