//! `farm up|down|status`: a Slurm cluster on this one machine for the render
//! farm (development and CI): munged, slurmctld and two slurmd nodes, each
//! started directly (no systemd) from a config generated into a state
//! directory, which also holds their sockets, spool, logs and PID files.
//!
//! Two nodes on one host is how Debian's Slurm runs a multi-node test: one
//! `slurmd -N nK` per node name, each on its own port. Each node gets the
//! machine's CPUs, so `--cpus-per-task` decides how many tasks share it.
//! `up` starts only what is not running and `down` stops by PID, so both
//! can be repeated safely. Clients reach the cluster with
//! `SLURM_CONF=<state dir>/slurm.conf`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{EnvError, Result};

/// The node names.
pub const NODES: [&str; 2] = ["n1", "n2"];
/// slurmctld's port; slurmd's default is the next, the nodes the 4th and 5th after it.
pub const DEFAULT_BASE_PORT: u16 = 16817;
/// How long `up` waits for the nodes to turn idle.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// One daemon of the cluster.
#[derive(Debug, Clone, Serialize)]
pub struct Daemon {
    /// munged, slurmctld, slurmd-n1, ...
    pub name: String,
    /// Its PID, from its PID file.
    pub pid: Option<u32>,
    /// Whether that PID is alive and is that daemon.
    pub running: bool,
}

/// What `status` (and `up`, `down`) report.
#[derive(Debug, Clone, Serialize)]
pub struct FarmStatus {
    /// Where the configuration, logs and pid files live.
    pub state_dir: PathBuf,
    /// What clients set `SLURM_CONF` to.
    pub slurm_conf: PathBuf,
    /// munged, slurmctld and each slurmd, running or not.
    pub daemons: Vec<Daemon>,
    /// `sinfo`'s node lines (`n1 idle`), when slurmctld answers.
    pub nodes: Vec<String>,
}

/// The cluster in one state directory.
#[derive(Debug, Clone)]
pub struct LocalSlurm {
    dir: PathBuf,
    base_port: u16,
}

impl LocalSlurm {
    /// The cluster kept in `dir`, with slurmctld on `base_port`.
    pub fn new(dir: impl Into<PathBuf>, base_port: u16) -> Self {
        Self {
            dir: dir.into(),
            base_port,
        }
    }

    /// `<state dir>/slurm.conf`.
    pub fn conf(&self) -> PathBuf {
        self.dir.join("slurm.conf")
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// Each daemon with its PID file and the command that starts it.
    fn daemons(&self) -> Vec<(String, PathBuf, Vec<String>)> {
        let conf = self.conf().display().to_string();
        let p = |rel: &str| self.path(rel).display().to_string();
        let mut daemons = vec![
            (
                "munged".to_owned(),
                self.path("munge/munged.pid"),
                vec![
                    "munged".into(),
                    "--force".into(),
                    format!("--socket={}", p("munge/munge.socket")),
                    format!("--pid-file={}", p("munge/munged.pid")),
                    format!("--log-file={}", p("log/munged.log")),
                    format!("--seed-file={}", p("munge/seed")),
                    format!("--key-file={}", p("munge/munge.key")),
                ],
            ),
            (
                "slurmctld".to_owned(),
                self.path("run/slurmctld.pid"),
                vec![
                    "slurmctld".into(),
                    "-f".into(),
                    conf.clone(),
                    "-c".into(),
                    "-i".into(),
                ],
            ),
        ];
        for node in NODES {
            daemons.push((
                format!("slurmd-{node}"),
                self.path(&format!("run/slurmd-{node}.pid")),
                vec![
                    "slurmd".into(),
                    "-f".into(),
                    conf.clone(),
                    "-N".into(),
                    node.into(),
                ],
            ));
        }
        daemons
    }

    /// Starts whatever is not running, then waits for both nodes.
    pub fn up(&self) -> Result<FarmStatus> {
        let before = self.status();
        if before.daemons.iter().all(|d| d.running) {
            return Ok(before);
        }
        self.prepare()?;
        for ((name, pid_file, argv), state) in self.daemons().into_iter().zip(&before.daemons) {
            if state.running {
                continue;
            }
            let _ = std::fs::remove_file(&pid_file);
            let status = Command::new(&argv[0])
                .args(&argv[1..])
                .env("SLURM_CONF", self.conf())
                .status()
                .map_err(|e| {
                    EnvError::io(
                        format!("starting {name} (install munge, slurmctld and slurmd: Debian packages munge slurm-wlm slurm-client)"),
                        e,
                    )
                })?;
            if !status.success() {
                return Err(EnvError::InvalidSetting(format!(
                    "{name} did not start ({status}); see {}",
                    self.path("log").display()
                )));
            }
            wait_for_pid(&pid_file, &name)?;
        }
        self.wait_ready()?;
        Ok(self.status())
    }

    /// Cancels the cluster's jobs, then stops every daemon by PID.
    pub fn down(&self) -> Result<FarmStatus> {
        let status = self.status();
        if status
            .daemons
            .iter()
            .any(|d| d.name == "slurmctld" && d.running)
        {
            // slurmstepd outlives slurmd: cancel jobs first so no task keeps running.
            let _ = self.slurm_client("scancel", &["--state=PENDING,RUNNING", "--user", &whoami()]);
            std::thread::sleep(Duration::from_secs(1));
        }
        for daemon in status.daemons.iter().rev() {
            if let (Some(pid), true) = (daemon.pid, daemon.running) {
                stop(pid, &daemon.name);
            }
        }
        Ok(self.status())
    }

    /// Which daemons run, and the nodes' states.
    pub fn status(&self) -> FarmStatus {
        let daemons: Vec<Daemon> = self
            .daemons()
            .into_iter()
            .map(|(name, pid_file, argv)| {
                let pid = std::fs::read_to_string(&pid_file)
                    .ok()
                    .and_then(|t| t.trim().parse().ok());
                let running = pid.is_some_and(|pid| is_process(pid, &argv[0]));
                Daemon { name, pid, running }
            })
            .collect();
        let ctld = daemons.iter().any(|d| d.name == "slurmctld" && d.running);
        let nodes = if ctld {
            self.slurm_client("sinfo", &["-h", "-N", "-o", "%N %T"])
                .map(|out| out.lines().map(str::to_owned).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        FarmStatus {
            state_dir: self.dir.clone(),
            slurm_conf: self.conf(),
            daemons,
            nodes,
        }
    }

    /// Directories, the munge key and the config.
    fn prepare(&self) -> Result<()> {
        for sub in ["munge", "log", "run", "spool/ctld", "spool/n1", "spool/n2"] {
            let dir = self.path(sub);
            std::fs::create_dir_all(&dir)
                .map_err(|e| EnvError::io(format!("creating {}", dir.display()), e))?;
        }
        set_mode(&self.path("munge"), 0o700)?;
        let key = self.path("munge/munge.key");
        if !key.exists() {
            let mut bytes = vec![0u8; 1024];
            let mut random = std::fs::File::open("/dev/urandom")
                .map_err(|e| EnvError::io("opening /dev/urandom", e))?;
            std::io::Read::read_exact(&mut random, &mut bytes)
                .map_err(|e| EnvError::io("reading /dev/urandom", e))?;
            std::fs::write(&key, bytes).map_err(|e| EnvError::io("writing the munge key", e))?;
            set_mode(&key, 0o400)?;
        }
        let conf = slurm_conf(&self.dir, self.base_port, cpus(), memory_mb());
        std::fs::write(self.conf(), conf)
            .map_err(|e| EnvError::io(format!("writing {}", self.conf().display()), e))
    }

    fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let nodes = self.status().nodes;
            let idle = nodes
                .iter()
                .filter(|l| {
                    l.ends_with(" idle") || l.ends_with(" mixed") || l.ends_with(" allocated")
                })
                .count();
            if idle == NODES.len() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(EnvError::InvalidSetting(format!(
                    "the nodes are not ready after {READY_TIMEOUT:?} ({}); see {}",
                    nodes.join(", "),
                    self.path("log").display()
                )));
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn slurm_client(&self, program: &str, args: &[&str]) -> Option<String> {
        let out = Command::new(program)
            .args(args)
            .env("SLURM_CONF", self.conf())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// The generated slurm.conf: everything under `dir`, nodes on loopback.
pub fn slurm_conf(dir: &Path, base_port: u16, cpus: usize, memory_mb: u64) -> String {
    let d = dir.display();
    let user = whoami();
    let mut conf = format!(
        "# Generated by `envmgr farm up`: a one-host Slurm for the render farm.\n\
         ClusterName=farm\nSlurmctldHost=localhost\n\
         SlurmctldPort={ctld}\nSlurmdPort={slurmd}\n\
         AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket={d}/munge/munge.socket\n\
         SlurmUser={user}\nSlurmdUser={user}\n\
         StateSaveLocation={d}/spool/ctld\nSlurmdSpoolDir={d}/spool/%n\n\
         SlurmctldPidFile={d}/run/slurmctld.pid\nSlurmdPidFile={d}/run/slurmd-%n.pid\n\
         SlurmctldLogFile={d}/log/slurmctld.log\nSlurmdLogFile={d}/log/slurmd-%n.log\n\
         ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n\
         SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n\
         SchedulerType=sched/backfill\nReturnToService=2\nMpiDefault=none\n\
         JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n\
         # Finished tasks stay visible to squeue this long (no slurmdbd here).\n\
         MinJobAge=600\nSlurmdTimeout=30\n",
        ctld = base_port,
        slurmd = base_port + 1,
    );
    for (i, node) in NODES.iter().enumerate() {
        conf.push_str(&format!(
            "NodeName={node} NodeHostname=localhost NodeAddr=127.0.0.1 Port={} CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN\n",
            base_port + 4 + i as u16
        ));
    }
    conf.push_str(&format!(
        "PartitionName=farm Nodes={} Default=YES MaxTime=INFINITE State=UP\n",
        NODES.join(",")
    ));
    conf
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// 90% of the machine's memory, in MiB (slurmd drains a node that claims more than it has).
fn memory_mb() -> u64 {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(1024 * 1024);
    kib / 1024 * 9 / 10
}

fn whoami() -> String {
    // SAFETY: getuid cannot fail; getpwuid's result is read before any other call.
    unsafe {
        let pw = libc::getpwuid(libc::getuid());
        if pw.is_null() {
            return "root".into();
        }
        std::ffi::CStr::from_ptr((*pw).pw_name)
            .to_string_lossy()
            .into_owned()
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| EnvError::io(format!("setting the mode of {}", path.display()), e))
}

/// Whether `pid` is alive and runs `program`.
fn is_process(pid: u32, program: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|c| {
            String::from_utf8_lossy(&c)
                .split('\0')
                .next()
                .is_some_and(|a| a.ends_with(program))
        })
        .unwrap_or(false)
}

fn wait_for_pid(pid_file: &Path, name: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pid_file.exists() {
        if Instant::now() > deadline {
            return Err(EnvError::InvalidSetting(format!(
                "{name} started but wrote no PID file {}",
                pid_file.display()
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// SIGTERM, then SIGKILL after 10 s.
fn stop(pid: u32, name: &str) {
    let signal = |sig| {
        // SAFETY: plain kill(2) on a PID read from the daemon's own PID file.
        unsafe { libc::kill(pid as libc::pid_t, sig) }
    };
    signal(libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(10);
    let program = name.split('-').next().unwrap_or(name);
    while is_process(pid, program) {
        if Instant::now() > deadline {
            signal(libc::SIGKILL);
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_has_two_nodes_with_distinct_ports_and_all_cpus() {
        let conf = slurm_conf(Path::new("/state"), 20000, 8, 4000);
        assert!(conf
            .contains("NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=20004 CPUs=8"));
        assert!(conf
            .contains("NodeName=n2 NodeHostname=localhost NodeAddr=127.0.0.1 Port=20005 CPUs=8"));
        assert!(conf.contains("SlurmctldPort=20000\n"));
        assert!(conf.contains("AuthInfo=socket=/state/munge/munge.socket"));
        assert!(conf.contains("PartitionName=farm Nodes=n1,n2 Default=YES"));
    }
}
