# set_visibility: hides or shows objects in the viewport and/or in renders.
objects = [lookup_object(n) for n in args["names"]]
for obj in objects:
    if args.get("viewport") is not None:
        obj.hide_viewport = not args["viewport"]
        obj.hide_set(not args["viewport"])
    if args.get("render") is not None:
        obj.hide_render = not args["render"]
result = {"objects": [{"name": o.name, "viewport": not o.hide_viewport, "render": not o.hide_render} for o in objects]}
