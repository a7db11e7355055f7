//! MCP Tasks (`io.modelcontextprotocol/tasks`, SEP-2663, as rmcp 3.11
//! implements it) for the long tools: `render_image`, `render_animation`,
//! `execute_blender_code` and `batch`.
//!
//! A client that declares the extension gets a task handle back at once for
//! these calls and polls `tasks/get`: the status message says where the task
//! is in its Blender's queue, then what Blender reports ("rendering frame 12
//! (11/24)"); the result is read once completed. `tasks/cancel` stops the
//! work in Blender the way `notifications/cancelled` does for a plain call
//! (the call's cancellation token fires, the bridge cancels, a guarded
//! script is rolled back). Task creation is the server's choice in SEP-2663
//! (clients do not ask for it per call), so a client that does not declare
//! the extension (every 2024-11-05 .. 2025-11-25 client) never sees one.
//!
//! Tasks are kept in one store shared by every session of the server (the
//! HTTP server makes a handler per session, and one per request for
//! stateless 2026-07-28 clients, whose `tasks/get` arrives at a new handler),
//! so a task outlives the request and the handler that made it. A task made
//! in a session (stdio, an `initialize`d HTTP or SSE session) belongs to that
//! session: another session asking for its id is told the task is unknown,
//! exactly as for an id that never existed. A task made by a stateless
//! request belongs to no session; its unguessable id (a v4 UUID) is the only
//! key to it, as the extension intends.

mod queue;
mod status;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CreateTaskResult, GetTaskResult,
    JsonObject, MetaObject, ServerCapabilities, TASKS_EXTENSION_ID,
};
use rmcp::service::RequestContext;
use rmcp::task_manager::{TaskContext, TaskExit, TaskManager, TaskOptions};
use rmcp::{ErrorData, RoleServer};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::instances::{Instances, Target};
use super::BlenderTools;
use queue::{RunQueue, Slot};
pub(crate) use status::{current as current_task, follow_progress};

/// The tools a declaring client gets a task for: the ones that can run for
/// minutes. Quick tools answer directly, as a task would only add a poll.
const TASK_TOOLS: [&str; 4] = [
    "render_image",
    "render_animation",
    "execute_blender_code",
    "batch",
];

/// The longest a task is kept, however it is configured.
pub const MAX_TASK_TTL: Duration = Duration::from_secs(24 * 3600);

/// The poll interval suggested to clients: a frame or a script step takes
/// about this long, so polling faster mostly sees the same message.
const POLL_INTERVAL_MS: u64 = 500;

/// How tasks run: set from `--max-tasks-per-blender` and `--task-ttl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskSettings {
    /// Tasks working on one Blender at a time; more wait in line. 0 turns
    /// tasks off (not advertised; every call answers directly).
    pub max_running_per_blender: usize,
    /// How long a task lives from its creation (capped at
    /// [`MAX_TASK_TTL`]): one still working then is stopped and failed; a
    /// finished one's result is kept this long after it finished.
    pub ttl: Duration,
}

impl Default for TaskSettings {
    /// One task per Blender (it renders one thing at a time); an hour each.
    fn default() -> Self {
        Self {
            max_running_per_blender: 1,
            ttl: Duration::from_secs(3600),
        }
    }
}

/// The server's tasks, as seen from one session.
///
/// Cloning gives the handler of another session: the same store, a new
/// session identity (see the module docs).
pub(crate) struct Tasks {
    board: Arc<Board>,
    session: u64,
}

/// What every session shares.
struct Board {
    settings: TaskSettings,
    manager: TaskManager,
    /// The session each live task belongs to (`None`: to whoever has its id).
    owners: Mutex<HashMap<String, Option<u64>>>,
    /// One run queue per Blender instance, by instance name.
    queues: Mutex<HashMap<String, Arc<RunQueue>>>,
}

static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

impl Clone for Tasks {
    fn clone(&self) -> Self {
        Self {
            board: self.board.clone(),
            session: NEXT_SESSION.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Tasks {
    pub(crate) fn new(settings: TaskSettings) -> Self {
        let settings = TaskSettings {
            ttl: settings.ttl.min(MAX_TASK_TTL),
            ..settings
        };
        Self {
            board: Arc::new(Board {
                settings,
                manager: TaskManager::new(),
                owners: Mutex::default(),
                queues: Mutex::default(),
            }),
            session: NEXT_SESSION.fetch_add(1, Ordering::Relaxed),
        }
    }

    fn enabled(&self) -> bool {
        self.board.settings.max_running_per_blender > 0
    }

    /// Declares the extension in the server's capabilities.
    pub(crate) fn advertise(&self, capabilities: &mut ServerCapabilities) {
        if self.enabled() {
            capabilities
                .extensions
                .get_or_insert_default()
                .insert(TASKS_EXTENSION_ID.to_owned(), JsonObject::new());
        }
    }

    /// Marks the task tools in `tools/list` (`_meta` under the extension's
    /// id: SEP-2663 dropped the 2025-11-25 `execution.taskSupport` field, and
    /// rmcp's `Tool` has none, but a client may still want to know which
    /// calls can come back as a task).
    pub(crate) fn mark_tools(&self, router: &mut ToolRouter<BlenderTools>) {
        for name in TASK_TOOLS {
            if let Some(route) = router.map.get_mut(name) {
                let meta = route.attr.meta.get_or_insert_with(MetaObject::new);
                if self.enabled() {
                    meta.0.insert(
                        TASKS_EXTENSION_ID.to_owned(),
                        json!({ "taskSupport": "optional" }),
                    );
                } else {
                    meta.0.remove(TASKS_EXTENSION_ID);
                }
            }
        }
    }

    /// Whether this call should run as a task: a long tool, called by a
    /// client that declared the extension on this request or at initialize.
    pub(crate) fn wanted(&self, tool: &str, context: &RequestContext<RoleServer>) -> bool {
        self.enabled()
            && TASK_TOOLS.contains(&tool)
            && context
                .client_capabilities()
                .is_some_and(|caps| caps.supports_tasks())
    }

    /// The session a request speaks for: none for a stateless 2026-07-28
    /// request (it carries its protocol version in `_meta`), else this
    /// handler's session.
    fn requester(&self, context: &RequestContext<RoleServer>) -> Option<u64> {
        match context.meta.protocol_version() {
            Some(_) => None,
            None => Some(self.session),
        }
    }

    /// `tasks/get`, for tasks this requester may see.
    pub(crate) fn get(
        &self,
        task_id: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        self.check_visible(task_id, context)?;
        Ok(GetTaskResult::new(self.board.manager.get_task(task_id)?))
    }

    /// `tasks/cancel`, for tasks this requester may see.
    pub(crate) fn cancel(
        &self,
        task_id: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.check_visible(task_id, context)?;
        self.board.manager.cancel_task(task_id)
    }

    /// `tasks/update`: these tasks never ask for input, but an id is still
    /// checked the same way.
    pub(crate) fn update(
        &self,
        task_id: &str,
        responses: impl IntoIterator<Item = (String, serde_json::Value)>,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.check_visible(task_id, context)?;
        self.board.manager.update_task(task_id, responses)
    }

    /// Another session's task is answered like an unknown one, so ids tell
    /// nothing across sessions.
    fn check_visible(
        &self,
        task_id: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let owner = self.board.owners.lock().unwrap().get(task_id).copied();
        match owner {
            Some(Some(session)) if Some(session) != self.requester(context) => Err(
                ErrorData::invalid_params(format!("unknown task: {task_id}"), None),
            ),
            _ => Ok(()),
        }
    }

    fn queue_for(&self, instance: &str) -> Arc<RunQueue> {
        let limit = self.board.settings.max_running_per_blender;
        self.board
            .queues
            .lock()
            .unwrap()
            .entry(instance.to_owned())
            .or_insert_with(|| RunQueue::new(limit))
            .clone()
    }

    /// Records who owns `task_id`, forgetting tasks the manager has let go.
    fn record_owner(&self, task_id: String, owner: Option<u64>) {
        let mut owners = self.board.owners.lock().unwrap();
        owners.retain(|id, _| self.board.manager.get_task(id).is_ok());
        owners.insert(task_id, owner);
    }

    fn options(&self, status: String) -> TaskOptions {
        TaskOptions::new()
            .with_ttl_ms(self.board.settings.ttl.as_millis() as u64)
            .with_poll_interval_ms(POLL_INTERVAL_MS)
            .with_status_message(status)
    }
}

impl BlenderTools {
    /// Starts the call as a task and answers with its handle. The work waits
    /// for its turn on `target`'s Blender, then runs exactly as a direct call
    /// would (same routing, change tracking and instance), with the task's
    /// status message in place of progress notifications.
    pub(super) fn call_as_task(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
        target: Target,
        writes: bool,
    ) -> CallToolResponse {
        let tasks = &self.tasks;
        let queue = tasks.queue_for(&target.name);
        let owner = tasks.requester(&context);
        let tools = self.clone();
        let task = tasks
            .board
            .manager
            .spawn(tasks.options(status::queued(0)), move |handle| {
                Box::pin(async move {
                    let Some(_slot) = wait_turn(&queue, &handle).await else {
                        return Err(TaskExit::Cancelled);
                    };
                    handle.set_status_message("running");
                    tools
                        .run_task(request, context, target, writes, handle)
                        .await
                })
            });
        tasks.record_owner(task.task_id.clone(), owner);
        CallToolResponse::Task(CreateTaskResult::new(task))
    }

    /// The task's work once its turn came.
    async fn run_task(
        &self,
        request: CallToolRequestParams,
        mut context: RequestContext<RoleServer>,
        target: Target,
        writes: bool,
        handle: TaskContext,
    ) -> Result<CallToolResult, TaskExit> {
        // The request's own token fires when its session or stateless
        // request ends; the task lives on until tasks/cancel or its TTL.
        let cancelled = CancellationToken::new();
        context.ct = cancelled.clone();
        let peer = context.peer.clone();
        let call = self
            .tool_router
            .call(ToolCallContext::new(self, request, context));
        let call = status::scope(handle.clone(), self.tracking_changes(writes, call));
        let response = tokio::select! {
            response = Instances::scope(target, call) => response,
            never = forward_cancel(&handle, &cancelled) => match never {},
        };
        if cancelled.is_cancelled() {
            return Err(TaskExit::Cancelled);
        }
        if writes && response.is_ok() {
            self.list_changed.announce(peer);
            self.subscriptions.scene_written();
        }
        match response? {
            CallToolResponse::Complete(result) => Ok(result),
            _ => Err(TaskExit::Error(ErrorData::internal_error(
                "the tool asked for client input, which a task cannot give",
                None,
            ))),
        }
    }
}

/// Waits for a slot on the task's Blender, saying in the status message how
/// many are ahead; `None` when the task is cancelled while it waits.
async fn wait_turn(queue: &Arc<RunQueue>, handle: &TaskContext) -> Option<Slot> {
    let report = |ahead| handle.set_status_message(status::queued(ahead));
    tokio::select! {
        slot = queue.wait_turn(report) => Some(slot),
        () = handle.cancelled() => None,
    }
}

/// Fires `cancelled` on `tasks/cancel`, so the tool stops the way a
/// cancelled request does (and cleans up: rollback, bridge cancel). Never
/// returns: the call's own end decides when the task ends.
async fn forward_cancel(
    handle: &TaskContext,
    cancelled: &CancellationToken,
) -> std::convert::Infallible {
    handle.cancelled().await;
    cancelled.cancel();
    std::future::pending().await
}
