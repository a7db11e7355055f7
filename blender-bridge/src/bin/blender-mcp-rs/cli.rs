//! Command-line and environment configuration of `blender-mcp-rs`.
//!
//! Every setting has a flag and, where a client's config file is the natural
//! place for it (`claude mcp add ... -e BLENDER_PORT=9877`), an environment
//! variable. Defaults are the safe choice: loopback, token on, launch a
//! private headless Blender when none is running.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use blender_bridge::tools::{TaskSettings, MAX_TASK_TTL};
use clap::Parser;
use mcp_core::Transport;

/// MCP server that lets an AI agent drive Blender.
///
/// With no flags it serves MCP over stdio (what `claude mcp add blender
/// blender-mcp-rs` expects), connects to the Blender addon at 127.0.0.1:9876,
/// and if no Blender answers there it launches a headless one itself (pip's
/// `bpy` or a `blender` binary), uses it, and shuts it down on exit.
///
/// execute_blender_code takes an undo step before the code, so that a
/// failure rolls the scene back; Blender's step costs about 1 ms per 1,000
/// objects (78 ms on 100,000). A call with rollback_on_error=false skips it.
#[derive(Debug, Parser)]
#[command(name = "blender-mcp-rs", version, about, long_about)]
pub struct Cli {
    /// Instead of serving: `addon install|status|zip` puts the addon into
    /// your own Blender (see `blender-mcp-rs addon --help`).
    #[command(subcommand)]
    pub command: Option<crate::addon::Command>,

    /// Host of a running Blender with the blender-mcp-rs addon.
    #[arg(long, env = "BLENDER_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port of the addon's bridge.
    #[arg(long, env = "BLENDER_PORT", default_value_t = 9876)]
    pub port: u16,

    /// Bridge token. Default: the addon's per-user token file
    /// (~/.config/blender-mcp-rs/token), which the addon creates.
    #[arg(long, env = "BLENDER_MCP_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// Read the bridge token from this file instead.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// Never launch a Blender: fail the tool calls with a clear error while
    /// none answers at --host/--port.
    #[arg(long)]
    pub no_launch: bool,

    /// What to launch when no Blender answers: a Python that has `bpy`
    /// (pip install bpy) or a Blender binary. Default: the project's cached
    /// venv (~/.cache/blender-mcp-rs/venv/bin/python), else `blender` on PATH.
    #[arg(long, env = "BLENDER_MCP_BLENDER", value_name = "PATH")]
    pub blender_program: Option<PathBuf>,

    /// Drive several Blenders: NAME=HOST:PORT for a running one, NAME=launch
    /// for a private headless one. Repeatable; the first is the default,
    /// and every tool takes `instance: NAME`. Replaces --host/--port.
    #[arg(long = "blender", value_name = "NAME=HOST:PORT|NAME=launch")]
    pub blenders: Vec<crate::blenders::InstanceSpec>,

    /// How long a launched Blender may take to become ready, in seconds.
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub launch_timeout: u64,

    /// Where a launched Blender's own output goes (default: this process's
    /// stderr; stdout is reserved for MCP).
    #[arg(long, value_name = "PATH")]
    pub blender_log: Option<PathBuf>,

    /// Longest a single Blender operation may take before the call fails
    /// with a timeout, in seconds.
    #[arg(
        long,
        env = "BLENDER_MCP_TIMEOUT",
        default_value_t = 300,
        value_name = "SECS"
    )]
    pub request_timeout: u64,

    /// Serve only the tools that change nothing: execute_blender_code and
    /// every tool that edits the scene or writes files are hidden and refused.
    #[arg(long, visible_alias = "no-exec", env = "BLENDER_MCP_READ_ONLY")]
    pub read_only: bool,

    /// Tool groups listed at the start of a session, comma-separated: core
    /// (always), objects, materials_nodes, modifiers, animation, render,
    /// files_assets, api_docs, mesh, instances, farm, or all. An agent adds
    /// more with enable_tools; use all for clients that ignore
    /// tools/list_changed. Every tool can be called whether listed or not.
    #[arg(
        long,
        env = "BLENDER_MCP_TOOLS",
        value_delimiter = ',',
        default_value = "core",
        value_name = "GROUPS"
    )]
    pub tools: Vec<String>,

    /// Run calls that would lose work without asking: open_blend over
    /// unsaved changes, big delete_objects, execute_blender_code with
    /// rollback_on_error=false over unsaved changes.
    #[arg(long, env = "BLENDER_MCP_NO_CONFIRM")]
    pub no_confirm: bool,

    /// delete_objects of more objects than this asks the user first
    /// (elicitation, or confirm: true from clients that cannot ask).
    #[arg(
        long,
        env = "BLENDER_MCP_CONFIRM_DELETE_OVER",
        default_value_t = 10,
        value_name = "N"
    )]
    pub confirm_delete_over: usize,

    /// Default time limit of execute_blender_code, in seconds: code still
    /// running then is interrupted (Blender keeps serving). Calls may set
    /// their own with timeout_seconds.
    #[arg(
        long,
        env = "BLENDER_MCP_EXEC_TIMEOUT",
        default_value_t = 300,
        value_name = "SECS"
    )]
    pub exec_timeout: u64,

    /// MCP tasks working on one Blender at a time (render_*, batch and
    /// execute_blender_code called by a client that declares the tasks
    /// extension); more wait in line. 0 turns tasks off.
    #[arg(
        long,
        env = "BLENDER_MCP_MAX_TASKS",
        default_value_t = 1,
        value_name = "N",
        help_heading = "Tasks"
    )]
    pub max_tasks_per_blender: usize,

    /// How long an MCP task lives from its creation (at most 86400): one
    /// still working then is stopped; a finished one's result is kept this
    /// long after it finished.
    #[arg(
        long,
        env = "BLENDER_MCP_TASK_TTL",
        default_value_t = 3600,
        value_name = "SECS",
        help_heading = "Tasks"
    )]
    pub task_ttl: u64,

    /// MCP transport: stdio (default), http (Streamable HTTP at /mcp), sse
    /// (legacy HTTP+SSE at /sse), or all (http and sse on one port).
    #[arg(long, env = "BLENDER_MCP_TRANSPORT", default_value = "stdio")]
    pub transport: Transport,

    /// Address for the HTTP transports. Loopback unless you say otherwise;
    /// a non-loopback address requires --http-token-file.
    #[arg(long, env = "BLENDER_MCP_BIND", default_value = "127.0.0.1:8765")]
    pub bind: SocketAddr,

    /// Really listen on the non-loopback --bind address (anyone who can reach
    /// it can run Python in Blender, so a --http-token-file is required too).
    #[arg(long)]
    pub allow_non_loopback: bool,

    /// Most live Streamable HTTP sessions; a new one closes the session idle
    /// longest.
    #[arg(long, env = "BLENDER_MCP_MAX_SESSIONS", value_name = "N",
          default_value_t = mcp_core::http::DEFAULT_MAX_SESSIONS)]
    pub max_sessions: usize,

    /// A Streamable HTTP session with no request and no open stream for this
    /// many seconds is closed.
    #[arg(long, env = "BLENDER_MCP_SESSION_IDLE_TIMEOUT", value_name = "SECS",
          default_value_t = mcp_core::http::DEFAULT_SESSION_IDLE_TIMEOUT.as_secs())]
    pub session_idle_timeout: u64,

    /// File holding the bearer token HTTP clients must send.
    #[arg(long, value_name = "PATH")]
    pub http_token_file: Option<PathBuf>,

    /// Extra allowed browser Origins for the HTTP transports (loopback
    /// origins are always allowed). Repeatable.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allowed_origins: Vec<String>,

    /// Directory file tools may read and write under (import/export, .blend
    /// save/open). Repeatable. Default: the working directory. The output
    /// directory is always allowed too. Paths are on Blender's side.
    #[arg(long = "allow-root", value_name = "DIR")]
    pub allow_roots: Vec<PathBuf>,

    /// Where renders and relative export paths go (default:
    /// <tmp>/blender-mcp-rs-output).
    #[arg(long, env = "BLENDER_MCP_OUTPUT_DIR", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Turn the render farm tools on, keeping jobs here: one directory per
    /// job with the scene snapshot, the record and the logs. Every worker
    /// must see it at the same path: a local disk for the local pool, a
    /// shared filesystem (NFS, Lustre, ...) for Slurm nodes.
    #[arg(
        long,
        env = "BLENDER_MCP_FARM_DIR",
        value_name = "DIR",
        help_heading = "Render farm"
    )]
    pub farm_dir: Option<PathBuf>,

    /// The Blender workers render with: a Python with bpy or a Blender
    /// binary, at this path on every node. Default: what
    /// --blender-program launches.
    #[arg(
        long,
        env = "BLENDER_MCP_FARM_BLENDER",
        value_name = "PATH",
        help_heading = "Render farm"
    )]
    pub farm_blender: Option<PathBuf>,

    /// Blenders the local pool runs at once. Default: half the cores.
    #[arg(
        long,
        env = "BLENDER_MCP_FARM_WORKERS",
        value_name = "N",
        help_heading = "Render farm"
    )]
    pub farm_workers: Option<usize>,

    /// Times a chunk whose worker failed or died is started again before
    /// it counts as failed (retry_render_job starts it again after that).
    #[arg(
        long,
        env = "BLENDER_MCP_FARM_RETRIES",
        default_value_t = 2,
        value_name = "N",
        help_heading = "Render farm"
    )]
    pub farm_retries: u32,

    /// Slurm partition for render jobs (sbatch --partition). The cluster is
    /// found as by any Slurm client: SLURM_CONF, else /etc/slurm/slurm.conf.
    #[arg(
        long,
        env = "BLENDER_MCP_SLURM_PARTITION",
        value_name = "NAME",
        help_heading = "Render farm"
    )]
    pub slurm_partition: Option<String>,

    /// Time limit per chunk (sbatch --time), e.g. 2:00:00.
    #[arg(
        long,
        env = "BLENDER_MCP_SLURM_TIME",
        value_name = "TIME",
        help_heading = "Render farm"
    )]
    pub slurm_time: Option<String>,

    /// CPUs per chunk (sbatch --cpus-per-task); Blender renders with as many threads.
    #[arg(
        long,
        env = "BLENDER_MCP_SLURM_CPUS",
        value_name = "N",
        help_heading = "Render farm"
    )]
    pub slurm_cpus: Option<u32>,

    /// Memory per chunk (sbatch --mem), e.g. 8G.
    #[arg(
        long,
        env = "BLENDER_MCP_SLURM_MEM",
        value_name = "SIZE",
        help_heading = "Render farm"
    )]
    pub slurm_mem: Option<String>,

    /// One more sbatch argument, as given (repeatable), e.g.
    /// --slurm-arg=--account=vfx --slurm-arg=--gres=gpu:1.
    #[arg(
        long = "slurm-arg",
        value_name = "ARG",
        allow_hyphen_values = true,
        help_heading = "Render farm"
    )]
    pub slurm_args: Vec<String>,

    /// Log filter for stderr (e.g. info, debug, blender_bridge=trace);
    /// RUST_LOG overrides. The default shows this server's own events
    /// (where it listens, the Blender it launched, failures) and only
    /// warnings from its libraries, whose INFO lines repeat for every session.
    #[arg(long, default_value = "warn,blender_bridge=info,mcp_core=info")]
    pub log: String,
}

impl Cli {
    /// The per-request timeout as a Duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout.max(1))
    }

    /// How MCP tasks run.
    pub fn task_settings(&self) -> TaskSettings {
        TaskSettings {
            max_running_per_blender: self.max_tasks_per_blender,
            ttl: Duration::from_secs(self.task_ttl.max(1)).min(MAX_TASK_TTL),
        }
    }

    /// The launch timeout as a Duration.
    pub fn launch_timeout(&self) -> Duration {
        Duration::from_secs(self.launch_timeout.max(1))
    }
}
