# The running Blender's API as a search index: every RNA type, the
# properties and functions each type defines itself (inherited ones belong to
# the base type), and every bpy.ops operator with its parameters. Built once
# per Blender process and kept in a module of sys.modules, so later calls
# (each runs in a fresh namespace) reuse it; rebuilt when an add-on registers
# types or operators. Needs rna.py before it.
import re
import sys
import types

import _bpy

INDEX_MODULE = "blender_mcp_rs_api_index"
# Bump when the index layout changes, so a newer server never reads an older index.
INDEX_FORMAT = 1

# Registered UI and operator classes: bpy.ops lists the operators, and panels,
# menus and the like are nothing an agent scripts against.
UI_BASES = tuple(
    getattr(bpy.types, name)
    for name in ("Panel", "Menu", "Header", "UIList", "Operator", "Macro", "Gizmo", "GizmoGroup")
    if hasattr(bpy.types, name)
)

# How much a query word counts when it is a word of the entry's own name, of
# the type or operator module it belongs to, of an operator's parameters, or
# of its description.
WEIGHT_LEAF, WEIGHT_OWNER, WEIGHT_PARAM, WEIGHT_TEXT = 10.0, 6.0, 3.0, 2.0

STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "if", "in", "into", "is", "it", "its", "not"}
    | {"of", "on", "or", "that", "the", "this", "to", "use", "used", "when", "which", "with"}
)
# Plurals the suffix rule misses, and Blender's abbreviations, folded onto
# the word a user types.
IRREGULAR = {
    "vertices": "vertex",
    "indices": "index",
    "matrices": "matrix",
    "vert": "vertex",
    "tex": "texture",
    "subsurf": "subdivision",
    "loc": "location",
    "rot": "rotation",
    "obj": "object",
    "coord": "coordinate",
}
WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def normal_word(word):
    """One spelling per word: lower case, plurals folded onto the singular."""
    word = word.lower()
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words_of(text):
    """The words of an identifier (snake_case, CamelCase) or of prose."""
    return [normal_word(w) for w in WORD.findall(text or "")]


def one_line(text, limit=160):
    line = (text or "").strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 3] + "..."


def type_text(prop):
    """A property's type in a few words: 'float[3]', 'enum', 'pointer Object'."""
    kind = prop.type.lower()
    if prop.type in {"POINTER", "COLLECTION"}:
        return f"{kind} {prop.fixed_type.identifier}"
    if getattr(prop, "is_array", False) and prop.array_length > 0:
        return f"{kind}[{prop.array_length}]"
    return kind


def signature_of(name, params):
    return f"{name}({', '.join(p.identifier for p in params)})"


def api_types():
    """bpy.types' RNA structs by identifier, registered UI classes left out."""
    found = {}
    for attr in dir(bpy.types):
        cls = getattr(bpy.types, attr, None)
        rna = getattr(cls, "bl_rna", None)
        if rna is None or (isinstance(cls, type) and issubclass(cls, UI_BASES) and cls not in UI_BASES):
            continue
        found.setdefault(rna.identifier, rna)
    return found


def reachable_types(listed):
    """Types bpy.types does not list (add-ons' property groups) that a listed
    type's property points to: identifier -> (rna, (owner, property))."""
    found, queue = {}, list(listed.values())
    while queue:
        rna = queue.pop()
        for prop in rna.properties:
            if prop.type not in {"POINTER", "COLLECTION"}:
                continue
            target = prop.fixed_type
            if target.identifier not in listed and target.identifier not in found:
                found[target.identifier] = (target, (rna.identifier, prop.identifier))
                queue.append(target)
    return found


def find_type(name, index=None):
    """The RNA struct called `name`, also when only a property reaches it."""
    listed = getattr(getattr(bpy.types, name, None), "bl_rna", None)
    if listed is not None and listed.identifier == name:
        return listed
    route = (index or api_index())["reach"].get(name)
    if route is None:
        return None
    owner = find_type(route[0], index)
    prop = owner.properties.get(route[1]) if owner is not None else None
    return prop.fixed_type if prop is not None else None


def own_members(rna, kind):
    """The properties or functions `rna` defines itself, not those of its base."""
    members = getattr(rna, kind)
    inherited = set(getattr(rna.base, kind).keys()) if rna.base is not None else set()
    return [m for m in members if m.identifier not in inherited and m.identifier not in RNA_SKIP]


def api_operators():
    """(python path, RNA type) of every operator, sorted by path."""
    found = []
    for module_name in dir(bpy.ops):
        module = getattr(bpy.ops, module_name)
        for op_name in dir(module):
            try:
                found.append((f"bpy.ops.{module_name}.{op_name}", getattr(module, op_name).get_rna_type()))
            except (AttributeError, KeyError, RuntimeError):
                continue  # registered under a name it no longer answers to
    return found


class IndexBuilder:
    """Collects entries and a word -> {entry: weight} map."""

    def __init__(self):
        self.entries = []  # (path, kind, description, detail)
        self.names = []  # the words of each entry's name (leaf and owner)
        self.postings = {}
        self.reach = {}  # type -> (type, property) whose property points to it

    def add(self, path, kind, description, detail, leaf, owner, params=(), text=None):
        entry = len(self.entries)
        self.entries.append((path, kind, one_line(description), detail))
        leaf_words, owner_words = words_of(leaf), words_of(owner)
        self.names.append((tuple(leaf_words), tuple(owner_words)))
        weighted = [(WEIGHT_TEXT, w) for w in words_of(description if text is None else text) if w not in STOP_WORDS]
        weighted += [(WEIGHT_PARAM, w) for p in params for w in words_of(p)]
        weighted += [(WEIGHT_OWNER, w) for w in owner_words] + [(WEIGHT_LEAF, w) for w in leaf_words]
        for weight, word in weighted:  # later (heavier) fields overwrite lighter ones
            self.postings.setdefault(word, {})[entry] = weight

    def add_type(self, rna):
        base = rna.base.identifier if rna.base is not None else None
        self.add(f"bpy.types.{rna.identifier}", "type", rna.description, base and f"base {base}", rna.identifier, "")
        for prop in own_members(rna, "properties"):
            self.add(
                f"bpy.types.{rna.identifier}.{prop.identifier}",
                "property",
                prop.description or prop.name,
                type_text(prop),
                prop.identifier,
                rna.identifier,
                text=f"{prop.name} {prop.description}",
            )
        for func in own_members(rna, "functions"):
            params = [p for p in func.parameters if not p.is_output]
            self.add(
                f"bpy.types.{rna.identifier}.{func.identifier}",
                "function",
                func.description,
                signature_of(func.identifier, params),
                func.identifier,
                rna.identifier,
                params=[p.identifier for p in params],
            )

    def add_operator(self, path, rna):
        _, _, module, name = path.split(".")
        params = [p for p in rna.properties if p.identifier not in RNA_SKIP]
        self.add(
            path,
            "operator",
            rna.description or rna.name,
            signature_of(name, params),
            name,
            module,
            params=[p.identifier for p in params],
            text=f"{rna.name} {rna.description}",
        )

    def finish(self):
        return {
            "entries": self.entries,
            "names": self.names,
            "postings": self.postings,
            "vocabulary": sorted(self.postings),
            "reach": self.reach,
        }


def index_stamp():
    """What the index depends on: the build, the add-ons enabled, and the
    operators registered (which add-ons and scripts register with their
    types). Cheap, as it runs on every search; a script that registers
    types or properties without an operator is not noticed."""
    addons = tuple(sorted(bpy.context.preferences.addons.keys()))
    return (INDEX_FORMAT, bpy.app.version, bpy.app.build_hash, addons, len(_bpy.ops.dir()))


def api_index():
    """The index of this Blender's API, built on first use."""
    home = sys.modules.get(INDEX_MODULE)
    if home is None:
        home = sys.modules[INDEX_MODULE] = types.ModuleType(INDEX_MODULE)
    stamp = index_stamp()
    if getattr(home, "stamp", None) != stamp:
        builder, listed = IndexBuilder(), api_types()
        for rna in listed.values():
            builder.add_type(rna)
        for name, (rna, route) in reachable_types(listed).items():
            builder.add_type(rna)
            builder.reach[name] = route
        for path, rna in api_operators():
            builder.add_operator(path, rna)
        home.index, home.stamp = builder.finish(), stamp
    return home.index
