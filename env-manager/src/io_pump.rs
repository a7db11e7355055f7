//! Copying between the user's stdin/stdout/stderr and an attached container stream.

use std::pin::Pin;

use bollard::container::LogOutput;
use futures::{Stream, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::error::Result;

/// Output stream of an attach or exec.
pub type OutputStream =
    Pin<Box<dyn Stream<Item = std::result::Result<LogOutput, bollard::errors::Error>> + Send>>;

/// Forwards our stdin to `input` (closing its write side at end of input, which is how the
/// container sees EOF) and the container's output to our stdout/stderr, until the output ends.
pub async fn pump(
    mut output: OutputStream,
    input: Option<Pin<Box<dyn AsyncWrite + Send>>>,
) -> Result<()> {
    let stdin_task = input.map(|mut input| {
        tokio::spawn(async move {
            let mut stdin = tokio::io::stdin();
            let mut buf = vec![0u8; 8192];
            loop {
                match stdin.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if input.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                        let _ = input.flush().await;
                    }
                }
            }
            let _ = input.shutdown().await;
        })
    });

    let mut stdout = tokio::io::stdout();
    let mut stderr = tokio::io::stderr();
    while let Some(chunk) = output.next().await {
        match chunk? {
            LogOutput::StdErr { message } => {
                stderr.write_all(&message).await.ok();
                stderr.flush().await.ok();
            }
            LogOutput::StdOut { message } | LogOutput::Console { message } => {
                stdout.write_all(&message).await.ok();
                stdout.flush().await.ok();
            }
            LogOutput::StdIn { .. } => {}
        }
    }
    if let Some(task) = stdin_task {
        task.abort();
    }
    Ok(())
}
