//! Confirmation before loss: calls that would throw away work ask the user
//! first, and run only once the user accepted.
//!
//! The guarded calls are `open_blend` over unsaved changes, `delete_objects`
//! of more objects than a threshold, `execute_blender_code` with
//! `rollback_on_error: false` over unsaved changes, and a `batch` holding
//! any of these ([`loss`] says what each would lose). How the user is asked
//! depends on the client ([`ask`]); a client that cannot ask passes
//! `confirm: true` after asking the user itself. The check runs in
//! `call_tool`, before the tool or its task starts, so a declined call
//! touches nothing.

mod ask;
mod loss;
mod unsaved;

use std::sync::Arc;

use rmcp::{
    handler::server::router::tool::ToolRouter,
    model::{CallToolRequestParams, CallToolResponse},
    service::RequestContext,
    RoleServer,
};
use serde_json::{json, Map, Value};

use super::BlenderTools;

pub(crate) use unsaved::{ends_unsaved, UnsavedEdits};

/// The argument a client passes once the user agreed.
const ARGUMENT: &str = "confirm";

/// The tools that may ask (and so take `confirm`).
const GUARDED: [&str; 4] = [
    "open_blend",
    "delete_objects",
    "execute_blender_code",
    "batch",
];

/// When to ask before loss.
#[derive(Debug, Clone)]
pub struct ConfirmSettings {
    /// Ask at all (`--no-confirm` turns it off).
    pub enabled: bool,
    /// `delete_objects` of more objects than this asks first.
    pub delete_over: usize,
}

impl Default for ConfirmSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            delete_over: 10,
        }
    }
}

impl BlenderTools {
    /// `None` when the call may run: it loses nothing, carries `confirm: true`
    /// (removed here), checks are off, or the user accepted. Otherwise the
    /// answer to send instead: a question (input-required) or a refusal.
    pub(super) async fn confirm_loss(
        &self,
        request: &mut CallToolRequestParams,
        context: &RequestContext<RoleServer>,
        instance: &str,
    ) -> Option<CallToolResponse> {
        let confirmed = request.arguments.as_mut().and_then(|a| a.remove(ARGUMENT));
        let settings = &self.config.confirm;
        if confirmed == Some(Value::Bool(true)) || !settings.enabled {
            return None;
        }
        let situation = loss::Situation {
            unsaved: self.unsaved.any(instance),
            delete_over: settings.delete_over,
        };
        let empty = Map::new();
        let args = request.arguments.as_ref().unwrap_or(&empty);
        let loss = loss::loss_of(&request.name, args, &situation)?;
        ask::ask(&loss, request, context).await
    }
}

/// Adds the `confirm` argument to the guarded tools' input schemas.
pub(crate) fn with_confirm_argument(router: ToolRouter<BlenderTools>) -> ToolRouter<BlenderTools> {
    let mut out = ToolRouter::new();
    for mut route in router {
        if GUARDED.contains(&route.attr.name.as_ref()) {
            let mut schema = (*route.attr.input_schema).clone();
            if let Some(Value::Object(properties)) = schema.get_mut("properties") {
                properties.insert(
                    ARGUMENT.to_owned(),
                    json!({"type": "boolean", "description": "User agreed to the loss"}),
                );
            }
            route.attr.input_schema = Arc::new(schema);
        }
        out.add_route(route);
    }
    out
}
