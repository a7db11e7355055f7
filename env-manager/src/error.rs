//! The one error type of the library.
//!
//! Every variant's message is one sentence a person can act on: what went wrong and what to do.
//! Secrets never reach these messages (a bad `.env` line is reported by number, not by content).

use std::path::PathBuf;

/// Everything that can go wrong while managing the environment.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// Docker's socket did not answer.
    #[error("cannot reach the Docker daemon ({detail}); start it (e.g. `sudo systemctl start docker` or `scripts/docker-engine.sh start`) or set DOCKER_HOST")]
    DaemonUnreachable {
        /// What the connection attempt said.
        detail: String,
    },

    /// The image to run was never built here.
    #[error("image `{image}` does not exist locally; build it first with `envmgr build` (or choose another with --image / ENVMGR_IMAGE)")]
    ImageMissing {
        /// The missing image.
        image: String,
    },

    /// The command needs a container that does not exist.
    #[error("no container named `{name}`; create it with `envmgr daemon` (or `envmgr start`), or pick another with --name / ENVMGR_CONTAINER")]
    NoContainer {
        /// The container asked for.
        name: String,
    },

    /// The command needs a running container.
    #[error(
        "container `{name}` is not running; start it with `envmgr daemon` or `envmgr restart`"
    )]
    NotRunning {
        /// The stopped container.
        name: String,
    },

    /// Creating would replace a container the user may still want.
    #[error("a container named `{name}` already exists; use `envmgr restart`, or `envmgr rm` first to recreate it")]
    AlreadyExists {
        /// The existing container.
        name: String,
    },

    /// A `.env` line that is not `NAME=value` (reported by number: values are secrets).
    #[error("{path}:{line}: {problem}; each line must be `NAME=value` (a comment starts with #)")]
    BadDotEnvLine {
        /// The `.env` file.
        path: PathBuf,
        /// Its 1-based line number.
        line: usize,
        /// What is wrong with the line, without its content.
        problem: String,
    },

    /// A flag or `.env` value out of range or malformed; the text names it and what is valid.
    #[error("invalid setting: {0}")]
    InvalidSetting(String),

    /// GPUs were asked for explicitly and the daemon cannot give any.
    #[error("GPUs were requested (--gpus {mode}) but the Docker daemon has no NVIDIA GPU support (`could not select device driver`); install the NVIDIA Container Toolkit and restart Docker, or run with --gpus none")]
    GpuUnavailable {
        /// The `--gpus` value asked for.
        mode: String,
    },

    /// The daemon reported a failed build step (its message).
    #[error("image build failed: {0}")]
    BuildFailed(String),

    /// `watch` hit its restart cap.
    #[error("`watch` gave up: the container was restarted {restarts} times without staying up; see `envmgr logs`")]
    WatchGaveUp {
        /// Restarts made before giving up.
        restarts: u32,
    },

    /// A local file or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What envmgr was doing.
        context: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// Any other error the Docker API returned.
    #[error("Docker API error: {0}")]
    Docker(#[from] bollard::errors::Error),
}

impl EnvError {
    /// Wraps an I/O error with what envmgr was doing when it happened.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        EnvError::Io {
            context: context.into(),
            source,
        }
    }
}

/// The library's result type.
pub type Result<T, E = EnvError> = std::result::Result<T, E>;

/// True when a bollard error is Docker's 404 (no such container / image).
pub fn is_not_found(err: &bollard::errors::Error) -> bool {
    matches!(
        err,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// True when a bollard error is Docker's 409 (name already in use, container not running...).
pub fn is_conflict(err: &bollard::errors::Error) -> bool {
    matches!(
        err,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 409,
            ..
        }
    )
}
