//! Human-readable progress lines from the bridge and its apps.

use std::fmt;
use std::io::Write;

use seqs::time::Instant;

/// Where apps report what happens as it happens (a ping reply, an echo).
/// Quiet unless asked: tests read the final reports instead.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventLog {
    echo: bool,
}

impl EventLog {
    pub fn new(echo: bool) -> Self {
        EventLog { echo }
    }

    /// Prints `what` to stderr, stamped with seconds since the bridge
    /// started, when echoing is on.
    pub fn event(&mut self, now: Instant, what: fmt::Arguments<'_>) {
        if self.echo {
            let micros = now.total_micros();
            let line = format!(
                "[{:>6}.{:06}] {what}\n",
                micros / 1_000_000,
                micros % 1_000_000
            );
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
    }
}
