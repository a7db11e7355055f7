"""The main-thread half of the server: one job in, one reply out.

Every host (GUI timer, blocking pump) calls ``Dispatcher.handle`` on
Blender's main thread, which is the only place ``bpy`` may be touched.
"""

import logging
import traceback

from .executor import Executor
from .framing import encode_frame
from .messages import error_reply, ok_reply

log = logging.getLogger("blender_mcp")


class Dispatcher:
    def __init__(self, server, bpy_module):
        self.server = server
        self.executor = Executor(bpy_module)

    def handle(self, job):
        """Run one job; returns False once the server has been shut down."""
        connection, request = job
        if self.server.stopping:
            connection.reply(request.id, encode_frame(error_reply(request.id, "shutting_down", "the addon is stopping")))
            return False
        try:
            if request.op == "exec":
                frame = self.executor.run(request)
            elif request.op == "ping":
                frame = encode_frame(ok_reply(request.id, {}))
            elif request.op == "shutdown":
                # Reply first (PROTOCOL 4.4): stop() flushes queued replies.
                connection.reply(request.id, encode_frame(ok_reply(request.id, {})))
                log.info("shutdown requested by %s", connection.peer)
                self.server.stop()
                return False
            else:  # the reader only forwards main-thread ops
                raise AssertionError("op %r reached the main thread" % request.op)
        except Exception as exc:
            log.exception("internal error")
            frame = encode_frame(
                error_reply(
                    request.id,
                    "internal",
                    "internal addon error: %s" % type(exc).__name__,
                    {"traceback": traceback.format_exc().encode("utf-8", "replace").decode("utf-8")},
                )
            )
        connection.reply(request.id, frame)
        return True
