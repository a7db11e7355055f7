//! Schema trims, applied once when the routers are built: what an agent
//! pays for in every turn's tool list, without what tells it nothing.
//!
//! schemars writes, for every tool, `$schema`, `format` (`"uint64"`, which
//! JSON Schema validators warn about), `"default": null`, nullable optional
//! fields as `type: [T, "null"]` or `anyOf [T, {type: null}]`, and `title`s.
//! An optional field is already optional by not being required, so its
//! plain type says the same. Arguments are still checked where they always
//! were: by serde, deserializing into the tool's Rust type.
//!
//! A `$defs` type's own description is dropped too: the fields that use it
//! say what they want (its variants keep theirs). Annotations stay
//! as they are: clients show and act on them.
//!
//! Output schemas are dropped: they were 47 % of the bytes (issue 13), no
//! client we know of uses them to call tools better, and every tool still
//! answers with `structuredContent` (a client may show or parse it).

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use serde_json::{Map, Value};

use super::BlenderTools;

/// Keywords that say nothing an agent needs.
const DROPPED: [&str; 3] = ["$schema", "format", "title"];

/// The router with every tool's input schema trimmed and no output schemas.
pub(crate) fn compact(router: ToolRouter<BlenderTools>) -> ToolRouter<BlenderTools> {
    let mut out = ToolRouter::new();
    for mut route in router {
        let mut input = (*route.attr.input_schema).clone();
        trim(&mut input);
        route.attr.input_schema = Arc::new(input);
        route.attr.output_schema = None;
        out.add_route(route);
    }
    out
}

/// Trims one schema and every schema inside it.
fn trim(schema: &mut Map<String, Value>) {
    for keyword in DROPPED {
        schema.remove(keyword);
    }
    if schema.get("default") == Some(&Value::Null) {
        schema.remove("default");
    }
    let required: Vec<String> = match schema.get("required") {
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            if let Value::Object(property) = property {
                if !required.contains(name) {
                    drop_null(property);
                }
                trim(property);
            }
        }
    }
    for key in ["$defs", "definitions"] {
        if let Some(Value::Object(defs)) = schema.get_mut(key) {
            for def in defs.values_mut() {
                // A type's own doc repeats what each field using it says.
                if let Value::Object(def) = def {
                    def.remove("description");
                }
                trim_value(def);
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = schema.get_mut(key) {
            trim_value(inner);
        }
    }
    for key in ["anyOf", "oneOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(options)) = schema.get_mut(key) {
            options.iter_mut().for_each(trim_value);
        }
    }
}

fn trim_value(value: &mut Value) {
    match value {
        Value::Object(schema) => trim(schema),
        Value::Array(schemas) => schemas.iter_mut().for_each(trim_value),
        _ => {}
    }
}

/// An optional field's schema without its `null` alternative, unless its
/// description says what null means (`set_parent`'s "null to clear"): a
/// client that checks arguments must then still let null through.
fn drop_null(property: &mut Map<String, Value>) {
    let explains_null = property
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|text| text.contains("null"));
    if explains_null {
        return;
    }
    if let Some(Value::Array(types)) = property.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.pop().expect("one type");
            property.insert("type".to_owned(), only);
        }
    }
    let Some(Value::Array(options)) = property.get("anyOf") else {
        return;
    };
    let null = Value::Object(Map::from_iter([("type".to_owned(), "null".into())]));
    let rest: Vec<&Value> = options.iter().filter(|o| **o != null).collect();
    if let ([Value::Object(only)], true) = (rest.as_slice(), rest.len() < options.len()) {
        let only = only.clone();
        property.remove("anyOf");
        for (key, value) in only {
            property.entry(key).or_insert(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn trimmed(schema: Value) -> Value {
        let Value::Object(mut schema) = schema else {
            panic!("not an object")
        };
        trim(&mut schema);
        Value::Object(schema)
    }

    #[test]
    fn optional_fields_lose_their_null_and_noise() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Input",
            "type": "object",
            "required": ["name", "maybe"],
            "properties": {
                "name": {"type": "string"},
                "maybe": {"type": ["string", "null"]},
                "clear": {"type": ["string", "null"], "description": "null clears it."},
                "title": {"type": ["string", "null"], "default": null},
                "count": {"type": "integer", "format": "uint32", "minimum": 0, "default": 5},
                "kind": {"anyOf": [{"$ref": "#/$defs/Kind"}, {"type": "null"}], "default": null,
                         "description": "Which."}
            },
            "$defs": {"Kind": {"type": "string", "enum": ["A", "B"], "title": "Kind",
                               "description": "Kinds."}}
        });
        assert_eq!(
            trimmed(schema),
            json!({
                "type": "object",
                "required": ["name", "maybe"],
                "properties": {
                    "name": {"type": "string"},
                    "maybe": {"type": ["string", "null"]},
                    "clear": {"type": ["string", "null"], "description": "null clears it."},
                    "title": {"type": "string"},
                    "count": {"type": "integer", "minimum": 0, "default": 5},
                    "kind": {"$ref": "#/$defs/Kind", "description": "Which."}
                },
                "$defs": {"Kind": {"type": "string", "enum": ["A", "B"]}}
            })
        );
    }
}
