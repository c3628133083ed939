//! The one place where embassy's monotonic clock meets the stack's time.
//!
//! Both count microseconds since boot on the RP2040 (embassy-rp's time
//! driver ticks at 1 MHz), so conversions are exact.

use seqs::time::Instant;

/// The current time, as the stack sees it.
pub fn now() -> Instant {
    from_embassy(embassy_time::Instant::now())
}

/// Converts an embassy instant to the stack's time.
pub fn from_embassy(t: embassy_time::Instant) -> Instant {
    Instant::from_micros(t.as_micros())
}

/// Converts a stack deadline to an embassy instant. A deadline beyond
/// embassy's range means "never", which `embassy_time::Instant::MAX` is.
pub fn to_embassy(t: Instant) -> embassy_time::Instant {
    embassy_time::Instant::try_from_micros(t.total_micros()).unwrap_or(embassy_time::Instant::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_microseconds() {
        for micros in [0, 1, 999_999, 1 << 40] {
            let t = Instant::from_micros(micros);
            assert_eq!(from_embassy(to_embassy(t)), t);
        }
    }

    #[test]
    fn far_deadline_is_never() {
        assert_eq!(to_embassy(Instant::MAX), embassy_time::Instant::MAX);
    }
}
