//! `persist`: copy the analysis data and logs out of the container into
//! `.agent-mount/backups/<timestamp>/`.
//!
//! Uses Docker's archive API, which also works on a stopped container (Docker mounts its
//! filesystem and binds for the copy), so a crashed environment can still be backed up.

use std::path::{Path, PathBuf};

use bollard::query_parameters::{DownloadFromContainerOptions, LogsOptions};
use bollard::Docker;
use futures::StreamExt;

use super::inspect_existing;
use crate::agent_mount::{AGENT_MOUNT, PERSISTED_PATHS};
use crate::clock;
use crate::error::{is_not_found, EnvError, Result};

/// What was saved.
#[derive(Debug, Clone)]
pub struct Backup {
    /// The timestamped folder under `.agent-mount/backups/` that holds the copy.
    pub folder: PathBuf,
    /// Container paths copied (paths missing in the container are skipped).
    pub copied: Vec<String>,
}

/// Copies [`PERSISTED_PATHS`] and the container's output log into a new backup folder.
pub async fn persist(docker: &Docker, name: &str, project_dir: &Path) -> Result<Backup> {
    inspect_existing(docker, name).await?;
    let folder = project_dir
        .join(AGENT_MOUNT)
        .join("backups")
        .join(clock::compact_utc(clock::now_unix()));
    std::fs::create_dir_all(&folder)
        .map_err(|e| EnvError::io(format!("creating {}", folder.display()), e))?;

    let mut copied = Vec::new();
    for path in PERSISTED_PATHS {
        let mut stream = docker.download_from_container(
            name,
            Some(DownloadFromContainerOptions {
                path: path.to_string(),
            }),
        );
        let mut tar = Vec::new();
        let mut missing = false;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => tar.extend_from_slice(&bytes),
                Err(e) if is_not_found(&e) => {
                    missing = true;
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
        if missing {
            continue;
        }
        tar::Archive::new(&tar[..])
            .unpack(&folder)
            .map_err(|e| EnvError::io(format!("unpacking {path} into {}", folder.display()), e))?;
        copied.push(path.to_string());
    }

    // The main process's output (what `logs` shows) goes along with the log folder.
    let mut log = Vec::new();
    let mut stream = docker.logs(
        name,
        Some(LogsOptions {
            stdout: true,
            stderr: true,
            timestamps: true,
            tail: "all".into(),
            ..Default::default()
        }),
    );
    while let Some(chunk) = stream.next().await {
        log.extend_from_slice(chunk?.as_ref());
    }
    let log_path = folder.join("container-output.log");
    std::fs::write(&log_path, log)
        .map_err(|e| EnvError::io(format!("writing {}", log_path.display()), e))?;
    Ok(Backup { folder, copied })
}
