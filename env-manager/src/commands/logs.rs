//! `logs`: the container's output (`-f` to follow, `--tail N`).

use bollard::query_parameters::LogsOptions;
use bollard::Docker;

use super::inspect_existing;
use crate::error::Result;
use crate::io_pump;

/// Streams the logs to our stdout/stderr; with `follow`, until the container stops.
pub async fn logs(docker: &Docker, name: &str, follow: bool, tail: Option<u64>) -> Result<()> {
    inspect_existing(docker, name).await?;
    let stream = docker.logs(
        name,
        Some(LogsOptions {
            follow,
            stdout: true,
            stderr: true,
            tail: tail.map(|n| n.to_string()).unwrap_or_else(|| "all".into()),
            ..Default::default()
        }),
    );
    io_pump::pump(Box::pin(stream), None).await
}
