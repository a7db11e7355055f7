"""The listening socket and the set of live connections.

The accept loop waits in a selector on the listening socket and a wake-up
socket pair, so that ``stop()`` ends it at once on every platform without
polling. Jobs for the main thread go into one FIFO queue, which gives the
"in the order the addon read them across all connections" rule of
PROTOCOL.md section 6 for free. Nothing here touches ``bpy``.
"""

import ast
import logging
import os
import queue
import selectors
import socket
import threading
import time
from collections import namedtuple
from pathlib import Path

from .connection import Connection
from .framing import encode_frame
from .interrupt import RunControl
from .jobs import Job
from .messages import error_reply

log = logging.getLogger("blender_mcp")

#: The ops and features every connection gets (PROTOCOL.md 4.1); "shutdown" only when allowed.
CAPABILITIES = ("hello", "ping", "exec", "snippets", "cancel", "exec_timeout", "progress", "exec_before", "exec_after")


def _bl_info_version():
    """``bl_info["version"]`` as "X.Y.Z", read from ``__init__.py``'s source.

    bl_info is the version's one home (Blender reads it without running the
    module, so it stays a literal; blender_manifest.toml must match it, which
    the addon tests check). It is parsed rather than imported because Blender
    4.2+ removes ``bl_info`` from a module it loads as an extension.
    """
    source = Path(__file__).with_name("__init__.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "bl_info" for t in node.targets):
            return ".".join(str(part) for part in ast.literal_eval(node.value)["version"])
    raise RuntimeError("no bl_info literal in %s" % Path(__file__).with_name("__init__.py"))


#: The addon's version, as ``hello`` reports it.
ADDON_VERSION = _bl_info_version()

#: Everything the server needs to know; built by the CLI or the GUI prefs.
#: ``legacy_protocol`` also serves the original addon's unauthenticated
#: protocol to loopback peers (PROTOCOL.md section 10); off unless asked for.
Settings = namedtuple("Settings", "host port token max_frame allow_shutdown legacy_protocol", defaults=(False,))

#: What ``hello`` reports about the Blender that hosts us.
HostInfo = namedtuple("HostInfo", "mode blender_version")


class BridgeServer:
    def __init__(self, settings, host_info):
        self.settings = settings
        self.host_info = host_info
        #: Jobs for the main thread; ``None`` only wakes the consumer.
        self.jobs = queue.SimpleQueue()
        #: Which job the main thread runs; cancels and time limits go through it.
        self.control = RunControl()
        self.stopping = False
        self._connections = set()
        self._lock = threading.Lock()
        self._listener = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._accept_thread = None
        self.address = None

    def start(self):
        """Bind and start accepting; returns the bound ``(host, port)``."""
        host, port = self.settings.host, self.settings.port
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        self._listener = socket.create_server((host, port), family=family, backlog=128)
        self.address = self._listener.getsockname()[:2]
        self._accept_thread = threading.Thread(target=self._accept_loop, name="blender-mcp-accept", daemon=True)
        self._accept_thread.start()
        log.info("listening on %s:%d (%s mode)", self.address[0], self.address[1], self.host_info.mode)
        if self.settings.legacy_protocol:
            log.warning(
                "the original Blender MCP protocol is enabled: it has no authentication, so any local "
                "process can run Python in this Blender (accepted from loopback peers only)"
            )
        return self.address

    def hello_result(self):
        capabilities = list(CAPABILITIES)
        if self.settings.allow_shutdown:
            capabilities.append("shutdown")
        return {
            "protocol": 1,
            "addon_version": ADDON_VERSION,
            "blender_version": self.host_info.blender_version,
            "mode": self.host_info.mode,
            "capabilities": capabilities,
            "max_frame": self.settings.max_frame,
            "pid": os.getpid(),
        }

    def submit(self, job):
        """Queue a job for the main thread; False once the server is stopping."""
        if self.stopping:
            return False
        self.jobs.put(job)
        return True

    def forget(self, connection):
        with self._lock:
            self._connections.discard(connection)

    def stop(self, linger=2.0):
        """Stop accepting, refuse queued jobs, close every connection.

        Called on the main thread (after a shutdown reply was queued, or when
        the GUI user stops the server). Waits up to ``linger`` seconds for
        queued replies to be written.
        """
        if self.stopping:
            return
        self.stopping = True
        while True:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            if isinstance(job, Job) and job.request.op != "legacy" and self.control.take_queued(job):
                frame = encode_frame(error_reply(job.request.id, "shutting_down", "the addon is stopping"))
                job.connection.reply(job.request.id, frame)
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        if self._accept_thread is not None:
            self._accept_thread.join(linger)
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.close()
        deadline = time.monotonic() + linger
        for connection in connections:
            connection.join(max(0.0, deadline - time.monotonic()))
        self._wake_r.close()
        self._wake_w.close()
        self.jobs.put(None)  # wake a host blocked on the queue
        log.info("stopped")

    def _accept_loop(self):
        listener = self._listener
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            try:
                while not self.stopping:
                    for key, _ in selector.select():
                        if key.fileobj is self._wake_r:
                            return
                        self._accept_one(listener)
            finally:
                listener.close()

    def _accept_one(self, listener):
        try:
            sock, peer = listener.accept()
        except OSError as exc:  # e.g. EMFILE; the listener itself is fine
            log.warning("accept failed: %s", exc)
            time.sleep(0.1)  # the selector would report the same error at once
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = Connection(sock, "%s:%s" % peer[:2], self)
        with self._lock:
            if self.stopping:
                sock.close()
                return
            self._connections.add(connection)
        connection.start()
