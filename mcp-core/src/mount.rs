//! Mounting one server's tools inside another.
//!
//! rmcp routers compose only within one server type (`ToolRouter<S>`), but
//! an agent that wants its own tools *and* someone else's tool set (say, all
//! Blender tools) has a server type of its own. [`mount_tools`] re-types a
//! router: each route is called with the embedded value, found through a
//! projection from the outer server. Nothing is copied per call.

use rmcp::handler::server::router::tool::{ToolRoute, ToolRouter};
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::CallToolRequestParams;

/// Re-types `router` (tools of `T`) as tools of `S`, where `project` finds
/// the `T` inside an `S`.
///
/// ```ignore
/// struct Agent { blender: BlenderTools, tool_router: ToolRouter<Agent> }
/// let tools = Agent::own_tools()
///     + mcp_core::mount_tools(blender.tool_router().clone(), |a: &Agent| &a.blender);
/// ```
///
/// Tool names must not clash: a later route with the same name replaces an
/// earlier one when routers are added together.
pub fn mount_tools<S, T>(router: ToolRouter<T>, project: fn(&S) -> &T) -> ToolRouter<S>
where
    S: Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    let mut mounted = ToolRouter::new();
    for route in router {
        let inner = route.call.clone();
        mounted.add_route(ToolRoute::new_dyn(
            route.attr.clone(),
            move |context: ToolCallContext<'_, S>| {
                let mut params = CallToolRequestParams::new(context.name.clone());
                if let Some(arguments) = context.arguments {
                    params = params.with_arguments(arguments);
                }
                if let Some(responses) = context.input_responses {
                    params = params.with_input_responses(responses);
                }
                if let Some(state) = context.request_state {
                    params = params.with_request_state(state);
                }
                let service = project(context.service);
                inner(ToolCallContext::new(
                    service,
                    params,
                    context.request_context,
                ))
            },
        ));
    }
    mounted
}
