# add_light / set_light: one snippet, because adding is "create, then set".
# Only the values given change.
name = args["name"]
obj = bpy.data.objects.get(name)
if args.get("create"):
    if obj is not None:
        raise ValueError(f"an object named {name!r} already exists; use set_light to change it or pick another name")
    data = bpy.data.lights.new(name, args.get("light_type") or "POINT")
    obj = bpy.data.objects.new(name, data)
    target_collection(args.get("collection")).objects.link(obj)
else:
    obj = lookup_object(name)
    if obj.type != "LIGHT":
        raise ValueError(f"{name!r} is a {obj.type} object, not a light")
    if args.get("spot_size_degrees") is not None and (args.get("light_type") or obj.data.type) != "SPOT":
        raise ValueError(f"spot_size_degrees only applies to SPOT lights; {name!r} is a {obj.data.type} light")
    if args.get("light_type") and obj.data.type != args["light_type"]:
        obj.data.type = args["light_type"]
light = obj.data
if args.get("spot_size_degrees") is not None and light.type != "SPOT":
    raise ValueError(f"spot_size_degrees only applies to SPOT lights; {obj.name!r} is a {light.type} light")
if args.get("energy") is not None:
    light.energy = args["energy"]
if args.get("color") is not None:
    light.color = args["color"][:3]
if args.get("radius") is not None:
    if light.type == "SUN":
        light.angle = math.radians(args["radius"])
    elif light.type == "AREA":
        light.size = args["radius"]
    else:
        light.shadow_soft_size = args["radius"]
if args.get("spot_size_degrees") is not None:
    light.spot_size = math.radians(args["spot_size_degrees"])
apply_transform(obj, args)
if args.get("look_at") is not None:
    point_at(obj, resolve_target(args["look_at"]))
result = dict(describe_object(obj), light_type=light.type, energy=round(light.energy, 5), color=rounded(light.color))
