//! Slurm through its command-line clients: one job array per submission
//! (`sbatch --parsable --array=…`), `squeue` to watch, `scancel` to stop.
//!
//! The clients find the cluster as any Slurm client does (`SLURM_CONF`, else
//! the compiled-in config path), so the server needs no cluster settings of
//! its own. `sacct` is not used: it needs slurmdbd, which small clusters
//! lack; a task that left the queue is judged by the frames it wrote.

use std::collections::HashMap;
use std::ffi::OsString;
use std::process::Command;

use super::{Backend, TaskStatus};
use crate::error::{FarmError, Result};
use crate::job_dir::JobDir;
use crate::record::{write_atomically, JobRecord};
use crate::worker::FarmBlender;

/// How jobs are placed on the cluster (each `None` leaves Slurm's default).
#[derive(Debug, Clone, Default)]
pub struct SlurmOptions {
    /// `--partition`.
    pub partition: Option<String>,
    /// `--time` per task, e.g. `2:00:00`.
    pub time_limit: Option<String>,
    /// `--cpus-per-task`; the worker renders with that many threads.
    pub cpus_per_task: Option<u32>,
    /// `--mem` per task, e.g. `4G`.
    pub mem: Option<String>,
    /// More `sbatch` arguments, passed as given.
    pub extra_args: Vec<String>,
}

/// The Slurm backend.
#[derive(Debug, Clone)]
pub struct Slurm {
    options: SlurmOptions,
    blender: FarmBlender,
}

const NAME: &str = "slurm";

impl Slurm {
    /// A backend submitting with `options`, running `blender` on the nodes.
    pub fn new(options: SlurmOptions, blender: FarmBlender) -> Self {
        Self { options, blender }
    }

    /// The Slurm job name of a farm job: how its tasks are found again.
    fn job_name(job: &JobRecord) -> String {
        format!("bmr-{}", job.id)
    }

    /// The batch script: the worker command for the array task's chunk.
    fn script(&self, dir: &JobDir) -> String {
        let argv = self.blender.command(dir, "CHUNK");
        let quoted: Vec<String> = argv
            .iter()
            .map(|a| match a.to_str() {
                Some("CHUNK") => "\"$SLURM_ARRAY_TASK_ID\"".to_owned(),
                _ => shell_quote(&a.to_string_lossy()),
            })
            .collect();
        format!(
            "#!/bin/sh\n# Renders chunk $SLURM_ARRAY_TASK_ID of this job (see job.json).\n\
             echo \"== attempt on $(hostname) at $(date -u +%FT%TZ), slurm job $SLURM_JOB_ID\"\n\
             exec {}\n",
            quoted.join(" ")
        )
    }

    fn sbatch_args(&self, dir: &JobDir, job: &JobRecord, chunks: &[usize]) -> Vec<OsString> {
        let indices: Vec<String> = chunks.iter().map(usize::to_string).collect();
        let o = &self.options;
        let mut args: Vec<OsString> = vec![
            "--parsable".into(),
            format!("--array={}", indices.join(",")).into(),
            format!("--job-name={}", Self::job_name(job)).into(),
            "--open-mode=append".into(),
            "--output".into(),
            dir.root().join("logs/chunk-%a.log").into(),
            "--chdir".into(),
            dir.root().into(),
        ];
        let flags = [
            ("--partition", o.partition.clone()),
            ("--time", o.time_limit.clone()),
            ("--cpus-per-task", o.cpus_per_task.map(|c| c.to_string())),
            ("--mem", o.mem.clone()),
            // Only lowering priority needs no operator rights.
            (
                "--nice",
                job.priority.filter(|p| *p < 0).map(|p| (-p).to_string()),
            ),
        ];
        for (flag, value) in flags {
            if let Some(value) = value {
                args.push(format!("{flag}={value}").into());
            }
        }
        args.extend(o.extra_args.iter().map(OsString::from));
        args.push(dir.root().join("slurm.sh").into());
        args
    }
}

impl Backend for Slurm {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self) -> Result<()> {
        run("sinfo", ["-h", "-o", "%P"]).map(drop)
    }

    fn submit(
        &self,
        dir: &JobDir,
        job: &JobRecord,
        chunks: &[usize],
    ) -> Result<Vec<(usize, String)>> {
        if chunks.is_empty() {
            return Ok(Vec::new());
        }
        write_atomically(&dir.root().join("slurm.sh"), self.script(dir).as_bytes())?;
        let out = run("sbatch", self.sbatch_args(dir, job, chunks))?;
        // --parsable prints "JOBID" or "JOBID;CLUSTER".
        let id = out.trim().split(';').next().unwrap_or_default().to_owned();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
            return Err(FarmError::backend(
                NAME,
                format!("sbatch answered {out:?}, not a job id"),
            ));
        }
        Ok(chunks.iter().map(|&c| (c, format!("{id}_{c}"))).collect())
    }

    fn status(&self, job: &JobRecord, handles: &[&str]) -> Result<HashMap<String, TaskStatus>> {
        let name = format!("--name={}", Self::job_name(job));
        let out = run(
            "squeue",
            ["-h", "-r", "-t", "all", "--me", &name, "-o", "%i|%T|%r"],
        )?;
        let mut known: HashMap<String, TaskStatus> = out
            .lines()
            .filter_map(|line| {
                let mut fields = line.trim().split('|');
                let (id, state, reason) = (fields.next()?, fields.next()?, fields.next()?);
                Some((id.to_owned(), task_status(state, reason)))
            })
            .collect();
        Ok(handles
            .iter()
            .map(|h| {
                (
                    h.to_string(),
                    known.remove(*h).unwrap_or(TaskStatus::Unknown),
                )
            })
            .collect())
    }

    fn cancel(&self, _job: &JobRecord, handles: &[&str]) -> Result<()> {
        if handles.is_empty() {
            return Ok(());
        }
        // scancel sends SIGTERM to the batch step, whose script exec'd Blender.
        run("scancel", handles).map(drop)
    }
}

/// A squeue state as a task status.
fn task_status(state: &str, reason: &str) -> TaskStatus {
    match state {
        "PENDING" | "CONFIGURING" | "REQUEUED" | "RESIZING" | "SUSPENDED" => TaskStatus::Queued,
        "RUNNING" | "COMPLETING" | "STAGE_OUT" | "SIGNALING" => TaskStatus::Running,
        "COMPLETED" => TaskStatus::Ended {
            ok: true,
            reason: "completed".into(),
        },
        other => TaskStatus::Ended {
            ok: false,
            reason: format!("Slurm state {other} ({reason})"),
        },
    }
}

/// Runs a Slurm client; its stdout, or an error quoting its stderr.
fn run<I, S>(program: &str, args: I) -> Result<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output = Command::new(program).args(args).output().map_err(|e| {
        FarmError::backend(
            NAME,
            format!("cannot run {program} ({e}): install the Slurm client (Debian: slurm-client) or use backend \"local\""),
        )
    })?;
    if !output.status.success() {
        let conf = std::env::var("SLURM_CONF")
            .unwrap_or_else(|_| "unset, so /etc/slurm/slurm.conf".into());
        return Err(FarmError::backend(
            NAME,
            format!(
                "{program} failed ({}): {}. Is slurmctld reachable (SLURM_CONF={conf})? `envmgr farm up` starts a local cluster.",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `value` in single quotes for /bin/sh.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeue_states_map_to_task_statuses() {
        assert_eq!(task_status("PENDING", "Resources"), TaskStatus::Queued);
        assert_eq!(task_status("RUNNING", "None"), TaskStatus::Running);
        assert!(matches!(
            task_status("COMPLETED", "None"),
            TaskStatus::Ended { ok: true, .. }
        ));
        let TaskStatus::Ended { ok, reason } = task_status("FAILED", "NonZeroExitCode") else {
            panic!()
        };
        assert!(!ok && reason.contains("NonZeroExitCode"));
    }

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
    }
}
