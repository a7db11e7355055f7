//! What one session's `tools/list` shows: the tools of its enabled groups,
//! served from a cache.
//!
//! The listing is a view, not a permission: every tool of the router stays
//! callable whether its group is listed or not (an agent that learnt a tool
//! name from an earlier turn or a skill should not fail; the groups exist
//! to save context, see README "Tool groups"). `--read-only` removes
//! writers from the router itself, so it combines with any groups.
//!
//! The result only changes when the session enables or disables a group,
//! so it is built once and kept until then (issue 15: tools/list was
//! rebuilt, cloned and sorted on every request).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::Tool;

use super::groups::ToolGroup;
use super::BlenderTools;

/// One session's enabled groups and its cached listing.
///
/// Cloning gives the handler of another session (the HTTP server makes one
/// per session): it starts from the server's groups (`--tools`), not from
/// what this session enabled.
pub(crate) struct Listing {
    /// Each tool's group, by tool name.
    group_of: Arc<HashMap<String, ToolGroup>>,
    /// The groups a session starts with.
    initial: BTreeSet<ToolGroup>,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    enabled: BTreeSet<ToolGroup>,
    /// The listing of `enabled`, until they change.
    cached: Option<Arc<Vec<Tool>>>,
}

impl Clone for Listing {
    fn clone(&self) -> Self {
        Self::new(self.group_of.clone(), self.initial.clone())
    }
}

impl Listing {
    /// A listing of `initial` (core is always added).
    pub(crate) fn new(
        group_of: Arc<HashMap<String, ToolGroup>>,
        initial: BTreeSet<ToolGroup>,
    ) -> Self {
        let mut initial = initial;
        initial.insert(ToolGroup::Core);
        let state = State {
            enabled: initial.clone(),
            cached: None,
        };
        Self {
            group_of,
            initial,
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// Each tool's group, for a listing of `BlenderTools::grouped_routers`.
    pub(crate) fn groups_of_tools() -> Arc<HashMap<String, ToolGroup>> {
        let mut group_of = HashMap::new();
        for (group, router) in BlenderTools::grouped_routers() {
            for tool in router.list_all() {
                group_of.insert(tool.name.to_string(), group);
            }
        }
        Arc::new(group_of)
    }

    /// The groups listed now.
    pub(crate) fn enabled(&self) -> BTreeSet<ToolGroup> {
        self.state.lock().unwrap().enabled.clone()
    }

    /// The tools of the enabled groups that `router` holds, by name.
    pub(crate) fn tools(&self, router: &ToolRouter<BlenderTools>) -> Arc<Vec<Tool>> {
        let mut state = self.state.lock().unwrap();
        if let Some(cached) = &state.cached {
            return cached.clone();
        }
        let listed: Vec<Tool> = router
            .list_all()
            .into_iter()
            .filter(|tool| {
                // A tool of no group (an embedder's) is always listed.
                self.group_of
                    .get(tool.name.as_ref())
                    .is_none_or(|group| state.enabled.contains(group))
            })
            .collect();
        let listed = Arc::new(listed);
        state.cached = Some(listed.clone());
        listed
    }

    /// Lists `groups` too; whether the listing changed.
    pub(crate) fn enable(&self, groups: &BTreeSet<ToolGroup>) -> bool {
        self.change(|enabled| {
            let before = enabled.len();
            enabled.extend(groups);
            enabled.len() != before
        })
    }

    /// Stops listing `groups` (never core); whether the listing changed.
    pub(crate) fn disable(&self, groups: &BTreeSet<ToolGroup>) -> bool {
        self.change(|enabled| {
            let before = enabled.len();
            enabled.retain(|group| *group == ToolGroup::Core || !groups.contains(group));
            enabled.len() != before
        })
    }

    /// Drops the cached listing (the router changed before serving).
    pub(crate) fn forget(&self) {
        self.state.lock().unwrap().cached = None;
    }

    fn change(&self, edit: impl FnOnce(&mut BTreeSet<ToolGroup>) -> bool) -> bool {
        let mut state = self.state.lock().unwrap();
        let changed = edit(&mut state.enabled);
        if changed {
            state.cached = None;
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ListToolsResult;

    fn tools() -> BlenderTools {
        BlenderTools::new(crate::BlenderClient::new(crate::ClientConfig::new(
            "127.0.0.1",
            9,
        )))
    }

    /// The `tools/list` result's bytes as rmcp writes them, and its tool count.
    fn wire(tools: &BlenderTools) -> (usize, usize) {
        let listed = tools.listing.tools(tools.tool_router());
        let result = ListToolsResult::with_all_items(listed.as_ref().clone());
        (serde_json::to_vec(&result).unwrap().len(), listed.len())
    }

    /// Issue 13's budgets: the default list costs less than the original
    /// server's 9 tools (~16 KB), everything together at most 60 KiB.
    #[test]
    fn the_listings_fit_their_budgets() {
        let (default_bytes, default_count) = wire(&tools());
        assert!(
            default_bytes <= 16 * 1024,
            "default tools/list: {default_bytes} bytes"
        );
        let all = tools().with_tool_groups(BTreeSet::from(ToolGroup::ALL));
        let (all_bytes, all_count) = wire(&all);
        assert!(all_bytes <= 60 * 1024, "every group: {all_bytes} bytes");
        assert!(all_count >= 45, "every group: only {all_count} tools");
        assert!(default_count < all_count);
    }

    #[test]
    fn enabling_changes_this_sessions_listing_only() {
        let session = tools();
        let names = |tools: &BlenderTools| -> Vec<String> {
            let listed = tools.listing.tools(tools.tool_router());
            listed.iter().map(|t| t.name.to_string()).collect()
        };
        assert!(names(&session).contains(&"enable_tools".to_owned()));
        assert!(!names(&session).contains(&"render_image".to_owned()));
        let other = session.clone();
        assert!(session.listing.enable(&BTreeSet::from([ToolGroup::Render])));
        assert!(!session.listing.enable(&BTreeSet::from([ToolGroup::Render])));
        assert!(names(&session).contains(&"render_image".to_owned()));
        assert!(!names(&other).contains(&"render_image".to_owned()));
        assert!(session
            .listing
            .disable(&BTreeSet::from([ToolGroup::Render, ToolGroup::Core])));
        assert!(!names(&session).contains(&"render_image".to_owned()));
        assert!(names(&session).contains(&"get_scene_info".to_owned()));
    }

    #[test]
    fn read_only_filters_every_group() {
        let session = tools()
            .with_tool_groups(BTreeSet::from(ToolGroup::ALL))
            .read_only();
        let listed = session.listing.tools(session.tool_router());
        assert!(listed.iter().any(|t| t.name == "list_materials"));
        assert!(listed.iter().all(super::super::is_read_only));
        assert!(!session.instructions().contains("execute_blender_code"));
    }
}
