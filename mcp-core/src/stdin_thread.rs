//! Stdin read on a dedicated OS thread, for when stdin is not a pipe.
//!
//! Tokio's `stdin()` reads on its blocking pool, and a pending read cannot be
//! cancelled: after SIGTERM the runtime's shutdown then waits for input that
//! may never come, and the process hangs. Node-based MCP clients (Claude
//! Code among them) give servers socket pairs rather than FIFOs, so rmcp's
//! non-blocking pipe path does not apply to them. A plain detached thread
//! does not hold up runtime shutdown, and the process exits normally.

use std::io::{self, Read};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

/// Bytes per read; one MCP message is usually far smaller.
const CHUNK: usize = 64 * 1024;
/// Chunks buffered ahead of the protocol: bounds memory, and a client that
/// floods stdin is slowed to the server's pace.
const CHANNEL_CAPACITY: usize = 16;

/// An [`AsyncRead`] fed by a thread that reads the process's stdin.
pub(crate) struct ThreadStdin {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
    pending: Bytes,
}

impl ThreadStdin {
    /// Starts the reader thread. It ends at EOF, on a read error, or when
    /// this reader is dropped and its next chunk has nowhere to go.
    pub(crate) fn spawn() -> io::Result<Self> {
        let (sender, chunks) = mpsc::channel(CHANNEL_CAPACITY);
        std::thread::Builder::new()
            .name("mcp-stdin".into())
            .spawn(move || read_stdin(sender))?;
        Ok(ThreadStdin {
            chunks,
            pending: Bytes::new(),
        })
    }
}

fn read_stdin(sender: mpsc::Sender<io::Result<Bytes>>) {
    let mut stdin = io::stdin().lock();
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let chunk = match stdin.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => Ok(Bytes::copy_from_slice(&buffer[..n])),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => Err(error),
        };
        let failed = chunk.is_err();
        if sender.blocking_send(chunk).is_err() || failed {
            return;
        }
    }
}

impl AsyncRead for ThreadStdin {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pending.is_empty() {
            match ready!(self.chunks.poll_recv(cx)) {
                Some(Ok(chunk)) => self.pending = chunk,
                Some(Err(error)) => return Poll::Ready(Err(error)),
                None => return Poll::Ready(Ok(())),
            }
        }
        let n = buf.remaining().min(self.pending.len());
        buf.put_slice(&self.pending[..n]);
        self.pending.advance(n);
        Poll::Ready(Ok(()))
    }
}

/// Whether fd 0 and fd 1 are both FIFOs, the case rmcp's `stdio_pipes`
/// handles without blocking threads.
pub(crate) fn stdio_are_fifos() -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::FileTypeExt;
        let is_fifo = |path: &str| {
            std::fs::metadata(path)
                .map(|meta| meta.file_type().is_fifo())
                .unwrap_or(false)
        };
        is_fifo("/proc/self/fd/0") && is_fifo("/proc/self/fd/1")
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}
