"""A request on its way to Blender's main thread, and what may happen to it.

A job is made by a connection's reader, queued, then either run by the main
thread or dropped by a ``cancel`` before it starts. Its ``state`` changes only
under the lock of ``interrupt.RunControl``, so a cancel and the main thread
never both answer the same request. Nothing here touches ``bpy``.
"""

#: Waiting in the main-thread queue.
QUEUED = "queued"
#: Taken by the main thread.
RUNNING = "running"
#: Answered by the main thread.
DONE = "done"
#: Dropped by a cancel before it started; already answered with ``cancelled``.
DROPPED = "dropped"


class Job:
    __slots__ = ("connection", "request", "state", "stop_reason", "deadline", "thread_id", "resend_at")

    def __init__(self, connection, request):
        self.connection = connection
        self.request = request
        self.state = QUEUED
        #: ``"cancelled"`` or ``"timeout"`` once the run must stop; decides the reply.
        self.stop_reason = None
        #: ``time.monotonic()`` after which a running exec is interrupted (exec ``timeout``).
        self.deadline = None
        #: The thread that runs the job (Blender's main thread), for the interrupt.
        self.thread_id = None
        #: When the watchdog raises the interrupt again if the code is still running.
        self.resend_at = None

    def __iter__(self):
        # ``connection, request = job``, as when a job was a plain pair.
        return iter((self.connection, self.request))
