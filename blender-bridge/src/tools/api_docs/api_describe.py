# describe_bpy: one bpy path described from the running Blender's RNA.
# Paths: bpy.types.TYPE[.member...], bpy.ops.MODULE[.OPERATOR], and
# bpy.data.X / bpy.context.X (members of BlendData / Context). Needs rna.py
# and api_index.py before it. An unknown part is a LookupError naming the
# close matches at that level.
import math

# Names an unknown type or operator is compared with; more would be noise.
MAX_SUGGESTIONS = 8
# Shortcuts to the struct a path starts from.
ROOT_STRUCTS = {"data": "BlendData", "context": "Context"}
# bpy.context's RNA holds only what every editor has.
CONTEXT_NOTE = (
    ". Other bpy.context members (object, active_object, selected_objects, ...) depend on the editor and are"
    " not in the RNA"
)
# A range limit this far out means the property has none.
UNBOUNDED = 1e30


def finite(value, key=None):
    """`value` as JSON can carry it: non-finite floats as null, and so are
    ranges at float's limit (FLT_MAX stands for "unbounded")."""
    if isinstance(value, float) and (not math.isfinite(value) or (key in {"min", "max"} and abs(value) >= UNBOUNDED)):
        return None
    if isinstance(value, dict):
        return {k: finite(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def suggest(name, choices, what):
    """The error for an unknown `what` (a path up to `name`), naming close matches."""
    close = difflib.get_close_matches(name, list(choices), n=MAX_SUGGESTIONS, cutoff=0.6)
    folded = [c for c in choices if c.lower() == name.lower() and c not in close]
    hint = f" Did you mean: {', '.join(repr(c) for c in folded + close)}?" if folded or close else ""
    return LookupError(
        f"no {what}{name} in Blender {bpy.app.version_string}.{hint} search_bpy_api finds names by words."
    )


def parameter_info(prop):
    info = describe_property(prop)
    if prop.is_required:
        info["required"] = True
    return info


def function_info(func):
    return {
        "name": func.identifier,
        "description": func.description,
        "parameters": [parameter_info(p) for p in func.parameters if not p.is_output],
        "returns": [describe_property(p) for p in func.parameters if p.is_output],
    }


def enum_choices(prop):
    return [{"id": i.identifier, "name": i.name, "description": i.description} for i in prop.enum_items]


def inherited_names(rna):
    """Base type -> the property names `rna` inherits from it."""
    found = {}
    base = rna.base
    while base is not None:
        names = [p.identifier for p in own_members(base, "properties") if not p.identifier.startswith("bl_")]
        if names:
            found[base.identifier] = names
        base = base.base
    return found


def describe_type(rna, path):
    subtypes = sorted(name for name, other in api_types().items() if other.base == rna)
    out = {
        "path": path,
        "kind": "type",
        "description": rna.description,
        "base": rna.base.identifier if rna.base is not None else None,
        "properties": [
            describe_property(p) for p in own_members(rna, "properties") if not p.identifier.startswith("bl_")
        ],
        "inherited": inherited_names(rna),
        "functions": [function_info(f) for f in own_members(rna, "functions")],
    }
    if subtypes:
        out["subtypes"] = subtypes
    return out


def describe_member(rna, prop, path):
    out = {"path": path, "kind": "property", "owner": rna.identifier, "description": prop.description}
    out["property"] = describe_property(prop)
    if prop.type == "ENUM":
        out["choices"] = enum_choices(prop)
    collection_api = getattr(prop, "srna", None) if prop.type == "COLLECTION" else None
    if collection_api is not None:
        # bpy.types.Object.modifiers: the collection's own API (new, remove, ...).
        out["functions"] = [function_info(f) for f in collection_api.functions]
    return out


def describe_operator(module, name, path):
    rna = getattr(getattr(bpy.ops, module), name).get_rna_type()
    params = [p for p in rna.properties if p.identifier not in RNA_SKIP]
    return {
        "path": path,
        "kind": "operator",
        "description": rna.description or rna.name,
        "signature": f"{path}({', '.join(p.identifier for p in params)})",
        "parameters": [describe_property(p) for p in params],
    }


def walk_struct(rna, parts, path):
    """The description of `parts` (member names) inside the struct `rna`."""
    for at, part in enumerate(parts):
        last = at == len(parts) - 1
        if part in rna.functions and last:
            return dict(function_info(rna.functions[part]), path=path, kind="function", owner=rna.identifier)
        props = {p.identifier: p for p in rna.properties if p.identifier not in RNA_SKIP}
        if part not in props:
            members = list(props) + list(rna.functions.keys())
            note = CONTEXT_NOTE if rna.identifier == "Context" else ""
            raise LookupError(f"{rna.identifier} has no member {part!r}; members: {choice_list(part, members)}{note}")
        prop = props[part]
        if last:
            return describe_member(rna, prop, path)
        if prop.type not in {"POINTER", "COLLECTION"}:
            raise LookupError(f"{rna.identifier}.{part} is a {prop.type.lower()} property and has no members")
        collection_api = getattr(prop, "srna", None) if prop.type == "COLLECTION" else None
        following = parts[at + 1]
        if collection_api is not None and (
            following in collection_api.functions or following in collection_api.properties
        ):
            rna = collection_api
        else:
            rna = prop.fixed_type
    return describe_type(rna, path)


def describe_ops(parts):
    path = "bpy.ops." + ".".join(parts)
    modules = dir(bpy.ops)
    if parts[0] not in modules:
        raise suggest(parts[0], modules, "operator module bpy.ops.")
    operators = dir(getattr(bpy.ops, parts[0]))
    if len(parts) == 1:
        return {"path": path, "kind": "module", "description": f"bpy.ops.{parts[0]} operators", "operators": operators}
    if parts[1] not in operators:
        raise suggest(parts[1], operators, f"operator bpy.ops.{parts[0]}.")
    if len(parts) > 2:
        raise LookupError(f"{path}: an operator has parameters, not members; describe bpy.ops.{parts[0]}.{parts[1]}")
    return describe_operator(parts[0], parts[1], path)


def describe(path):
    """The description of `path`, which may leave out `bpy.` and `types.`."""
    parts = [p for p in path.strip().removesuffix("()").split(".") if p]
    if parts[:1] == ["bpy"]:
        parts = parts[1:]
    if not parts:
        raise ValueError("path is empty; give one such as bpy.types.Object or bpy.ops.mesh.primitive_cube_add")
    if parts[0] == "ops" and len(parts) > 1:
        return describe_ops(parts[1:])
    if parts[0] in ROOT_STRUCTS:
        rna, canonical = getattr(bpy.types, ROOT_STRUCTS[parts[0]]).bl_rna, "bpy." + ".".join(parts)
    else:
        if parts[0] == "types" and len(parts) > 1:
            parts = parts[1:]
        elif parts[0] in dir(bpy.ops) and not hasattr(bpy.types, parts[0]):
            return describe_ops(parts)  # "mesh.primitive_cube_add"
        rna = find_type(parts[0])
        if rna is None:
            raise suggest(parts[0], list(api_types()) + list(api_index()["reach"]), "type bpy.types.")
        canonical = "bpy.types." + ".".join(parts)
    return walk_struct(rna, parts[1:], canonical) if parts[1:] else describe_type(rna, canonical)


result = finite(dict(describe(args["path"]), blender=bpy.app.version_string))
