//! A task's status message: where it is in the queue, then what Blender
//! reports as it works ("rendering frame 12 (11/24)").
//!
//! The tools report progress through [`LongCall`](super::super::long_call),
//! which sends it to the client as MCP progress notifications. A call run as
//! a task has no request left to attach notifications to, so the task's
//! handle is held in a task-local while the call runs and `LongCall` turns
//! the same reports into the task's status message instead: no tool needs
//! to know whether it runs as a task.

use std::future::Future;

use rmcp::task_manager::TaskContext;
use tokio::sync::mpsc;

use crate::protocol::Progress;

tokio::task_local! {
    /// The task the current tool call runs as, if it runs as one.
    static CURRENT: TaskContext;
}

/// The handle of the task the current call runs as, if any.
pub(crate) fn current() -> Option<TaskContext> {
    CURRENT.try_with(TaskContext::clone).ok()
}

/// Runs `call` as the work of task `handle`.
pub(super) async fn scope<F: Future>(handle: TaskContext, call: F) -> F::Output {
    CURRENT.scope(handle, call).await
}

/// Makes each progress report the task's status message, until the call
/// drops its sender.
pub(crate) async fn follow_progress(
    handle: TaskContext,
    mut reports: mpsc::UnboundedReceiver<Progress>,
) {
    while let Some(report) = reports.recv().await {
        handle.set_status_message(describe(&report));
    }
}

/// "rendering frame 12 (11/24)": the step, then the count done.
fn describe(report: &Progress) -> String {
    let count = match report.total {
        Some(total) => format!("{}/{}", number(report.done), number(total)),
        None => number(report.done),
    };
    match &report.message {
        Some(message) => format!("{message} ({count})"),
        None => count,
    }
}

/// Whole numbers without the ".0" a float would print.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.1}")
    }
}

/// The status message of a task waiting for its Blender.
pub(super) fn queued(ahead: usize) -> String {
    format!("queued: {ahead} ahead")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(done: f64, total: Option<f64>, message: Option<&str>) -> Progress {
        Progress {
            done,
            total,
            message: message.map(str::to_string),
        }
    }

    #[test]
    fn progress_reads_as_step_then_count() {
        assert_eq!(
            describe(&report(11.0, Some(24.0), Some("rendering frame 12"))),
            "rendering frame 12 (11/24)"
        );
        assert_eq!(describe(&report(2.5, None, None)), "2.5");
        assert_eq!(queued(2), "queued: 2 ahead");
    }
}
