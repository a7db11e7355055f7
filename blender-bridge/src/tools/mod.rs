//! The MCP tool set: what an agent can ask Blender to do.
//!
//! Every tool is a thin Rust shell (typed input schema, typed output, error
//! text a model can act on) around a Python snippet that runs inside Blender
//! through the bridge's `exec` op. Keeping the Blender logic in snippets on
//! this side means a new tool never needs a new addon: users update the
//! server, not the Blender they have installed.
//!
//! Tool names match the original Blender MCP server (`get_scene_info`,
//! `get_object_info`, `execute_blender_code`, `get_viewport_screenshot`) so
//! existing prompts keep working.

/// A snippet made of the shared prelude (snippets/common.py: lookups with
/// close-match hints, object descriptions, transforms) followed by the
/// given files, joined at compile time so no helper is written twice.
macro_rules! typed_snippet {
    ($name:literal, $($file:literal),+ $(,)?) => {
        $crate::Snippet::new(
            $name,
            concat!(include_str!("snippets/common.py"), $(include_str!(concat!("snippets/", $file))),+),
        )
    };
}

/// [`typed_snippet!`] for the tools of a group folder (`tools/<group>/`):
/// the shared prelude, then the given files of that folder. Paths in
/// `include_str!` resolve from the file that invokes the macro.
macro_rules! group_snippet {
    ($name:literal, $($file:literal),+ $(,)?) => {
        $crate::Snippet::new(
            $name,
            concat!(include_str!("../snippets/common.py"), $(include_str!($file)),+),
        )
    };
}

mod animation;
mod api_docs;
mod assets;
mod batch;
mod changes;
mod checkpoint;
mod colour;
mod compact;
mod completions;
mod config;
mod confirm;
mod enable;
mod error;
mod exec;
mod farm;
mod files;
mod groups;
mod icon;
mod inspect;
mod instances;
mod lights;
mod list_changed;
mod listing;
mod long_call;
mod materials;
mod mesh;
mod modifiers;
mod nodes;
mod objects;
mod placement;
mod prompts;
mod render;
mod resources;
mod run_snippet;
mod scene;
mod screenshot;
mod skills;
mod subscriptions;
mod tasks;

use rmcp::{
    handler::server::{router::tool::ToolRouter, tool::ToolCallContext},
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams,
        CompleteRequestParams, CompleteResult, ContentBlock, GetSkillRequestParams, GetSkillResult,
        GetTaskParams, GetTaskResult, Implementation, ListResourceTemplatesResult,
        ListResourcesResult, ListSkillsResult, ListToolsResult, PaginatedRequestParams,
        ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
        ServerConfig, SubscribeRequestParams, SubscriptionFilter, UnsubscribeRequestParams,
        UpdateTaskParams,
    },
    prompt_handler,
    service::{RequestContext, SubscriptionContext},
    tool_handler, ErrorData, RoleServer, ServerHandler,
};

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::BlenderClient;

pub use config::ToolConfig;
pub use confirm::ConfirmSettings;
pub use error::ToolError;
pub use exec::{ExecuteCodeInput, ExecuteCodeOutput};
pub use groups::ToolGroup;
pub use instances::{InstanceList, InstanceState, Instances};
use list_changed::ListChanged;
pub(crate) use run_snippet::snippet_args;
pub use scene::{ObjectInfoInput, SceneInfoInput};
pub use screenshot::ScreenshotInput;
pub use tasks::{TaskSettings, MAX_TASK_TTL};

/// What the server tells the model about itself at `initialize`: a short
/// playbook, because a model that knows the loop (inspect, change, look,
/// verify) makes far fewer blind edits. It names only tools that are
/// listed by default, and says how to get the rest.
const INSTRUCTIONS: &str =
    "Drives a live Blender. Inspect with get_scene_info (paged: use offset/limit and \
name_contains on big scenes) and get_object_info; change things with execute_blender_code \
(Python with `bpy`; set `result = ...` or end with an expression to return JSON data; \
`args` holds the JSON you pass); look at the result with get_viewport_screenshot. \
`batch` runs many tool calls in one, atomically if asked. A failing execute_blender_code is \
rolled back unless rollback_on_error=false. A tool that edits answers with `changes`: \
added/removed/renamed {kind: [names]}, modified {object: [aspects]}. Objects are addressed by \
their exact names; an unknown name is an error that lists close matches.";

/// [`INSTRUCTIONS`] for a `--read-only` server, which lists no writer.
const READ_ONLY_INSTRUCTIONS: &str =
    "Inspects a live Blender, read-only: tools that change the scene, run code or write files \
are not available. Inspect with get_scene_info (paged: use offset/limit and name_contains on \
big scenes) and get_object_info. Objects are addressed by their exact names; an unknown name \
is an error that lists close matches.";

/// What both playbooks end with: the groups, and the `instance` argument
/// (described here once rather than in every tool's schema).
const INSTRUCTIONS_GROUPS: &str =
    " More typed tools come in groups (objects, materials and nodes, modifiers, animation, \
lights/cameras/render, files and assets, ...): enable_tools lists them; a tool can be called by \
name even when not listed. Every tool takes an optional `instance`: which Blender (see \
list_instances); default the first.";

/// The Blender tools as an rmcp server handler.
///
/// Cheap to clone: clones share one [`BlenderClient`], hence one connection
/// to Blender, which is what lets every MCP session of an HTTP server drive
/// the same scene.
#[derive(Clone)]
pub struct BlenderTools {
    instances: Instances,
    tool_router: ToolRouter<Self>,
    config: Arc<ToolConfig>,
    /// The latest render or screenshot, served as `blender://render/last`.
    last_image: resources::LastImage,
    /// This session's pending `resources/list_changed`.
    list_changed: ListChanged,
    /// MCP tasks: shared by all sessions, each sees its own.
    tasks: tasks::Tasks,
    /// This session's resource subscriptions, and the server-wide changes
    /// that prompt their polls.
    subscriptions: subscriptions::Subscriptions,
    /// This session's tool groups and its cached `tools/list`.
    listing: listing::Listing,
    /// Which Blenders have writes since their last save or open.
    unsaved: confirm::UnsavedEdits,
}

impl BlenderTools {
    /// The full tool set over `client`, with the default file confinement
    /// (see [`ToolConfig::default`]).
    pub fn new(client: BlenderClient) -> Self {
        Self::with_config(client, ToolConfig::default())
    }

    /// The full tool set over `client` with the given file settings.
    pub fn with_config(client: BlenderClient, config: ToolConfig) -> Self {
        Self::with_instances(Instances::single(client), config)
    }

    /// The full tool set over several named Blenders.
    pub fn with_instances(instances: Instances, config: ToolConfig) -> Self {
        let tool_router = Self::grouped_routers()
            .into_iter()
            .fold(ToolRouter::new(), |all, (_, router)| all + router);
        let mut tool_router = compact::compact(instances::with_instance_argument(
            confirm::with_confirm_argument(tool_router),
        ));
        enable::describe_groups(&mut tool_router);
        Self {
            instances,
            tool_router,
            config: Arc::new(config),
            last_image: resources::LastImage::default(),
            list_changed: ListChanged::default(),
            tasks: tasks::Tasks::new(TaskSettings::default()),
            subscriptions: subscriptions::Subscriptions::default(),
            listing: listing::Listing::new(listing::Listing::groups_of_tools(), BTreeSet::new()),
            unsaved: confirm::UnsavedEdits::default(),
        }
        .with_tasks(TaskSettings::default())
    }

    /// Lists these groups at the start of every session (core always;
    /// see [`ToolGroup::parse_set`]); before serving.
    pub fn with_tool_groups(mut self, groups: BTreeSet<ToolGroup>) -> Self {
        self.listing = listing::Listing::new(listing::Listing::groups_of_tools(), groups);
        self
    }

    /// Sets how MCP tasks run (see [`TaskSettings`]); before serving.
    pub fn with_tasks(mut self, settings: TaskSettings) -> Self {
        self.tasks = tasks::Tasks::new(settings);
        self.tasks.mark_tools(&mut self.tool_router);
        self.listing.forget();
        self
    }

    /// The file settings in force.
    pub fn config(&self) -> &ToolConfig {
        &self.config
    }

    /// Keeps only the tools annotated read-only, for users who want an agent
    /// to inspect and never to edit or run code. The others are neither
    /// listed nor callable (a call is an unknown-tool error). A tool that does
    /// not say it is read-only is treated as a writer: safe by default.
    pub fn read_only(mut self) -> Self {
        let writers: Vec<String> = self
            .tool_router
            .list_all()
            .into_iter()
            .filter(|tool| !is_read_only(tool))
            .map(|tool| tool.name.to_string())
            .collect();
        for name in writers {
            self.tool_router.remove_route(&name);
        }
        self.listing.forget();
        self
    }

    /// The client of the Blender the current tool call addresses (its
    /// `instance` argument), else the default instance's: what tools talk
    /// through, and what embedding programs can reuse.
    pub fn client(&self) -> BlenderClient {
        self.instances.target().client
    }

    /// The tool router, so an embedding server can list or merge the tools.
    pub fn tool_router(&self) -> &ToolRouter<Self> {
        &self.tool_router
    }
}

#[tool_handler(router = self.tool_router)]
#[prompt_handler]
impl ServerHandler for BlenderTools {
    fn get_info(&self) -> ServerConfig {
        let mut capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_resources()
            .enable_resources_list_changed()
            .enable_resources_subscribe()
            .enable_prompts()
            .enable_completions()
            .enable_skills()
            .build();
        self.tasks.advertise(&mut capabilities);
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("blender-mcp-rs", env!("CARGO_PKG_VERSION"))
                    .with_title("Blender (blender-mcp-rs)")
                    .with_icons(icon::server_icons()),
            )
            .with_instructions(self.instructions())
    }

    /// The tools of this session's enabled groups (see listing.rs).
    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        // As rmcp's generated list_tools: 2026-07-28 clients are told not to
        // keep the list (ttl 0), since enable_tools may change it.
        let cache_hints = context
            .protocol_version()
            .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28);
        let mut result =
            ListToolsResult::with_all_items(self.listing.tools(&self.tool_router).as_ref().clone());
        if cache_hints {
            result.ttl_ms = Some(0);
            result.cache_scope = Some(rmcp::model::CacheScope::Public);
        }
        Ok(result)
    }

    /// Routes the call, then tells listening clients that resources may have
    /// changed when the tool was not a read-only one. A call that would lose
    /// work asks the user first (see `confirm`).
    async fn call_tool(
        &self,
        mut request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let named = request
            .arguments
            .as_mut()
            .and_then(|args| args.remove(instances::ARGUMENT));
        let instance = match named {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(name)) => Some(name),
            Some(other) => {
                return Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                    "instance must be a string (see list_instances); got {other}"
                ))])
                .into())
            }
        };
        let target = match self.instances.get(instance.as_deref()) {
            Ok(target) => target,
            Err(e) => {
                return Ok(CallToolResult::error(vec![ContentBlock::text(e.to_string())]).into())
            }
        };
        if let Some(answer) = self
            .confirm_loss(&mut request, &context, &target.name)
            .await
        {
            return Ok(answer);
        }
        let writes = !self
            .tool_router
            .get(&request.name)
            .is_some_and(is_read_only);
        let ends_unsaved = confirm::ends_unsaved(&request.name, request.arguments.as_ref());
        if writes && !ends_unsaved {
            self.unsaved.mark(&target.name);
        }
        // Only writers run as tasks, so a task never holds the read lock below.
        if self.tasks.wanted(&request.name, &context) {
            return Ok(self.call_as_task(request, context, target, writes));
        }
        // A read waits out a guarded call and its rollback (which hold this
        // lock to write), so it never sees a cancelled call's half-done edit.
        let _reading = match writes {
            false => Some(target.checkpoint_lock.clone().read_owned().await),
            true => None,
        };
        let peer = context.peer.clone();
        let instance = target.name.clone();
        let call = self
            .tool_router
            .call(ToolCallContext::new(self, request, context));
        let response = Instances::scope(target, self.tracking_changes(writes, call)).await;
        // A refused or failed call (bad arguments, rolled back) changed nothing.
        let failed = matches!(&response, Ok(CallToolResponse::Complete(result)) if result.is_error == Some(true));
        if writes && response.is_ok() && !failed {
            if ends_unsaved {
                self.unsaved.clear(&instance);
            }
            self.list_changed.announce(peer);
            self.subscriptions.scene_written();
        }
        response
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        self.tasks.get(&request.task_id, &context)
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.tasks.cancel(&request.task_id, &context)
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let responses = request.input_responses;
        self.tasks.update(&request.task_id, responses, &context)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let mut list = self.resource_list().await?;
        list.resources.extend(skills::resources());
        Ok(list)
    }

    async fn list_skills(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListSkillsResult, ErrorData> {
        Ok(skills::list())
    }

    async fn get_skill(
        &self,
        request: GetSkillRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetSkillResult, ErrorData> {
        skills::get(&request.uri)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(self.resource_templates())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        self.complete_argument(request).await
    }

    /// Sessions up to 2025-11-25; 2026-07-28 clients use `listen` below.
    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.subscribe_resource(request.uri, context.peer).await
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.unsubscribe_resource(&request.uri);
        Ok(())
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(subscriptions::accepted_filter(requested))
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        self.listen_stream(context).await;
        Ok(())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if let Some(skill) = skills::read(&request.uri) {
            return Ok(skill.into());
        }
        self.read(&request.uri).await.map(Into::into)
    }
}

impl BlenderTools {
    /// The playbook for this server's tools: no writer is named when
    /// `--read-only` removed them.
    fn instructions(&self) -> String {
        let playbook = match self.tool_router.has_route("execute_blender_code") {
            true => INSTRUCTIONS,
            false => READ_ONLY_INSTRUCTIONS,
        };
        format!("{playbook}{INSTRUCTIONS_GROUPS}")
    }
}

/// serde's default for the boolean arguments that are on unless turned off
/// (`rollback_on_error`, `make_active`, ...): serde takes a function, not a value.
pub(crate) fn default_true() -> bool {
    true
}

/// Whether a tool says it changes nothing. A tool that does not say so is
/// treated as a writer: hidden by --read-only, and followed by list_changed.
fn is_read_only(tool: &rmcp::model::Tool) -> bool {
    tool.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true)
}
