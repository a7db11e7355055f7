"""``progress(done, total=None, message=None)`` for user code (PROTOCOL.md 4.3).

An exec that asked for progress (``"progress": true``) gets a reporter whose
``report`` is the ``progress`` global; every other exec gets ``ignore``, so
code that reports progress runs unchanged either way. Frames go out at most
every ``MIN_INTERVAL`` seconds per request; a report that falls inside the
interval is held and replaced by later ones, and the one still held when the
code ends is sent before the reply, so the last report always arrives.
"""

import math
import time

from .interrupt import Interrupted

MIN_INTERVAL = 0.05
MESSAGE_LIMIT = 1000


def ignore(done, total=None, message=None):
    """The ``progress`` global of an exec that did not ask for progress."""
    _check(done, total, message)


def stopping(job, report):
    """``report`` that first raises ``Interrupted`` once ``job`` was cancelled or timed out.

    The interrupt raised into the main thread is delivered at whatever bytecode
    runs next, and Python code that Blender calls during a render (Cycles'
    own modules, frame handlers) catches and prints it, so a long render could
    keep going after a cancel. Code that reports progress between steps (the
    render tools do, once per frame) now stops at its next report whatever
    happened to the interrupt.
    """

    def progress(done, total=None, message=None):
        if job.stop_reason is not None:
            raise Interrupted()
        report(done, total, message)

    return progress


def _number(value):
    return type(value) in (int, float) and (type(value) is int or math.isfinite(value))


def _check(done, total, message):
    if not _number(done):
        raise TypeError("progress(done, ...): done must be a finite number, not %s" % type(done).__name__)
    if total is not None and not _number(total):
        raise TypeError("progress(..., total): total must be a finite number or None")
    if message is not None and not isinstance(message, str):
        raise TypeError("progress(..., message): message must be a string or None")


class ProgressReporter:
    def __init__(self, connection, request_id):
        self._connection = connection
        self._id = request_id
        self._last_sent = -math.inf
        self._held = None

    def report(self, done, total=None, message=None):
        _check(done, total, message)
        if message is not None:
            message = message[:MESSAGE_LIMIT]
        update = {"done": done, "total": total, "message": message}
        now = time.monotonic()
        if now - self._last_sent >= MIN_INTERVAL:
            self._held = None
            self._last_sent = now
            self._connection.send_progress(self._id, update)
        else:
            self._held = update

    def flush(self):
        """Send the report still held back by the rate limit, if any."""
        if self._held is not None:
            update, self._held = self._held, None
            self._connection.send_progress(self._id, update)
