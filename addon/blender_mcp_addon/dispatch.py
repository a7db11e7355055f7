"""The main-thread half of the server: one job in, one reply out.

Every host (GUI timer, blocking pump) calls ``Dispatcher.handle`` on
Blender's main thread, which is the only place ``bpy`` may be touched.
"""

import logging
import traceback

from . import legacy_commands
from .executor import Executor
from .framing import encode_frame
from .interrupt import Interrupted
from .messages import error_reply, ok_reply

log = logging.getLogger("blender_mcp")


class Dispatcher:
    def __init__(self, server, bpy_module):
        self.server = server
        self.executor = Executor(bpy_module)
        self._bpy = bpy_module

    def handle(self, job):
        """Run one job; returns False once the server has been shut down."""
        try:
            return self._handle(job)
        except Interrupted:
            # Last resort: an interrupt re-raised by the watchdog landed in the
            # few instructions between user code and RunControl.end().
            log.warning("a late interrupt reached the dispatcher; request %s", job.request.id)
            if self.server.control.end(job) is not None:
                frame = encode_frame(error_reply(job.request.id, "cancelled", "the request was cancelled"))
                job.connection.reply(job.request.id, frame)
            return True

    def _handle(self, job):
        connection, request = job
        control = self.server.control
        if self.server.stopping:
            if control.take_queued(job):
                connection.reply(
                    request.id, encode_frame(error_reply(request.id, "shutting_down", "the addon is stopping"))
                )
            return False
        if request.op != "exec" and not control.begin(job):
            return True  # dropped by a cancel, which answered it
        if request.op in ("exec", "legacy"):
            self.executor.jobs += 1
        try:
            if request.op == "exec":
                frame = self.executor.run(job, control)
                if frame is None:
                    return True  # dropped by a cancel, which answered it
            elif request.op == "legacy":
                frame = legacy_commands.run(self._bpy, request.params)
            elif request.op == "ping":
                frame = encode_frame(ok_reply(request.id, {"queued": self.server.jobs.qsize()}))
            elif request.op == "shutdown":
                # Reply first (PROTOCOL 4.4): stop() flushes queued replies.
                connection.reply(request.id, encode_frame(ok_reply(request.id, {})))
                log.info("shutdown requested by %s", connection.peer)
                control.end(job)
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
        control.end(job)  # a no-op unless the run ended in an internal error
        connection.reply(request.id, frame)
        return True
