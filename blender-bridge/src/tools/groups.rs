//! The groups every tool belongs to.
//!
//! An agent pays for the tool list in context on every turn, so tools are
//! sorted into groups that a client can be shown on demand. Each group's
//! router is registered once, here, with its group; nothing else needs to
//! know which tool sits where.

use rmcp::handler::server::router::tool::ToolRouter;

use super::BlenderTools;

/// What a tool is for, as a name an agent can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolGroup {
    /// Inspection, raw Python, the viewport, `batch`, instances: always there.
    Core,
    /// Creating, transforming and organising objects.
    Objects,
    /// Materials.
    Materials,
    /// Lights and cameras.
    Lights,
    /// Rendering stills and animations.
    Render,
    /// Opening, saving, importing and exporting files.
    Files,
    /// Modifiers on objects.
    Modifiers,
    /// Shader, geometry, world and compositor node graphs.
    Nodes,
    /// Keyframes and the frame range.
    Animation,
    /// The running Blender's own API reference.
    ApiDocs,
    /// Mesh checks.
    Mesh,
    /// Local asset libraries.
    Assets,
    /// Render jobs on a scheduler or a local worker pool.
    Farm,
}

impl ToolGroup {
    /// The group's name, as agents and `--tools` spell it.
    pub fn name(self) -> &'static str {
        match self {
            ToolGroup::Core => "core",
            ToolGroup::Objects => "objects",
            ToolGroup::Materials => "materials",
            ToolGroup::Lights => "lights",
            ToolGroup::Render => "render",
            ToolGroup::Files => "files",
            ToolGroup::Modifiers => "modifiers",
            ToolGroup::Nodes => "nodes",
            ToolGroup::Animation => "animation",
            ToolGroup::ApiDocs => "api_docs",
            ToolGroup::Mesh => "mesh",
            ToolGroup::Assets => "assets",
            ToolGroup::Farm => "farm",
        }
    }
}

impl BlenderTools {
    /// Every tool router with its group, in the order tools are listed.
    pub(crate) fn grouped_routers() -> Vec<(ToolGroup, ToolRouter<Self>)> {
        vec![
            (ToolGroup::Core, Self::scene_router()),
            (ToolGroup::Core, Self::exec_router()),
            (ToolGroup::Core, Self::screenshot_router()),
            (ToolGroup::Core, Self::inspect_router()),
            (ToolGroup::Core, Self::batch_router()),
            (ToolGroup::Core, Self::instances_router()),
            (ToolGroup::Objects, Self::objects_router()),
            (ToolGroup::Materials, Self::materials_router()),
            (ToolGroup::Lights, Self::lights_router()),
            (ToolGroup::Render, Self::render_router()),
            (ToolGroup::Files, Self::files_router()),
            (ToolGroup::Animation, Self::animation_router()),
            (ToolGroup::Mesh, Self::mesh_router()),
            (ToolGroup::Modifiers, Self::modifiers_router()),
            (ToolGroup::Nodes, Self::nodes_router()),
            (ToolGroup::Farm, Self::farm_router()),
            (ToolGroup::ApiDocs, Self::api_docs_router()),
            (ToolGroup::Assets, Self::assets_router()),
        ]
    }

    /// The group of the tool called `name`, if there is such a tool.
    pub fn tool_group(name: &str) -> Option<ToolGroup> {
        Self::grouped_routers()
            .into_iter()
            .find(|(_, router)| router.has_route(name))
            .map(|(group, _)| group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_exactly_one_group() {
        let mut seen = std::collections::HashMap::new();
        for (group, router) in BlenderTools::grouped_routers() {
            for tool in router.list_all() {
                let before = seen.insert(tool.name.to_string(), group);
                assert!(before.is_none(), "{} is in two groups", tool.name);
            }
        }
        assert_eq!(
            BlenderTools::tool_group("execute_blender_code"),
            Some(ToolGroup::Core)
        );
        assert_eq!(
            BlenderTools::tool_group("render_image"),
            Some(ToolGroup::Render)
        );
        assert_eq!(BlenderTools::tool_group("no_such_tool"), None);
    }
}
