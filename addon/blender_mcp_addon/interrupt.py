"""Stopping a running ``exec``: cancel and time limit (PROTOCOL.md 4.3, 4.5).

User code runs on Blender's main thread, which must never be blocked or
killed. To stop it, another thread raises ``Interrupted`` *inside* it with
CPython's ``PyThreadState_SetAsyncExc``: the exception is delivered at the
main thread's next bytecode boundary that checks for it (a loop's backward
jump, a call), so ``while True: pass`` stops, while a long C call such as a
render frame stops only when it returns to Python.

Why this and not a trace function: ``sys.settrace`` cannot be installed on a
thread from outside, and installed for every exec it slows user code several
times over. The async exception costs nothing until it is raised: the normal
path only takes one uncontended lock to mark the job running and one to mark
it done. A watchdog thread is started the first time a time limit or a cancel
needs one, and sleeps on a condition otherwise.

``Interrupted`` derives from ``BaseException`` so that ``except Exception:``
in user code does not swallow it; user code that swallows it anyway (a bare
``except:``) gets it again every ``RESEND_SECONDS`` until it stops.
"""

import ctypes
import logging
import threading
import time

from .jobs import DONE, DROPPED, QUEUED, RUNNING

log = logging.getLogger("blender_mcp")

RESEND_SECONDS = 0.25

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_set_async_exc.restype = ctypes.c_int


class Interrupted(BaseException):
    """Raised inside user code by a cancel or an expired time limit."""


def _raise_in(thread_id):
    _set_async_exc(thread_id, Interrupted)


def _clear_in(thread_id):
    # An empty py_object is NULL: "clear the pending exception, if any".
    _set_async_exc(thread_id, ctypes.py_object())


class RunControl:
    """The main thread's current job, and the only place job states change."""

    def __init__(self):
        # begin()/end() take the plain lock (cheaper than the Condition's
        # Python-level __enter__); the watchdog waits on a Condition over it.
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._current = None
        self._watchdog = None
        #: When the sleeping watchdog wakes by itself (None: only when notified).
        self._wake_at = None
        #: The deadline of the last job begun with a time limit.
        self._last_deadline = None

    # -- main thread ------------------------------------------------------

    def begin(self, job, timeout=None):
        """Mark ``job`` running; False when a cancel dropped it while queued."""
        with self._lock:
            if job.state != QUEUED:
                return False
            job.state = RUNNING
            job.thread_id = threading.get_ident()
            self._current = job
            if timeout is not None:
                self._set_deadline(job, timeout)
        return True

    def arm(self, job, timeout):
        """Start the time limit of running ``job`` now, not at ``begin``.

        For an exec with ``before``: the precondition runs outside the
        user's time limit, which starts when the user code does.
        """
        if timeout is None:
            return
        with self._lock:
            if job.state == RUNNING and job.stop_reason is None:
                self._set_deadline(job, timeout)

    def _set_deadline(self, job, timeout):
        # Called with the lock held.
        job.deadline = self._last_deadline = time.monotonic() + timeout
        # A watchdog already due to wake before this deadline will see
        # the job then: no thread switch per call on the fast path.
        if self._wake_at is None or job.deadline < self._wake_at:
            self._wake_watchdog()

    def end(self, job):
        """Mark ``job`` done; returns its stop reason (None when it ran freely).

        Clears an interrupt that was raised but not yet delivered, so that it
        cannot land in the addon's own code after the job. Called in a retry
        loop by the executor: an interrupt may be delivered on the way in.
        """
        with self._lock:
            if job.state == RUNNING:
                job.state = DONE
                if self._current is job:
                    self._current = None
                if job.resend_at is not None:
                    _clear_in(job.thread_id)
            return job.stop_reason

    # -- any thread -------------------------------------------------------

    def cancel(self, job):
        """Cancel ``job``: ``"dropped"``, ``"interrupting"`` or ``"unknown"``.

        ``dropped``: it had not started and never will; the caller answers it.
        ``interrupting``: a running exec; its reply will be ``cancelled``.
        ``unknown``: nothing to stop (already answered, or an op that runs in
        an instant such as ping); its own reply comes as usual.
        """
        with self._cond:
            if job.state == QUEUED:
                job.state = DROPPED
                job.stop_reason = "cancelled"
                return "dropped"
            if job.state == RUNNING and job.request.op == "exec":
                if job.stop_reason is None:
                    job.stop_reason = "cancelled"
                    self._interrupt(job)
                return "interrupting"
            return "unknown"

    def take_queued(self, job):
        """Claim a queued job for a refusal (the addon is stopping)."""
        with self._cond:
            if job.state != QUEUED:
                return False
            job.state = DONE
            return True

    # -- watchdog ---------------------------------------------------------

    def _interrupt(self, job):
        # Called with the lock held, while ``job`` is running.
        _raise_in(job.thread_id)
        job.resend_at = time.monotonic() + RESEND_SECONDS
        self._wake_watchdog()

    def _wake_watchdog(self):
        if self._watchdog is None:
            self._watchdog = threading.Thread(target=self._watch, name="blender-mcp-watchdog", daemon=True)
            self._watchdog.start()
        self._cond.notify()

    def _watch(self):
        with self._cond:
            while True:
                job = self._current
                wake = None
                if job is not None and job.state == RUNNING:
                    now = time.monotonic()
                    if job.stop_reason is None and job.deadline is not None:
                        if now >= job.deadline:
                            log.warning("exec %s ran past its time limit; interrupting it", job.request.id)
                            job.stop_reason = "timeout"
                            self._interrupt(job)
                        else:
                            wake = job.deadline
                    if job.resend_at is not None:
                        if now >= job.resend_at:
                            _raise_in(job.thread_id)  # still running: it swallowed the last one
                            job.resend_at = now + RESEND_SECONDS
                        wake = job.resend_at if wake is None else min(wake, job.resend_at)
                if wake is None and self._last_deadline is not None and self._last_deadline > time.monotonic():
                    # Woken for a job that has ended already (a short exec ends
                    # long before this thread gets to run): stay due at its
                    # deadline. A later job with the same time limit ends later,
                    # so begin() need not wake us again; without this, every
                    # exec with a time limit cost a thread wake-up and a GIL hand-off.
                    wake = self._last_deadline
                self._wake_at = wake
                self._cond.wait(None if wake is None else max(0.0, wake - time.monotonic()))
                self._wake_at = None
