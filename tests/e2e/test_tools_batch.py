"""batch end to end: many calls in one request, and atomic rollback."""

from tools_helpers import fails, ok, py, remove_objects

STATE = "result = sorted([o.name, [round(v, 5) for v in o.location]] for o in bpy.data.objects)"


def test_batch_runs_steps_in_order(tools_server):
    try:
        out = ok(
            tools_server,
            "batch",
            {
                "operations": [
                    {"tool": "create_object", "arguments": {"kind": "cube", "name": "bt_a"}},
                    {"tool": "set_transform", "arguments": {"name": "bt_a", "location": [1, 2, 3]}},
                    {
                        "tool": "set_material",
                        "arguments": {"name": "bt_mat", "base_color": [0, 1, 0], "object": "bt_a"},
                    },
                    {"tool": "execute_blender_code", "arguments": {"code": "result = len(bpy.data.objects)"}},
                    {"tool": "get_object_info", "arguments": {"name": "bt_a"}},
                ]
            },
        )
        assert out["succeeded"] == 5 and out["failed"] == 0
        assert [s["tool"] for s in out["steps"]][0] == "create_object"
        info = out["steps"][4]["result"]
        assert info["location"] == [1, 2, 3] and info["materials"] == ["bt_mat"]
    finally:
        remove_objects(tools_server, "bt_a")
        py(tools_server, "m = bpy.data.materials.get('bt_mat'); m and bpy.data.materials.remove(m)")


def test_non_atomic_batch_keeps_earlier_steps(tools_server):
    try:
        text = fails(
            tools_server,
            "batch",
            {
                "operations": [
                    {"tool": "create_object", "arguments": {"kind": "cube", "name": "bt_kept"}},
                    {"tool": "set_transform", "arguments": {"name": "bt_missing", "location": [0, 0, 0]}},
                    {"tool": "create_object", "arguments": {"kind": "cube", "name": "bt_never"}},
                ]
            },
        )
        assert "operation 1 (set_transform) failed" in text and "no object named 'bt_missing'" in text
        assert py(tools_server, "result = ['bt_kept' in bpy.data.objects, 'bt_never' in bpy.data.objects]") == [
            True,
            False,
        ]
        text = fails(
            tools_server,
            "batch",
            {
                "continue_on_error": True,
                "operations": [
                    {"tool": "set_transform", "arguments": {"name": "bt_missing", "location": [0, 0, 0]}},
                    {"tool": "create_object", "arguments": {"kind": "cube", "name": "bt_after"}},
                ],
            },
        )
        assert py(tools_server, "result = 'bt_after' in bpy.data.objects") is True
    finally:
        remove_objects(tools_server, "bt_kept", "bt_never", "bt_after")


def test_atomic_batch_failure_restores_the_scene(tools_server):
    before = py(tools_server, STATE)
    text = fails(
        tools_server,
        "batch",
        {
            "atomic": True,
            "operations": [
                {"tool": "create_object", "arguments": {"kind": "cube", "name": "bt_atomic"}},
                {"tool": "set_transform", "arguments": {"name": "Cube", "location": [5, 5, 5]}},
                {"tool": "delete_objects", "arguments": {"names": ["Light"]}},
                {
                    "tool": "execute_blender_code",
                    "arguments": {"code": "bpy.data.objects['Camera'].location.x = 0\nraise KeyError('late failure')"},
                },
                {"tool": "create_object", "arguments": {"kind": "cube", "name": "bt_unreached"}},
            ],
        },
    )
    assert "operation 3 (execute_blender_code) failed" in text and "late failure" in text
    assert "rolled back" in text
    assert py(tools_server, STATE) == before


def test_batch_refuses_bad_plans_before_running_anything(tools_server):
    before = py(tools_server, STATE)
    assert "no tool named" in fails(
        tools_server,
        "batch",
        {"operations": [{"tool": "create_object", "arguments": {"kind": "cube", "name": "bt_x"}}, {"tool": "fly"}]},
    )
    assert "cannot contain batch" in fails(tools_server, "batch", {"operations": [{"tool": "batch"}]})
    assert "empty" in fails(tools_server, "batch", {"operations": []})
    assert py(tools_server, STATE) == before
    # A step with invalid arguments fails like the tool would alone.
    text = fails(tools_server, "batch", {"operations": [{"tool": "create_object", "arguments": {"kind": "spaceship"}}]})
    assert "operation 0 (create_object) failed" in text
