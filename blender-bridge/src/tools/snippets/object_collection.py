# move_to_collection: links the objects to a collection (created under the
# scene if create is set) and, unless keep_others, unlinks them elsewhere.
objects = [lookup_object(n) for n in args["names"]]
coll = target_collection(args["collection"], create=args.get("create", False))
for obj in objects:
    if coll.objects.get(obj.name) is None:
        coll.objects.link(obj)
    if not args.get("keep_others"):
        for other in list(obj.users_collection):
            if other != coll:
                other.objects.unlink(obj)
result = {"collection": coll.name, "objects": [describe_object(o) for o in objects]}
