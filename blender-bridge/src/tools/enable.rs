//! `enable_tools` and `disable_tools`: the switches of this session's tool
//! groups (see listing.rs for what a listing is and is not).
//!
//! A change is announced with `notifications/tools/list_changed`, so a
//! client re-reads `tools/list`. A stateless 2026-07-28 request has no
//! session to remember a change in: it is answered with the groups every
//! request lists (`--tools`) and a note that any tool can be called anyway.

use std::collections::BTreeSet;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::service::RequestContext;
use rmcp::{handler::server::wrapper::Parameters, tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::groups::ToolGroup;
use super::{BlenderTools, ToolError};

/// Arguments of `enable_tools` and `disable_tools`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ToolGroupsInput {
    /// Group names, or ["all"].
    pub groups: Vec<String>,
}

/// The answer of `enable_tools` and `disable_tools`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ToolGroupsOutput {
    /// The groups now listed.
    pub listed: Vec<String>,
    /// Whether tools/list changed (a list_changed notification was sent).
    pub changed: bool,
    /// Why nothing changed, when a stateless request asked.
    pub note: Option<String>,
}

/// The first line of `enable_tools`' description; one line per group follows.
const ENABLE_INTRO: &str = "List more tools in this session (tools/list changes; \
notifications/tools/list_changed is sent). Unlisted tools can still be called by name. Groups:";

#[tool_router(router = enable_router, vis = "pub(crate)")]
impl BlenderTools {
    /// Lists more groups.
    #[tool(
        name = "enable_tools",
        description = "List more tool groups (filled in by describe_groups).",
        annotations(
            title = "Enable tool groups",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn enable_tools(
        &self,
        Parameters(input): Parameters<ToolGroupsInput>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ToolGroupsOutput>, ToolError> {
        let groups = ToolGroup::parse_set(&input.groups).map_err(ToolError::new)?;
        self.switch_groups(context, |listing| listing.enable(&groups))
            .await
    }

    /// Lists fewer groups.
    #[tool(
        name = "disable_tools",
        description = "Stop listing tool groups (names as in enable_tools; core stays). The \
                       tools remain callable.",
        annotations(
            title = "Disable tool groups",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn disable_tools(
        &self,
        Parameters(input): Parameters<ToolGroupsInput>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ToolGroupsOutput>, ToolError> {
        let mut groups = ToolGroup::parse_set(&input.groups).map_err(ToolError::new)?;
        groups.remove(&ToolGroup::Core);
        self.switch_groups(context, |listing| listing.disable(&groups))
            .await
    }
}

impl BlenderTools {
    /// Applies `switch` to this session's listing and announces a change.
    async fn switch_groups(
        &self,
        context: RequestContext<RoleServer>,
        switch: impl FnOnce(&super::listing::Listing) -> bool,
    ) -> Result<Json<ToolGroupsOutput>, ToolError> {
        let stateless = context.meta.protocol_version().is_some();
        let (changed, note) = if stateless {
            let note = "a stateless request has no session: tools/list shows the server's \
                        --tools groups; every tool can be called by name";
            (false, Some(note.to_owned()))
        } else {
            (switch(&self.listing), None)
        };
        if changed {
            // Best effort: a client that does not listen re-reads the list itself.
            let _ = context.peer.notify_tool_list_changed().await;
        }
        Ok(Json(ToolGroupsOutput {
            listed: names(&self.listing.enabled()),
            changed,
            note,
        }))
    }
}

fn names(groups: &BTreeSet<ToolGroup>) -> Vec<String> {
    groups.iter().map(|group| group.name().to_owned()).collect()
}

/// Writes every group, one line each, into `enable_tools`' description.
pub(crate) fn describe_groups(router: &mut ToolRouter<BlenderTools>) {
    let mut description = ENABLE_INTRO.to_owned();
    for group in ToolGroup::ALL {
        description.push_str(&format!("\n{}: {}", group.name(), group.summary()));
    }
    description.push_str("\nall: every group");
    if let Some(route) = router.map.get_mut("enable_tools") {
        route.attr.description = Some(description.into());
    }
}
