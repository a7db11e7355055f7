//! One function per subcommand that has something to say: call the library, print what a
//! person needs to read, return the exit status. Kept apart from `dispatch` so that the
//! match over commands stays a table and each command's wording sits in one place.

use std::path::Path;

use bollard::Docker;

use env_manager::commands::watch::{self, WatchPolicy};
use env_manager::commands::{self, build::BuildRequest, cleanup, health, lifecycle, run, status};
use env_manager::config::Config;
use env_manager::create_request::RunMode;
use env_manager::dotenv::DotEnv;
use env_manager::{clock, EnvError};

use crate::exit_byte;

/// `init`: the `.env` template and the `.agent-mount/` folders.
pub fn init(dir: &Path, force: bool) -> Result<u8, EnvError> {
    let done = commands::init::init(dir, force)?;
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
    Ok(0)
}

/// `build`: the daemon's build output on stderr, the tag on stdout.
pub async fn build(d: &Docker, request: &BuildRequest<'_>) -> Result<u8, EnvError> {
    let tag = commands::build::build(d, request, |line| eprint!("{line}")).await?;
    println!("built {tag}");
    Ok(0)
}

/// `daemon`: create and start detached.
pub async fn daemon(d: &Docker, config: &Config) -> Result<u8, EnvError> {
    let started = run::create_and_start(d, config, &RunMode::Detached).await?;
    if let Some(note) = &started.note {
        eprintln!("envmgr: {note}");
    }
    println!(
        "started {} ({}) from {}, GPUs: {}",
        config.container_name,
        &started.id[..12.min(started.id.len())],
        config.image,
        started.gpus
    );
    Ok(0)
}

/// `start`: create, start and attach; the exit status is the container's.
pub async fn start(d: &Docker, config: &Config, command: Vec<String>) -> Result<u8, EnvError> {
    let (_, code) = run::start_interactive(d, config, command, |started| {
        if let Some(note) = &started.note {
            eprintln!("envmgr: {note}");
        }
    })
    .await?;
    Ok(exit_byte(code))
}

/// `stop`: says whether there was anything to stop.
pub async fn stop(d: &Docker, name: &str) -> Result<u8, EnvError> {
    if lifecycle::stop(d, name).await? {
        println!("stopped {name}");
    } else {
        println!("{name} was not running");
    }
    Ok(0)
}

/// `rm`: the container goes, the project's files stay.
pub async fn remove(d: &Docker, name: &str, force: bool) -> Result<u8, EnvError> {
    lifecycle::remove(d, name, force).await?;
    println!("removed {name} (.agent-mount/ kept)");
    Ok(0)
}

/// `restart`.
pub async fn restart(d: &Docker, name: &str) -> Result<u8, EnvError> {
    lifecycle::restart(d, name).await?;
    println!("restarted {name}");
    Ok(0)
}

/// `status`: a table, or the report as JSON for scripts.
pub async fn status(d: &Docker, name: &str, dir: &Path, json: bool) -> Result<u8, EnvError> {
    let env = DotEnv::load(&dir.join(".env"))?;
    let report = status::status(d, name, &env).await?;
    if json {
        // Strings, numbers and maps only: serialising cannot fail.
        let text = serde_json::to_string_pretty(&report).expect("a status report serialises");
        println!("{text}");
    } else {
        print!("{}", status::render_table(&report));
    }
    Ok(0)
}

/// `health`: the verdict, with an exit status scripts can branch on.
pub async fn health(d: &Docker, name: &str) -> Result<u8, EnvError> {
    let state = health::health(d, name).await?;
    match &state {
        health::HealthState::Healthy => println!("healthy"),
        health::HealthState::Unhealthy(why) => println!("{why}"),
        health::HealthState::NoContainer => println!("no container named {name}"),
    }
    Ok(state.exit_code() as u8)
}

/// `watch`: each restart on stderr with a UTC timestamp, until the daemon goes or the cap is hit.
pub async fn watch(d: &Docker, name: &str, policy: &WatchPolicy) -> Result<u8, EnvError> {
    watch::watch(d, name, policy, |line| {
        eprintln!(
            "{} envmgr watch: {line}",
            clock::compact_utc(clock::now_unix())
        );
    })
    .await?;
    Ok(0)
}

/// `persist`: what was copied, and where.
pub async fn persist(d: &Docker, name: &str, dir: &Path) -> Result<u8, EnvError> {
    let backup = commands::persist::persist(d, name, dir).await?;
    let copied = if backup.copied.is_empty() {
        "nothing else".to_string()
    } else {
        backup.copied.join(", ")
    };
    println!(
        "saved {copied} and the container output into {}",
        backup.folder.display()
    );
    Ok(0)
}

/// `cleanup`: what was removed, by name.
pub async fn cleanup(d: &Docker, scope: &cleanup::CleanupScope<'_>) -> Result<u8, EnvError> {
    let cleaned = cleanup::cleanup(d, scope).await?;
    println!(
        "removed {} container(s){} and {} image(s){}",
        cleaned.containers.len(),
        named(&cleaned.containers),
        cleaned.images.len(),
        named(&cleaned.images)
    );
    Ok(0)
}

/// `: a, b` after a count, or nothing when there is nothing to name.
fn named(items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!(": {}", items.join(", "))
    }
}
