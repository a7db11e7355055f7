"""32 MCP clients x 200 mixed calls against one server and one Blender:
nothing lost, nothing mismatched, the server's memory bounded."""

import json

from load import run_load, start_http_server
from support import children, rss_kib


def test_thirty_two_clients_two_hundred_calls_each(logs):
    proc, port = start_http_server(logs / "load.log")
    try:
        stats = run_load(port, proc.pid, clients=32, calls=200, screenshots=4)
        print("\nload:", json.dumps(stats))
        assert stats["failures"] == [], stats["failures"][:3]
        assert stats["answered"] == 32 * 200
        assert stats["by_kind"]["screenshot"] == 4
        assert sum(stats["by_kind"].values()) == 32 * 200
        # Bounded, not a benchmark figure: 32 sessions of a leak-free server
        # stay far below this; a per-call leak of even 10 KiB would not.
        assert stats["rss_kib_peak"] < 96 * 1024, stats
        assert proc.poll() is None and len(children(proc.pid)) == 1
        assert rss_kib(proc.pid) < 96 * 1024
    finally:
        proc.terminate()
        proc.wait(30)
    assert proc.returncode == 0
