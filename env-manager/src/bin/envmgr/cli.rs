//! The command-line grammar of `envmgr`: global options, subcommands and their help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use env_manager::config::{PortMapping, DEFAULT_CONTAINER, DEFAULT_IMAGE};
use env_manager::gpu::GpuMode;

#[derive(Parser, Debug)]
#[command(
    name = "envmgr",
    version,
    about = "Build and run the hardened blender-mcp-rs dev container (Blender headless + MCP bridge, claude-flow, ruv-swarm).",
    long_about = "Build and run the hardened blender-mcp-rs dev container: Blender 4.5 headless with the MCP bridge addon, the blender-mcp-rs server, claude-flow and ruv-swarm in tmux, Xvfb.\n\n\
First time:    envmgr init && $EDITOR .env && envmgr build && envmgr daemon\n\
Every day:     envmgr status | envmgr exec bash | envmgr logs -f | envmgr health\n\
Keep it up:    envmgr watch   (restarts on crash AND on failing healthcheck, with backoff)\n\n\
The container is locked down by default: all capabilities dropped, no-new-privileges, default seccomp/AppArmor, user dev (1000:1000), --init, CPU/memory/pids limits, ports on 127.0.0.1 only, no Docker socket. Each loosening is a named flag below, recorded as a label and shown by `envmgr status`.\n\n\
Options may come before or after the subcommand."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalOptions {
    /// Image to build or run (name:tag).
    #[arg(long, global = true, env = "ENVMGR_IMAGE", default_value = DEFAULT_IMAGE)]
    pub image: String,
    /// Container name.
    #[arg(long, global = true, env = "ENVMGR_CONTAINER", default_value = DEFAULT_CONTAINER)]
    pub name: String,
    /// Folder holding .env and .agent-mount/ [default: the current directory].
    #[arg(long, global = true, env = "ENVMGR_PROJECT_DIR")]
    pub project_dir: Option<PathBuf>,
    /// GPUs: auto (when the daemon has the NVIDIA runtime), all, none, a count, or device=<ids>.
    #[arg(long, global = true, default_value = "auto")]
    pub gpus: GpuMode,
    /// Published port HOST:CONTAINER or CONTAINER (random host port); repeatable.
    /// [default: 9876:9876, the Blender bridge]
    #[arg(long = "port", global = true)]
    pub ports: Vec<PortMapping>,

    /// OPT-IN: add a capability (repeatable). With the non-root dev user it reaches only the
    /// bounding set: no process in the container can use it (not even exec --user root, and
    /// no-new-privileges blocks setuid/file capabilities). Recorded, shown, but inert.
    #[arg(
        long = "cap-add",
        global = true,
        value_name = "CAP",
        help_heading = "Security opt-ins"
    )]
    pub cap_add: Vec<String>,
    /// OPT-IN: privileged mode for Docker-in-Docker: all capabilities and host devices, no
    /// seccomp/AppArmor. Root in the container is then root on the host.
    #[arg(long, global = true, help_heading = "Security opt-ins")]
    pub docker_in_docker: bool,
    /// OPT-IN: no seccomp filter (every system call allowed).
    #[arg(long, global = true, help_heading = "Security opt-ins")]
    pub seccomp_unconfined: bool,
    /// OPT-IN: no AppArmor profile.
    #[arg(long, global = true, help_heading = "Security opt-ins")]
    pub apparmor_unconfined: bool,
    /// OPT-IN: publish ports on all interfaces (0.0.0.0) instead of 127.0.0.1.
    #[arg(long, global = true, help_heading = "Security opt-ins")]
    pub publish_all_interfaces: bool,
    /// OPT-IN: mount ~/.ssh read-only at /home/dev/.ssh (keys readable in the container);
    /// prefer --ssh-agent.
    #[arg(long, global = true, help_heading = "Security opt-ins")]
    pub mount_ssh_keys: bool,
    /// OPT-IN: forward the host's SSH agent ($SSH_AUTH_SOCK) into the container.
    #[arg(long, global = true, help_heading = "Security opt-ins")]
    pub ssh_agent: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write .env from the template (kept if it exists) and create the .agent-mount/ folders.
    Init {
        /// Overwrite an existing .env.
        #[arg(long)]
        force: bool,
    },
    /// Build the image (tagged --image) from a Dockerfile and a context folder.
    Build {
        /// The Dockerfile [default: env-manager/Dockerfile under the context].
        #[arg(long)]
        file: Option<PathBuf>,
        /// The build context folder (the repository root for the project image).
        #[arg(long, default_value = ".")]
        context: PathBuf,
        /// Build argument NAME=VALUE (repeatable), e.g. BASE_IMAGE=debian:bookworm.
        #[arg(long = "build-arg", value_name = "NAME=VALUE")]
        build_args: Vec<String>,
        /// Do not use the build cache.
        #[arg(long)]
        no_cache: bool,
    },
    /// Create and start the container attached to this terminal (a TTY when stdin is one);
    /// optional COMMAND replaces the image's default (e.g. `envmgr start bash`).
    Start {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Create and start the container in the background.
    Daemon,
    /// Run a command in the running container; its exit code becomes envmgr's.
    Exec {
        /// Run as this user (e.g. root) instead of dev.
        #[arg(long)]
        user: Option<String>,
        /// Working directory inside the container.
        #[arg(long)]
        workdir: Option<String>,
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Show the container's output.
    Logs {
        /// Keep following new output.
        #[arg(short, long)]
        follow: bool,
        /// Only the last N lines.
        #[arg(long)]
        tail: Option<u64>,
    },
    /// Stop the container (services get SIGTERM and 20 s to exit).
    Stop,
    /// Remove the stopped container (.agent-mount/ data stays).
    Rm {
        /// Remove it even if it is running.
        #[arg(long)]
        force: bool,
    },
    /// Restart the container.
    Restart,
    /// State, health, uptime, CPU, memory, ports, mounts, GPUs and the security opt-ins in force.
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Exit 0 when healthy, 1 when unhealthy (or starting, or stopped), 2 when there is no container.
    Health,
    /// Restart the container whenever it dies or turns unhealthy (Docker's restart policies
    /// ignore unhealthy), with exponential backoff and a cap on restarts in a row.
    Watch {
        /// Give up after this many restarts in a row.
        #[arg(long, default_value_t = 5)]
        max_restarts: u32,
        /// First backoff in seconds (doubles on each restart in a row).
        #[arg(long, default_value_t = 2.0)]
        backoff: f64,
        /// Longest backoff in seconds.
        #[arg(long, default_value_t = 60.0)]
        max_backoff: f64,
    },
    /// Copy analysis data and logs out of the container (running or stopped) into
    /// .agent-mount/backups/<timestamp>/.
    Persist,
    /// A local Slurm for the render farm: munged, slurmctld and two slurmd nodes on this host,
    /// started directly (no systemd, no Docker; run as root). Then point the server at it with
    /// SLURM_CONF=<state dir>/slurm.conf.
    Farm {
        #[command(subcommand)]
        action: FarmAction,
        /// Where the config, keys, sockets, spool, logs and PID files go.
        #[arg(
            long,
            global = true,
            env = "ENVMGR_FARM_DIR",
            default_value = "/tmp/envmgr-farm"
        )]
        state_dir: PathBuf,
        /// slurmctld's port; slurmd uses the next, the nodes the 4th and 5th after it.
        #[arg(long, global = true, default_value_t = env_manager::commands::farm::DEFAULT_BASE_PORT)]
        base_port: u16,
    },
    /// Remove stopped envmgr containers of this project and dangling envmgr images; never
    /// anything envmgr did not create.
    Cleanup {
        /// Every project's envmgr containers, not only this one's.
        #[arg(long)]
        all_projects: bool,
        /// Running containers too.
        #[arg(long)]
        running: bool,
        /// Every envmgr-built image no container uses, not only dangling ones.
        #[arg(long)]
        images: bool,
    },
}

/// What `envmgr farm` does.
#[derive(Subcommand, Debug, Clone, Copy)]
pub enum FarmAction {
    /// Start what is not running and wait until both nodes are idle (safe to repeat).
    Up,
    /// Cancel the cluster's jobs and stop every daemon by PID (safe to repeat).
    Down,
    /// Which daemons run (PIDs) and the nodes' states.
    Status {
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
}
