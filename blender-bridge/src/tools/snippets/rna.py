# RNA by name: read, describe and set any Blender struct's properties from
# JSON, checked against the running Blender's own RNA. Tools that take
# `{property: value}` settings (modifiers, nodes) and the API reference use
# it, so an error names this version's valid choices instead of failing late.
# Needs the prelude (common.py) before it.
import mathutils

# Properties every struct has that are never settings (`bl_*` are class
# registration data, skipped too).
RNA_SKIP = {"rna_type"}


def close_first(name, choices):
    """`choices` with the close matches to `name` first, as an error lists them."""
    choices = sorted(choices)
    close = difflib.get_close_matches(name, choices, n=5, cutoff=0.5)
    return close + [c for c in choices if c not in close]


def choice_list(name, choices, limit=40):
    """'a', 'b', ... (close matches first), cut after `limit`."""
    ordered = close_first(name, choices)
    text = ", ".join(repr(c) for c in ordered[:limit])
    return text + (f", ... ({len(ordered) - limit} more)" if len(ordered) > limit else "")


def rna_properties(struct, settable=True):
    """The struct's properties by identifier; only writable ones by default."""
    return {
        p.identifier: p
        for p in struct.bl_rna.properties
        if p.identifier not in RNA_SKIP
        and not p.identifier.startswith("bl_")
        and not (settable and p.is_readonly and p.type != "POINTER")
    }


def to_json(value):
    """A bpy value as JSON: vectors and arrays as lists, datablocks by name."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, bpy.types.ID):
        return value.name
    if isinstance(value, mathutils.Matrix):
        return [to_json(list(row)) for row in value]
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, bpy.types.bpy_struct):
        return None
    try:
        return [to_json(v) for v in value]
    except TypeError:
        return str(value)


def default_of(prop):
    """A property's default as JSON."""
    if prop.type == "ENUM":
        return sorted(prop.default_flag) if prop.is_enum_flag else prop.default
    if prop.type in {"POINTER", "COLLECTION"}:
        return None
    if getattr(prop, "is_array", False) and prop.array_length > 0:
        return to_json(prop.default_array)
    return to_json(prop.default)


def describe_property(prop):
    """What an agent needs to set a property: type, range, default, choices."""
    info = {"name": prop.identifier, "type": prop.type}
    if prop.description:
        info["description"] = prop.description
    if prop.subtype not in {"NONE", ""}:
        info["subtype"] = prop.subtype
    if getattr(prop, "is_array", False) and prop.array_length > 0:
        info["length"] = prop.array_length
    if prop.type in {"INT", "FLOAT"}:
        info["min"], info["max"] = to_json(prop.hard_min), to_json(prop.hard_max)
    if prop.type == "ENUM":
        info["items"] = [item.identifier for item in prop.enum_items]
        info["multiple"] = prop.is_enum_flag
    if prop.type in {"POINTER", "COLLECTION"}:
        info["of"] = prop.fixed_type.identifier
    else:
        info["default"] = default_of(prop)
    if prop.is_readonly:
        info["readonly"] = True
    return info


def read_properties(struct, changed_only=False):
    """The struct's settings as JSON, optionally only those off their default."""
    values = {}
    for name, prop in rna_properties(struct).items():
        if prop.type == "COLLECTION" or (prop.type == "POINTER" and not _is_id_type(prop)):
            continue
        value = to_json(getattr(struct, name))
        if changed_only and value == default_of(prop):
            continue
        values[name] = value
    return values


def _is_id_type(prop):
    return issubclass(getattr(bpy.types, prop.fixed_type.identifier, type(None)), bpy.types.ID)


def _datablocks_for(prop):
    """The bpy.data collection a pointer property's datablock comes from."""
    wanted = getattr(bpy.types, prop.fixed_type.identifier)
    for candidate in bpy.data.bl_rna.properties:
        if candidate.type != "COLLECTION":
            continue
        kind = getattr(bpy.types, candidate.fixed_type.identifier, None)
        if kind is not None and (issubclass(kind, wanted) or issubclass(wanted, kind)):
            return getattr(bpy.data, candidate.identifier), candidate.identifier
    raise ValueError(f"{prop.identifier} points to a {prop.fixed_type.identifier}, which cannot be set by name")


def _check_scalar(prop, value, where):
    kinds = {"BOOLEAN": (bool,), "INT": (int,), "FLOAT": (int, float), "STRING": (str,)}[prop.type]
    if isinstance(value, bool) and prop.type != "BOOLEAN" or not isinstance(value, kinds):
        raise TypeError(f"{where} takes {prop.type.lower()} values, got {value!r}")
    if prop.type in {"INT", "FLOAT"} and not (prop.hard_min <= value <= prop.hard_max):
        raise ValueError(
            f"{where} must be between {to_json(prop.hard_min)} and {to_json(prop.hard_max)}, got {value!r}"
        )


def coerce(prop, value, where):
    """`value` checked against `prop` and turned into what bpy takes."""
    if prop.type == "POINTER":
        if not _is_id_type(prop):
            raise ValueError(f"{where} is a nested {prop.fixed_type.identifier}: set its fields as '{where}.FIELD'")
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"{where} takes the name of a {prop.fixed_type.identifier} (or null), got {value!r}")
        datablocks, kind = _datablocks_for(prop)
        return lookup(datablocks, value, kind.rstrip("s").replace("_", " "))
    if prop.type == "COLLECTION":
        raise ValueError(f"{where} is a collection and cannot be set as a value")
    if prop.type == "ENUM":
        items = [item.identifier for item in prop.enum_items]
        given = set(value) if prop.is_enum_flag and isinstance(value, list) else {value}
        for item in given:
            if not isinstance(item, str) or (items and item not in items):
                raise ValueError(f"{where} must be one of {choice_list(str(item), items)}; got {item!r}")
        return given if prop.is_enum_flag else value
    if getattr(prop, "is_array", False) and prop.array_length > 0:
        if not isinstance(value, list) or len(value) != prop.array_length:
            raise TypeError(f"{where} takes a list of {prop.array_length} {prop.type.lower()} values, got {value!r}")
        for item in value:
            _check_scalar(prop, item, where)
        return value
    _check_scalar(prop, value, where)
    return value


def set_properties(struct, settings, what):
    """Sets `{property: value}` on `struct` ("a.b" reaches nested structs);
    every key is checked before any is set, so a bad one changes nothing."""
    if not isinstance(settings, dict):
        raise TypeError(f"settings of {what} must be an object of property: value")
    planned = []
    for key, value in settings.items():
        target, prop = struct, None
        parts = key.split(".")
        for depth, part in enumerate(parts):
            props = rna_properties(target)
            if part not in props:
                where = ".".join(parts[:depth]) or what
                raise LookupError(f"{where} has no setting {part!r}; valid: {choice_list(part, props)}")
            prop = props[part]
            if depth < len(parts) - 1:
                target = getattr(target, part)
        planned.append((target, parts[-1], coerce(prop, value, key)))
    done = []
    for target, name, value in planned:
        old = _snapshot(getattr(target, name))
        try:
            setattr(target, name, value)
        except (TypeError, ValueError, AttributeError) as e:
            for target, name, old in reversed(done):
                setattr(target, name, old)
            raise ValueError(f"{what}: cannot set {name!r} to {value!r}: {e}") from None
        done.append((target, name, old))
    return list(settings)


def _snapshot(value):
    """A copy of a property's value that survives the property changing."""
    if isinstance(value, set):
        return set(value)
    if isinstance(value, (mathutils.Vector, mathutils.Color, mathutils.Euler, mathutils.Quaternion)):
        return value.copy()
    if isinstance(value, bpy.types.bpy_prop_array):
        return list(value)
    return value
