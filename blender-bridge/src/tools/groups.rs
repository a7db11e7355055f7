//! The groups every tool belongs to.
//!
//! An agent pays for the tool list in context on every turn, so tools are
//! sorted into groups that a client is shown on demand (`enable_tools`,
//! `--tools`). Each group's router is registered once, here, with its
//! group; nothing else needs to know which tool sits where.
//!
//! Lights and cameras sit in `render`: they are what an agent sets up to
//! shoot a scene, and `objects` is already the largest group.

use std::collections::BTreeSet;

use rmcp::handler::server::router::tool::ToolRouter;

use super::BlenderTools;

/// What a tool is for, as a name an agent can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ToolGroup {
    /// Inspection, raw Python, the viewport, `batch`, the group switches:
    /// always listed.
    Core,
    /// Creating, transforming and organising objects.
    Objects,
    /// Materials, and shader, geometry, world and compositor node graphs.
    MaterialsNodes,
    /// Modifiers on objects.
    Modifiers,
    /// Keyframes and the frame range.
    Animation,
    /// Lights, cameras, rendering stills and animations.
    Render,
    /// Opening, saving, importing and exporting files; local asset libraries.
    FilesAssets,
    /// The running Blender's own API reference.
    ApiDocs,
    /// Mesh checks.
    Mesh,
    /// The Blenders this server drives.
    Instances,
    /// Render jobs on a scheduler or a local worker pool.
    Farm,
}

impl ToolGroup {
    /// Every group, in the order `enable_tools` describes them.
    pub const ALL: [ToolGroup; 11] = [
        ToolGroup::Core,
        ToolGroup::Objects,
        ToolGroup::MaterialsNodes,
        ToolGroup::Modifiers,
        ToolGroup::Animation,
        ToolGroup::Render,
        ToolGroup::FilesAssets,
        ToolGroup::ApiDocs,
        ToolGroup::Mesh,
        ToolGroup::Instances,
        ToolGroup::Farm,
    ];

    /// The group's name, as agents and `--tools` spell it.
    pub fn name(self) -> &'static str {
        match self {
            ToolGroup::Core => "core",
            ToolGroup::Objects => "objects",
            ToolGroup::MaterialsNodes => "materials_nodes",
            ToolGroup::Modifiers => "modifiers",
            ToolGroup::Animation => "animation",
            ToolGroup::Render => "render",
            ToolGroup::FilesAssets => "files_assets",
            ToolGroup::ApiDocs => "api_docs",
            ToolGroup::Mesh => "mesh",
            ToolGroup::Instances => "instances",
            ToolGroup::Farm => "farm",
        }
    }

    /// What the group holds, in the words `enable_tools` shows an agent.
    pub fn summary(self) -> &'static str {
        match self {
            ToolGroup::Core => {
                "scene/object info, statistics, datablocks, Python, screenshot, batch"
            }
            ToolGroup::Objects => {
                "create, duplicate, delete, rename, transform, parent, select, hide, collections"
            }
            ToolGroup::MaterialsNodes => "materials; shader/geometry/world/compositor node graphs",
            ToolGroup::Modifiers => "add, set, apply, remove modifiers",
            ToolGroup::Animation => "keyframes, frame range, read animation",
            ToolGroup::Render => "lights, cameras, aim, render image/animation",
            ToolGroup::FilesAssets => "open/save .blend, import/export, asset libraries",
            ToolGroup::ApiDocs => "search and describe the bpy API",
            ToolGroup::Mesh => "mesh analysis (manifold, normals, stats)",
            ToolGroup::Instances => "list the Blenders this server drives",
            ToolGroup::Farm => "render jobs on a farm: submit, watch, cancel, retry",
        }
    }

    /// The group called `name`.
    pub fn from_name(name: &str) -> Option<ToolGroup> {
        Self::ALL.into_iter().find(|group| group.name() == name)
    }

    /// Parses group names (`all` = every group; core is always added), or
    /// says which name is unknown and what the valid ones are.
    pub fn parse_set<S: AsRef<str>>(names: &[S]) -> Result<BTreeSet<ToolGroup>, String> {
        let mut groups = BTreeSet::from([ToolGroup::Core]);
        for name in names {
            match name.as_ref().trim() {
                "all" => groups.extend(Self::ALL),
                "" => {}
                name => match Self::from_name(name) {
                    Some(group) => {
                        groups.insert(group);
                    }
                    None => return Err(unknown_group(name)),
                },
            }
        }
        Ok(groups)
    }
}

/// The error for a group name that does not exist.
pub(crate) fn unknown_group(name: &str) -> String {
    let valid: Vec<&str> = ToolGroup::ALL.iter().map(|group| group.name()).collect();
    format!(
        "unknown tool group {name:?}; the groups are: all, {}",
        valid.join(", ")
    )
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
            (ToolGroup::Core, Self::enable_router()),
            (ToolGroup::Instances, Self::instances_router()),
            (ToolGroup::Objects, Self::objects_router()),
            (ToolGroup::MaterialsNodes, Self::materials_router()),
            (ToolGroup::Render, Self::lights_router()),
            (ToolGroup::Render, Self::render_router()),
            (ToolGroup::FilesAssets, Self::files_router()),
            (ToolGroup::Animation, Self::animation_router()),
            (ToolGroup::Mesh, Self::mesh_router()),
            (ToolGroup::Modifiers, Self::modifiers_router()),
            (ToolGroup::MaterialsNodes, Self::nodes_router()),
            (ToolGroup::Farm, Self::farm_router()),
            (ToolGroup::ApiDocs, Self::api_docs_router()),
            (ToolGroup::FilesAssets, Self::assets_router()),
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
        for group in ToolGroup::ALL {
            assert!(seen.values().any(|g| *g == group), "{group:?} is empty");
        }
    }

    #[test]
    fn group_names_parse_and_unknown_ones_name_the_valid_ones() {
        assert_eq!(
            ToolGroup::parse_set(&["render", " mesh"]).unwrap(),
            BTreeSet::from([ToolGroup::Core, ToolGroup::Render, ToolGroup::Mesh])
        );
        assert_eq!(ToolGroup::parse_set(&["all"]).unwrap().len(), 11);
        let error = ToolGroup::parse_set(&["lights"]).unwrap_err();
        assert!(error.contains("\"lights\"") && error.contains("materials_nodes"));
    }
}
