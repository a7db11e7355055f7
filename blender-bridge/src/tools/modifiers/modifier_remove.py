# remove_modifier: drops one modifier from the stack.
obj = lookup_object(args["object"])
mod = lookup_modifier(obj, args["modifier"])
name = mod.name
obj.modifiers.remove(mod)
result = {"object": obj.name, "removed": name, "stack": [m.name for m in obj.modifiers]}
