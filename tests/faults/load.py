"""Many MCP clients hammering one server (and one Blender) over Streamable
HTTP, every call checking its own answer.

Used by test_load.py (which asserts that nothing is lost or mismatched) and
by scripts/bench.sh (which reports the throughput, latencies and memory).

    python tests/faults/load.py [CLIENTS] [CALLS] [SCREENSHOTS]   # prints one JSON line
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from support import HttpSession, free_port, launching_args, rss_kib, server_binary, text_of, wait_http_ready

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def start_http_server(log_path: Path) -> tuple[subprocess.Popen, int]:
    """`blender-mcp-rs --transport http` that launches its own Blender."""
    port = free_port()
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        [
            str(server_binary()),
            "--transport",
            "http",
            "--bind",
            f"127.0.0.1:{port}",
            *launching_args("--request-timeout", "60"),
            "--log",
            "warn",
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    log.close()
    wait_http_ready(port, proc)
    return proc, port


def prepare_scene(port: int, clients: int):
    """One object per client, at a location only that client expects."""
    session = HttpSession(port)
    session.initialize()
    result = session.call(
        "execute_blender_code",
        {
            "code": (
                "for c in range(args['n']):\n"
                "    o = bpy.data.objects.new('load_%d' % c, None)\n"
                "    o.location = (c, c * 2, c * 3)\n"
                "    bpy.context.scene.collection.objects.link(o)\n"
                "result = len(bpy.data.objects)"
            ),
            "args": {"n": clients},
        },
    )
    assert not result.get("isError"), text_of(result)
    session.close()


def one_call(session: HttpSession, client: int, i: int, screenshot: bool) -> str:
    """Makes call number `i` of `client` and checks the answer; returns its kind."""
    kind = "screenshot" if screenshot else ("exec", "object", "scene", "exec")[i % 4]
    if kind == "exec":
        result = session.call(
            "execute_blender_code", {"code": "result = args['c'] * 100000 + args['i']", "args": {"c": client, "i": i}}
        )
        assert result["structuredContent"]["result"] == client * 100000 + i, result
    elif kind == "object":
        result = session.call("get_object_info", {"name": f"load_{client}"})
        info = result["structuredContent"]
        assert info["name"] == f"load_{client}", info
        assert [round(v) for v in info["location"]] == [client, client * 2, client * 3], info
    elif kind == "scene":
        result = session.call("get_scene_info", {"limit": 5, "name_contains": f"load_{client}"})
        info = result["structuredContent"]
        names = [o["name"] for o in info["objects"]]
        assert f"load_{client}" in names and all(f"load_{client}" in n for n in names), info
    else:
        result = session.call("get_viewport_screenshot", {"max_size": 32})
        images = [c for c in result["content"] if c.get("type") == "image"]
        assert len(images) == 1 and base64.b64decode(images[0]["data"])[:8] == PNG_MAGIC, str(result)[:300]
    assert not result.get("isError"), text_of(result)
    return kind


def run_load(port: int, server_pid: int, clients: int = 32, calls: int = 200, screenshots: int = 4) -> dict:
    """Runs clients x calls; returns counts, latencies and the server's RSS."""
    prepare_scene(port, clients)
    latencies: list[float] = []
    failures: list[str] = []
    done = {"exec": 0, "object": 0, "scene": 0, "screenshot": 0}
    lock = threading.Lock()
    rss_samples = [rss_kib(server_pid)]
    stop_sampling = threading.Event()
    start_gate = threading.Barrier(clients + 1)

    def sample_rss():
        while not stop_sampling.wait(0.05):
            rss_samples.append(rss_kib(server_pid))

    def worker(client: int):
        mine, kinds = [], []
        try:
            session = HttpSession(port)
            session.initialize()
            start_gate.wait()
            for i in range(calls):
                # The first few clients each take one screenshot, spread over the run.
                shot = client < screenshots and i == calls // 2
                began = time.perf_counter()
                kinds.append(one_call(session, client, i, shot))
                mine.append(time.perf_counter() - began)
            session.close()
        except BaseException as exc:  # reported below
            if not start_gate.broken:
                start_gate.abort()
            with lock:
                failures.append(f"client {client}: {exc!r}"[:2000])
        with lock:
            latencies.extend(mine)
            for kind in kinds:
                done[kind] += 1

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    try:
        start_gate.wait()
    except threading.BrokenBarrierError:
        pass
    began = time.perf_counter()
    for thread in threads:
        thread.join(600)
    elapsed = time.perf_counter() - began
    stop_sampling.set()
    sampler.join()
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else None

    return {
        "clients": clients,
        "calls_per_client": calls,
        "answered": len(latencies),
        "failures": failures,
        "by_kind": done,
        "seconds": elapsed,
        "calls_per_s": len(latencies) / elapsed if elapsed else 0,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "rss_kib_start": rss_samples[0],
        "rss_kib_peak": max(rss_samples),
        "rss_kib_end": rss_kib(server_pid),
    }


def main():
    clients, calls, shots = (int(a) for a in (sys.argv[1:] + ["32", "200", "4"][len(sys.argv) - 1 :])[:3])
    log = Path(os.environ.get("LOAD_LOG", "/tmp/blender-mcp-load.log"))
    proc, port = start_http_server(log)
    try:
        print(json.dumps(run_load(port, proc.pid, clients, calls, shots)))
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
