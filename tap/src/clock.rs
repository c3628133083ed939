//! Real time as the stack sees it: microseconds since the bridge started.

use seqs::time::{Duration, Instant};

/// A monotonic clock whose zero is the bridge's start.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: std::time::Instant,
}

impl Clock {
    pub fn start() -> Self {
        Clock {
            start: std::time::Instant::now(),
        }
    }

    pub fn now(&self) -> Instant {
        let micros = self.start.elapsed().as_micros();
        Instant::from_micros(u64::try_from(micros).unwrap_or(u64::MAX))
    }

    /// How long until `deadline`; zero when it has passed.
    pub fn until(&self, deadline: Instant) -> std::time::Duration {
        let left = deadline.saturating_duration_since(self.now());
        std::time::Duration::from_micros(left.total_micros())
    }
}

/// A std duration in the stack's units (whole microseconds, saturating).
pub fn stack_duration(d: std::time::Duration) -> Duration {
    Duration::from_micros(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}
