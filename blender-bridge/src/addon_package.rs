//! The embedded addon as the zips a person installs into their own Blender,
//! and the runs of that Blender that install it or report what it has.
//!
//! The server's own headless Blender needs none of this (it gets the addon
//! on `PYTHONPATH`); this is for the Blender a person opens, which only
//! loads add-ons from its user configuration. Installing goes through that
//! Blender's own operators (src/addon_install.py), so the result is exactly
//! what Preferences > Install would have made, on every version.

use std::ffi::OsString;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use zip::write::SimpleFileOptions;

use crate::addon_bundle::{files, ADDON_VERSION};
use crate::connection::ServerInfo;
use crate::error::BridgeError;
use crate::launcher::{ProgramKind, ScratchDir};

/// The script Blender runs for `install` and `status`.
const SCRIPT: &str = include_str!("addon_install.py");
/// What the script prints before its JSON report.
const REPORT_PREFIX: &str = "BLENDER_MCP_ADDON ";
/// How long a Blender may take to start, install and save its preferences.
const RUN_TIMEOUT: Duration = Duration::from_secs(180);
/// The embedded files that belong in a package (not the launcher's keep_alive.py).
const PACKAGE_DIR: &str = "blender_mcp_addon/";

/// The two ways Blender installs an add-on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PackageKind {
    /// A zip with the `blender_mcp_addon/` folder: Blender 3.x to 4.1.
    Legacy,
    /// A zip with `blender_manifest.toml` at its root: Blender 4.2 and later.
    Extension,
}

impl PackageKind {
    /// Both kinds, legacy first.
    pub const ALL: [PackageKind; 2] = [PackageKind::Legacy, PackageKind::Extension];

    /// The zip's file name, with the addon's version.
    pub fn file_name(self) -> String {
        match self {
            PackageKind::Legacy => format!("blender_mcp_addon-{ADDON_VERSION}.zip"),
            PackageKind::Extension => format!("blender_mcp_rs-{ADDON_VERSION}.zip"),
        }
    }

    /// Which Blenders take this zip, and where a person installs it by hand.
    pub fn how_to_install(self) -> &'static str {
        match self {
            PackageKind::Legacy => "Blender 3.x-4.1: Preferences > Add-ons > Install...",
            PackageKind::Extension => {
                "Blender 4.2+: Preferences > Get Extensions > (menu) Install from Disk..."
            }
        }
    }

    /// The zip's bytes, built from the addon embedded in this binary.
    pub fn zip(self) -> Result<Vec<u8>, BridgeError> {
        let failed = |e: &dyn std::fmt::Display| {
            BridgeError::launch(format!("cannot build the {self:?} zip: {e}"))
        };
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o644);
        for (name, contents) in files() {
            let Some(inner) = name.strip_prefix(PACKAGE_DIR) else {
                continue;
            };
            let entry = match self {
                PackageKind::Legacy => *name,
                PackageKind::Extension => inner,
            };
            writer.start_file(entry, options).map_err(|e| failed(&e))?;
            writer.write_all(contents).map_err(|e| failed(&e))?;
        }
        let cursor = writer.finish().map_err(|e| failed(&e))?;
        Ok(cursor.into_inner())
    }

    /// Writes the zip into `dir` (created if missing) and returns its path.
    /// Written beside and renamed, so a failure never leaves half a zip.
    pub fn write_into(self, dir: &Path) -> Result<PathBuf, BridgeError> {
        let io_error = |path: &Path, e: std::io::Error| {
            BridgeError::launch(format!("{}: {e}", path.display()))
        };
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        let path = dir.join(self.file_name());
        let partial = dir.join(format!(".{}.partial", self.file_name()));
        std::fs::write(&partial, self.zip()?).map_err(|e| io_error(&partial, e))?;
        std::fs::rename(&partial, &path).map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            io_error(&path, e)
        })?;
        Ok(path)
    }
}

/// What a Blender said about the addon in its user configuration.
#[derive(Debug, Clone, Deserialize)]
pub struct AddonReport {
    /// `bpy.app.version_string`.
    pub blender: String,
    /// The module `install` enabled.
    #[serde(default)]
    pub module: Option<String>,
    /// Every copy of the addon that Blender knows of.
    pub installed: Vec<InstalledAddon>,
}

/// One copy of the addon in a Blender's user configuration.
#[derive(Debug, Clone, Deserialize)]
pub struct InstalledAddon {
    /// Its module: `blender_mcp_addon`, or `bl_ext.<repo>.blender_mcp_rs`.
    pub module: String,
    /// Its `bl_info` version.
    pub version: String,
    /// "legacy add-on" or "extension".
    pub kind: String,
    /// Whether Blender enables it at start-up.
    pub enabled: bool,
    /// Where its files are.
    pub path: String,
}

impl InstalledAddon {
    /// Whether this copy is the one this server ships.
    pub fn is_current(&self) -> bool {
        self.version == ADDON_VERSION
    }
}

/// Warns when the addon a Blender runs is not the version this server
/// ships: new tools may rely on what an older addon lacks, and the fix is
/// one command a person would not otherwise think of.
pub(crate) fn warn_if_other_version(info: &ServerInfo) {
    if info.addon_version == ADDON_VERSION {
        return;
    }
    let theirs = match info.addon_version.as_str() {
        "" => "an addon that does not say its version".to_owned(),
        version => format!("addon {version}"),
    };
    tracing::warn!(
        "Blender {} runs {theirs} but this server ships {ADDON_VERSION}: update it with \
         `blender-mcp-rs addon install --blender <your Blender>`, then restart Blender",
        info.blender_version
    );
}

/// Asks `blender` (a Blender executable, or a Python that imports `bpy`)
/// which copies of the addon it has.
pub async fn status(blender: &Path) -> Result<AddonReport, BridgeError> {
    run(blender, &ScratchDir::create()?, &["status".into()]).await
}

/// Installs this binary's addon into `blender`'s user configuration and
/// enables it there; `auto_start` also makes it serve whenever Blender opens.
pub async fn install(blender: &Path, auto_start: bool) -> Result<AddonReport, BridgeError> {
    let scratch = ScratchDir::create()?;
    let mut args: Vec<OsString> = vec!["install".into()];
    for kind in PackageKind::ALL {
        args.push(kind.write_into(&scratch.0)?.into());
    }
    if auto_start {
        args.push("--auto-start".into());
    }
    run(blender, &scratch, &args).await
}

/// Runs the script (written into `scratch`) in `blender` and reads its report.
async fn run(
    blender: &Path,
    scratch: &ScratchDir,
    args: &[OsString],
) -> Result<AddonReport, BridgeError> {
    let script = scratch.0.join("addon_install.py");
    std::fs::write(&script, SCRIPT)
        .map_err(|e| BridgeError::launch(format!("{}: {e}", script.display())))?;
    let mut command = tokio::process::Command::new(blender);
    if ProgramKind::detect(blender) == ProgramKind::Blender {
        command.args(["-b", "--python-exit-code", "1", "--python"]);
    }
    command.arg(&script).arg("--").args(args).kill_on_drop(true);
    let output = match tokio::time::timeout(RUN_TIMEOUT, command.output()).await {
        Err(_) => {
            return Err(BridgeError::launch(format!(
                "{} did not finish within {} s",
                blender.display(),
                RUN_TIMEOUT.as_secs()
            )))
        }
        Ok(Err(e)) => {
            return Err(BridgeError::launch(format!(
                "cannot run {}: {e} (pass --blender with the path of your Blender executable)",
                blender.display()
            )))
        }
        Ok(Ok(output)) => output,
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = stdout
        .lines()
        .find_map(|line| line.strip_prefix(REPORT_PREFIX))
        .filter(|_| output.status.success());
    match report.map(serde_json::from_str::<AddonReport>) {
        Some(Ok(report)) => Ok(report),
        Some(Err(e)) => Err(BridgeError::launch(format!("unreadable report: {e}"))),
        None => Err(BridgeError::Launch {
            reason: format!("{} failed ({})", blender.display(), output.status),
            output_tail: last_lines(&[&stdout, &String::from_utf8_lossy(&output.stderr)], 20),
        }),
    }
}

/// The last `n` lines of the given outputs, together.
fn last_lines(outputs: &[&str], n: usize) -> String {
    let lines: Vec<&str> = outputs.iter().flat_map(|o| o.lines()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(kind: PackageKind) -> Vec<String> {
        let zip = zip::ZipArchive::new(Cursor::new(kind.zip().unwrap())).unwrap();
        zip.file_names().map(|n| n.unwrap().into_owned()).collect()
    }

    #[test]
    fn the_legacy_zip_holds_the_package_folder() {
        let names = names(PackageKind::Legacy);
        assert!(names.contains(&"blender_mcp_addon/__init__.py".to_owned()));
        assert!(
            names.iter().all(|n| n.starts_with(PACKAGE_DIR)),
            "{names:?}"
        );
    }

    #[test]
    fn the_extension_zip_has_its_manifest_at_the_root() {
        let names = names(PackageKind::Extension);
        assert!(names.contains(&"blender_manifest.toml".to_owned()));
        assert!(names.contains(&"__init__.py".to_owned()));
        assert!(!names.iter().any(|n| n.contains("keep_alive")), "{names:?}");
    }

    #[test]
    fn the_manifest_carries_the_bl_info_version() {
        let manifest = files()
            .iter()
            .find(|(name, _)| name.ends_with("blender_manifest.toml"))
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .unwrap();
        assert!(
            manifest.contains(&format!("version = \"{ADDON_VERSION}\"")),
            "{ADDON_VERSION} not in {manifest}"
        );
        assert!(ADDON_VERSION.split('.').all(|p| p.parse::<u32>().is_ok()));
    }
}
