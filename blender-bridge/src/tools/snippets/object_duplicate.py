# duplicate_object: a copy in the same collections; `linked` shares the
# object data (like Alt+D) instead of copying it (Shift+D).
src = lookup_object(args["name"])
copy = src.copy()
if src.data is not None and not args.get("linked"):
    copy.data = src.data.copy()
if args.get("new_name"):
    copy.name = args["new_name"]
for coll in src.users_collection:
    coll.objects.link(copy)
if not src.users_collection:
    bpy.context.scene.collection.objects.link(copy)
apply_transform(copy, args, relative=True)
result = describe_object(copy)
