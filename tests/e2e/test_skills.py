"""Skills (the MCP Skills extension): listed, fetched and read as
`skill://` resources over stdio and Streamable HTTP. The official SDK has
no skills methods, so `skills/*` go as raw JSON-RPC over the real binary.
rmcp answers `skills/*` with -32601 unless the server declares the
extension, so an answer at all shows it is advertised."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import free_port
from harness import McpServer, RawStdioServer, blender_python, server_binary, text_of
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
        assert "io.modelcontextprotocol/skills" in srv.init["result"]["capabilities"]["extensions"], srv.init
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


# What each skill assumes exists, by the names its guide uses.
SCENES = {
    "product-shot-lighting": "bpy.ops.mesh.primitive_monkey_add(); bpy.context.object.name = 'Product'",
    "geometry-nodes-scatter": "bpy.ops.mesh.primitive_plane_add(size=10); bpy.context.object.name = 'Ground'\n"
    "bpy.ops.mesh.primitive_ico_sphere_add(radius=0.2); bpy.context.object.name = 'Rock'",
    "turntable-animation": "bpy.ops.mesh.primitive_monkey_add(); bpy.context.object.name = 'Model'",
    "print-prep": "bpy.ops.mesh.primitive_cube_add(size=0.04); bpy.context.object.name = 'Part'",
}


def shown_calls(markdown: str):
    """The `tool {json}` calls a guide shows, in order."""
    for span in markdown.split("`")[1::2]:
        tool, _, args = span.partition(" ")
        if tool.replace("_", "").isalpha() and tool.islower() and args.strip().startswith("{"):
            yield tool, json.loads(args)


def test_every_skill_runs_in_blender(logs_dir, tmp_path):
    """Each served guide's calls, in order, on a scene holding what it
    assumes; renders made small and WORKBENCH (EEVEE needs a GPU)."""
    args = ["--port", str(free_port()), "--output-dir", str(tmp_path), "--no-confirm"]
    with McpServer(args=args, env=ENV, stderr_path=logs_dir / "skills-run.log") as srv:
        for name, scene in SCENES.items():
            reset = "bpy.ops.wm.read_factory_settings(use_empty=True)\n" + scene
            assert not srv.call("execute_blender_code", {"code": reset}).is_error
            uri = f"skill://{name}/SKILL.md"
            served = srv.request_raw(lambda session, uri=uri: session.read_resource(uri))
            text = served.contents[0].text
            for tool, call in shown_calls(text):
                if tool.startswith("render_"):
                    call = {**call, "engine": "WORKBENCH", "width": 32, "height": 32}
                if tool == "render_animation":
                    call = {**call, "frame_start": 1, "frame_end": 2}
                result = srv.call(tool, call)
                assert not result.is_error, (name, tool, text_of(result))
