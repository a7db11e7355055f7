//! Where a launched Blender's output goes.
//!
//! Our stdout is the MCP protocol, so the child's stdout and stderr are both
//! piped through here: each line goes to the log file (or to our stderr), the
//! last lines are kept for error messages, and the ready line is picked out.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The prefix of the line the addon prints once it listens.
pub(crate) const READY_PREFIX: &str = "BLENDER_MCP_READY ";

/// How many lines of output error messages quote.
const TAIL_LINES: usize = 40;

/// The child's recent output and where all of it is copied.
pub(crate) struct OutputSink {
    tail: Mutex<VecDeque<String>>,
    log: Option<Mutex<File>>,
}

impl OutputSink {
    /// Copies to `log_file` (appending) or, when `None`, to our stderr.
    pub(crate) fn new(log_file: Option<&Path>) -> std::io::Result<Arc<Self>> {
        let log = match log_file {
            Some(path) => Some(Mutex::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            )),
            None => None,
        };
        Ok(Arc::new(OutputSink {
            tail: Mutex::new(VecDeque::with_capacity(TAIL_LINES)),
            log,
        }))
    }

    fn line(&self, stream: &str, line: &str) {
        {
            let mut tail = self.tail.lock().unwrap();
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(line.to_owned());
        }
        let text = format!("[blender {stream}] {line}\n");
        match &self.log {
            Some(file) => {
                let _ = file.lock().unwrap().write_all(text.as_bytes());
            }
            None => {
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
            }
        }
    }

    /// The last lines, oldest first.
    pub(crate) fn tail(&self) -> String {
        let tail = self.tail.lock().unwrap();
        tail.iter().map(|l| format!("{l}\n")).collect()
    }
}

/// Copies `stream` line by line into `sink`; ready lines (stdout) go to `ready`.
pub(crate) fn forward<R>(
    stream: R,
    name: &'static str,
    sink: Arc<OutputSink>,
    ready: Option<mpsc::UnboundedSender<String>>,
) -> JoinHandle<()>
where
    R: AsyncRead + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let mut reader = BufReader::new(stream);
        let mut raw = Vec::new();
        loop {
            raw.clear();
            match reader.read_until(b'\n', &mut raw).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = String::from_utf8_lossy(&raw);
            let line = line.trim_end_matches(['\r', '\n']);
            if let (Some(ready), Some(json)) = (&ready, line.strip_prefix(READY_PREFIX)) {
                let _ = ready.send(json.to_owned());
            }
            sink.line(name, line);
        }
    })
}
