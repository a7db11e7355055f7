# rename_object: refuses a taken name, because Blender would silently make
# it "Name.001" and the model would go on using a name that is not there.
obj = lookup_object(args["name"])
new_name = args["new_name"]
if new_name != obj.name and bpy.data.objects.get(new_name) is not None:
    raise ValueError(f"an object named {new_name!r} already exists; pick another name or rename that one first")
obj.name = new_name
if args.get("rename_data") and obj.data is not None:
    obj.data.name = new_name
result = describe_object(obj)
