//! rmcp's `Transport` over stdin/stdout that answers bad input.
//!
//! rmcp's own stdio transport drops a line that is not JSON without a word,
//! and drops a line over its size limit the same way, so a client that sent
//! either waits forever for an answer that never comes. This transport reads
//! the lines itself and answers those with JSON-RPC errors on the same
//! stdout writer rmcp's replies use; every other line goes to rmcp exactly as
//! its own transport would pass it on.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{BufMut, BytesMut};
use rmcp::service::{RoleServer, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::async_rw::JsonRpcMessageCodec;
use rmcp::transport::Transport;
use serde_json::error::Category;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::Mutex;
use tokio_util::codec::Decoder;

use super::line_writer::write_line;
use super::lines::{Line, LineReader};
use super::request_head::request_id_in_head;
use crate::rejection::{check_list_cursor, check_standard_params, is_list_request, Rejection};

/// The server side of an MCP stdio session.
pub(crate) struct StdioTransport<R, W> {
    lines: LineReader<R>,
    max_message_bytes: usize,
    /// Shared with the futures `send` returns, which outlive `&mut self`.
    writer: Arc<Mutex<Option<Out<W>>>>,
    /// Error answers not yet handed to the writer.
    owed: VecDeque<Rejection>,
    /// Error answers handed to the writer but maybe not all written (a
    /// `receive` writing them was dropped).
    unwritten: bool,
    parse_errors: AnswerBudget,
}

impl<R, W> StdioTransport<R, W>
where
    R: AsyncRead + Send + Unpin,
    W: AsyncWrite + Send + Unpin + 'static,
{
    pub(crate) fn new(read: R, write: W, max_message_bytes: usize) -> Self {
        StdioTransport {
            lines: LineReader::new(read, max_message_bytes),
            max_message_bytes,
            writer: Arc::new(Mutex::new(Some(Out {
                write,
                unsent: BytesMut::new(),
            }))),
            owed: VecDeque::new(),
            unwritten: false,
            parse_errors: AnswerBudget::new(PARSE_ERROR_ANSWERS_PER_SECOND),
        }
    }

    /// Writes the owed error answers. Cancel-safe: an answer leaves `owed`
    /// only once the writer holds it. `false` when stdout is gone.
    async fn pay_what_is_owed(&mut self) -> bool {
        if self.owed.is_empty() && !self.unwritten {
            return true;
        }
        let mut writer = self.writer.lock().await;
        let Some(out) = writer.as_mut() else {
            return false;
        };
        for rejection in self.owed.drain(..) {
            let line =
                serde_json::to_vec(&rejection.into_message()).expect("a JSON-RPC error serialises");
            out.unsent.extend_from_slice(&line);
            out.unsent.put_u8(b'\n');
        }
        self.unwritten = true;
        if out.write_unsent().await.is_err() {
            return false;
        }
        self.unwritten = false;
        true
    }

    fn refuse_oversized(&mut self, head: &[u8]) {
        let id = request_id_in_head(head);
        tracing::warn!(
            limit = self.max_message_bytes,
            answered_by_id = id.is_some(),
            "refused a message on stdin over the size limit"
        );
        self.owed
            .push_back(Rejection::too_large(id, self.max_message_bytes));
    }

    fn refuse(&mut self, rejection: Rejection) {
        if rejection.code == rmcp::model::ErrorCode::PARSE_ERROR && !self.parse_errors.take() {
            tracing::debug!("unparsable line on stdin, not answered (too many this second)");
            return;
        }
        // The content is never logged: it may hold a secret.
        tracing::debug!(
            code = rejection.code.0,
            "answered a malformed message on stdin"
        );
        self.owed.push_back(rejection);
    }
}

impl<R, W> Transport<RoleServer> for StdioTransport<R, W>
where
    R: AsyncRead + Send + Unpin,
    W: AsyncWrite + Send + Unpin + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let writer = self.writer.clone();
        async move {
            match writer.lock().await.as_mut() {
                Some(out) => {
                    out.write_unsent().await?;
                    write_line(&mut out.write, item).await
                }
                None => Err(std::io::Error::new(
                    std::io::ErrorKind::NotConnected,
                    "the stdio transport is closed",
                )),
            }
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            if !self.pay_what_is_owed().await {
                return None;
            }
            match self.lines.next().await {
                Line::Complete(line) => match classify(&line) {
                    Ok(Some(message)) => return Some(message),
                    Ok(None) => {}
                    Err(rejection) => self.refuse(rejection),
                },
                Line::TooLong { head } => self.refuse_oversized(&head),
                Line::Eof => return None,
                Line::Failed(error) => {
                    tracing::error!("cannot read stdin: {error}");
                    return None;
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.writer.lock().await.take();
        Ok(())
    }
}

/// Stdout, and the error answers' bytes not yet written to it.
struct Out<W> {
    write: W,
    /// Kept with the writer, not in a local, because rmcp drops a pending
    /// `receive` (and so a write of these) whenever something else happens
    /// first: whatever writes next finishes them, so a line cut short is
    /// completed before another begins.
    unsent: BytesMut,
}

impl<W: AsyncWrite + Unpin> Out<W> {
    /// Writes what is left of the error answers. Cancel-safe: `write_buf`
    /// takes bytes out of `unsent` only as they are written.
    async fn write_unsent(&mut self) -> std::io::Result<()> {
        if self.unsent.is_empty() {
            return Ok(());
        }
        while !self.unsent.is_empty() {
            if self.write.write_buf(&mut self.unsent).await? == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
        }
        self.write.flush().await
    }
}

/// A message for rmcp, nothing (blank line, ignored notification), or why
/// the line is refused.
fn classify(line: &[u8]) -> Result<Option<RxJsonRpcMessage<RoleServer>>, Rejection> {
    let json = line.strip_suffix(b"\n").unwrap_or(line);
    let json = json.strip_suffix(b"\r").unwrap_or(json);
    let json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(json);
    if json.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let error = match serde_json::from_slice(json) {
        Ok(message) => {
            if is_list_request(&message) {
                check_list_cursor(&serde_json::from_slice(json).unwrap_or_default())?;
            }
            return check_standard_params(&message).map(|()| Some(message));
        }
        Err(error) => error,
    };
    if matches!(error.classify(), Category::Syntax | Category::Eof) {
        return Err(Rejection::parse_error(&error));
    }
    if rmcp_ignores(json) {
        return Ok(None);
    }
    let value = serde_json::from_slice(json).unwrap_or_default();
    Err(Rejection::invalid_request(&value, error))
}

/// Whether rmcp's own codec skips this message rather than failing it (it
/// tolerates notifications outside MCP, such as LSP noise on a shared pipe).
/// Asked of rmcp itself so the rule cannot drift; only reached on the error
/// path, so the copy costs nothing on good input.
fn rmcp_ignores(json: &[u8]) -> bool {
    let mut buffer = BytesMut::with_capacity(json.len() + 1);
    buffer.extend_from_slice(json);
    buffer.put_u8(b'\n');
    matches!(
        JsonRpcMessageCodec::<RxJsonRpcMessage<RoleServer>>::default().decode(&mut buffer),
        Ok(None)
    )
}

/// Unparsable lines answered per second at most. rmcp and the other SDKs
/// answer none, because a peer that echoes each error back as more garbage
/// would turn the pipe into an error storm; a few answers a second tell a
/// human or a buggy client what is wrong without that risk.
const PARSE_ERROR_ANSWERS_PER_SECOND: u32 = 10;

struct AnswerBudget {
    per_second: u32,
    window_start: Instant,
    used: u32,
}

impl AnswerBudget {
    fn new(per_second: u32) -> Self {
        AnswerBudget {
            per_second,
            window_start: Instant::now(),
            used: 0,
        }
    }

    fn take(&mut self) -> bool {
        if self.window_start.elapsed() >= Duration::from_secs(1) {
            self.window_start = Instant::now();
            self.used = 0;
        }
        self.used += 1;
        self.used <= self.per_second
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(line: &[u8]) -> Option<i32> {
        classify(line).err().map(|rejection| rejection.code.0)
    }

    #[test]
    fn lines_are_sorted_into_messages_nothing_and_refusals() {
        assert!(matches!(
            classify(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n"),
            Ok(Some(_))
        ));
        assert!(matches!(classify(b"   \n"), Ok(None)));
        // Notifications outside MCP are tolerated, never refused.
        assert!(
            classify(b"{\"jsonrpc\":\"2.0\",\"method\":\"$/lsp/noise\",\"params\":7}\n").is_ok()
        );
        assert_eq!(code_of(b"{not json\n"), Some(-32700));
        assert_eq!(code_of(b"\xff\xfe garbage\n"), Some(-32700));
        assert_eq!(code_of(b"[1, 2]\n"), Some(-32600));
        let refused = classify(
            b"{\"jsonrpc\":\"2.0\",\"id\":\"q\",\"method\":\"tools/call\",\"params\":3}\n",
        )
        .unwrap_err();
        assert_eq!(
            refused.id,
            Some(rmcp::model::NumberOrString::String("q".into()))
        );
    }

    #[test]
    fn the_budget_refills_each_second() {
        let mut budget = AnswerBudget::new(2);
        assert!(budget.take() && budget.take());
        assert!(!budget.take());
        budget.window_start -= Duration::from_secs(1);
        assert!(budget.take());
    }
}
