//! The render farm from the command line: on with --farm-dir.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use blender_bridge::launcher;
use render_farm::{Farm, FarmConfig, SlurmOptions};

use crate::cli::Cli;

/// How often the farm brings running jobs up to date on its own (retries,
/// starting queued chunks on the local pool).
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// The farm the command line asks for, watched; `None` without --farm-dir.
pub fn from_cli(cli: &Cli) -> anyhow::Result<Option<Arc<Farm>>> {
    let Some(dir) = &cli.farm_dir else {
        return Ok(None);
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating --farm-dir {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("--farm-dir {}", dir.display()))?;
    let blender = cli
        .farm_blender
        .clone()
        .or_else(|| cli.blender_program.clone())
        .filter(|p| !p.as_os_str().is_empty())
        .or_else(launcher::default_program)
        .unwrap_or_else(|| "blender".into());
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let config = FarmConfig {
        dir,
        blender,
        workers: cli.farm_workers.unwrap_or(cores / 2).max(1),
        retries: cli.farm_retries,
        slurm: SlurmOptions {
            partition: cli.slurm_partition.clone(),
            time_limit: cli.slurm_time.clone(),
            cpus_per_task: cli.slurm_cpus,
            mem: cli.slurm_mem.clone(),
            extra_args: cli.slurm_args.clone(),
        },
    };
    let farm = Arc::new(Farm::new(config));
    Farm::watch(&farm, WATCH_EVERY);
    Ok(Some(farm))
}
