"""The exec op against real Blender (pip's bpy): values, output, errors, cache."""

import math


def test_value_rules(client):
    assert client.value("result = 40 + 2") == 42
    assert client.value("x = 20\nx * 2") == 40
    assert client.value("x = 1") is None
    assert client.value("def f():\n    return 1") is None
    assert client.value("result = 'bound'\n'last expression'") == "bound", "result beats the last expression"
    assert client.value("result = None\n5") is None, "a bound None is still bound"
    assert client.value("") is None
    assert client.value("(1, (2, 3))") == [1, [2, 3]], "tuples serialise as arrays"
    assert client.value("{'a': [True, None, 1.5]}") == {"a": [True, None, 1.5]}


def test_namespace_is_fresh_and_holds_bpy_args_and_name(client):
    assert client.value("leak = 1") is None
    assert client.value("'leak' in globals()") is False
    assert client.value("[__name__, bpy.__name__, args]", {"k": [1]}) == ["__blender_mcp__", "bpy", {"k": [1]}]
    assert client.value("args") == {}


def test_stdout_and_stderr_are_captured(client):
    reply = client.exec("import sys\nprint('out', 1)\nprint('err', file=sys.stderr)\nsys.stdout.write('more')\n7")
    assert reply["result"] == {"value": 7, "stdout": "out 1\nmore", "stderr": "err\n"}
    assert client.exec("1")["result"]["stdout"] == "", "capture does not leak into the next call"


def test_python_error_has_type_message_and_user_traceback(client):
    code = "print('before')\ndef inner():\n    return 1 / 0\ninner()\n"
    reply = client.exec(code)
    assert reply["ok"] is False
    error = reply["error"]
    assert error["code"] == "python_error"
    assert error["message"] == "ZeroDivisionError: division by zero"
    details = error["details"]
    assert details["type"] == "ZeroDivisionError" and details["message"] == "division by zero"
    assert details["stdout"] == "before\n" and details["stderr"] == ""
    traceback = details["traceback"]
    assert traceback.startswith("Traceback (most recent call last):")
    assert "line 4, in <module>" in traceback and "line 3, in inner" in traceback
    assert "return 1 / 0" in traceback, "the user's source line is quoted"
    assert "blender_mcp_addon" not in traceback and "executor.py" not in traceback


def test_repeated_inline_code_quotes_its_own_lines(client):
    """Inline code is cached compiled by its source; all of it is ``<exec>``,
    so a cached run must quote its own lines, not those of the last compile."""
    first = "x = 1\nraise ValueError('first source')\n"
    second = "y = 2\nz = 3\nraise KeyError('second source')\n"
    for code, line in ((first, 2), (second, 3), (first, 2)):
        traceback = client.exec(code)["error"]["details"]["traceback"]
        assert 'File "<exec>", line %d, in <module>' % line in traceback, traceback
        assert code.splitlines()[line - 1] in traceback, "the run's own source line is quoted"
    assert client.value("result = args['n'] * 2", {"n": 2}) == 4
    assert client.value("result = args['n'] * 2", {"n": 5}) == 10, "a cached source still gets this call's args"
    assert client.value("'counter' in globals()") is False
    assert client.value("counter = 1\n'counter' in globals()") is True
    assert client.value("'counter' in globals()") is False, "a cached source still gets a fresh namespace"


def test_syntax_error_is_a_python_error(client):
    error = client.exec("x = (1,\ny = 2 +")["error"]
    assert error["code"] == "python_error"
    assert error["details"]["type"] == "SyntaxError"
    assert error["message"].startswith("SyntaxError: ")
    assert "executor.py" not in error["details"]["traceback"]


def test_system_exit_and_other_base_exceptions_never_stop_the_server(client):
    for code, name in (
        ("import sys; sys.exit(3)", "SystemExit"),
        ("raise SystemExit", "SystemExit"),
        ("raise KeyboardInterrupt('user')", "KeyboardInterrupt"),
        ("raise GeneratorExit", "GeneratorExit"),
        ("exit()", "SystemExit"),
    ):
        error = client.exec(code)["error"]
        assert error["code"] == "python_error" and error["details"]["type"] == name, error
    assert client.request("ping")["ok"]
    assert client.value("1 + 1") == 2


def test_result_not_json(client):
    error = client.exec("print('side effect')\nresult = bpy.data")["error"]
    assert error["code"] == "result_not_json"
    assert error["details"]["repr"].startswith("<bpy_struct, BlendData")
    assert error["details"]["stdout"] == "side effect\n"
    for code in (
        "result = float('nan')",
        "result = {'x': [float('inf')]}",
        "result = object()",
        "result = {(1, 2): 3}",
    ):
        error = client.exec(code)["error"]
        assert error["code"] == "result_not_json", (code, error)


def test_trailing_expression_that_is_not_json_gives_its_repr(client):
    # Ending with an operator call must not turn a successful edit into an error.
    assert client.value("bpy.ops.mesh.primitive_cube_add(location=(9, 9, 9))") == "{'FINISHED'}"
    assert client.value("float('nan')") == "nan"
    assert client.value("bpy.data.objects['Cube']").startswith("bpy.data.objects['Cube']")
    assert client.value("{(1, 2): 3}") == "{(1, 2): 3}"
    client.exec("bpy.data.objects.remove(bpy.context.active_object)")
    long_repr = client.exec("class Big:\n    def __repr__(self):\n        return 'y' * 5000\nresult = Big()")["error"]
    assert len(long_repr["details"]["repr"]) == 1000
    assert len(client.value("class Big:\n    def __repr__(self):\n        return 'y' * 5000\nBig()")) == 1000
    assert client.value("math_ok = 1.5\nmath_ok") == 1.5


def test_snippet_cache(client):
    key = "answer-%016x" % 0xABC
    first = client.exec("result = args['n'] + 1", snippet=key, args={"n": 1})
    assert first["result"]["value"] == 2
    assert client.exec(snippet=key, args={"n": 41})["result"]["value"] == 42
    replaced = client.exec("result = args['n'] * 10", snippet=key, args={"n": 3})
    assert replaced["result"]["value"] == 30
    assert client.exec(snippet=key, args={"n": 4})["result"]["value"] == 40
    unknown = client.exec(snippet="never-sent-0000000000000000")
    assert unknown["ok"] is False and unknown["error"]["code"] == "snippet_unknown"


def test_snippet_cache_is_shared_and_bounded(addon, client):
    client.exec("'shared'", snippet="shared-0000000000000001")
    other = addon.connect()
    assert other.hello(addon.token)["ok"]
    assert other.exec(snippet="shared-0000000000000001")["result"]["value"] == "shared"
    for i in range(300):
        assert other.exec("%d" % i, snippet="filler-%016x" % i)["ok"]
    assert other.exec(snippet="filler-%016x" % 299)["result"]["value"] == 299
    assert other.exec(snippet="shared-0000000000000001")["error"]["code"] == "snippet_unknown", "oldest entry evicted"


def test_snippet_errors_name_the_snippet(client):
    reply = client.exec("def f():\n    raise ValueError('bad')\nf()", snippet="failing-00000000000000ff")
    assert reply["error"]["message"] == "ValueError: bad"
    assert "<snippet failing-00000000000000ff>" in reply["error"]["details"]["traceback"]


def test_bpy_work_really_happens(client):
    client.value(
        "mesh = bpy.data.meshes.new('mcp_test_mesh')\n"
        "obj = bpy.data.objects.new('mcp_test_obj', mesh)\n"
        "bpy.context.scene.collection.objects.link(obj)\n"
        "obj.location = (1.0, 2.0, 3.0)"
    )
    assert client.value("list(bpy.data.objects['mcp_test_obj'].location)") == [1.0, 2.0, 3.0]
    assert client.value("sorted(bpy.ops.mesh.primitive_uv_sphere_add(location=(0, 0, 5)))") == ["FINISHED"]
    assert client.value("o = bpy.context.active_object\n[o.type, o.location.z]") == ["MESH", 5.0]
    assert "mcp_test_obj" in client.value("[o.name for o in bpy.context.scene.objects]")


def test_exec_runs_on_the_main_thread(client):
    assert client.value("import threading\nthreading.current_thread() is threading.main_thread()") is True


def test_finite_floats_round_trip(client):
    assert client.value("args['x'] * 2", {"x": 1e308 / 2}) == 1e308
    assert math.isclose(client.value("0.1 + 0.2"), 0.30000000000000004)


def test_unencodable_text_never_breaks_a_reply(client):
    reply = client.exec("print('a\\ud800b')\n1")
    assert reply["result"] == {"value": 1, "stdout": "a?b\n", "stderr": ""}
    error = client.exec("result = '\\udc80'")["error"]
    assert error["code"] == "result_not_json" and error["details"]["repr"] == "'\\udc80'"
    assert client.value("'\\udc80'") == "'\\udc80'", "a trailing expression falls back to its repr"
    error = client.exec("raise ValueError('x\\ud800')")["error"]
    assert error["code"] == "python_error" and error["message"] == "ValueError: x?"
