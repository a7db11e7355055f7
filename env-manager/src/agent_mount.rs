//! The persistent `.agent-mount/` folders on the host and where they appear in the container.
//!
//! Everything worth keeping lives here, so `rm` and a rebuild never lose work.

use std::path::{Path, PathBuf};

use crate::error::{EnvError, Result};

/// Folder under the project directory holding the persistent data.
pub const AGENT_MOUNT: &str = ".agent-mount";

/// (folder under `.agent-mount/`, path in the container).
pub const PERSISTENT_FOLDERS: &[(&str, &str)] = &[
    ("docker_analysis", "/workspace/analysis"),
    ("docker_data", "/workspace/data"),
    ("docker_data/claude-flow", "/home/dev/.claude-flow"),
    ("docker_logs", "/workspace/logs"),
    ("docker_output", "/workspace/output"),
    ("docker_workspace", "/workspace/work"),
];

/// Where the external project (`EXTERNAL_DIR`, or `.agent-mount/ext`) appears.
pub const EXT_TARGET: &str = "/workspace/ext";
/// Container paths `persist` copies out.
pub const PERSISTED_PATHS: &[&str] = &["/workspace/analysis", "/workspace/logs"];

/// Creates `.agent-mount/` and its folders (idempotent).
pub fn create_folders(project_dir: &Path) -> Result<Vec<PathBuf>> {
    let root = project_dir.join(AGENT_MOUNT);
    let mut made = Vec::new();
    let all = PERSISTENT_FOLDERS
        .iter()
        .map(|(host, _)| *host)
        .chain(["ext", "backups"]);
    for folder in all {
        let path = root.join(folder);
        std::fs::create_dir_all(&path)
            .map_err(|e| EnvError::io(format!("creating {}", path.display()), e))?;
        give_to_container_user(&path)?;
        made.push(path);
    }
    Ok(made)
}

/// When envmgr runs as root (CI, `sudo`), hands a folder to UID/GID 1000: the container's
/// `dev` user must be able to write its logs and data there. A non-root user keeps ownership
/// (the usual desktop UID is 1000 already).
fn give_to_container_user(path: &Path) -> Result<()> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(());
    }
    std::os::unix::fs::chown(path, Some(1000), Some(1000))
        .map_err(|e| EnvError::io(format!("giving {} to UID 1000", path.display()), e))
}

/// Bind specs (`host:container[:ro]`) for the persistent folders and the external directory.
pub fn binds(project_dir: &Path, external_dir: Option<&Path>) -> Vec<String> {
    let root = project_dir.join(AGENT_MOUNT);
    let mut binds: Vec<String> = PERSISTENT_FOLDERS
        .iter()
        .map(|(host, target)| format!("{}:{}", root.join(host).display(), target))
        .collect();
    let ext = external_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("ext"));
    binds.push(format!("{}:{}", ext.display(), EXT_TARGET));
    binds
}
