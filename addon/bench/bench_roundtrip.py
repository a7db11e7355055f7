"""Measure (never assert) round trip and idle CPU of an addon host.

    PYTHONPATH=addon ~/.cache/blender-mcp-rs/venv/bin/python addon/bench/bench_roundtrip.py [module|background|gui]

``module`` uses $BLENDER_MCP_PYTHON (default the project venv); the other
two need Debian's ``blender`` (and ``xvfb-run`` for ``gui``).
"""

import json
import os
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ADDON = Path(__file__).resolve().parents[1]
TOKEN = "bench-token-0123456789abcdef0123"
PYTHON = os.environ.get("BLENDER_MCP_PYTHON", os.path.expanduser("~/.cache/blender-mcp-rs/venv/bin/python"))


def start(kind, workdir):
    ready = workdir / "ready.json"
    flags = ["--port", "0", "--ready-file", str(ready), "--allow-shutdown"]
    env = dict(os.environ, PYTHONPATH=str(ADDON), BLENDER_MCP_TOKEN=TOKEN)
    if kind == "module":
        argv = [PYTHON, "-m", "blender_mcp_addon"] + flags
    elif kind == "background":
        argv = ["blender", "-b", "--factory-startup", "--python", str(ADDON / "keep_alive.py"), "--"] + flags
    else:
        # keep_alive.py without -b starts the GUI timer host and returns.
        argv = [
            "xvfb-run",
            "-a",
            "blender",
            "--factory-startup",
            "--python",
            str(ADDON / "keep_alive.py"),
            "--",
        ] + flags
    return spawn(argv, env, ready)


def spawn(argv, env, ready):
    """Starts a host and waits for its ready file: (process, ready info)."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    while not ready.exists():
        if proc.poll() is not None:
            raise SystemExit("host exited with %s" % proc.returncode)
        time.sleep(0.05)
    return proc, json.loads(ready.read_text())


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def call(self, message):
        payload = json.dumps(message).encode()
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)
        while True:
            if len(self.buf) >= 4:
                (n,) = struct.unpack(">I", self.buf[:4])
                if len(self.buf) >= 4 + n:
                    reply, self.buf = json.loads(self.buf[4 : 4 + n]), self.buf[4 + n :]
                    return reply
            data = self.sock.recv(65536)
            if not data:
                raise SystemExit("connection closed")
            self.buf += data


def cpu_seconds(pid):
    fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(kind="module"):
    with tempfile.TemporaryDirectory() as tmp:
        proc, ready = start(kind, Path(tmp))
        try:
            client = Client(ready["port"])
            assert client.call({"id": 0, "op": "hello", "params": {"protocol": 1, "token": TOKEN}})["ok"]
            variants = (
                ("ping", {}),
                ("exec", {"code": "1"}),
                # With a time limit (arms the watchdog) and with progress asked
                # for: the long-operation machinery must stay off the fast path.
                ("exec", {"code": "1", "timeout": 30}),
                ("exec", {"code": "1", "progress": True}),
            )
            for op, params in variants:
                for i in range(200):  # warm-up
                    client.call({"id": i + 1, "op": op, "params": params})
                samples = []
                for i in range(2000):
                    started = time.perf_counter()
                    reply = client.call({"id": i + 1, "op": op, "params": params})
                    samples.append(time.perf_counter() - started)
                    assert reply["ok"], reply
                samples.sort()
                label = op + "".join("+" + key for key in params if key != "code")
                print(
                    "%s %-13s round trip: p50 %.3f ms  p99 %.3f ms  (n=%d)"
                    % (
                        kind,
                        label,
                        statistics.median(samples) * 1e3,
                        samples[int(len(samples) * 0.99)] * 1e3,
                        len(samples),
                    )
                )
            time.sleep(1)
            before = cpu_seconds(ready["pid"])
            time.sleep(5)
            idle = cpu_seconds(ready["pid"]) - before
            print("%s idle CPU over 5 s: %.2f s (%.1f%% of one core)" % (kind, idle, idle / 5 * 100))
            client.call({"id": 999999, "op": "shutdown"})
            if kind != "gui":
                print("%s exit status after shutdown: %s" % (kind, proc.wait(30)))
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(30)


if __name__ == "__main__":
    main(*sys.argv[1:])
