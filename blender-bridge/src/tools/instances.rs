//! Several Blenders behind one server: every tool takes an optional
//! `instance`, and `list_instances` reports each one's state.
//!
//! The instance is chosen once, in `call_tool`, and held in a task-local for
//! the duration of the call, so the forty-odd tools (and `batch`, which
//! calls tools itself) need no per-tool plumbing: `BlenderTools::client()`
//! answers with the chosen instance. Each instance has its own connection,
//! so calls to different instances run in parallel.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{BlenderTools, ToolError};
use crate::{BlenderClient, CallOptions};

/// The argument every tool accepts.
pub(crate) const ARGUMENT: &str = "instance";

/// A state probe must not hang `list_instances` on one stuck Blender.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

tokio::task_local! {
    /// The instance the current tool call addresses.
    static CURRENT: Target;
}

/// One Blender: its client, and the lock that keeps two guarded calls
/// (checkpoint … rollback, holding it to write) on it from undoing each
/// other's work, and read-only calls (holding it to read) from seeing a
/// cancelled call's edit before its rollback. Per instance, so calls to
/// different Blenders still run in parallel.
#[derive(Clone)]
pub(crate) struct Target {
    /// The instance's name (what keys its task queue).
    pub(crate) name: String,
    pub(crate) client: BlenderClient,
    pub(crate) checkpoint_lock: Arc<tokio::sync::RwLock<()>>,
}

impl Target {
    fn new(name: String, client: BlenderClient) -> Self {
        Self {
            name,
            client,
            checkpoint_lock: Arc::default(),
        }
    }
}

/// The Blenders this server drives, by name; the first is the default.
#[derive(Clone)]
pub struct Instances {
    default: String,
    clients: Arc<BTreeMap<String, Target>>,
}

impl Instances {
    /// One Blender, named `default`.
    pub fn single(client: BlenderClient) -> Self {
        Self::new(vec![("default".to_owned(), client)]).expect("one instance")
    }

    /// Named Blenders; the first is used when a call names none. `None` when
    /// the list is empty or a name repeats.
    pub fn new(named: Vec<(String, BlenderClient)>) -> Option<Self> {
        let default = named.first()?.0.clone();
        let count = named.len();
        let clients: BTreeMap<_, _> = named
            .into_iter()
            .map(|(name, client)| (name.clone(), Target::new(name, client)))
            .collect();
        (clients.len() == count).then(|| Self {
            default,
            clients: Arc::new(clients),
        })
    }

    /// The default instance's client.
    pub fn default_client(&self) -> &BlenderClient {
        &self.clients[&self.default].client
    }

    /// The instance a call addresses: the current call's, else the default.
    pub(crate) fn target(&self) -> Target {
        CURRENT
            .try_with(Target::clone)
            .unwrap_or_else(|_| self.clients[&self.default].clone())
    }

    /// The instance named `name` (the default for `None`).
    pub(crate) fn get(&self, name: Option<&str>) -> Result<Target, ToolError> {
        let name = name.unwrap_or(&self.default);
        self.clients.get(name).cloned().ok_or_else(|| {
            ToolError::new(format!(
                "no Blender instance named {name:?}; this server has: {}",
                self.clients.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// Runs `call` with `target` as the current instance.
    pub(crate) async fn scope<F: std::future::Future>(target: Target, call: F) -> F::Output {
        CURRENT.scope(target, call).await
    }
}

/// Adds the optional `instance` argument to every tool's input schema
/// (its meaning is in the server instructions).
pub(crate) fn with_instance_argument(router: ToolRouter<BlenderTools>) -> ToolRouter<BlenderTools> {
    let mut out = ToolRouter::new();
    for mut route in router {
        let mut schema = (*route.attr.input_schema).clone();
        let properties = schema
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(properties) = properties {
            properties.insert(
                ARGUMENT.to_owned(),
                // Described once, in the server instructions, not in every tool.
                json!({ "type": "string" }),
            );
        }
        route.attr.input_schema = Arc::new(schema);
        out.add_route(route);
    }
    out
}

/// One instance in `list_instances`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct InstanceState {
    /// The instance's name (pass it as `instance`).
    pub name: String,
    /// Whether calls without `instance` go here.
    pub default: bool,
    /// Where it is: an address, or a Blender this server launched.
    pub endpoint: String,
    /// ready, unreachable, or idle (not connected yet: connects, or launches, on first use).
    pub state: String,
    /// Why it is unreachable.
    pub error: Option<String>,
    /// gui, background or module.
    pub mode: Option<String>,
    /// Blender's version.
    pub blender_version: Option<String>,
    /// Requests waiting for Blender's main thread when asked.
    pub queued: Option<u64>,
}

/// The answer of `list_instances`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct InstanceList {
    /// Every instance, by name.
    pub instances: Vec<InstanceState>,
}

#[tool_router(router = instances_router, vis = "pub(crate)")]
impl BlenderTools {
    /// Reports every Blender this server drives.
    #[tool(
        name = "list_instances",
        description = "The Blender instances this server drives (pass a name as `instance` to any \
                       tool): state, mode, Blender version and queue length of each. Does not \
                       launch a Blender that has not been used yet.",
        annotations(
            title = "List Blender instances",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn list_instances(&self) -> Result<Json<InstanceList>, ToolError> {
        let probes = self.instances.clients.iter().map(|(name, target)| {
            let default = *name == self.instances.default;
            probe(name.clone(), default, target.client.clone())
        });
        Ok(Json(InstanceList {
            instances: futures::future::join_all(probes).await,
        }))
    }
}

async fn probe(name: String, default: bool, client: BlenderClient) -> InstanceState {
    let mut state = InstanceState {
        name,
        default,
        endpoint: client.endpoint_description(),
        state: "idle".into(),
        error: None,
        mode: None,
        blender_version: None,
        queued: None,
    };
    if client.stats().connects == 0 {
        return state;
    }
    let options = CallOptions {
        timeout: Some(PROBE_TIMEOUT),
        ..CallOptions::default()
    };
    match client.call("ping", json!({}), options).await {
        Ok(pong) => {
            state.state = "ready".into();
            state.queued = pong.get("queued").and_then(Value::as_u64);
        }
        Err(e) => {
            state.state = "unreachable".into();
            state.error = Some(e.to_string());
        }
    }
    if let Some(info) = client.server_info().await {
        state.mode = Some(info.mode);
        state.blender_version = Some(info.blender_version);
    }
    state
}
