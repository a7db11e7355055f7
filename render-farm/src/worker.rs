//! How a worker is started: the farm Blender running the job's worker
//! script on one chunk.
//!
//! The farm Blender is either a Python with pip's `bpy` (run the script
//! directly) or a `blender` binary (run it headless with `--python`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::job_dir::JobDir;

/// The Blender workers run.
#[derive(Debug, Clone)]
pub struct FarmBlender {
    program: PathBuf,
}

impl FarmBlender {
    /// `program`: a bpy Python or a Blender binary.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
        }
    }

    /// The program.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Whether the program is a Python (by its file name, as the launcher decides).
    fn is_python(&self) -> bool {
        self.program
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("python"))
    }

    /// The command line (program first) that renders chunk `chunk` of the
    /// job in `dir`; `chunk` may be a shell expansion such as
    /// `$SLURM_ARRAY_TASK_ID` when the line goes into a script.
    pub fn command(&self, dir: &JobDir, chunk: &str) -> Vec<OsString> {
        let script = dir.worker_script().into_os_string();
        let mut argv = vec![self.program.clone().into_os_string()];
        if self.is_python() {
            argv.push(script);
        } else {
            for arg in ["-b", "--factory-startup", "-noaudio", "--python"] {
                argv.push(arg.into());
            }
            argv.push(script);
            argv.push("--".into());
        }
        argv.push(dir.root().as_os_str().to_owned());
        argv.push(chunk.into());
        argv
    }
}
