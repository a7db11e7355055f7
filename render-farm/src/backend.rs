//! The interface between jobs and whatever runs their chunks.
//!
//! A backend only starts, observes and stops chunk attempts, each known by
//! a handle (an opaque string it chose). Everything else — chunking, the
//! record, retries, progress from the frames on disk — is the farm's, so a
//! scheduler is added by implementing these four calls: Deadline (a job
//! with a frame list and chunk size), OpenCue (a layer's frames) and
//! Flamenco (a job's tasks) each map a chunk to their own unit of work.

pub mod local;
pub mod slurm;

use std::collections::HashMap;

use crate::error::Result;
use crate::job_dir::JobDir;
use crate::record::JobRecord;

/// What a backend knows of one chunk attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskStatus {
    /// Waiting for a node or a slot.
    Queued,
    /// Its worker runs.
    Running,
    /// Its worker ended; `ok` when it exited cleanly. `reason` says how.
    Ended { ok: bool, reason: String },
    /// The backend no longer knows it (purged from the queue, or a worker of
    /// a previous server that is gone): the frames on disk tell the outcome.
    Unknown,
}

/// A scheduler or pool that runs chunks of jobs.
pub trait Backend: Send + Sync {
    /// The name users choose it by.
    fn name(&self) -> &'static str;

    /// Fails with a sentence saying what is missing when the backend cannot
    /// take jobs now (checked before anything is written).
    fn check(&self) -> Result<()>;

    /// Starts attempts of the given chunks of a job whose directory and
    /// record are written. Returns `(chunk index, handle)` for each chunk it
    /// took; a backend may take fewer (a full pool), and the others are
    /// offered again later.
    fn submit(
        &self,
        dir: &JobDir,
        job: &JobRecord,
        chunks: &[usize],
    ) -> Result<Vec<(usize, String)>>;

    /// The status of the given handles of `job`.
    fn status(&self, job: &JobRecord, handles: &[&str]) -> Result<HashMap<String, TaskStatus>>;

    /// Stops the given attempts; their workers are gone when it returns Ok.
    fn cancel(&self, job: &JobRecord, handles: &[&str]) -> Result<()>;
}
