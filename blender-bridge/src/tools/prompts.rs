//! MCP prompts: playbooks a user can pick in their client.
//!
//! A model that follows inspect → change → look → verify makes far fewer
//! blind edits than one that writes a long script and hopes. The playbook
//! names this server's own tools, so it stays true as the tool set grows.
//! Declared with rmcp's prompt macros: the argument list a client sees comes
//! from [`BuildSceneArgs`]' schema, and `ServerHandler`'s `list_prompts` /
//! `get_prompt` are generated from the router (see tools/mod.rs).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{GetPromptResult, PromptMessage, Role};
use rmcp::{prompt, prompt_router, ErrorData};
use schemars::JsonSchema;
use serde::Deserialize;

use super::BlenderTools;

/// The arguments of `build_scene`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct BuildSceneArgs {
    /// What the scene should look like when done
    goal: String,
    /// Optional look: e.g. low-poly, realistic, toon
    #[serde(default)]
    style: Option<String>,
}

#[prompt_router(vis = "pub(crate)")]
impl BlenderTools {
    /// Build or change a Blender scene step by step, checking each step visually
    #[prompt(name = "build_scene")]
    async fn build_scene(
        &self,
        Parameters(args): Parameters<BuildSceneArgs>,
    ) -> Result<GetPromptResult, ErrorData> {
        build_scene(&args)
    }
}

/// The playbook for `args`; a blank goal is refused like a missing one.
fn build_scene(args: &BuildSceneArgs) -> Result<GetPromptResult, ErrorData> {
    let goal = args.goal.trim();
    if goal.is_empty() {
        return Err(ErrorData::invalid_params(
            "build_scene needs a `goal`: what the scene should show",
            None,
        ));
    }
    let style = args
        .style
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
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

    fn args(goal: &str) -> BuildSceneArgs {
        BuildSceneArgs {
            goal: goal.into(),
            style: None,
        }
    }

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
        let prompt = build_scene(&args("a red cube")).unwrap();
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
    fn the_prompt_is_listed_with_its_arguments_and_a_blank_goal_is_an_error() {
        let listed = BlenderTools::prompt_router().list_all();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "build_scene");
        let arguments = listed[0].arguments.clone().unwrap_or_default();
        let required: Vec<(String, bool)> = arguments
            .iter()
            .map(|a| (a.name.clone(), a.required == Some(true)))
            .collect();
        assert_eq!(
            required,
            [("goal".to_string(), true), ("style".to_string(), false)]
        );
        assert!(build_scene(&args("   ")).is_err());
    }
}
