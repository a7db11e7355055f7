//! Writes one JSON-RPC message as one line on stdout, without ever holding
//! a large line whole in memory.
//!
//! rmcp's codec serialises every message into the writer's buffer before a
//! byte leaves, so relaying a 16 MiB tool result (which MCP carries twice:
//! as structured content and as the text that mirrors it) cost a 32 MiB
//! line on top of the result itself, plus the regrowth copies of the buffer
//! on the way there. Small messages, nearly all of them, still go out as one
//! buffer and one write; a message that outgrows [`INLINE_LIMIT`] is
//! serialised on a blocking thread in [`CHUNK`]-sized pieces that are
//! written as they come, so the server's memory holds the result plus a few
//! chunks. The bytes on the wire are the same either way (serde_json's
//! compact form and a newline, as rmcp's codec writes them).

use std::io::{self, Write};

use serde::Serialize;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// Messages up to this size are serialised into one buffer and written at once.
const INLINE_LIMIT: usize = 1 << 20;
/// Piece size of a streamed message: large enough that a write costs little
/// per byte, small enough that a few in flight cost nothing.
const CHUNK: usize = 128 * 1024;
/// Pieces serialised ahead of the write; bounds the memory of a stream.
const CHUNKS_AHEAD: usize = 2;

/// Writes `message` and a newline to `out`, then flushes.
pub(crate) async fn write_line<W, T>(out: &mut W, message: T) -> io::Result<()>
where
    W: AsyncWrite + Unpin,
    T: Serialize + Send + 'static,
{
    let mut inline = Capped {
        bytes: Vec::with_capacity(1024),
    };
    match serde_json::to_writer(&mut inline, &message) {
        Ok(()) => {
            inline.bytes.push(b'\n');
            out.write_all(&inline.bytes).await?;
        }
        Err(error) if error.io_error_kind() == Some(io::ErrorKind::FileTooLarge) => {
            drop(inline);
            write_streamed(out, message).await?;
        }
        Err(error) => return Err(io::Error::new(io::ErrorKind::InvalidData, error)),
    }
    out.flush().await
}

/// Serialises `message` on a blocking thread and writes its pieces in order.
async fn write_streamed<W, T>(out: &mut W, message: T) -> io::Result<()>
where
    W: AsyncWrite + Unpin,
    T: Serialize + Send + 'static,
{
    let (pieces, mut received) = mpsc::channel(CHUNKS_AHEAD);
    let serialiser = tokio::task::spawn_blocking(move || {
        let mut sender = ChunkSender {
            piece: Vec::with_capacity(CHUNK),
            pieces,
        };
        serde_json::to_writer(&mut sender, &message)?;
        sender.piece.push(b'\n');
        sender.send_piece()
    });
    while let Some(piece) = received.recv().await {
        out.write_all(&piece).await?;
    }
    // A failure here leaves part of a line on stdout: the stream is then
    // broken, which the error ends (serialising rmcp's messages cannot fail
    // short of running out of memory, so this is not expected to happen).
    serialiser.await.map_err(io::Error::other)?
}

/// A buffer that refuses to grow past [`INLINE_LIMIT`].
struct Capped {
    bytes: Vec<u8>,
}

impl Write for Capped {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + data.len() > INLINE_LIMIT {
            return Err(io::ErrorKind::FileTooLarge.into());
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Cuts the serialised bytes into pieces and hands them to the writing task.
struct ChunkSender {
    piece: Vec<u8>,
    pieces: mpsc::Sender<Vec<u8>>,
}

impl ChunkSender {
    fn send_piece(&mut self) -> io::Result<()> {
        let piece = std::mem::replace(&mut self.piece, Vec::with_capacity(CHUNK));
        self.pieces
            .blocking_send(piece)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "stdout writer stopped"))
    }
}

impl Write for ChunkSender {
    /// Takes at most what fills the piece: serde_json writes a string's
    /// unescaped run in one call, which may be the whole 16 MiB.
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let taken = data.len().min(CHUNK - self.piece.len());
        self.piece.extend_from_slice(&data[..taken]);
        if self.piece.len() == CHUNK {
            self.send_piece()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn written(message: serde_json::Value) -> Vec<u8> {
        let mut out = Vec::new();
        write_line(&mut out, message).await.unwrap();
        out
    }

    #[tokio::test]
    async fn small_and_large_messages_are_written_as_serde_json_writes_them() {
        for size in [
            0,
            10,
            INLINE_LIMIT - 100,
            INLINE_LIMIT + 1,
            3 * CHUNK * CHUNKS_AHEAD,
        ] {
            let message =
                json!({"jsonrpc": "2.0", "id": 1, "result": {"text": "é\"".repeat(size / 3)}});
            let mut expected = serde_json::to_vec(&message).unwrap();
            expected.push(b'\n');
            assert!(written(message).await == expected, "size {size}");
        }
    }
}
