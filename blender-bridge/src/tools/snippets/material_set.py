# set_material: creates (or updates) a Principled BSDF material and
# optionally assigns it to an object. Only the values given are changed, so
# the same call serves "make a red metal" and "make it a bit rougher".
name = args["name"]
mat = bpy.data.materials.get(name)
created = mat is None
if created:
    mat = bpy.data.materials.new(name)
if not uses_nodes(mat):
    mat.use_nodes = True
tree = mat.node_tree
bsdf = next((n for n in tree.nodes if n.type == "BSDF_PRINCIPLED"), None)
if bsdf is None:
    bsdf = tree.nodes.new("ShaderNodeBsdfPrincipled")
    out = next((n for n in tree.nodes if n.type == "OUTPUT_MATERIAL"), None) or tree.nodes.new(
        "ShaderNodeOutputMaterial"
    )
    tree.links.new(bsdf.outputs["BSDF"], out.inputs["Surface"])


def socket(*names):
    # Socket names changed in Blender 4.0 ("Emission" -> "Emission Color").
    for n in names:
        if n in bsdf.inputs:
            return bsdf.inputs[n]
    raise LookupError(f"this Blender's Principled BSDF has no {names[0]!r} input")


def rgba(values):
    return list(values) + [1.0] * (4 - len(values))


if args.get("base_color") is not None:
    socket("Base Color").default_value = rgba(args["base_color"])
    mat.diffuse_color = rgba(args["base_color"])  # what Workbench and the solid view show
if args.get("metallic") is not None:
    socket("Metallic").default_value = args["metallic"]
    mat.metallic = args["metallic"]
if args.get("roughness") is not None:
    socket("Roughness").default_value = args["roughness"]
    mat.roughness = args["roughness"]
if args.get("emission_color") is not None:
    socket("Emission Color", "Emission").default_value = rgba(args["emission_color"])
if args.get("emission_strength") is not None:
    socket("Emission Strength").default_value = args["emission_strength"]
if args.get("alpha") is not None:
    socket("Alpha").default_value = args["alpha"]
    if args["alpha"] < 1.0:
        if hasattr(mat, "surface_render_method"):
            mat.surface_render_method = "BLENDED"
        elif hasattr(mat, "blend_method"):
            mat.blend_method = "BLEND"

assigned_to = None
if args.get("object") is not None:
    obj = lookup_object(args["object"])
    if obj.data is None or not hasattr(obj.data, "materials"):
        raise ValueError(f"{obj.name!r} is a {obj.type} object, which cannot hold materials")
    slot = args.get("slot")
    if slot is None:
        if len(obj.material_slots) == 0:
            obj.data.materials.append(mat)
        else:
            obj.material_slots[0].material = mat
        slot = 0
    elif slot == len(obj.material_slots):
        obj.data.materials.append(mat)
    elif slot < len(obj.material_slots):
        obj.material_slots[slot].material = mat
    else:
        raise ValueError(
            f"{obj.name!r} has {len(obj.material_slots)} material slots; slot must be 0..{len(obj.material_slots)}"
        )
    assigned_to = {"object": obj.name, "slot": slot}

result = {"created": created, "assigned_to": assigned_to, "material": describe_material(mat)}
