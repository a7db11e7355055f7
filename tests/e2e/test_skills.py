"""Skills (the MCP Skills extension): listed, fetched and read as
`skill://` resources over stdio and Streamable HTTP. The official SDK has
no skills methods, so `skills/*` go as raw JSON-RPC over the real binary.
rmcp answers `skills/*` with -32601 unless the server declares the
extension, so an answer at all shows it is advertised."""

from __future__ import annotations

import hashlib

import pytest
from conftest import free_port
from harness import RawStdioServer, blender_python, server_binary
from http_process import HttpProcess
from test_tasks import Http, result_of

SKILLS = {"product-shot-lighting", "geometry-nodes-scatter", "turntable-animation", "print-prep"}
ENV = {"BLENDER_MCP_BLENDER": str(blender_python())}


def check_skills(request):
    """`request(method, params, name)` answers JSON-RPC (`name`: the Mcp-Name
    header 2026 requests need); checks list, get and read."""
    listed = result_of(request("skills/list", {}))["skills"]
    assert {s["frontmatter"]["name"] for s in listed} == SKILLS, listed
    for skill in listed:
        assert skill["uri"] == f"skill://{skill['frontmatter']['name']}/SKILL.md"
        assert skill["frontmatter"]["version"]
        got = result_of(request("skills/get", {"uri": skill["uri"]}, skill["uri"]))["skill"]
        assert got == skill
        (file,) = skill["resources"]
        (contents,) = result_of(request("resources/read", {"uri": file["uri"]}, file["uri"]))["contents"]
        body = contents["text"].encode()
        assert file["digest"] == "sha256:" + hashlib.sha256(body).hexdigest() and file["size"] == len(body)
        assert contents["text"].startswith("---\nname: " + skill["frontmatter"]["name"])
    missing = request("skills/get", {"uri": "skill://nope/SKILL.md"}, "skill://nope/SKILL.md")
    assert missing["error"]["code"] == -32602 and "print-prep" in missing["error"]["message"], missing


def test_skills_over_stdio(logs_dir):
    srv = RawStdioServer(["--port", str(free_port())], ENV, logs_dir / "skills.log")
    try:
        check_skills(lambda method, params, name=None: srv.request(method, params))
    finally:
        srv.close()


@pytest.mark.parametrize("stateful", [False, True], ids=["stateless-2026", "session"])
def test_skills_over_streamable_http(stateful):
    srv = HttpProcess(
        [str(server_binary()), "--transport", "http", "--bind", "127.0.0.1:0", "--port", str(free_port())], env=ENV
    )
    try:
        client = Http(srv, stateful, tasks=False)
        check_skills(client.request)
    finally:
        assert srv.stop() == 0, srv.log
