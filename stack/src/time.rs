//! The stack's own notion of time.
//!
//! Drivers own the clock: firmware reads a hardware timer, the simulator its
//! virtual clock. Both hand the stack an [`Instant`] so protocol logic stays
//! deterministic and testable. Microsecond resolution in a `u64` spans
//! ~584,000 years, so arithmetic saturates instead of wrapping.

use core::fmt;
use core::ops::{Add, AddAssign, Sub, SubAssign};

/// A point in time, in microseconds since an epoch chosen by the driver
/// (boot, simulation start, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant {
    micros: u64,
}

/// A span of time in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    micros: u64,
}

/// Constructors and readers shared by both types, which differ only in
/// meaning: a point versus a span, both in microseconds.
macro_rules! micros {
    ($ty:ident) => {
        impl $ty {
            pub const ZERO: $ty = $ty { micros: 0 };
            /// Later than anything reachable: "never" as a deadline.
            pub const MAX: $ty = $ty { micros: u64::MAX };

            pub const fn from_micros(micros: u64) -> Self {
                $ty { micros }
            }
            pub const fn from_millis(millis: u64) -> Self {
                $ty::from_micros(millis.saturating_mul(1_000))
            }
            pub const fn from_secs(secs: u64) -> Self {
                $ty::from_micros(secs.saturating_mul(1_000_000))
            }
            pub const fn total_micros(self) -> u64 {
                self.micros
            }
            pub const fn total_millis(self) -> u64 {
                self.micros / 1_000
            }
            pub const fn secs(self) -> u64 {
                self.micros / 1_000_000
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "{}.{:06}s",
                    self.micros / 1_000_000,
                    self.micros % 1_000_000
                )
            }
        }
    };
}

micros!(Instant);
micros!(Duration);

impl Instant {
    /// Time elapsed since `earlier`, or zero if `earlier` is in the future.
    pub const fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_micros(self.micros.saturating_sub(earlier.micros))
    }
    pub const fn checked_add(self, d: Duration) -> Option<Instant> {
        match self.micros.checked_add(d.micros) {
            Some(micros) => Some(Instant { micros }),
            None => None,
        }
    }
}

/// The earliest of some deadlines, `None` when none is set.
///
/// A fold rather than `flatten().min()`: the compiler keeps the latter's
/// array iterator in memory, and deadlines are gathered for every segment.
#[inline]
pub fn earliest<const N: usize>(deadlines: [Option<Instant>; N]) -> Option<Instant> {
    deadlines
        .iter()
        .fold(None, |soonest, &t| match (soonest, t) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
}

impl Duration {
    pub const fn saturating_mul(self, n: u64) -> Duration {
        Duration::from_micros(self.micros.saturating_mul(n))
    }
    pub const fn is_zero(self) -> bool {
        self.micros == 0
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant::from_micros(self.micros.saturating_add(d.micros))
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        Instant::from_micros(self.micros.saturating_sub(d.micros))
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    /// Saturates at zero: a timer that fired "in the past" is simply due.
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl Add for Duration {
    type Output = Duration;
    fn add(self, d: Duration) -> Duration {
        Duration::from_micros(self.micros.saturating_add(d.micros))
    }
}

impl AddAssign for Duration {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub for Duration {
    type Output = Duration;
    fn sub(self, d: Duration) -> Duration {
        Duration::from_micros(self.micros.saturating_sub(d.micros))
    }
}

impl SubAssign for Duration {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

impl From<core::time::Duration> for Duration {
    fn from(d: core::time::Duration) -> Self {
        Duration::from_micros(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
    }
}

impl From<Duration> for core::time::Duration {
    fn from(d: Duration) -> Self {
        core::time::Duration::from_micros(d.micros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(Instant::MAX + Duration::from_secs(1), Instant::MAX);
        assert_eq!(Instant::ZERO - Duration::from_secs(1), Instant::ZERO);
        assert_eq!(
            Instant::from_secs(1) - Instant::from_secs(2),
            Duration::ZERO
        );
        assert_eq!(
            Instant::from_millis(1500) - Instant::from_secs(1),
            Duration::from_millis(500)
        );
    }

    #[test]
    fn earliest_ignores_unset_deadlines() {
        let at = Instant::from_micros;
        assert_eq!(
            earliest([None, Some(at(7)), None, Some(at(3))]),
            Some(at(3))
        );
        assert_eq!(earliest([Some(at(9)), None]), Some(at(9)));
        assert_eq!(earliest::<2>([None, None]), None);
        assert_eq!(earliest::<0>([]), None);
    }

    #[test]
    fn display_is_seconds_with_micros() {
        extern crate std;
        use std::string::ToString;
        assert_eq!(Instant::from_micros(1_000_042).to_string(), "1.000042s");
    }

    #[test]
    fn converts_from_core_duration() {
        let d: Duration = core::time::Duration::from_nanos(2_500_999).into();
        assert_eq!(d.total_micros(), 2_500);
    }
}
