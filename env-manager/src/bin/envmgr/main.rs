//! `envmgr`: the command line over the env-manager library (the replacement for powerdev.sh).
//!
//! Thin on purpose: parse, build a `Config`, call one library function, print, exit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

mod cli;
mod handlers;
use cli::{Cli, Command, FarmAction, GlobalOptions};

use env_manager::commands::{self, cleanup, exec, watch};
use env_manager::config::Config;
use env_manager::security::{normalize_capability, OptIn};
use env_manager::{docker, terminal, EnvError};

/// Exit code for envmgr's own failures in `exec` and `start`, where 1.. belong to the command
/// (the same convention as `docker run`).
const OWN_FAILURE_EXIT: u8 = 125;

fn main() -> ExitCode {
    // bollard traces whole request bodies, and a create request carries the .env values: its
    // logging is capped at info whatever ENVMGR_LOG asks for.
    let filter = tracing_subscriber::EnvFilter::try_from_env("ENVMGR_LOG")
        .unwrap_or_else(|_| "warn".into())
        .add_directive("bollard=info".parse().expect("static directive"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let own_failure = match cli.command {
        Command::Exec { .. } | Command::Start { .. } => OWN_FAILURE_EXIT,
        _ => 1,
    };
    let code = runtime.block_on(dispatch(cli));
    // Do not wait for a blocked stdin reader thread at shutdown.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match code {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("envmgr: {e}");
            ExitCode::from(own_failure)
        }
    }
}

fn project_dir(global: &GlobalOptions) -> Result<PathBuf, EnvError> {
    let dir = match &global.project_dir {
        Some(d) => d.clone(),
        None => {
            std::env::current_dir().map_err(|e| EnvError::io("reading the current directory", e))?
        }
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| EnvError::io(format!("creating {}", dir.display()), e))?;
    dir.canonicalize()
        .map_err(|e| EnvError::io(format!("opening {}", dir.display()), e))
}

fn opt_ins(global: &GlobalOptions) -> Result<Vec<OptIn>, EnvError> {
    let mut out = Vec::new();
    if !global.cap_add.is_empty() {
        let caps = global
            .cap_add
            .iter()
            .map(|c| normalize_capability(c))
            .collect::<Result<Vec<_>, _>>()
            .map_err(EnvError::InvalidSetting)?;
        out.push(OptIn::AddCapabilities(caps));
    }
    let flags = [
        (global.docker_in_docker, OptIn::DockerInDocker),
        (global.seccomp_unconfined, OptIn::SeccompUnconfined),
        (global.apparmor_unconfined, OptIn::ApparmorUnconfined),
        (global.publish_all_interfaces, OptIn::PublishAllInterfaces),
        (global.mount_ssh_keys, OptIn::MountSshKeys),
        (global.ssh_agent, OptIn::SshAgent),
    ];
    out.extend(flags.into_iter().filter(|(on, _)| *on).map(|(_, o)| o));
    Ok(out)
}

/// The full configuration for `start` / `daemon`: flags, `.env`, limits from the daemon's host.
async fn run_config(
    global: &GlobalOptions,
    dir: &Path,
    d: &bollard::Docker,
) -> Result<Config, EnvError> {
    let mut config = Config::new(dir);
    config.image = global.image.clone();
    config.container_name = global.name.clone();
    config.gpus = global.gpus.clone();
    if !global.ports.is_empty() {
        config.ports = global.ports.clone();
    }
    config.security.opt_ins = opt_ins(global)?;
    let info = d.info().await?;
    config.load_dotenv(info.ncpu.unwrap_or(1), info.mem_total.unwrap_or(0))?;
    env_manager::agent_mount::create_folders(dir)?;
    if config.security.has(&OptIn::MountSshKeys) {
        let home = std::env::var_os("HOME").map(PathBuf::from).ok_or_else(|| {
            EnvError::InvalidSetting("--mount-ssh-keys needs $HOME to find ~/.ssh".into())
        })?;
        config.ssh_dir = Some(home.join(".ssh"));
    }
    if config.security.has(&OptIn::SshAgent) {
        config.ssh_auth_sock = Some(
            std::env::var_os("SSH_AUTH_SOCK")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    EnvError::InvalidSetting(
                        "--ssh-agent needs a running agent ($SSH_AUTH_SOCK is not set)".into(),
                    )
                })?,
        );
    }
    Ok(config)
}

/// Runs one subcommand: the two that need no Docker first, then the rest on one connection.
async fn dispatch(cli: Cli) -> Result<u8, EnvError> {
    let g = &cli.global;
    if let Command::Farm {
        action,
        state_dir,
        base_port,
    } = &cli.command
    {
        return farm(*action, state_dir, *base_port);
    }
    let dir = project_dir(g)?;
    if let Command::Init { force } = cli.command {
        return handlers::init(&dir, force);
    }
    let d = docker::connect().await?;
    let name = g.name.as_str();
    match cli.command {
        Command::Init { .. } | Command::Farm { .. } => unreachable!("handled above"),
        Command::Build {
            file,
            context,
            build_args,
            no_cache,
        } => {
            let file = file.unwrap_or_else(|| context.join("env-manager/Dockerfile"));
            let request = commands::build::BuildRequest {
                context: &context,
                dockerfile: &file,
                tag: &g.image,
                build_args: parse_build_args(&build_args)?,
                no_cache,
            };
            handlers::build(&d, &request).await
        }
        Command::Daemon => handlers::daemon(&d, &run_config(g, &dir, &d).await?).await,
        Command::Start { command } => {
            handlers::start(&d, &run_config(g, &dir, &d).await?, command).await
        }
        Command::Exec {
            user,
            workdir,
            command,
        } => {
            let opts = exec::ExecOptions {
                command,
                user,
                tty: terminal::stdin_is_terminal(),
                stdin: true,
                workdir,
            };
            Ok(exit_byte(exec::exec(&d, name, &opts).await?))
        }
        Command::Logs { follow, tail } => {
            commands::logs::logs(&d, name, follow, tail).await?;
            Ok(0)
        }
        Command::Stop => handlers::stop(&d, name).await,
        Command::Rm { force } => handlers::remove(&d, name, force).await,
        Command::Restart => handlers::restart(&d, name).await,
        Command::Status { json } => handlers::status(&d, name, &dir, json).await,
        Command::Health => handlers::health(&d, name).await,
        Command::Watch {
            max_restarts,
            backoff,
            max_backoff,
        } => handlers::watch(&d, name, &watch_policy(max_restarts, backoff, max_backoff)).await,
        Command::Persist => handlers::persist(&d, name, &dir).await,
        Command::Cleanup {
            all_projects,
            running,
            images,
        } => {
            let scope = cleanup::CleanupScope {
                project: (!all_projects).then_some(dir.as_path()),
                include_running: running,
                all_images: images,
            };
            handlers::cleanup(&d, &scope).await
        }
    }
}

/// Backoffs from the command line (seconds; negative ones count as 0, and the longest is never
/// shorter than the first).
fn watch_policy(max_restarts: u32, backoff: f64, max_backoff: f64) -> watch::WatchPolicy {
    watch::WatchPolicy {
        max_restarts,
        initial_backoff: Duration::from_secs_f64(backoff.max(0.0)),
        max_backoff: Duration::from_secs_f64(max_backoff.max(backoff).max(0.0)),
        ..Default::default()
    }
}

fn parse_build_args(args: &[String]) -> Result<HashMap<String, String>, EnvError> {
    args.iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| {
                    EnvError::InvalidSetting(format!("--build-arg `{a}` is not NAME=VALUE"))
                })
        })
        .collect()
}

/// Container exit codes are 0..=255 in practice; anything else (signals reported oddly, -1)
/// becomes 255 rather than wrapping to a misleading success.
pub(crate) fn exit_byte(code: i64) -> u8 {
    u8::try_from(code).unwrap_or(255)
}

/// `envmgr farm up|down|status`; exit 1 from `status` when something is not running.
fn farm(action: FarmAction, state_dir: &Path, base_port: u16) -> Result<u8, EnvError> {
    use env_manager::commands::farm::LocalSlurm;
    let cluster = LocalSlurm::new(state_dir, base_port);
    let (status, json) = match action {
        FarmAction::Up => (cluster.up()?, false),
        FarmAction::Down => (cluster.down()?, false),
        FarmAction::Status { json } => (cluster.status(), json),
    };
    if json {
        // Paths, names and flags only: serialising cannot fail.
        let text = serde_json::to_string_pretty(&status).expect("a farm status serialises");
        println!("{text}");
    } else {
        for d in &status.daemons {
            let pid = d.pid.map_or("-".to_owned(), |p| p.to_string());
            let state = if d.running { "running" } else { "stopped" };
            println!("{:<10} {state:<8} pid {pid}", d.name);
        }
        for node in &status.nodes {
            println!("node {node}");
        }
        println!("export SLURM_CONF={}", status.slurm_conf.display());
    }
    let all_running = status.daemons.iter().all(|d| d.running);
    Ok(match action {
        FarmAction::Down => u8::from(status.daemons.iter().any(|d| d.running)),
        _ => u8::from(!all_running),
    })
}
