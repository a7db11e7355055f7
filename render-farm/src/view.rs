//! What a job looks like to whoever watches it: states, progress, times,
//! failures with their log tails, output paths. Built from the record and
//! the frame markers; never stored.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Serialize;

use crate::job_dir::JobDir;
use crate::record::{now, ChunkRecord, JobRecord, State};

/// Lines of a failed chunk's log shown with it.
const LOG_TAIL_LINES: usize = 15;
/// Most output paths listed; the pattern covers the rest.
const MAX_OUTPUTS: usize = 500;
/// Most chunks listed: beyond it only unfinished ones are, so a job of
/// thousands of chunks does not flood an agent's context.
const MAX_CHUNKS: usize = 50;

/// A job's frames grouped by state, each as a frame list like `1-6,9`.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct FramesByState {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub done: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub running: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub queued: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub failed: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cancelled: String,
}

/// One chunk of a job.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChunkView {
    /// Chunk number (the Slurm array index).
    pub index: usize,
    /// Its frames, e.g. `1-6`.
    pub frames: String,
    /// queued, running, done, failed or cancelled.
    pub state: State,
    /// Frames rendered so far.
    pub frames_done: usize,
    /// Starts so far.
    pub attempts: u32,
    /// The backend's id of the current attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Why the latest attempt failed (also after a successful retry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The end of the chunk's log, when an attempt failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_tail: Option<String>,
}

/// A job: its state, progress and outputs.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JobView {
    pub id: String,
    pub name: String,
    /// slurm or local.
    pub backend: String,
    /// queued, running, done, failed or cancelled.
    pub state: State,
    pub frames_total: usize,
    pub frames_done: usize,
    /// Seconds since submission (until it finished).
    pub elapsed_seconds: f64,
    /// A linear estimate from the frames done so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_seconds: Option<f64>,
    /// Frames by state.
    pub frames: FramesByState,
    /// Every chunk; for jobs of more than 50, the first 50 not done.
    pub chunks: Vec<ChunkView>,
    pub chunks_total: usize,
    /// The output pattern (`#` = frame digits).
    pub output: PathBuf,
    /// Images rendered, in frame order (at most 500).
    pub outputs: Vec<PathBuf>,
    /// The job directory (record, snapshot, logs).
    pub job_dir: PathBuf,
    /// The scene's frame rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fps: Option<f64>,
    /// An MP4 of the frames, once the job is done (where ffmpeg is installed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub movie: Option<PathBuf>,
    /// A problem reaching the backend; states are as last seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// A job in a listing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JobSummary {
    pub id: String,
    pub name: String,
    pub backend: String,
    pub state: State,
    pub frames_total: usize,
    pub frames_done: usize,
    /// Unix seconds.
    pub submitted_at: f64,
}

impl JobView {
    /// The view of `job`, whose frames are marked in `dir`.
    pub fn new(dir: &JobDir, job: &JobRecord, warning: Option<String>) -> Self {
        let mut frames = FramesByState::default();
        let mut by_state: Vec<(State, Vec<i64>)> = Vec::new();
        let mut outputs = Vec::new();
        let mut chunks = Vec::new();
        for chunk in &job.chunks {
            let mut done = 0;
            let mut running_shown = false;
            for &frame in &chunk.frames {
                let state = match dir.frame_done(frame) {
                    Some(marker) => {
                        done += 1;
                        if outputs.len() < MAX_OUTPUTS {
                            outputs.push(marker.path);
                        }
                        State::Done
                    }
                    None if chunk.state == State::Running && !running_shown => {
                        running_shown = true;
                        State::Running
                    }
                    None if chunk.state == State::Running || chunk.state == State::Done => {
                        State::Queued
                    }
                    None => chunk.state,
                };
                match by_state.iter_mut().find(|(s, _)| *s == state) {
                    Some((_, list)) => list.push(frame),
                    None => by_state.push((state, vec![frame])),
                }
            }
            chunks.push(chunk_view(dir, chunk, done));
        }
        for (state, list) in by_state {
            let slot = match state {
                State::Done => &mut frames.done,
                State::Running => &mut frames.running,
                State::Queued => &mut frames.queued,
                State::Failed => &mut frames.failed,
                State::Cancelled => &mut frames.cancelled,
            };
            *slot = compact(&list);
        }
        let frames_total = job.frames().count();
        let frames_done = chunks.iter().map(|c| c.frames_done).sum();
        let chunks_total = chunks.len();
        if chunks_total > MAX_CHUNKS {
            chunks.retain(|c| c.state != State::Done);
            chunks.truncate(MAX_CHUNKS);
        }
        let state = job.state();
        let elapsed_seconds = job.finished_at.unwrap_or_else(now) - job.submitted_at;
        let remaining_seconds = (state.is_active() && frames_done > 0).then(|| {
            (elapsed_seconds / frames_done as f64 * (frames_total - frames_done) as f64).round()
        });
        Self {
            id: job.id.clone(),
            name: job.name.clone(),
            backend: job.backend.clone(),
            state,
            frames_total,
            frames_done,
            elapsed_seconds: (elapsed_seconds * 10.0).round() / 10.0,
            remaining_seconds,
            frames,
            chunks,
            chunks_total,
            output: job.output.clone(),
            outputs,
            job_dir: dir.root().to_owned(),
            fps: job.fps,
            movie: Some(dir.root().join(crate::movie::MOVIE_FILE)).filter(|movie| movie.is_file()),
            warning,
        }
    }
}

impl JobSummary {
    /// The summary of a job from its view.
    pub fn new(view: &JobView, job: &JobRecord) -> Self {
        Self {
            id: view.id.clone(),
            name: view.name.clone(),
            backend: view.backend.clone(),
            state: view.state,
            frames_total: view.frames_total,
            frames_done: view.frames_done,
            submitted_at: job.submitted_at,
        }
    }
}

fn chunk_view(dir: &JobDir, chunk: &ChunkRecord, frames_done: usize) -> ChunkView {
    ChunkView {
        index: chunk.index,
        frames: compact(&chunk.frames),
        state: chunk.state,
        frames_done,
        attempts: chunk.attempts,
        handle: chunk.handle.clone(),
        reason: chunk.reason.clone(),
        log_tail: chunk
            .reason
            .as_ref()
            .map(|_| dir.log_tail(chunk.index, LOG_TAIL_LINES))
            .filter(|t| !t.is_empty()),
    }
}

/// Frames as runs: `[1, 2, 3, 5]` is `1-3,5`.
pub fn compact(frames: &[i64]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < frames.len() {
        let start = frames[i];
        while i + 1 < frames.len() && frames[i + 1] == frames[i] + 1 {
            i += 1;
        }
        parts.push(if frames[i] == start {
            start.to_string()
        } else {
            format!("{start}-{}", frames[i])
        });
        i += 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RenderSettings;

    #[test]
    fn big_jobs_list_only_unfinished_chunks() {
        let root = std::env::temp_dir().join(format!("render-farm-view-{}", std::process::id()));
        let dir = JobDir::new(&root, "big");
        dir.create().unwrap();
        let chunk = |index: usize| ChunkRecord {
            index,
            frames: vec![index as i64 + 1],
            state: if index < 20 {
                State::Done
            } else {
                State::Queued
            },
            attempts: 1,
            handle: None,
            reason: None,
            started_at: None,
        };
        for frame in 1..=20 {
            let marker = format!(r#"{{"path": "/out/{frame:04}.png", "seconds": 1.0}}"#);
            std::fs::write(dir.root().join("done").join(frame.to_string()), marker).unwrap();
        }
        let job = JobRecord {
            id: "big".into(),
            name: "big".into(),
            backend: "local".into(),
            priority: None,
            submitted_at: now(),
            finished_at: None,
            settings: RenderSettings::default(),
            output: "/out/####".into(),
            retries: 0,
            cancelled: false,
            chunks: (0..120).map(chunk).collect(),
            fps: None,
        };
        let view = JobView::new(&dir, &job, None);
        assert_eq!((view.chunks_total, view.chunks.len()), (120, 50));
        assert_eq!(view.chunks[0].index, 20, "done chunks are left out");
        assert_eq!((view.frames_done, view.frames_total), (20, 120));
        assert_eq!(view.frames.done, "1-20");
        assert_eq!(view.frames.queued, "21-120");
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn compact_runs() {
        assert_eq!(super::compact(&[1, 2, 3, 5, 7, 8]), "1-3,5,7-8");
        assert_eq!(super::compact(&[]), "");
    }
}
