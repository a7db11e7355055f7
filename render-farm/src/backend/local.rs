//! A pool of headless Blenders on this machine: each chunk attempt is one
//! child process, at most `workers` at a time; chunks beyond that wait in
//! the record and are started as slots free up.
//!
//! Handles are `pid:<pid>`. The pool reaps its own children; a worker
//! started by a previous server (which outlives it: its output goes to the
//! job's log, not to the server) is recognised through /proc by its command
//! line naming the job directory, so a restarted server still sees it run
//! and can stop it.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use super::{Backend, TaskStatus};
use crate::error::{FarmError, Result};
use crate::job_dir::JobDir;
use crate::record::JobRecord;
use crate::worker::FarmBlender;

const NAME: &str = "local";

/// The local pool backend.
#[derive(Debug)]
pub struct LocalPool {
    workers: usize,
    blender: FarmBlender,
    /// Threads each worker renders with: the cores shared among the workers.
    threads: usize,
    children: Mutex<HashMap<u32, Child>>,
}

impl LocalPool {
    /// A pool of `workers` Blenders running `blender`.
    pub fn new(workers: usize, blender: FarmBlender) -> Self {
        let workers = workers.max(1);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            workers,
            blender,
            threads: (cores / workers).max(1),
            children: Mutex::default(),
        }
    }

    /// How many workers run now.
    fn running(children: &mut HashMap<u32, Child>) -> usize {
        children
            .values_mut()
            .filter_map(|c| c.try_wait().ok())
            .filter(Option::is_none)
            .count()
    }

    fn spawn(&self, dir: &JobDir, chunk: usize) -> Result<Child> {
        let log_path = dir.chunk_log(chunk);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(FarmError::io(&log_path))?;
        let err = log.try_clone().map_err(FarmError::io(&log_path))?;
        let argv = self.blender.command(dir, &chunk.to_string());
        Command::new(&argv[0])
            .args(&argv[1..])
            .env("FARM_THREADS", self.threads.to_string())
            .current_dir(dir.root())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| {
                FarmError::backend(
                    NAME,
                    format!(
                        "cannot start the farm Blender {} ({e}); set --farm-blender",
                        self.blender.program().display()
                    ),
                )
            })
    }
}

impl Backend for LocalPool {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self) -> Result<()> {
        if self.blender.program().components().count() > 1 && !self.blender.program().exists() {
            return Err(FarmError::backend(
                NAME,
                format!(
                    "the farm Blender {} does not exist; set --farm-blender",
                    self.blender.program().display()
                ),
            ));
        }
        Ok(())
    }

    fn submit(
        &self,
        dir: &JobDir,
        _job: &JobRecord,
        chunks: &[usize],
    ) -> Result<Vec<(usize, String)>> {
        let mut children = self.children.lock().unwrap();
        let free = self.workers.saturating_sub(Self::running(&mut children));
        let mut started = Vec::new();
        for &chunk in chunks.iter().take(free) {
            let child = self.spawn(dir, chunk)?;
            started.push((chunk, format!("pid:{}", child.id())));
            children.insert(child.id(), child);
        }
        Ok(started)
    }

    fn status(&self, job: &JobRecord, handles: &[&str]) -> Result<HashMap<String, TaskStatus>> {
        let mut children = self.children.lock().unwrap();
        Ok(handles
            .iter()
            .map(|&handle| {
                let status = match pid_of(handle) {
                    Some(pid) => match children.get_mut(&pid) {
                        Some(child) => child_status(child),
                        None if is_worker_of(pid, job) => TaskStatus::Running,
                        None => TaskStatus::Unknown,
                    },
                    None => TaskStatus::Unknown,
                };
                (handle.to_owned(), status)
            })
            .collect())
    }

    fn cancel(&self, job: &JobRecord, handles: &[&str]) -> Result<()> {
        let mut children = self.children.lock().unwrap();
        for pid in handles.iter().filter_map(|h| pid_of(h)) {
            if let Some(mut child) = children.remove(&pid) {
                let _ = child.kill();
                let _ = child.wait();
            } else if is_worker_of(pid, job) {
                let status = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
                if !status.is_ok_and(|s| s.success()) && is_worker_of(pid, job) {
                    return Err(FarmError::backend(
                        NAME,
                        format!("cannot stop worker {pid}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn pid_of(handle: &str) -> Option<u32> {
    handle.strip_prefix("pid:")?.parse().ok()
}

/// A child's status, reaping it once it ended.
fn child_status(child: &mut Child) -> TaskStatus {
    match child.try_wait() {
        Ok(None) => TaskStatus::Running,
        Ok(Some(status)) => TaskStatus::Ended {
            ok: status.success(),
            reason: describe_exit(status),
        },
        Err(_) => TaskStatus::Unknown,
    }
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("the worker was killed by signal {signal}");
        }
    }
    match status.code() {
        Some(0) => "the worker exited cleanly".into(),
        Some(code) => format!("the worker exited with code {code}"),
        None => "the worker ended".into(),
    }
}

/// Whether `pid` is a live worker of `job` (a zombie's command line is empty).
fn is_worker_of(pid: u32, job: &JobRecord) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|cmdline| {
            let cmdline = String::from_utf8_lossy(&cmdline);
            cmdline.contains("worker.py") && cmdline.contains(&job.id)
        })
        .unwrap_or(false)
}
