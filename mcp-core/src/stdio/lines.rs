//! Newline-delimited messages read from stdin with a bound on their size.

use bytes::BytesMut;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// Bytes kept from the start of an oversized line: enough to find the
/// request's id in any message whose `id` comes before its big `params`,
/// which is how every SDK writes them.
pub(crate) const HEAD_BYTES: usize = 64 * 1024;

/// What one read produced.
#[derive(Debug)]
pub(crate) enum Line {
    /// One whole line, its `\n` included.
    Complete(BytesMut),
    /// A line longer than the limit. Its first [`HEAD_BYTES`] are kept; the
    /// rest is skipped without being stored.
    TooLong {
        head: BytesMut,
    },
    /// The peer closed stdin (a last line without `\n` is incomplete and
    /// dropped, as rmcp does).
    Eof,
    Failed(std::io::Error),
}

/// Reads one line at a time without letting a line grow past `max_bytes`.
///
/// `next` is cancel-safe: the only await is `fill_buf`, which consumes
/// nothing when dropped, and every byte taken from the buffer is moved into
/// `line` (or skipped) in the same synchronous step. rmcp polls `receive`
/// inside a `select!`, so this matters: a cancelled read resumes where it
/// stopped.
pub(crate) struct LineReader<R> {
    read: BufReader<R>,
    line: BytesMut,
    max_bytes: usize,
    /// Skipping the rest of a line already reported as too long.
    skipping: bool,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub(crate) fn new(read: R, max_bytes: usize) -> Self {
        LineReader {
            read: BufReader::with_capacity(64 * 1024, read),
            line: BytesMut::new(),
            max_bytes,
            skipping: false,
        }
    }

    pub(crate) async fn next(&mut self) -> Line {
        loop {
            let available = match self.read.fill_buf().await {
                Ok(available) => available,
                Err(error) => return Line::Failed(error),
            };
            if available.is_empty() {
                return Line::Eof;
            }
            let newline = available.iter().position(|&b| b == b'\n');
            let take = newline.map_or(available.len(), |at| at + 1);
            let outcome = if self.skipping {
                self.skipping = newline.is_none();
                None
            } else if self.line.len() + take > self.max_bytes {
                let mut head = self.line.split();
                head.truncate(HEAD_BYTES);
                let more = (HEAD_BYTES - head.len()).min(take);
                head.extend_from_slice(&available[..more]);
                self.skipping = newline.is_none();
                Some(Line::TooLong { head })
            } else {
                self.line.extend_from_slice(&available[..take]);
                newline.map(|_| Line::Complete(self.line.split()))
            };
            self.read.consume(take);
            if let Some(outcome) = outcome {
                return outcome;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(input: &'static [u8], max: usize, chunk: usize) -> Vec<String> {
        let (mut client, server) = tokio::io::duplex(chunk);
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            client.write_all(input).await.unwrap();
        });
        let mut reader = LineReader::new(server, max);
        let mut seen = Vec::new();
        loop {
            match reader.next().await {
                Line::Complete(line) => seen.push(String::from_utf8(line.to_vec()).unwrap()),
                Line::TooLong { head } => {
                    seen.push(format!("too long: {}", String::from_utf8_lossy(&head)))
                }
                Line::Eof => return seen,
                Line::Failed(error) => panic!("{error}"),
            }
        }
    }

    #[tokio::test]
    async fn lines_are_split_and_oversized_ones_reported_once() {
        for chunk in [1, 3, 64] {
            let seen = read_all(b"ab\nabcdefghij\ncd\nxyz", 8, chunk).await;
            assert_eq!(seen.len(), 3, "chunk {chunk}: {seen:?}");
            assert_eq!(seen[0], "ab\n");
            // The head holds what had arrived when the limit was crossed.
            assert!(seen[1].starts_with("too long: abcdefgh"), "{seen:?}");
            // The rest of the long line was skipped; the unterminated "xyz" dropped.
            assert_eq!(seen[2], "cd\n");
        }
    }

    #[tokio::test]
    async fn a_line_of_exactly_the_limit_is_accepted() {
        let seen = read_all(b"1234567\n", 8, 2).await;
        assert_eq!(seen, ["1234567\n"]);
    }
}
