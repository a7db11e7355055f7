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
mod config;
mod confirm;
mod error;
mod exec;
mod farm;
mod files;
mod groups;
mod inspect;
mod instances;
mod lights;
mod long_call;
mod materials;
mod mesh;
mod modifiers;
mod nodes;
mod objects;
mod prompts;
mod render;
mod resources;
mod scene;
mod screenshot;
mod skills;
mod tasks;

use rmcp::{
    handler::server::{router::tool::ToolRouter, tool::ToolCallContext},
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams, ContentBlock,
        GetSkillRequestParams, GetSkillResult, GetTaskParams, GetTaskResult, Implementation,
        ListResourceTemplatesResult, ListResourcesResult, ListSkillsResult, PaginatedRequestParams,
        ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
        UpdateTaskParams,
    },
    prompt_handler,
    service::RequestContext,
    tool_handler, ErrorData, RoleServer, ServerHandler,
};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::Peer;

use crate::BlenderClient;

pub use config::ToolConfig;
pub use confirm::ConfirmSettings;
pub use error::ToolError;
pub use exec::{ExecuteCodeInput, ExecuteCodeOutput};
pub use groups::ToolGroup;
pub use instances::{InstanceList, InstanceState, Instances};
pub use scene::{ObjectInfoInput, SceneInfoInput};
pub use screenshot::ScreenshotInput;
pub use tasks::{TaskSettings, MAX_TASK_TTL};

/// What the server tells the model about itself at `initialize`: a short
/// playbook, because a model that knows the loop (inspect, change, look,
/// verify) makes far fewer blind edits.
const INSTRUCTIONS: &str =
    "Drives a live Blender. Inspect with get_scene_info (paged: use offset/limit and \
name_contains on big scenes) and get_object_info; change things with execute_blender_code \
(Python with `bpy`; set `result = ...` or end with an expression to return JSON data; \
`args` holds the JSON you pass); look at the result with get_viewport_screenshot. \
Typed tools cover the common edits (create_object, set_transform, set_material, add_light, \
add_camera, render_image, import_file, export_file, ...); `batch` runs many of them in one call, \
atomically if asked. A failing execute_blender_code is rolled back unless rollback_on_error=false. \
Objects are addressed by their exact names; an unknown name is an error that lists close matches.";

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
        Self {
            instances,
            tool_router: instances::with_instance_argument(confirm::with_confirm_argument(
                changes::with_changes_output(tool_router),
            )),
            config: Arc::new(config),
            last_image: resources::LastImage::default(),
            list_changed: ListChanged::default(),
            tasks: tasks::Tasks::new(TaskSettings::default()),
            unsaved: confirm::UnsavedEdits::default(),
        }
        .with_tasks(TaskSettings::default())
    }

    /// Sets how MCP tasks run (see [`TaskSettings`]); before serving.
    pub fn with_tasks(mut self, settings: TaskSettings) -> Self {
        self.tasks = tasks::Tasks::new(settings);
        self.tasks.mark_tools(&mut self.tool_router);
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
            .enable_resources()
            .enable_resources_list_changed()
            .enable_prompts()
            .enable_skills()
            .build();
        self.tasks.advertise(&mut capabilities);
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("blender-mcp-rs", env!("CARGO_PKG_VERSION"))
                    .with_title("Blender (blender-mcp-rs)"),
            )
            .with_instructions(INSTRUCTIONS)
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

/// Whether a tool says it changes nothing. A tool that does not say so is
/// treated as a writer: hidden by --read-only, and followed by list_changed.
fn is_read_only(tool: &rmcp::model::Tool) -> bool {
    tool.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true)
}

/// The shortest time between two `resources/list_changed` of one session.
const LIST_CHANGED_INTERVAL: Duration = Duration::from_millis(100);

/// Announces `resources/list_changed` after writer tools without delaying
/// their replies, and at most once per interval.
///
/// Awaiting the notification in `call_tool` put a round trip through rmcp's
/// service loop and one more stdout line before every writer's reply; a
/// script of many `execute_blender_code` calls got one notification per
/// call, each one waking the client. Now the first write after a quiet
/// interval is announced at once (so a client sees it before the reply to
/// its next request) and later writes within the interval share one
/// notification sent at its end. Every write is still followed by a
/// notification sent after it completed.
struct ListChanged {
    state: Arc<Mutex<ListChangedState>>,
    interval: Duration,
}

#[derive(Default)]
struct ListChangedState {
    /// A notification task is waiting to send; later writes ride on it.
    scheduled: bool,
    last_sent: Option<tokio::time::Instant>,
}

impl Default for ListChanged {
    fn default() -> Self {
        Self::with_interval(LIST_CHANGED_INTERVAL)
    }
}

/// A clone is the handler of another session (the HTTP server makes one per
/// session), whose client must get its own notifications: it starts with a
/// fresh state rather than sharing this session's.
impl Clone for ListChanged {
    fn clone(&self) -> Self {
        Self::with_interval(self.interval)
    }
}

impl ListChanged {
    fn with_interval(interval: Duration) -> Self {
        ListChanged {
            state: Arc::default(),
            interval,
        }
    }

    fn announce(&self, peer: Peer<RoleServer>) {
        self.schedule(move || async move {
            // Best effort: a client that is gone or does not listen loses nothing.
            let _ = peer.notify_resource_list_changed().await;
        });
    }

    /// Runs `send` at once, or at the end of the interval since the last
    /// send, unless a send is scheduled already.
    fn schedule<F, Fut>(&self, send: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let delay = {
            let mut state = self.state.lock().unwrap();
            if state.scheduled {
                return;
            }
            state.scheduled = true;
            state.last_sent.map_or(Duration::ZERO, |at| {
                (at + self.interval).saturating_duration_since(tokio::time::Instant::now())
            })
        };
        let state = self.state.clone();
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            {
                let mut state = state.lock().unwrap();
                state.scheduled = false;
                state.last_sent = Some(tokio::time::Instant::now());
            }
            send().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counter(list_changed: &ListChanged, sent: &Arc<AtomicUsize>) {
        let sent = sent.clone();
        list_changed.schedule(move || async move {
            sent.fetch_add(1, Ordering::SeqCst);
        });
    }

    /// Waits until `n` were sent (the limit only turns a hang into a failure).
    async fn wait_for(sent: &AtomicUsize, n: usize) {
        let sent_n = async {
            while sent.load(Ordering::SeqCst) < n {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(60), sent_n)
            .await
            .expect("the notifications were never sent");
    }

    #[tokio::test]
    async fn a_burst_of_writes_is_announced_at_once_then_once_more() {
        let sent = Arc::new(AtomicUsize::new(0));
        // An interval no test run outlasts: what is sent does not depend on timing.
        let list_changed = ListChanged::with_interval(Duration::from_secs(3600));
        counter(&list_changed, &sent);
        wait_for(&sent, 1).await;
        for _ in 0..20 {
            counter(&list_changed, &sent);
        }
        tokio::task::yield_now().await;
        assert_eq!(sent.load(Ordering::SeqCst), 1);
        assert!(
            list_changed.state.lock().unwrap().scheduled,
            "the burst waits for one trailing notification"
        );
    }

    #[tokio::test]
    async fn the_trailing_notification_comes_after_the_interval() {
        let sent = Arc::new(AtomicUsize::new(0));
        let list_changed = ListChanged::with_interval(Duration::from_millis(20));
        counter(&list_changed, &sent);
        wait_for(&sent, 1).await;
        counter(&list_changed, &sent);
        counter(&list_changed, &sent);
        wait_for(&sent, 2).await;
        assert!(!list_changed.state.lock().unwrap().scheduled);
        // A session's clone is another session: its own first write goes out at once.
        let other = list_changed.clone();
        counter(&other, &sent);
        wait_for(&sent, 3).await;
    }
}
