"""The three hosts: who runs the main-thread side of the server, and how.

- ``gui``: interactive Blender. Its main thread belongs to the window
  manager, so a persistent ``bpy.app.timers`` callback drains the job queue.
  The callback asks to be called again after 0 s; Blender's event loop then
  calls it on its next pass (about every 5 ms), which is the latency floor.
- ``background`` (``blender -b``) and ``module`` (pip's ``bpy``): timers never
  fire there, and our script owns the main thread anyway, so the main thread
  blocks on the job queue itself: zero CPU while idle, a plain queue hand-off
  per request.

Exactly which host we are in is decided by ``detect_mode``.
"""

import logging
import os
import queue
import threading
import time

from .dispatch import Dispatcher
from .server import HostInfo

log = logging.getLogger("blender_mcp")

#: Queued by the parent watcher: the process that launched us is gone.
PARENT_GONE = object()

#: Longest the GUI timer keeps the UI busy with queued jobs in one pass.
GUI_TIME_BUDGET = 0.05


def detect_mode(bpy):
    """``gui``, ``background`` or ``module`` for the running ``bpy``.

    Inside a Blender executable ``bpy.app.binary_path`` is that executable.
    The ``bpy`` module from PyPI has no Blender executable: the path is empty
    (4.x) or, in some builds, the Python interpreter itself.
    """
    if not bpy.app.background:
        return "gui"
    binary = getattr(bpy.app, "binary_path", "") or ""
    if not binary or os.path.basename(binary).lower().startswith("python"):
        return "module"
    return "background"


def host_info(bpy):
    return HostInfo(detect_mode(bpy), bpy.app.version_string)


def run_blocking(server, bpy):
    """Serve on the calling (main) thread until the server stops."""
    dispatcher = Dispatcher(server, bpy)
    jobs = server.jobs
    while True:
        job = jobs.get()
        if job is PARENT_GONE:
            server.stop()
            return
        if job is None:
            if server.stopping:
                return
            continue
        if not dispatcher.handle(job):
            return


def watch_parent(server, interval=0.5):
    """Stop serving once the process that launched us has died.

    A launcher that exits normally shuts its Blender down with the shutdown
    op; one that is SIGKILLed or crashes cannot, and a headless Blender
    blocked on its queue would live on forever. Being re-parented is the
    portable sign that the launcher is gone.
    """
    parent = os.getppid()

    def watch():
        while not server.stopping:
            time.sleep(interval)
            if os.getppid() != parent:
                log.warning("the process that launched this Blender (pid %d) is gone; stopping", parent)
                server.jobs.put(PARENT_GONE)
                return

    threading.Thread(target=watch, name="blender-mcp-parent-watch", daemon=True).start()


class TimerHost:
    """Drives a server from ``bpy.app.timers`` in interactive Blender."""

    def __init__(self, server, bpy):
        self.server = server
        self._bpy = bpy
        self._dispatcher = Dispatcher(server, bpy)
        # One bound-method object, so that is_registered/unregister find it.
        self._callback = self._tick

    def start(self):
        self._bpy.app.timers.register(self._callback, first_interval=0.0, persistent=True)

    def stop(self):
        """Stop the server and remove the timer (a timer left registered at
        interpreter exit hangs Blender)."""
        self.server.stop()
        timers = self._bpy.app.timers
        if timers.is_registered(self._callback):
            timers.unregister(self._callback)

    @property
    def running(self):
        return not self.server.stopping

    def _tick(self):
        if self.server.stopping:
            return None
        deadline = time.perf_counter() + GUI_TIME_BUDGET
        jobs = self.server.jobs
        while time.perf_counter() < deadline:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None and not self._dispatcher.handle(job):
                return None  # shutdown: the server is closed, Blender stays
        return 0.0
