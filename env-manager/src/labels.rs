//! The labels envmgr puts on what it creates.
//!
//! Labels are how `cleanup` finds envmgr's containers and images without ever touching anything
//! else (no global prune), and how `status` shows which security opt-ins a container runs with:
//! the labels are written at create time, so they describe the container, not today's flags.

/// Common prefix of every envmgr label.
pub const PREFIX: &str = "io.blender-mcp-rs.envmgr";
/// `"true"` on every container and image envmgr creates.
pub const MANAGED: &str = "io.blender-mcp-rs.envmgr.managed";
/// The absolute project directory a container belongs to (scopes `cleanup`).
pub const PROJECT: &str = "io.blender-mcp-rs.envmgr.project";
/// The GPU request actually used (`none`, `all`, `2`, `device=0,1`).
pub const GPUS: &str = "io.blender-mcp-rs.envmgr.gpus";
/// Prefix of one label per security opt-in in force: `...opt-in.<name>` = what it grants.
pub const OPT_IN_PREFIX: &str = "io.blender-mcp-rs.envmgr.opt-in.";

/// The label filter value selecting everything envmgr created (`label=<MANAGED>=true`).
pub fn managed_filter() -> String {
    format!("{MANAGED}=true")
}

/// The label filter value selecting one project's containers.
pub fn project_filter(project_dir: &std::path::Path) -> String {
    format!("{PROJECT}={}", project_dir.display())
}
