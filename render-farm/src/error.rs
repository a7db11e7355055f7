//! What can go wrong with a render job, worded for whoever asked for it.

use std::path::PathBuf;

/// A farm failure. Every message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum FarmError {
    /// The frame specification does not parse or is empty.
    #[error("frames {spec:?}: {reason}. Write ranges like \"1-240\", \"1-10,20,30-40x2\" (START-END[xSTEP], comma-separated)")]
    Frames { spec: String, reason: String },
    /// A request the farm refuses before touching any backend.
    #[error("{0}")]
    Invalid(String),
    /// No job of that id in the farm directory.
    #[error("no render job {id:?}.{hint} list_render_jobs shows the jobs there are")]
    NoJob { id: String, hint: String },
    /// The scheduler refused or could not be reached.
    #[error("{backend}: {message}")]
    Backend { backend: String, message: String },
    /// Reading or writing the job directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl FarmError {
    /// An I/O failure on `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| FarmError::Io { path, source }
    }

    /// A backend failure.
    pub fn backend(backend: &str, message: impl Into<String>) -> Self {
        FarmError::Backend {
            backend: backend.to_owned(),
            message: message.into(),
        }
    }
}

/// Results of farm operations.
pub type Result<T, E = FarmError> = std::result::Result<T, E>;
