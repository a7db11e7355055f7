//! `stop`, `rm` and `restart`.

use bollard::query_parameters::{
    RemoveContainerOptions, RestartContainerOptions, StopContainerOptions,
};
use bollard::Docker;

use super::{inspect_existing, is_running};
use crate::error::{is_not_found, EnvError, Result};

/// Seconds the entrypoint gets to shut the services down after SIGTERM before Docker kills it.
pub const STOP_GRACE_SECS: i32 = 20;

/// Stops the container (SIGTERM, then SIGKILL after the grace period). Returns false when it
/// was not running.
pub async fn stop(docker: &Docker, name: &str) -> Result<bool> {
    let c = inspect_existing(docker, name).await?;
    if !is_running(&c) {
        return Ok(false);
    }
    docker
        .stop_container(
            name,
            Some(StopContainerOptions {
                t: Some(STOP_GRACE_SECS),
                ..Default::default()
            }),
        )
        .await?;
    Ok(true)
}

/// Removes the container; with `force` a running one too (otherwise it must be stopped first).
pub async fn remove(docker: &Docker, name: &str, force: bool) -> Result<()> {
    let c = inspect_existing(docker, name).await?;
    if is_running(&c) && !force {
        return Err(EnvError::InvalidSetting(format!(
            "container `{name}` is running; stop it first with `envmgr stop` (or use `envmgr rm --force`)"
        )));
    }
    match docker
        .remove_container(
            name,
            Some(RemoveContainerOptions {
                force,
                ..Default::default()
            }),
        )
        .await
    {
        Err(e) if is_not_found(&e) => Err(EnvError::NoContainer {
            name: name.to_string(),
        }),
        other => Ok(other?),
    }
}

/// Restarts the container (stopped or running).
pub async fn restart(docker: &Docker, name: &str) -> Result<()> {
    inspect_existing(docker, name).await?;
    docker
        .restart_container(
            name,
            Some(RestartContainerOptions {
                t: Some(STOP_GRACE_SECS),
                ..Default::default()
            }),
        )
        .await?;
    Ok(())
}
