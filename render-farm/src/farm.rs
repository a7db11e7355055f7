//! The farm: jobs in a directory, run by named backends.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use crate::backend::local::LocalPool;
use crate::backend::slurm::{Slurm, SlurmOptions};
use crate::backend::{Backend, TaskStatus};
use crate::chunks::chunk_frames;
use crate::error::{FarmError, Result};
use crate::frames::parse_frames;
use crate::job_dir::{JobDir, JobLock};
use crate::movie;
use crate::names::{closest_first, job_id};
use crate::reconcile::{reconcile, record_started};
use crate::record::{now, ChunkRecord, JobRecord, RenderSettings, State};
use crate::view::{JobSummary, JobView};
use crate::worker::FarmBlender;

/// Frames per chunk when a job does not say.
pub const DEFAULT_CHUNK: usize = 10;
/// How long `cancel` waits for the backend to confirm its workers stopped.
const CANCEL_WAIT: Duration = Duration::from_secs(30);

/// The farm's settings.
#[derive(Debug, Clone)]
pub struct FarmConfig {
    /// Where job directories go: storage every worker can read and write.
    pub dir: PathBuf,
    /// The Blender workers run (a bpy Python or a Blender binary).
    pub blender: PathBuf,
    /// Size of the local pool.
    pub workers: usize,
    /// Automatic retries of a failed chunk.
    pub retries: u32,
    /// How Slurm jobs are placed.
    pub slurm: SlurmOptions,
}

/// A job to submit.
#[derive(Debug, Clone)]
pub struct JobRequest {
    /// A label (default: `render`).
    pub name: Option<String>,
    /// The frame specification.
    pub frames: String,
    /// Frames per chunk.
    pub chunk: Option<usize>,
    /// Render settings the workers apply.
    pub settings: RenderSettings,
    /// Absolute output pattern (`None`: set it on the prepared job).
    pub output: Option<PathBuf>,
    /// Backend name (default `local`).
    pub backend: Option<String>,
    /// Priority (higher first; Slurm honours only lowering).
    pub priority: Option<i32>,
}

/// A job whose directory exists but which is not submitted yet: the caller
/// writes the scene snapshot to [`PreparedJob::scene`] and then submits.
#[derive(Debug)]
pub struct PreparedJob {
    dir: JobDir,
    record: JobRecord,
}

impl PreparedJob {
    /// Where the snapshot must be saved.
    pub fn scene(&self) -> PathBuf {
        self.dir.scene()
    }

    /// The job id.
    pub fn id(&self) -> &str {
        &self.record.id
    }

    /// The output pattern, if set.
    pub fn output(&self) -> Option<&Path> {
        Some(self.record.output.as_path()).filter(|p| !p.as_os_str().is_empty())
    }

    /// Sets the output pattern (absolute; `#` marks the frame digits).
    pub fn set_output(&mut self, output: PathBuf) {
        self.record.output = output;
    }

    /// Records the snapshot's frame rate, which the job's movie plays at.
    pub fn set_fps(&mut self, fps: f64) {
        self.record.fps = Some(fps);
    }
}

/// Jobs in a farm directory, with the backends that run them.
pub struct Farm {
    config: FarmConfig,
    backends: Vec<Box<dyn Backend>>,
    /// One writer of records at a time (the watcher and tool calls).
    lock: Mutex<()>,
}

impl std::fmt::Debug for Farm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.backends.iter().map(|b| b.name()).collect();
        f.debug_struct("Farm")
            .field("config", &self.config)
            .field("backends", &names)
            .finish()
    }
}

impl Farm {
    /// A farm with the Slurm and local backends.
    pub fn new(config: FarmConfig) -> Self {
        let blender = FarmBlender::new(&config.blender);
        let backends: Vec<Box<dyn Backend>> = vec![
            Box::new(LocalPool::new(config.workers, blender.clone())),
            Box::new(Slurm::new(config.slurm.clone(), blender)),
        ];
        Self::with_backends(config, backends)
    }

    /// A farm with the given backends (the first is the default).
    pub fn with_backends(config: FarmConfig, backends: Vec<Box<dyn Backend>>) -> Self {
        Self {
            config,
            backends,
            lock: Mutex::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &FarmConfig {
        &self.config
    }

    fn backend(&self, name: &str) -> Result<&dyn Backend> {
        if let Some(backend) = self.backends.iter().find(|b| b.name() == name) {
            return Ok(backend.as_ref());
        }
        let names = closest_first(name, self.backends.iter().map(|b| b.name()));
        Err(FarmError::Invalid(format!(
            "unknown backend {name:?}; choose {}",
            names.join(" or ")
        )))
    }

    /// Checks a request and makes its job directory. Nothing is submitted.
    pub fn prepare(&self, request: JobRequest) -> Result<PreparedJob> {
        let frames = parse_frames(&request.frames)?;
        let backend_name = request
            .backend
            .as_deref()
            .unwrap_or(self.backends[0].name());
        let backend = self.backend(backend_name)?;
        if request.chunk == Some(0) {
            return Err(FarmError::Invalid("chunk must be 1 or more frames".into()));
        }
        backend.check()?;
        let name = request.name.unwrap_or_else(|| "render".into());
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let id = job_id(&name, millis);
        let chunks = chunk_frames(&frames, request.chunk.unwrap_or(DEFAULT_CHUNK))
            .into_iter()
            .enumerate()
            .map(|(index, frames)| ChunkRecord {
                index,
                frames,
                state: State::Queued,
                attempts: 0,
                handle: None,
                reason: None,
                started_at: None,
            })
            .collect();
        let record = JobRecord {
            id: id.clone(),
            name,
            backend: backend.name().to_owned(),
            priority: request.priority,
            submitted_at: now(),
            finished_at: None,
            settings: request.settings,
            output: request.output.unwrap_or_default(),
            retries: self.config.retries,
            cancelled: false,
            chunks,
            fps: None,
        };
        let dir = JobDir::new(&self.config.dir, &id);
        dir.create()?;
        Ok(PreparedJob { dir, record })
    }

    /// Removes a prepared job that will not be submitted.
    pub fn discard(&self, job: PreparedJob) {
        let _ = std::fs::remove_dir_all(job.dir.root());
    }

    /// Records and submits a prepared job. On failure its directory is
    /// removed: nothing was submitted.
    pub fn submit(&self, job: PreparedJob) -> Result<JobView> {
        let _guard = self.lock.lock().unwrap();
        let PreparedJob { dir, mut record } = job;
        let _job_lock = dir.lock()?;
        let submitted = (|| {
            if !record.output.is_absolute() {
                return Err(FarmError::Invalid(
                    "the output pattern must be an absolute path".into(),
                ));
            }
            let backend = self.backend(&record.backend)?;
            dir.save(&record)?;
            let all: Vec<usize> = (0..record.chunks.len()).collect();
            let started = backend.submit(&dir, &record, &all)?;
            record_started(&mut record, &started);
            dir.save(&record)?;
            Ok(JobView::new(&dir, &record, None))
        })();
        if submitted.is_err() {
            let _ = std::fs::remove_dir_all(dir.root());
        }
        submitted
    }

    /// The job `id`, brought up to date.
    pub fn get(&self, id: &str) -> Result<JobView> {
        let _guard = self.lock.lock().unwrap();
        let (dir, mut record, _job_lock) = self.load(id)?;
        let warning = self.update(&dir, &mut record);
        Ok(JobView::new(&dir, &record, warning))
    }

    /// Every job in the farm directory, newest first, brought up to date.
    pub fn list(&self) -> Result<Vec<JobSummary>> {
        let _guard = self.lock.lock().unwrap();
        let mut jobs = Vec::new();
        for id in self.job_ids() {
            let Ok((dir, mut record, _job_lock)) = self.load(&id) else {
                continue;
            };
            let warning = self.update(&dir, &mut record);
            jobs.push(JobSummary::new(
                &JobView::new(&dir, &record, warning),
                &record,
            ));
        }
        jobs.sort_by(|a, b| b.submitted_at.total_cmp(&a.submitted_at));
        Ok(jobs)
    }

    /// Cancels the job, or only the given chunks; returns once the backend
    /// reports none of their workers waiting or running.
    pub fn cancel(&self, id: &str, chunks: Option<&[usize]>) -> Result<JobView> {
        let _guard = self.lock.lock().unwrap();
        let (dir, mut record, _job_lock) = self.load(id)?;
        let backend = self.backend(&record.backend)?;
        if let Some(bad) = chunks
            .into_iter()
            .flatten()
            .find(|&&c| c >= record.chunks.len())
        {
            return Err(FarmError::Invalid(format!(
                "job {id} has chunks 0-{}; there is no chunk {bad}",
                record.chunks.len() - 1
            )));
        }
        let targets: Vec<usize> = match chunks {
            Some(list) => list.to_vec(),
            None => (0..record.chunks.len()).collect(),
        };
        let handles: Vec<String> = targets
            .iter()
            .map(|&i| &record.chunks[i])
            .filter(|c| c.state.is_active())
            .filter_map(|c| c.handle.clone())
            .collect();
        let refs: Vec<&str> = handles.iter().map(String::as_str).collect();
        backend.cancel(&record, &refs)?;
        let warning = wait_stopped(backend, &record, &refs);
        for &i in &targets {
            let chunk = &mut record.chunks[i];
            if chunk.state.is_active() {
                chunk.state = State::Cancelled;
            }
        }
        record.cancelled |= chunks.is_none();
        dir.save(&record)?;
        self.update(&dir, &mut record);
        Ok(JobView::new(&dir, &record, warning))
    }

    /// Queues the failed chunks of a job again, with a fresh retry budget.
    pub fn retry(&self, id: &str) -> Result<JobView> {
        let _guard = self.lock.lock().unwrap();
        let (dir, mut record, _job_lock) = self.load(id)?;
        let failed: Vec<&mut ChunkRecord> = record
            .chunks
            .iter_mut()
            .filter(|c| c.state == State::Failed)
            .collect();
        if failed.is_empty() {
            return Err(FarmError::Invalid(format!(
                "job {id} has no failed chunks (it is {})",
                serde_json::to_string(&record.state()).unwrap_or_default()
            )));
        }
        for chunk in failed {
            chunk.state = State::Queued;
            chunk.handle = None;
            chunk.attempts = 0;
        }
        record.cancelled = false;
        record.finished_at = None;
        dir.save(&record)?;
        let warning = self.update(&dir, &mut record);
        Ok(JobView::new(&dir, &record, warning))
    }

    /// Brings every unfinished job up to date, highest priority first (so a
    /// pool's free slots go to it).
    pub fn reconcile_active(&self) {
        let _guard = self.lock.lock().unwrap();
        let mut active: Vec<(String, Option<i32>, f64)> = self
            .job_ids()
            .into_iter()
            .filter_map(|id| self.load(&id).ok())
            .filter(|(_, r, _)| r.state().is_active())
            .map(|(_, r, _)| (r.id, r.priority, r.submitted_at))
            .collect();
        active.sort_by(|a, b| {
            b.1.unwrap_or(0)
                .cmp(&a.1.unwrap_or(0))
                .then(a.2.total_cmp(&b.2))
        });
        for (id, ..) in active {
            // Loaded again under its lock: another server may have moved it on.
            let Ok((dir, mut record, _job_lock)) = self.load(&id) else {
                continue;
            };
            if let Some(warning) = self.update(&dir, &mut record) {
                tracing::warn!(job = %record.id, "{warning}");
            }
        }
    }

    /// Runs [`Farm::reconcile_active`] every `every` on a thread, so chunks
    /// are retried and queued chunks started while nobody asks; the thread
    /// ends when the farm is dropped.
    pub fn watch(farm: &Arc<Farm>, every: Duration) {
        let weak: Weak<Farm> = Arc::downgrade(farm);
        std::thread::Builder::new()
            .name("render-farm-watch".into())
            .spawn(move || loop {
                std::thread::sleep(every);
                match weak.upgrade() {
                    Some(farm) => farm.reconcile_active(),
                    None => return,
                }
            })
            .expect("spawning the farm watcher");
    }

    fn update(&self, dir: &JobDir, record: &mut JobRecord) -> Option<String> {
        match self.backend(&record.backend) {
            Ok(backend) => reconcile(backend, dir, record),
            Err(e) => Some(e.to_string()),
        }
    }

    /// The job's directory and record, read under the job's lock (held
    /// until the returned [`JobLock`] is dropped).
    /// The job's movie: every frame at the snapshot's frame rate, encoded
    /// the first time it is asked for. `None` where ffmpeg is not installed,
    /// the job is not done, or its record has no frame rate (jobs submitted
    /// before records kept one).
    pub fn movie(&self, id: &str) -> Result<Option<PathBuf>> {
        let (dir, record, _job_lock) = self.load(id)?;
        let dest = dir.root().join(movie::MOVIE_FILE);
        if dest.is_file() {
            return Ok(Some(dest));
        }
        let (Some(ffmpeg), Some(fps)) = (movie::ffmpeg(), record.fps) else {
            return Ok(None);
        };
        if record.state() != State::Done {
            return Ok(None);
        }
        let frames: Vec<PathBuf> = record
            .frames()
            .filter_map(|frame| dir.frame_done(frame))
            .map(|done| done.path)
            .collect();
        movie::encode(&ffmpeg, &frames, fps, &dest)?;
        Ok(Some(dest))
    }

    fn load(&self, id: &str) -> Result<(JobDir, JobRecord, JobLock)> {
        let valid = !id.is_empty() && !id.contains(['/', '\\']) && id != "." && id != "..";
        let dir = JobDir::new(&self.config.dir, id);
        if valid && dir.record_path().exists() {
            let lock = dir.lock()?;
            let record = dir.load()?;
            return Ok((dir, record, lock));
        }
        let ids = self.job_ids();
        let close: Vec<&str> = closest_first(id, ids.iter().map(String::as_str))
            .into_iter()
            .take(5)
            .collect();
        Err(FarmError::NoJob {
            id: id.to_owned(),
            hint: if close.is_empty() {
                " There are no jobs yet.".into()
            } else {
                format!(" Closest: {}.", close.join(", "))
            },
        })
    }

    fn job_ids(&self) -> Vec<String> {
        job_ids_in(&self.config.dir)
    }
}

fn job_ids_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("job.json").exists())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect()
}

/// Waits until the backend reports none of `handles` waiting or running.
fn wait_stopped(backend: &dyn Backend, job: &JobRecord, handles: &[&str]) -> Option<String> {
    if handles.is_empty() {
        return None;
    }
    let deadline = Instant::now() + CANCEL_WAIT;
    loop {
        let still: Vec<String> = match backend.status(job, handles) {
            Ok(statuses) => statuses
                .into_iter()
                .filter(|(_, s)| matches!(s, TaskStatus::Queued | TaskStatus::Running))
                .map(|(h, _)| h)
                .collect(),
            Err(e) => return Some(e.to_string()),
        };
        if still.is_empty() {
            return None;
        }
        if Instant::now() > deadline {
            return Some(format!(
                "still stopping after {CANCEL_WAIT:?}: {}",
                still.join(", ")
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
