//! `exec`: run a command in the running container, passing its exit code through.

use bollard::exec::{CreateExecOptions, ResizeExecOptions, StartExecOptions, StartExecResults};
use bollard::Docker;

use super::{inspect_existing, is_running};
use crate::error::{EnvError, Result};
use crate::io_pump;
use crate::terminal;

/// Options of one `exec`.
#[derive(Debug, Clone, Default)]
pub struct ExecOptions {
    /// The command and its arguments, run without a shell.
    pub command: Vec<String>,
    /// Run as this user instead of the container's (`dev`), e.g. `root`.
    pub user: Option<String>,
    /// Allocate a TTY; the CLI sets it when stdin is a terminal.
    pub tty: bool,
    /// Forward our stdin to the command.
    pub stdin: bool,
    /// The working directory in the container, else the image's.
    pub workdir: Option<String>,
}

/// Runs the command, streaming its output to ours, and returns its exit code.
pub async fn exec(docker: &Docker, name: &str, opts: &ExecOptions) -> Result<i64> {
    let c = inspect_existing(docker, name).await?;
    if !is_running(&c) {
        return Err(EnvError::NotRunning {
            name: name.to_string(),
        });
    }
    if opts.command.is_empty() {
        return Err(EnvError::InvalidSetting(
            "exec needs a command, e.g. `envmgr exec bash`".into(),
        ));
    }
    let created = docker
        .create_exec(
            name,
            CreateExecOptions {
                cmd: Some(opts.command.clone()),
                user: opts.user.clone(),
                working_dir: opts.workdir.clone(),
                tty: Some(opts.tty),
                attach_stdin: Some(opts.stdin),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                ..Default::default()
            },
        )
        .await?;
    let started = docker
        .start_exec(
            &created.id,
            Some(StartExecOptions {
                detach: false,
                tty: opts.tty,
                output_capacity: None,
            }),
        )
        .await?;
    let StartExecResults::Attached { output, input } = started else {
        unreachable!("start_exec without detach always attaches");
    };
    if opts.tty {
        if let Some((rows, cols)) = terminal::size() {
            let _ = docker
                .resize_exec(
                    &created.id,
                    ResizeExecOptions {
                        height: rows,
                        width: cols,
                    },
                )
                .await;
        }
    }
    let raw = if opts.tty {
        terminal::RawModeGuard::enable()
    } else {
        None
    };
    let pumped = io_pump::pump(output, opts.stdin.then_some(input)).await;
    drop(raw);
    pumped?;
    let inspected = docker.inspect_exec(&created.id).await?;
    Ok(inspected.exit_code.unwrap_or(-1))
}
