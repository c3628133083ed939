//! A one-line progress bar on standard error, drawn only when both standard
//! output and standard error are terminals, and only once a job has taken
//! more than a moment (so quick runs and piped output stay clean).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Nothing is drawn before this much wall time has passed.
const GRACE: Duration = Duration::from_millis(400);
/// At most one redraw per this interval.
const REDRAW: Duration = Duration::from_millis(100);
const WIDTH: usize = 30;

pub struct Progress {
    enabled: bool,
    label: String,
    started: Instant,
    last_draw: Option<Instant>,
}

impl Progress {
    pub fn new(label: impl Into<String>) -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal() && std::io::stdout().is_terminal(),
            label: label.into(),
            started: Instant::now(),
            last_draw: None,
        }
    }

    /// Shows `done` of `total` (any unit), with `detail` after the bar.
    pub fn update(&mut self, done: u64, total: u64, detail: &str) {
        let now = Instant::now();
        let due = now.duration_since(self.started) >= GRACE
            && self
                .last_draw
                .is_none_or(|t| now.duration_since(t) >= REDRAW);
        if !self.enabled || !due {
            return;
        }
        self.last_draw = Some(now);
        let share = |scale: u128| {
            (u128::from(done.min(total)) * scale)
                .checked_div(u128::from(total))
                .unwrap_or(scale)
        };
        let filled = share(WIDTH as u128) as usize;
        let percent = share(100);
        let bar = format!("{}{}", "#".repeat(filled), "-".repeat(WIDTH - filled));
        let elapsed = now.duration_since(self.started).as_secs_f64();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{} [{bar}] {percent:>3}% {detail} ({elapsed:.1}s)",
            self.label
        );
        let _ = err.flush();
    }

    /// Erases the bar, if one was drawn.
    pub fn finish(&mut self) {
        if self.last_draw.take().is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
