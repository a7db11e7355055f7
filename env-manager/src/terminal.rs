//! The user's terminal: raw mode while a container TTY is attached, and its size.
//!
//! Raw mode matters because the container's shell does its own line editing and echo; leaving
//! the local terminal cooked would echo every key twice and turn Ctrl-C into a local signal.
//! The termios calls are rustix's (already in the build through clap and tempfile), so this file
//! holds no `unsafe`.

use std::io::IsTerminal;

use rustix::termios::{self, OptionalActions, Termios};

/// True when stdin is a terminal (then `exec` and `start` allocate a TTY).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// The terminal's (rows, columns), if stdout is a terminal.
pub fn size() -> Option<(u16, u16)> {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    let ws = termios::tcgetwinsize(&stdout).ok()?;
    (ws.ws_row > 0).then_some((ws.ws_row, ws.ws_col))
}

/// Puts stdin in raw mode until dropped.
pub struct RawModeGuard {
    saved: Termios,
}

impl RawModeGuard {
    /// `None` when stdin is not a terminal (nothing to change) or refuses the change.
    pub fn enable() -> Option<Self> {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return None;
        }
        let saved = termios::tcgetattr(&stdin).ok()?;
        let mut raw = saved.clone();
        raw.make_raw();
        termios::tcsetattr(&stdin, OptionalActions::Now, &raw).ok()?;
        Some(RawModeGuard { saved })
    }
}

impl Drop for RawModeGuard {
    fn drop(&mut self) {
        // Best effort: a terminal that went away has nothing left to restore.
        let _ = termios::tcsetattr(std::io::stdin(), OptionalActions::Now, &self.saved);
    }
}
