//! `init`: write `.env` from the template and create the `.agent-mount/` folders.

use std::path::{Path, PathBuf};

use crate::agent_mount;
use crate::error::{EnvError, Result};

/// The template shipped with envmgr (`env-manager/env_template`): every variable, commented.
pub const ENV_TEMPLATE: &str = include_str!("../../env_template");

/// What `init` did.
#[derive(Debug, Clone)]
pub struct Initialised {
    /// `Some` when `.env` was written (an existing one is kept unless `force`).
    pub wrote_env: Option<PathBuf>,
    /// The `.agent-mount/` folders created (existing ones are kept).
    pub folders: Vec<PathBuf>,
}

/// Writes `.env` from the template (mode 600) and creates the `.agent-mount/` folders under `project_dir`.
pub fn init(project_dir: &Path, force: bool) -> Result<Initialised> {
    std::fs::create_dir_all(project_dir)
        .map_err(|e| EnvError::io(format!("creating {}", project_dir.display()), e))?;
    let env_path = project_dir.join(".env");
    let wrote_env = if env_path.exists() && !force {
        None
    } else {
        write_private(&env_path, ENV_TEMPLATE)?;
        Some(env_path)
    };
    let folders = agent_mount::create_folders(project_dir)?;
    Ok(Initialised { wrote_env, folders })
}

/// Writes a file readable by its owner only: `.env` will hold API keys.
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| EnvError::io(format!("writing {}", path.display()), e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| EnvError::io(format!("writing {}", path.display()), e))
}
