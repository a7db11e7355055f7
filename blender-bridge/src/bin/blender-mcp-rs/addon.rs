//! `blender-mcp-rs addon ...`: puts the addon this binary embeds into a
//! person's own Blender, so the server can attach to the Blender they work
//! in. The headless Blender the server launches needs none of this.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use blender_bridge::addon_bundle::ADDON_VERSION;
use blender_bridge::addon_package::{self, AddonReport, PackageKind};

/// Something to do instead of serving MCP.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Install the Blender addon into your own Blender, check it, or zip it.
    #[command(subcommand)]
    Addon(AddonCommand),
}

/// `blender-mcp-rs addon ...`.
#[derive(Debug, clap::Subcommand)]
pub enum AddonCommand {
    /// Install the addon into a Blender's user configuration and enable it,
    /// through that Blender itself (run it while that Blender is closed, or
    /// restart it afterwards).
    Install {
        #[command(flatten)]
        target: Target,
        /// Also make the addon start its bridge whenever Blender opens
        /// (its "Start automatically" preference).
        #[arg(long)]
        auto_start: bool,
    },
    /// Show which addon a Blender has against the one this server ships.
    /// Exits 1 when it is missing, disabled or another version.
    Status {
        #[command(flatten)]
        target: Target,
    },
    /// Write the addon as zips to install by hand: a legacy add-on for
    /// Blender 3.x-4.1 and an extension for 4.2+.
    Zip {
        /// Folder to write into (created if missing).
        #[arg(default_value = ".", value_name = "OUT_DIR")]
        out: PathBuf,
        /// Write only this kind.
        #[arg(long, value_enum)]
        kind: Option<PackageKind>,
    },
}

/// Which Blender to work on.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// Your Blender's executable (or a Python that imports `bpy`).
    /// Default: `blender` on PATH.
    #[arg(long, value_name = "PATH")]
    blender: Option<PathBuf>,
}

impl Target {
    fn program(&self) -> anyhow::Result<PathBuf> {
        if let Some(path) = &self.blender {
            return Ok(path.clone());
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|dir| dir.join("blender"))
            .find(|candidate| candidate.is_file())
            .context(
                "no `blender` on PATH: pass --blender with your Blender's executable \
                 (e.g. /Applications/Blender.app/Contents/MacOS/Blender)",
            )
    }
}

/// Runs `command`; the exit code says whether the Blender is ready to attach to.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let Command::Addon(command) = command;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    match command {
        AddonCommand::Zip { out, kind } => {
            for kind in kind.map_or(PackageKind::ALL.to_vec(), |kind| vec![kind]) {
                let path = kind.write_into(&out)?;
                println!("{}  ({})", path.display(), kind.how_to_install());
            }
            Ok(ExitCode::SUCCESS)
        }
        AddonCommand::Install { target, auto_start } => {
            let program = target.program()?;
            let report = runtime.block_on(addon_package::install(&program, auto_start))?;
            let module = report.module.as_deref().unwrap_or("the addon");
            println!(
                "Installed and enabled {module} {ADDON_VERSION} in Blender {}.",
                report.blender
            );
            if !auto_start {
                println!(
                    "In Blender, start the bridge from the 3D View's sidebar (N) > MCP > Start, \
                     or install again with --auto-start."
                );
            }
            Ok(print_status(&program, &report))
        }
        AddonCommand::Status { target } => {
            let program = target.program()?;
            let report = runtime.block_on(addon_package::status(&program))?;
            Ok(print_status(&program, &report))
        }
    }
}

/// Prints what `report` found and what to do about it; failure unless the
/// current version is installed and enabled.
fn print_status(program: &Path, report: &AddonReport) -> ExitCode {
    println!("Blender {} ({})", report.blender, program.display());
    for copy in &report.installed {
        let state = if copy.enabled { "enabled" } else { "disabled" };
        println!(
            "  {} {} ({}, {state}) in {}",
            copy.module, copy.version, copy.kind, copy.path
        );
    }
    let fix = format!(
        "blender-mcp-rs addon install --blender {}",
        program.display()
    );
    let ready = report
        .installed
        .iter()
        .any(|copy| copy.enabled && copy.is_current());
    if ready {
        println!("This server ships addon {ADDON_VERSION}: up to date.");
        return ExitCode::SUCCESS;
    }
    match report.installed.iter().find(|copy| copy.enabled) {
        None if report.installed.is_empty() => {
            println!("The addon is not installed. Install it: {fix}")
        }
        None => println!("The addon is installed but not enabled. Enable it: {fix}"),
        Some(old) => println!(
            "The enabled addon is {} but this server ships {ADDON_VERSION}. Update it: {fix} \
             (then restart Blender)",
            old.version
        ),
    }
    ExitCode::FAILURE
}
