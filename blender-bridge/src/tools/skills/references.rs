//! Checks that the skills only show calls the server can take: every inline
//! code span of the form `tool_name {json arguments}` must name a tool of the
//! router, use only arguments of its input schema and give the required ones.

use rmcp::handler::server::router::tool::ToolRouter;
use serde_json::{Map, Value};

use super::SKILLS;
use crate::tools::BlenderTools;

/// The `tool {args}` calls in a skill's markdown.
fn calls(markdown: &str) -> Vec<(String, Map<String, Value>)> {
    markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|span| {
            let (tool, args) = span.split_once(' ')?;
            let is_name = tool.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            let args = args.trim_start();
            (is_name && args.starts_with('{')).then(|| {
                let parsed: Value = serde_json::from_str(args)
                    .unwrap_or_else(|e| panic!("`{span}`: arguments are not JSON: {e}"));
                (tool.to_owned(), parsed.as_object().unwrap().clone())
            })
        })
        .collect()
}

#[test]
fn skills_call_only_real_tools_with_real_arguments() {
    let router = BlenderTools::grouped_routers()
        .into_iter()
        .fold(ToolRouter::new(), |all, (_, router)| all + router);
    for (name, text) in SKILLS {
        let found = calls(text);
        assert!(
            found.len() >= 4,
            "{name} shows only {} tool calls",
            found.len()
        );
        for (tool, args) in found {
            let route = router
                .get(&tool)
                .unwrap_or_else(|| panic!("{name} calls {tool}, which is no tool"));
            let schema = route
                .input_schema
                .get("properties")
                .and_then(Value::as_object);
            for arg in args.keys() {
                assert!(
                    schema.is_some_and(|p| p.contains_key(arg)),
                    "{name}: {tool} has no argument {arg}"
                );
            }
            let required = route.input_schema.get("required").and_then(Value::as_array);
            for arg in required.into_iter().flatten().filter_map(Value::as_str) {
                assert!(args.contains_key(arg), "{name}: {tool} needs {arg}");
            }
        }
    }
}

#[test]
fn a_call_is_found_across_lines_and_prose_is_not() {
    let found = calls("Run `set_frame_range {\"start\": 1,\n \"end\": 9}` then `get_scene_info`.");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "set_frame_range");
    assert_eq!(found[0].1["end"], 9);
}
