//! Bringing a job's record in line with what its backend and its frames
//! say: the one place chunk states change while a job runs.
//!
//! Frames on disk are the truth of progress; the backend only says whether
//! an attempt waits, runs or ended. A chunk whose attempt ended without
//! every frame is a failed attempt, retried while the job's retry budget
//! lasts; chunks waiting without a handle are offered to the backend again
//! (a pool with free slots takes them). Running it again changes nothing,
//! so the watcher, every `get` and a restarted server can all call it.

use std::collections::HashMap;

use crate::backend::{Backend, TaskStatus};
use crate::job_dir::JobDir;
use crate::record::{now, ChunkRecord, JobRecord, State};
use crate::view::compact;

/// Updates `job` from `backend` and the frame markers in `dir`; saves it if
/// it changed. Returns a warning when the backend could not be asked.
pub fn reconcile(backend: &dyn Backend, dir: &JobDir, job: &mut JobRecord) -> Option<String> {
    let before = job.clone();
    let mut warning = None;
    let handles: Vec<String> = job
        .chunks
        .iter()
        .filter(|c| c.state.is_active())
        .filter_map(|c| c.handle.clone())
        .collect();
    // Statuses first, frames second: a worker that writes its last frame
    // and exits in between is then seen done, not failed.
    let statuses = if handles.is_empty() {
        HashMap::new()
    } else {
        let refs: Vec<&str> = handles.iter().map(String::as_str).collect();
        backend.status(job, &refs).unwrap_or_else(|e| {
            warning = Some(e.to_string());
            HashMap::new()
        })
    };
    let mut waiting = Vec::new();
    for chunk in job.chunks.iter_mut().filter(|c| c.state.is_active()) {
        let missing: Vec<i64> = chunk
            .frames
            .iter()
            .copied()
            .filter(|&f| dir.frame_done(f).is_none())
            .collect();
        if missing.is_empty() {
            chunk.state = State::Done;
            continue;
        }
        let Some(handle) = &chunk.handle else {
            waiting.push(chunk.index);
            continue;
        };
        match statuses.get(handle) {
            None => {} // the backend was not reachable: keep the last state
            Some(TaskStatus::Queued) => chunk.state = State::Queued,
            Some(TaskStatus::Running) => {
                chunk.state = State::Running;
                chunk.started_at.get_or_insert_with(now);
            }
            Some(TaskStatus::Ended { reason, .. }) => {
                fail_attempt(chunk, reason, &missing, job.retries, &mut waiting)
            }
            Some(TaskStatus::Unknown) => fail_attempt(
                chunk,
                "the worker is gone",
                &missing,
                job.retries,
                &mut waiting,
            ),
        }
    }
    if !job.cancelled && !waiting.is_empty() {
        match backend.submit(dir, job, &waiting) {
            Ok(started) => record_started(job, &started),
            Err(e) => warning = Some(e.to_string()),
        }
    }
    if !job.state().is_active() && job.finished_at.is_none() {
        job.finished_at = Some(now());
    }
    if *job != before {
        if let Err(e) = dir.save(job) {
            warning = Some(e.to_string());
        }
    }
    warning
}

/// Notes a failed attempt of `chunk`; queues it again while retries last.
fn fail_attempt(
    chunk: &mut ChunkRecord,
    why: &str,
    missing: &[i64],
    retries: u32,
    waiting: &mut Vec<usize>,
) {
    chunk.reason = Some(format!(
        "attempt {}: {why} before rendering frames {}",
        chunk.attempts,
        compact(missing)
    ));
    chunk.handle = None;
    chunk.started_at = None;
    if chunk.attempts <= retries {
        chunk.state = State::Queued;
        waiting.push(chunk.index);
    } else {
        chunk.state = State::Failed;
    }
}

/// Stores the handles of attempts a backend started.
pub fn record_started(job: &mut JobRecord, started: &[(usize, String)]) {
    for (index, handle) in started {
        let chunk = &mut job.chunks[*index];
        chunk.handle = Some(handle.clone());
        chunk.attempts += 1;
        chunk.state = State::Queued;
    }
}
