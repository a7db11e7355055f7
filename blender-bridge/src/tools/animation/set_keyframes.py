# set_keyframes: keys one property (or one of its channels) at the frames
# given. Everything is checked before the first key goes in, so a bad value
# changes nothing.
idblock, path = with_node_tree(animated_datablock(args.get("object"), args.get("datablock")), args["data_path"])
owner, prop, name, index, path = resolve_animatable(idblock, path)
index = args.get("index") if args.get("index") is not None else index
length = prop.array_length if getattr(prop, "is_array", False) else 0
interpolations = [i.identifier for i in bpy.types.Keyframe.bl_rna.properties["interpolation"].enum_items]
interpolation = args.get("interpolation")
if interpolation is not None and interpolation not in interpolations:
    raise ValueError(
        f"interpolation must be one of {choice_list(interpolation, interpolations)}; got {interpolation!r}"
    )
if index is not None and not length:
    raise ValueError(f"{name!r} is a single value: leave out index")
if index is not None and index >= length:
    raise ValueError(f"index must be below {length} for {name!r}; got {index}")

keys = []
for n, key in enumerate(args["keyframes"]):
    where = f"keyframes[{n}].value for {name!r}"
    if index is None:
        keys.append((key["frame"], coerce(prop, key["value"], where)))
    else:
        _check_scalar(prop, key["value"], where)
        keys.append((key["frame"], key["value"]))

for frame, value in keys:
    if index is None:
        setattr(owner, name, value)
    else:
        getattr(owner, name)[index] = value
    idblock.keyframe_insert(path, index=-1 if index is None else index, frame=frame)

frames = {frame for frame, _ in keys}
touched = [f for f in fcurves_of(idblock) if f.data_path == path and (index is None or f.array_index == index)]
for fcurve in touched:
    if interpolation is not None:
        for k in fcurve.keyframe_points:
            if k.co[0] in frames:
                k.interpolation = interpolation
    fcurve.update()
scene = bpy.context.scene
scene.frame_set(scene.frame_current)
result = {
    "datablock": idblock.name,
    "datablock_type": idblock.bl_rna.identifier,
    "action": idblock.animation_data.action.name,
    "fcurves": [describe_fcurve(f) for f in touched],
}
