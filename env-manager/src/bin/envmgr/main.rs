//! `envmgr`: the command line over the env-manager library (the replacement for powerdev.sh).
//!
//! Thin on purpose: parse, build a `Config`, call one library function, print, exit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

mod cli;
use cli::{Cli, Command, FarmAction, GlobalOptions};

use env_manager::commands::{self, cleanup, exec, health, lifecycle, run, status, watch};
use env_manager::config::Config;
use env_manager::dotenv::DotEnv;
use env_manager::security::{normalize_capability, OptIn};
use env_manager::{clock, docker, terminal, EnvError};

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
        let done = commands::init::init(&dir, force)?;
        match done.wrote_env {
            Some(p) => println!("wrote {} (mode 600): fill in your keys", p.display()),
            None => println!(
                "kept the existing {} (use --force to overwrite)",
                dir.join(".env").display()
            ),
        }
        println!(
            "created {} folders under {}",
            done.folders.len(),
            dir.join(".agent-mount").display()
        );
        return Ok(0);
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
            let build_args = parse_build_args(&build_args)?;
            let request = commands::build::BuildRequest {
                context: &context,
                dockerfile: &file,
                tag: &g.image,
                build_args,
                no_cache,
            };
            let tag = commands::build::build(&d, &request, |line| eprint!("{line}")).await?;
            println!("built {tag}");
            Ok(0)
        }
        Command::Daemon => {
            let config = run_config(g, &dir, &d).await?;
            let started =
                run::create_and_start(&d, &config, &env_manager::create_request::RunMode::Detached)
                    .await?;
            if let Some(note) = &started.note {
                eprintln!("envmgr: {note}");
            }
            println!(
                "started {name} ({}) from {}, GPUs: {}",
                &started.id[..12.min(started.id.len())],
                config.image,
                started.gpus
            );
            Ok(0)
        }
        Command::Start { command } => {
            let config = run_config(g, &dir, &d).await?;
            let (_, code) = run::start_interactive(&d, &config, command, |started| {
                if let Some(note) = &started.note {
                    eprintln!("envmgr: {note}");
                }
            })
            .await?;
            Ok(exit_byte(code))
        }
        Command::Exec {
            user,
            workdir,
            command,
        } => {
            let tty = terminal::stdin_is_terminal();
            let opts = exec::ExecOptions {
                command,
                user,
                tty,
                stdin: true,
                workdir,
            };
            Ok(exit_byte(exec::exec(&d, name, &opts).await?))
        }
        Command::Logs { follow, tail } => {
            commands::logs::logs(&d, name, follow, tail).await?;
            Ok(0)
        }
        Command::Stop => {
            if lifecycle::stop(&d, name).await? {
                println!("stopped {name}");
            } else {
                println!("{name} was not running");
            }
            Ok(0)
        }
        Command::Rm { force } => {
            lifecycle::remove(&d, name, force).await?;
            println!("removed {name} (.agent-mount/ kept)");
            Ok(0)
        }
        Command::Restart => {
            lifecycle::restart(&d, name).await?;
            println!("restarted {name}");
            Ok(0)
        }
        Command::Status { json } => {
            let env = DotEnv::load(&dir.join(".env"))?;
            let report = status::status(&d, name, &env).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("report serialises")
                );
            } else {
                print!("{}", status::render_table(&report));
            }
            Ok(0)
        }
        Command::Health => {
            let state = health::health(&d, name).await?;
            match &state {
                health::HealthState::Healthy => println!("healthy"),
                health::HealthState::Unhealthy(why) => println!("{why}"),
                health::HealthState::NoContainer => println!("no container named {name}"),
            }
            Ok(state.exit_code() as u8)
        }
        Command::Watch {
            max_restarts,
            backoff,
            max_backoff,
        } => {
            let policy = watch::WatchPolicy {
                max_restarts,
                initial_backoff: Duration::from_secs_f64(backoff.max(0.0)),
                max_backoff: Duration::from_secs_f64(max_backoff.max(backoff).max(0.0)),
                ..Default::default()
            };
            watch::watch(&d, name, &policy, |line| {
                eprintln!(
                    "{} envmgr watch: {line}",
                    clock::compact_utc(clock::now_unix())
                );
            })
            .await?;
            Ok(0)
        }
        Command::Persist => {
            let backup = commands::persist::persist(&d, name, &dir).await?;
            println!(
                "saved {} and the container output into {}",
                if backup.copied.is_empty() {
                    "nothing else".to_string()
                } else {
                    backup.copied.join(", ")
                },
                backup.folder.display()
            );
            Ok(0)
        }
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
            let cleaned = cleanup::cleanup(&d, &scope).await?;
            println!(
                "removed {} container(s){}{} and {} image(s){}{}",
                cleaned.containers.len(),
                if cleaned.containers.is_empty() {
                    ""
                } else {
                    ": "
                },
                cleaned.containers.join(", "),
                cleaned.images.len(),
                if cleaned.images.is_empty() { "" } else { ": " },
                cleaned.images.join(", ")
            );
            Ok(0)
        }
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
fn exit_byte(code: i64) -> u8 {
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
        println!(
            "{}",
            serde_json::to_string_pretty(&status).unwrap_or_default()
        );
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
