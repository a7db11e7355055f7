# set_parent: parents (or unparents, with parent null) keeping the child
# where it is in the world unless keep_transform is false.
child = lookup_object(args["name"])
parent = lookup_object(args["parent"]) if args.get("parent") is not None else None
if parent is not None:
    walker = parent
    while walker is not None:
        if walker == child:
            raise ValueError(
                f"{parent.name!r} is {child.name!r} or one of its descendants: that would make a parent loop"
            )
        walker = walker.parent
bpy.context.view_layer.update()  # matrix_world of fresh or moved objects is stale until then
world = child.matrix_world.copy()
child.parent = parent
child.matrix_parent_inverse.identity()
if args.get("keep_transform", True):
    child.matrix_world = world
result = describe_object(child)
