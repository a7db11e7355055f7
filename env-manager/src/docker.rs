//! Connecting to the Docker daemon.
//!
//! bollard speaks the newest API it knows by default; Debian's Engine 20.10 speaks API 1.41 at
//! most, so every connection negotiates its version down first (`negotiate_version`), then pings
//! so that a missing daemon is reported at once, in one sentence.

use bollard::Docker;

use crate::error::{EnvError, Result};

/// Connects (honouring `DOCKER_HOST`), negotiates the API version and checks the daemon answers.
pub async fn connect() -> Result<Docker> {
    let unreachable = |e: bollard::errors::Error| EnvError::DaemonUnreachable {
        detail: e.to_string(),
    };
    let docker = Docker::connect_with_defaults().map_err(unreachable)?;
    let docker = docker.negotiate_version().await.map_err(unreachable)?;
    docker.ping().await.map_err(unreachable)?;
    Ok(docker)
}

/// The API version in use after negotiation, e.g. `1.41`.
pub fn api_version(docker: &Docker) -> String {
    docker.client_version().to_string()
}
