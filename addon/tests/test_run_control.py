"""RunControl without Blender: the exec-timeout watchdog stays off the fast path."""

import threading
import time

from blender_mcp_addon.interrupt import RunControl
from blender_mcp_addon.jobs import Job
from blender_mcp_addon.messages import Request


def exec_job(request_id):
    return Job(None, Request(request_id, "exec", {"code": "None"}))


def wait_until(predicate, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.01)


def watchdog_asleep(control):
    """Whether the watchdog thread is waiting on the condition (not running)."""
    with control._cond:
        return bool(control._cond._waiters)


def counting_wakes(control):
    wakes = []
    original = control._wake_watchdog

    def wake():
        wakes.append(1)
        original()

    control._wake_watchdog = wake
    return wakes


def test_calls_with_the_same_time_limit_wake_the_watchdog_once():
    control = RunControl()
    wakes = counting_wakes(control)
    first = exec_job(1)
    assert control.begin(first, 300.0)
    assert control.end(first) is None
    # The watchdog wakes for a job that has already ended, as it does when
    # a short exec beats the thread switch; it must stay due at that deadline.
    wait_until(lambda: watchdog_asleep(control) and control._wake_at is not None, "the watchdog to sleep")
    for request_id in range(2, 52):
        job = exec_job(request_id)
        assert control.begin(job, 300.0)
        assert control.end(job) is None
    assert len(wakes) == 1, "later calls with the same limit end later: no wake-up needed"


def test_a_shorter_time_limit_still_wakes_the_watchdog_and_interrupts():
    control = RunControl()
    first = exec_job(1)
    assert control.begin(first, 300.0)
    control.end(first)
    wait_until(lambda: watchdog_asleep(control) and control._wake_at is not None, "the watchdog to sleep")
    wakes = counting_wakes(control)
    job = exec_job(2)
    stopped = threading.Event()

    def run():
        # Stands in for the main thread: the interrupt lands in this thread.
        try:
            assert control.begin(job, 0.2)
            while not stopped.is_set():
                time.sleep(0.001)
        except BaseException:
            pass
        finally:
            while True:
                try:
                    control.end(job)
                    break
                except BaseException:
                    continue

    thread = threading.Thread(target=run)
    thread.start()
    wait_until(lambda: job.stop_reason is not None, "the time limit to stop the job")
    stopped.set()
    thread.join(10)
    assert job.stop_reason == "timeout"
    assert wakes, "an earlier deadline than the one the watchdog sleeps towards wakes it"
