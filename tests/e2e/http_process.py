"""A `blender-mcp-rs` (or example) process serving HTTP, with its stderr
collected so tests can wait for the 'listening' line and read the log."""

from __future__ import annotations

from pathlib import Path

from testkit import LoggedProcess, server_binary


class HttpProcess(LoggedProcess):
    """A server on HTTP; ready once it logs where it listens."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None, ready: str = r"listening on http://(\S+)"):
        super().__init__(argv, env)
        self.addr = self.wait_for(ready).group(1)

    def url(self, path: str) -> str:
        base = self.addr if "://" in self.addr else f"http://{self.addr}"
        return base.rstrip("/") + path


def example_binary(name: str) -> Path:
    path = server_binary().parent / "examples" / name
    if not path.exists():
        raise RuntimeError(f"{path} does not exist: run `cargo build -p blender-bridge --examples` first")
    return path
