//! MCP prompts: playbooks a user can pick in their client.
//!
//! A model that follows inspect → change → look → verify makes far fewer
//! blind edits than one that writes a long script and hopes. The playbook
//! names this server's own tools, so it stays true as the tool set grows.

use rmcp::model::{
    GetPromptResult, ListPromptsResult, Prompt, PromptArgument, PromptMessage, Role,
};
use rmcp::ErrorData;

const BUILD_SCENE: &str = "build_scene";

/// Every prompt this server offers.
pub(crate) fn list() -> ListPromptsResult {
    ListPromptsResult::with_all_items(vec![Prompt::new(
        BUILD_SCENE,
        Some("Build or change a Blender scene step by step, checking each step visually"),
        Some(vec![
            PromptArgument::new("goal")
                .with_description("What the scene should look like when done")
                .with_required(true),
            PromptArgument::new("style")
                .with_description("Optional look: e.g. low-poly, realistic, toon")
                .with_required(false),
        ]),
    )])
}

/// One prompt, filled in with its arguments.
pub(crate) fn get(
    name: &str,
    arguments: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<GetPromptResult, ErrorData> {
    if name != BUILD_SCENE {
        return Err(ErrorData::invalid_params(
            format!("unknown prompt {name:?}; this server offers: {BUILD_SCENE}"),
            None,
        ));
    }
    let arg = |key: &str| {
        arguments
            .and_then(|a| a.get(key))
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let goal = arg("goal").ok_or_else(|| {
        ErrorData::invalid_params(
            "build_scene needs a `goal`: what the scene should show",
            None,
        )
    })?;
    let style = arg("style")
        .map(|s| format!(" in a {s} style"))
        .unwrap_or_default();
    let text = format!(
        "Build this in Blender{style}: {goal}\n\n\
         Work in small steps and check each one:\n\
         1. Inspect first: get_scene_info (page with offset/limit on big scenes), then \
            get_object_info on anything you will change. Never guess names.\n\
         2. Change one thing at a time with the typed tools (create_object, set_transform, \
            set_material, add_light, add_camera, point_at, ...). Use execute_blender_code only \
            for what they cannot do; it rolls back on error.\n\
         3. Look: get_viewport_screenshot after each visible change (small max_size is fine), \
            and compare it with the goal.\n\
         4. Verify with get_object_info / scene_statistics that numbers match what you intended.\n\
         5. Group several related edits in batch (atomic=true) so a failure leaves the scene clean.\n\
         6. Finish with render_image for a final look, and save_blend if the user wants the file."
    );
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description("Step-by-step scene building with visual checks"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_playbook_names_tools_that_exist() {
        let tools = crate::tools::BlenderTools::new(crate::BlenderClient::new(
            crate::ClientConfig::new("127.0.0.1", 9),
        ));
        let names: Vec<String> = tools
            .tool_router()
            .list_all()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        let mut args = serde_json::Map::new();
        args.insert("goal".into(), "a red cube".into());
        let prompt = get(BUILD_SCENE, Some(&args)).unwrap();
        let text = serde_json::to_string(&prompt).unwrap();
        for tool in [
            "get_scene_info",
            "get_object_info",
            "create_object",
            "set_transform",
            "set_material",
            "add_light",
            "add_camera",
            "point_at",
            "execute_blender_code",
            "get_viewport_screenshot",
            "scene_statistics",
            "batch",
            "render_image",
            "save_blend",
        ] {
            assert!(text.contains(tool), "{tool} missing from the playbook");
            assert!(
                names.iter().any(|n| n == tool),
                "the playbook names {tool}, which does not exist"
            );
        }
    }

    #[test]
    fn goal_is_required_and_unknown_prompts_are_errors() {
        assert!(get(BUILD_SCENE, None).is_err());
        assert!(get("nope", None).is_err());
    }
}
