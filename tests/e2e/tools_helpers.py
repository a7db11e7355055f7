"""Helpers shared by the typed-tool tests (test_tools_*.py)."""

from harness import text_of


def ok(server, tool, args=None, timeout=180):
    """Calls a tool that must succeed and returns its structured result."""
    res = server.call(tool, args or {}, timeout=timeout)
    assert not res.is_error, f"{tool} failed: {text_of(res)}"
    return res.structured_content


def fails(server, tool, args=None):
    """Calls a tool that must fail and returns the error text the model reads."""
    res = server.call(tool, args or {})
    assert res.is_error, f"{tool} should have failed but returned {res.structured_content or text_of(res)}"
    return text_of(res)


def py(server, code, args=None):
    """Runs Python in Blender (no rollback) and returns its value."""
    params = {"code": code, "rollback_on_error": False, "confirm": True}
    if args:
        params["args"] = args
    return ok(server, "execute_blender_code", params)["result"]


def remove_objects(server, *names):
    """Deletes objects if they exist (test cleanup that must not fail)."""
    py(
        server,
        """
for n in args["names"]:
    o = bpy.data.objects.get(n)
    if o is not None:
        bpy.data.objects.remove(o)
""",
        {"names": list(names)},
    )
