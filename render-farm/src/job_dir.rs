//! The layout of a job's directory under the farm directory. Workers read
//! and write it, the server reads it: it must be on storage both see.
//!
//! ```text
//! <farm-dir>/<job>/job.json        the record
//!                  scene.blend     the scene snapshot
//!                  worker.py       what each worker runs
//!                  done/<frame>    one per rendered frame (JSON: path, seconds)
//!                  logs/chunk-<i>.log
//!                  job.lock        flock'd while the record is read and rewritten
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{FarmError, Result};
use crate::record::JobRecord;

/// The worker script, written into every job directory so a job keeps
/// running with the script it was submitted with.
pub const WORKER_SCRIPT: &str = include_str!("worker.py");

/// What a worker writes when a frame is rendered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrameDone {
    /// The image written.
    pub path: PathBuf,
    /// Seconds the render took.
    pub seconds: f64,
}

/// A job's directory.
#[derive(Debug, Clone)]
pub struct JobDir {
    root: PathBuf,
}

impl JobDir {
    /// The directory of job `id` under `farm_dir`.
    pub fn new(farm_dir: &Path, id: &str) -> Self {
        Self {
            root: farm_dir.join(id),
        }
    }

    /// Creates the directory with its worker script.
    pub fn create(&self) -> Result<()> {
        for dir in [
            self.root.clone(),
            self.root.join("done"),
            self.root.join("logs"),
        ] {
            std::fs::create_dir_all(&dir).map_err(FarmError::io(dir))?;
        }
        let script = self.worker_script();
        std::fs::write(&script, WORKER_SCRIPT).map_err(FarmError::io(script))
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `job.json`.
    pub fn record_path(&self) -> PathBuf {
        self.root.join("job.json")
    }

    /// The scene snapshot workers open.
    pub fn scene(&self) -> PathBuf {
        self.root.join("scene.blend")
    }

    /// The worker script.
    pub fn worker_script(&self) -> PathBuf {
        self.root.join("worker.py")
    }

    /// The log of chunk `index` (every attempt, appended).
    pub fn chunk_log(&self, index: usize) -> PathBuf {
        self.root.join("logs").join(format!("chunk-{index}.log"))
    }

    /// Takes the job's lock, waiting for another holder (this or another
    /// server) to finish: whoever reads the record to change it holds it
    /// until the change is written, so two servers watching one farm
    /// directory never both restart a chunk.
    pub fn lock(&self) -> Result<JobLock> {
        use std::os::fd::AsRawFd;
        let path = self.root.join("job.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(FarmError::io(&path))?;
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(FarmError::io(path)(std::io::Error::last_os_error()));
        }
        Ok(JobLock { _file: file })
    }

    /// Reads the record.
    pub fn load(&self) -> Result<JobRecord> {
        JobRecord::load(&self.record_path())
    }

    /// Writes the record.
    pub fn save(&self, record: &JobRecord) -> Result<()> {
        record.save(&self.record_path())
    }

    /// The marker of `frame`, if a worker rendered it.
    pub fn frame_done(&self, frame: i64) -> Option<FrameDone> {
        let text = std::fs::read_to_string(self.root.join("done").join(frame.to_string())).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The last `lines` lines of chunk `index`'s log.
    pub fn log_tail(&self, index: usize, lines: usize) -> String {
        let text = std::fs::read_to_string(self.chunk_log(index)).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

/// A held job lock; released when dropped (the descriptor closes).
#[derive(Debug)]
pub struct JobLock {
    _file: std::fs::File,
}
