//! Long tool calls: MCP progress out, MCP cancellation in.
//!
//! A render or a long script can take minutes. The model's client sees that
//! it is alive through progress notifications (when it sent a progress
//! token), and can stop it with `notifications/cancelled`: the call's future
//! is then dropped, which makes the bridge client send `cancel` to Blender,
//! so Blender stops working for nobody instead of finishing a discarded job.
//! A call run as an MCP task reports to the task's status message instead,
//! and is cancelled by `tasks/cancel` through the same token.

use std::future::Future;

use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::RequestContext;
use rmcp::task_manager::TaskContext;
use rmcp::{Peer, RoleServer};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::tasks::{current_task, follow_progress};
use super::ToolError;
use crate::protocol::Progress;
use crate::CallOptions;

/// What a tool needs from its MCP request to run a long Blender call.
pub(crate) struct LongCall {
    progress_token: Option<ProgressToken>,
    peer: Peer<RoleServer>,
    cancelled: CancellationToken,
    /// The task this call runs as: progress goes to its status message.
    task: Option<TaskContext>,
}

impl LongCall {
    /// Takes the progress token and the cancellation signal of `context`.
    pub(crate) fn new(context: &RequestContext<RoleServer>) -> Self {
        Self {
            progress_token: context.meta.get_progress_token(),
            peer: context.peer.clone(),
            cancelled: context.ct.clone(),
            task: current_task(),
        }
    }

    /// Runs `call` with call options that ask Blender for progress when the
    /// client wants it; forwards each report as an MCP progress notification;
    /// gives up (dropping `call`, hence cancelling it in Blender) when the
    /// client cancels the request, and then returns `None`.
    pub(crate) async fn run<T, F, Fut>(&self, mut options: CallOptions, call: F) -> Option<T>
    where
        F: FnOnce(CallOptions) -> Fut,
        Fut: Future<Output = T>,
    {
        let forwarder = if let Some(task) = self.task.clone() {
            let (sender, receiver) = mpsc::unbounded_channel();
            options.progress = Some(sender);
            Some(tokio::spawn(follow_progress(task, receiver)))
        } else {
            self.progress_token.clone().map(|token| {
                let (sender, receiver) = mpsc::unbounded_channel();
                options.progress = Some(sender);
                tokio::spawn(forward_progress(self.peer.clone(), token, receiver))
            })
        };
        let outcome = tokio::select! {
            outcome = call(options) => Some(outcome),
            _ = self.cancelled.cancelled() => None,
        };
        if let Some(forwarder) = forwarder {
            // The sender went away with the call: the forwarder drains what is
            // left and ends, so no notification follows the result.
            let _ = forwarder.await;
        }
        outcome
    }

    /// The error of a call the client cancelled.
    pub(crate) fn cancelled_error() -> ToolError {
        ToolError::new("cancelled by the client; Blender was told to stop the work")
    }
}

async fn forward_progress(
    peer: Peer<RoleServer>,
    token: ProgressToken,
    mut reports: mpsc::UnboundedReceiver<Progress>,
) {
    while let Some(report) = reports.recv().await {
        let mut param = ProgressNotificationParam::new(token.clone(), report.done);
        if let Some(total) = report.total {
            param = param.with_total(total);
        }
        if let Some(message) = report.message {
            param = param.with_message(message);
        }
        if peer.notify_progress(param).await.is_err() {
            return; // the client is gone; nothing left to tell
        }
    }
}
