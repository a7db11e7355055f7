//! One file per subcommand group. Each takes a connected `Docker` and plain arguments, returns
//! data or an exit code, and leaves printing policy to the CLI where it can.

pub mod build;
pub mod cleanup;
pub mod exec;
pub mod farm;
pub mod health;
pub mod init;
pub mod lifecycle;
pub mod logs;
pub mod persist;
pub mod run;
pub mod status;
pub mod watch;

use bollard::models::ContainerInspectResponse;
use bollard::query_parameters::InspectContainerOptions;
use bollard::Docker;

use crate::error::{is_not_found, EnvError, Result};

/// Inspects `name`; `None` when there is no such container.
pub async fn inspect(docker: &Docker, name: &str) -> Result<Option<ContainerInspectResponse>> {
    match docker
        .inspect_container(name, None::<InspectContainerOptions>)
        .await
    {
        Ok(c) => Ok(Some(c)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Inspects `name`, failing with a clear sentence when it does not exist.
pub async fn inspect_existing(docker: &Docker, name: &str) -> Result<ContainerInspectResponse> {
    inspect(docker, name)
        .await?
        .ok_or_else(|| EnvError::NoContainer {
            name: name.to_string(),
        })
}

/// True when the inspected container is running.
pub fn is_running(c: &ContainerInspectResponse) -> bool {
    c.state.as_ref().and_then(|s| s.running).unwrap_or(false)
}
