//! The user's terminal: raw mode while a container TTY is attached, and its size.
//!
//! Raw mode matters because the container's shell does its own line editing and echo; leaving
//! the local terminal cooked would echo every key twice and turn Ctrl-C into a local signal.

use std::io::IsTerminal;

/// True when stdin is a terminal (then `exec` and `start` allocate a TTY).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// The terminal's (rows, columns), if stdout is a terminal.
pub fn size() -> Option<(u16, u16)> {
    // SAFETY: TIOCGWINSZ fills a plain `winsize` struct; we pass a valid pointer to one.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_row > 0).then_some((ws.ws_row, ws.ws_col))
}

/// Puts stdin in raw mode until dropped.
pub struct RawModeGuard {
    saved: libc::termios,
}

impl RawModeGuard {
    /// `None` when stdin is not a terminal (nothing to change).
    pub fn enable() -> Option<Self> {
        if !stdin_is_terminal() {
            return None;
        }
        // SAFETY: tcgetattr/tcsetattr on fd 0 with valid termios pointers.
        unsafe {
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut saved) != 0 {
                return None;
            }
            let mut raw = saved;
            libc::cfmakeraw(&mut raw);
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &raw) != 0 {
                return None;
            }
            Some(RawModeGuard { saved })
        }
    }
}

impl Drop for RawModeGuard {
    fn drop(&mut self) {
        // SAFETY: restores the attributes read in `enable`.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
        }
    }
}
