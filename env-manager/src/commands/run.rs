//! `daemon` and `start`: create the container from the configuration and start it.
//!
//! Both go through [`create_and_start`], which owns the GPU fallback: a GPU request on a daemon
//! without the NVIDIA toolkit is only refused at *start*, after the container exists, so the dead
//! container is removed here before anything else happens.

use bollard::models::DeviceRequest;
use bollard::query_parameters::{
    AttachContainerOptions, CreateContainerOptions, RemoveContainerOptions,
    ResizeContainerTTYOptions, StartContainerOptions, WaitContainerOptions,
};
use bollard::Docker;
use futures::StreamExt;

use crate::config::Config;
use crate::create_request::{container_create_request, RunMode};
use crate::error::{is_conflict, is_not_found, EnvError, Result};
use crate::gpu::{self, GpuMode};
use crate::io_pump;
use crate::terminal;

/// What happened while creating and starting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// The new container's id.
    pub id: String,
    /// The GPU request actually used (`none`, `all`, ...).
    pub gpus: String,
    /// Set when `auto` fell back to no GPUs: the sentence to show the user.
    pub note: Option<String>,
}

/// Creates the container named in `config` and starts it.
pub async fn create_and_start(docker: &Docker, config: &Config, mode: &RunMode) -> Result<Started> {
    ensure_image(docker, &config.image).await?;
    let info = docker.info().await?;
    let request = gpu::resolve(&config.gpus, &info);
    match create_then_start(docker, config, request.as_ref(), mode).await {
        Ok(id) => Ok(Started {
            id,
            gpus: gpu::describe(request.as_ref()),
            note: None,
        }),
        Err(StartFailure::MissingGpuDriver) => {
            if config.gpus != GpuMode::Auto {
                return Err(EnvError::GpuUnavailable {
                    mode: config.gpus.to_string(),
                });
            }
            let id = create_then_start(docker, config, None, mode)
                .await
                .map_err(StartFailure::into_error)?;
            Ok(Started {
                id,
                gpus: "none".into(),
                note: Some(
                    "the daemon lists an NVIDIA runtime but cannot give GPUs to containers (`could not select device driver`); started without GPUs".into(),
                ),
            })
        }
        Err(other) => Err(other.into_error()),
    }
}

enum StartFailure {
    MissingGpuDriver,
    Other(EnvError),
}

impl StartFailure {
    fn into_error(self) -> EnvError {
        match self {
            StartFailure::MissingGpuDriver => EnvError::GpuUnavailable {
                mode: "auto".into(),
            },
            StartFailure::Other(e) => e,
        }
    }
}

async fn create_then_start(
    docker: &Docker,
    config: &Config,
    gpus: Option<&DeviceRequest>,
    mode: &RunMode,
) -> std::result::Result<String, StartFailure> {
    let body = container_create_request(config, gpus, mode);
    let options = CreateContainerOptions {
        name: Some(config.container_name.clone()),
        ..Default::default()
    };
    let created = match docker.create_container(Some(options), body).await {
        Ok(c) => c,
        Err(e) if is_conflict(&e) => {
            return Err(StartFailure::Other(EnvError::AlreadyExists {
                name: config.container_name.clone(),
            }))
        }
        Err(e) => return Err(StartFailure::Other(e.into())),
    };
    if let Err(e) = docker
        .start_container(&created.id, None::<StartContainerOptions>)
        .await
    {
        // Never leave the dead container behind: the next `daemon` would hit "already exists".
        let _ = docker
            .remove_container(
                &created.id,
                Some(RemoveContainerOptions {
                    force: true,
                    ..Default::default()
                }),
            )
            .await;
        return Err(if gpu::is_missing_driver_error(&e) {
            StartFailure::MissingGpuDriver
        } else {
            StartFailure::Other(e.into())
        });
    }
    Ok(created.id)
}

/// Fails with a clear sentence when `image` is not present locally.
pub async fn ensure_image(docker: &Docker, image: &str) -> Result<()> {
    match docker.inspect_image(image).await {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Err(EnvError::ImageMissing {
            image: image.to_string(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// `start`: creates and starts the container with `command` (the image's CMD when empty),
/// attaches the user's terminal (a TTY when stdin is one) and returns the container's exit code
/// when it ends. `on_started` runs before attaching (to show a GPU fallback note while it is
/// still news). The container stays (stopped) afterwards, like `docker run` without `--rm`.
pub async fn start_interactive(
    docker: &Docker,
    config: &Config,
    command: Vec<String>,
    on_started: impl FnOnce(&Started),
) -> Result<(Started, i64)> {
    let tty = terminal::stdin_is_terminal();
    let mode = RunMode::Interactive { tty, command };
    let started = create_and_start(docker, config, &mode).await?;
    on_started(&started);
    let attach = docker
        .attach_container(
            &started.id,
            Some(AttachContainerOptions {
                stdin: true,
                stdout: true,
                stderr: true,
                stream: true,
                logs: true,
                ..Default::default()
            }),
        )
        .await?;
    if tty {
        if let Some((rows, cols)) = terminal::size() {
            let _ = docker
                .resize_container_tty(
                    &started.id,
                    ResizeContainerTTYOptions {
                        h: i32::from(rows),
                        w: i32::from(cols),
                    },
                )
                .await;
        }
    }
    let raw = if tty {
        terminal::RawModeGuard::enable()
    } else {
        None
    };
    let pumped = io_pump::pump(attach.output, Some(attach.input)).await;
    drop(raw);
    pumped?;
    let code = wait_exit_code(docker, &started.id).await?;
    Ok((started, code))
}

/// Waits for the container to stop and returns its exit code.
pub async fn wait_exit_code(docker: &Docker, id: &str) -> Result<i64> {
    let mut wait = docker.wait_container(id, None::<WaitContainerOptions>);
    match wait.next().await {
        Some(Ok(r)) => Ok(r.status_code),
        // bollard reports a non-zero exit as an error carrying the code.
        Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
        Some(Err(e)) => Err(e.into()),
        None => Ok(0),
    }
}
