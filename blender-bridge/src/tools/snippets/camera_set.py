# add_camera / point_camera / set_active_camera share this snippet:
# create (optional), transform, aim, lens, and make active.
name = args["name"]
scene = bpy.context.scene
if args.get("create"):
    if bpy.data.objects.get(name) is not None:
        raise ValueError(f"an object named {name!r} already exists; pick another name")
    obj = bpy.data.objects.new(name, bpy.data.cameras.new(name))
    target_collection(args.get("collection")).objects.link(obj)
else:
    obj = lookup_object(name)
if args.get("require_camera", True) and obj.type != "CAMERA":
    raise ValueError(f"{obj.name!r} is a {obj.type} object, not a camera")
apply_transform(obj, args)
if args.get("lens_mm") is not None:
    obj.data.lens = args["lens_mm"]
if args.get("look_at") is not None:
    point_at(obj, resolve_target(args["look_at"]))
if args.get("make_active"):
    scene.camera = obj
result = dict(
    describe_object(obj), active=scene.camera == obj, lens_mm=round(obj.data.lens, 5) if obj.type == "CAMERA" else None
)
