//! Virtual time: integer nanoseconds since the start of the run.
//!
//! The simulator runs at nanosecond resolution so that serialization delays of
//! small frames on fast links stay exact; the stack sees microseconds
//! ([`seqs::time::Instant`]). The two conversions are chosen so that a host is
//! never woken before its stack's deadline:
//!
//! - [`SimTime::to_instant`] rounds *down* (1 999 ns is 1 µs): the stack never
//!   observes a time later than the virtual clock;
//! - [`SimTime::from_instant`] is exact (µs `t` is ns `t * 1000`), so a
//!   wake-up scheduled at a stack deadline `d` runs at a virtual time whose
//!   `to_instant` is exactly `d`: the timer is due, never early.
//!
//! Arithmetic saturates: `SimTime::MAX` means "never".

use core::fmt;
use core::ops::{Add, AddAssign, Sub};

use seqs::time::{Duration, Instant};
use serde::Serialize;

const NANOS_PER_MICRO: u64 = 1_000;
const NANOS_PER_MILLI: u64 = 1_000_000;
const NANOS_PER_SEC: u64 = 1_000_000_000;

/// A point in virtual time, in nanoseconds since the start of the run
/// (serialized as that number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct SimTime(u64);

/// A span of virtual time in nanoseconds (serialized as that number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct SimDuration(u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    /// Later than any reachable time: "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub const fn from_nanos(nanos: u64) -> Self {
        SimTime(nanos)
    }
    pub const fn from_micros(micros: u64) -> Self {
        SimTime(micros.saturating_mul(NANOS_PER_MICRO))
    }
    pub const fn from_millis(millis: u64) -> Self {
        SimTime(millis.saturating_mul(NANOS_PER_MILLI))
    }
    pub const fn from_secs(secs: u64) -> Self {
        SimTime(secs.saturating_mul(NANOS_PER_SEC))
    }
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// The stack's view of this time: rounded down to the microsecond.
    pub const fn to_instant(self) -> Instant {
        Instant::from_micros(self.0 / NANOS_PER_MICRO)
    }

    /// The virtual time of a stack instant: exact (µs × 1000), saturating.
    pub const fn from_instant(instant: Instant) -> Self {
        SimTime::from_micros(instant.total_micros())
    }

    /// The first whole microsecond strictly after `self`: the earliest time at
    /// which a microsecond-resolution stack can observe progress.
    pub const fn next_micro(self) -> SimTime {
        let floor = self.0 - self.0 % NANOS_PER_MICRO;
        SimTime(floor.saturating_add(NANOS_PER_MICRO))
    }

    /// Time elapsed since `earlier`, or zero if `earlier` is later.
    pub const fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    pub const fn from_nanos(nanos: u64) -> Self {
        SimDuration(nanos)
    }
    pub const fn from_micros(micros: u64) -> Self {
        SimDuration(micros.saturating_mul(NANOS_PER_MICRO))
    }
    pub const fn from_millis(millis: u64) -> Self {
        SimDuration(millis.saturating_mul(NANOS_PER_MILLI))
    }
    pub const fn from_secs(secs: u64) -> Self {
        SimDuration(secs.saturating_mul(NANOS_PER_SEC))
    }
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
    pub const fn saturating_mul(self, n: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(n))
    }
    /// A stack duration in virtual time (exact).
    pub const fn from_stack(d: Duration) -> Self {
        SimDuration::from_micros(d.total_micros())
    }
    /// The stack's view of this span: rounded down to the microsecond.
    pub const fn to_stack(self) -> Duration {
        Duration::from_micros(self.0 / NANOS_PER_MICRO)
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    /// Saturates at zero.
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.saturating_since(earlier)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl fmt::Display for SimTime {
    /// Seconds with nine decimals: the trace's time column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:09}",
            self.0 / NANOS_PER_SEC,
            self.0 % NANOS_PER_SEC
        )
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", SimTime(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_round_trip_never_wakes_early() {
        for micros in [0u64, 1, 999, 1_000_000, u64::MAX / 1000] {
            let deadline = Instant::from_micros(micros);
            let wake = SimTime::from_instant(deadline);
            assert_eq!(wake.to_instant(), deadline);
        }
        assert_eq!(
            SimTime::from_nanos(1_999).to_instant(),
            Instant::from_micros(1)
        );
    }

    #[test]
    fn next_micro_is_strictly_later_and_aligned() {
        assert_eq!(
            SimTime::from_nanos(0).next_micro(),
            SimTime::from_nanos(1_000)
        );
        assert_eq!(
            SimTime::from_nanos(1_000).next_micro(),
            SimTime::from_nanos(2_000)
        );
        assert_eq!(
            SimTime::from_nanos(1_500).next_micro(),
            SimTime::from_nanos(2_000)
        );
        assert_eq!(SimTime::MAX.next_micro(), SimTime::MAX);
    }

    #[test]
    fn display_has_nine_decimals() {
        assert_eq!(
            SimTime::from_nanos(1_234_567_890).to_string(),
            "1.234567890"
        );
        assert_eq!(SimTime::ZERO.to_string(), "0.000000000");
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SimTime::MAX + SimDuration::from_secs(1), SimTime::MAX);
        assert_eq!(SimTime::ZERO - SimTime::from_secs(1), SimDuration::ZERO);
    }
}
