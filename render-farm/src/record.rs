//! The record of a job: one JSON file in its directory, rewritten
//! atomically (write a temporary file, then rename), so a reader never sees
//! half a record and a restarted server finds every job it submitted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{FarmError, Result};

/// Where a job, a chunk or a frame stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Waiting for a worker.
    Queued,
    /// A worker is rendering it.
    Running,
    /// Every frame is rendered.
    Done,
    /// A worker stopped without rendering every frame, and no retry is left.
    Failed,
    /// Stopped on request.
    Cancelled,
}

impl State {
    /// Queued or running: a backend may still be working on it.
    pub fn is_active(self) -> bool {
        matches!(self, State::Queued | State::Running)
    }
}

/// How the frames are rendered; `None` keeps the scene's own setting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RenderSettings {
    /// CYCLES, EEVEE or WORKBENCH.
    pub engine: Option<String>,
    /// Samples per pixel.
    pub samples: Option<u32>,
    /// `[width, height]` in pixels.
    pub resolution: Option<[u32; 2]>,
}

/// One chunk: frames a worker renders in one Blender start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkRecord {
    /// Position in the job, also the Slurm array index.
    pub index: usize,
    /// The frames, in render order.
    pub frames: Vec<i64>,
    /// Where it stands.
    pub state: State,
    /// Starts so far (the first one included).
    pub attempts: u32,
    /// The backend's id of the current attempt (`None`: waiting to be started).
    pub handle: Option<String>,
    /// Why the latest attempt failed.
    pub reason: Option<String>,
    /// Unix seconds when the current attempt was first seen running.
    pub started_at: Option<f64>,
}

/// A job as recorded in `job.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// The job id, also its directory's name.
    pub id: String,
    /// A label for people.
    pub name: String,
    /// The backend's name (`slurm`, `local`).
    pub backend: String,
    /// Higher runs first where the backend supports it.
    pub priority: Option<i32>,
    /// Unix seconds at submission.
    pub submitted_at: f64,
    /// Unix seconds when it reached done, failed or cancelled.
    pub finished_at: Option<f64>,
    /// Render settings the workers apply to the snapshot.
    pub settings: RenderSettings,
    /// The output pattern, absolute; `#`s are replaced by the frame number.
    pub output: PathBuf,
    /// Automatic retries each chunk gets.
    pub retries: u32,
    /// Set by cancel: nothing of the job is started again.
    pub cancelled: bool,
    /// The chunks, in order.
    pub chunks: Vec<ChunkRecord>,
    /// The scene's frame rate when it was snapshotted (for the movie).
    #[serde(default)]
    pub fps: Option<f64>,
}

impl JobRecord {
    /// Reads `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(FarmError::io(path))?;
        serde_json::from_str(&text).map_err(|e| FarmError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })
    }

    /// Writes to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_vec_pretty(self).expect("a record always serialises");
        write_atomically(path, &text)
    }

    /// Every frame of the job, in order.
    pub fn frames(&self) -> impl Iterator<Item = i64> + '_ {
        self.chunks.iter().flat_map(|c| c.frames.iter().copied())
    }

    /// The job's state, from its chunks'.
    pub fn state(&self) -> State {
        let has = |state| self.chunks.iter().any(|c| c.state == state);
        if self.chunks.iter().all(|c| c.state == State::Done) {
            State::Done
        } else if self.cancelled {
            State::Cancelled
        } else if has(State::Running) || (has(State::Queued) && has(State::Done)) {
            State::Running
        } else if has(State::Queued) {
            State::Queued
        } else if has(State::Failed) {
            State::Failed
        } else {
            // Some chunks cancelled on their own, the rest done.
            State::Cancelled
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, which replaces the file in one step.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(FarmError::io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(FarmError::io(path))
}

/// Now, in Unix seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(states: &[State], cancelled: bool) -> JobRecord {
        JobRecord {
            id: "j".into(),
            name: "j".into(),
            backend: "local".into(),
            priority: None,
            submitted_at: 0.0,
            finished_at: None,
            settings: RenderSettings::default(),
            output: "/out/####".into(),
            retries: 0,
            cancelled,
            fps: None,
            chunks: states
                .iter()
                .enumerate()
                .map(|(index, &state)| ChunkRecord {
                    index,
                    frames: vec![index as i64],
                    state,
                    attempts: 1,
                    handle: None,
                    reason: None,
                    started_at: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_jobs_state_follows_its_chunks() {
        use State::*;
        for (chunks, cancelled, expected) in [
            (&[Done, Done][..], false, Done),
            (&[Queued, Queued], false, Queued),
            (&[Done, Queued], false, Running),
            (&[Failed, Running], false, Running),
            (&[Done, Failed], false, Failed),
            (&[Done, Cancelled], false, Cancelled),
            (&[Failed, Cancelled], false, Failed),
            (&[Done, Cancelled], true, Cancelled),
            (&[Done, Done], true, Done),
        ] {
            assert_eq!(
                job(chunks, cancelled).state(),
                expected,
                "{chunks:?} {cancelled}"
            );
        }
    }
}
