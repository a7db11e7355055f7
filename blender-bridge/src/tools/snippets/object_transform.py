# set_transform: absolute values, or offsets added to (scale: multiplied
# into) the current ones when relative is set.
obj = lookup_object(args["name"])
apply_transform(obj, args, relative=args.get("relative", False))
result = describe_object(obj)
