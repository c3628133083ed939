//! Quantities written as people write them: `250us`, `5ms`, `2s`,
//! `100Mbps`, `1.5%`, `64KiB`.
//!
//! Each is a decimal number (no exponent, no sign) followed by a unit, with
//! no space in between. Values are converted exactly: a decimal that does
//! not come out as a whole number of the base unit (nanoseconds, bits per
//! second, bytes) is rejected rather than rounded, so what runs is what was
//! written.

use std::fmt;
use std::num::NonZeroU64;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::link::Probability;
use crate::time::SimDuration;

/// A non-negative decimal number: `digits / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    digits: u128,
    scale: u32,
}

impl Decimal {
    /// Splits `text` into a decimal number and the unit that follows it.
    fn split(text: &str) -> Option<(Decimal, &str)> {
        let end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() || (number.contains('.') && fraction.is_empty()) {
            return None;
        }
        let scale = u32::try_from(fraction.len()).ok()?;
        let mut digits: u128 = 0;
        for c in whole.chars().chain(fraction.chars()) {
            let d = c.to_digit(10)?;
            digits = digits.checked_mul(10)?.checked_add(u128::from(d))?;
        }
        Some((Decimal { digits, scale }, unit))
    }

    /// `self × factor`, if it is a whole number that fits in a `u64`.
    fn times(self, factor: u64) -> Option<u64> {
        let product = self.digits.checked_mul(u128::from(factor))?;
        let divisor = 10u128.checked_pow(self.scale)?;
        if product % divisor != 0 {
            return None;
        }
        u64::try_from(product / divisor).ok()
    }

    fn as_f64(self) -> f64 {
        // Exact enough for probabilities: at most a few significant digits.
        self.digits as f64 / 10f64.powi(self.scale as i32)
    }
}

/// Why a quantity did not parse: the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitError(String);

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UnitError {}

/// Looks `unit` up in `(name, factor)` pairs and scales `number` by it.
fn scaled(text: &str, units: &[(&str, u64)], what: &str) -> Result<u64, UnitError> {
    let names = || {
        units
            .iter()
            .map(|(n, _)| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((number, unit)) = Decimal::split(text) else {
        return Err(UnitError(format!(
            "invalid {what} {text:?}: expected a number followed by a unit ({})",
            names()
        )));
    };
    let Some(&(_, factor)) = units.iter().find(|(n, _)| *n == unit) else {
        return Err(UnitError(format!(
            "invalid {what} {text:?}: unknown unit {unit:?}, expected one of {}",
            names()
        )));
    };
    number.times(factor).ok_or_else(|| {
        UnitError(format!(
            "invalid {what} {text:?}: not a whole number of {} or too large",
            units[0].0
        ))
    })
}

const TIME_UNITS: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("min", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

const RATE_UNITS: &[(&str, u64)] = &[
    ("bps", 1),
    ("kbps", 1_000),
    ("Kbps", 1_000),
    ("Mbps", 1_000_000),
    ("Gbps", 1_000_000_000),
];

const SIZE_UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("kB", 1_000),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
];

/// A span of virtual time: `250us`, `5ms`, `1.5s`, `2min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Duration(pub SimDuration);

impl Duration {
    pub fn parse(text: &str) -> Result<Self, UnitError> {
        scaled(text, TIME_UNITS, "duration").map(|ns| Duration(SimDuration::from_nanos(ns)))
    }
}

/// A signed span: `3ms` (ahead), `-250us` (behind), in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Offset(pub i64);

impl Offset {
    pub fn parse(text: &str) -> Result<Self, UnitError> {
        let (negative, magnitude) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let ns = Duration::parse(magnitude)?.0.as_nanos();
        let ns = i64::try_from(ns)
            .map_err(|_| UnitError(format!("invalid offset {text:?}: too large")))?;
        Ok(Offset(if negative { -ns } else { ns }))
    }
}

/// A link rate: `56kbps`, `100Mbps`, `2.5Gbps` (SI prefixes: 1k = 1000).
/// Zero is not a rate (leave the bandwidth out for an infinitely fast link).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bandwidth(pub NonZeroU64);

impl Bandwidth {
    pub fn parse(text: &str) -> Result<Self, UnitError> {
        let bps = scaled(text, RATE_UNITS, "bandwidth")?;
        NonZeroU64::new(bps).map(Bandwidth).ok_or_else(|| {
            UnitError(format!(
                "invalid bandwidth {text:?}: must be positive (leave `bandwidth` out for an unlimited link)"
            ))
        })
    }
}

/// A probability written as a percentage: `0%`, `1.5%`, `100%`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Percent(pub Probability);

impl Percent {
    pub fn parse(text: &str) -> Result<Self, UnitError> {
        let bad = |why: &str| UnitError(format!("invalid percentage {text:?}: {why}"));
        let number = text
            .strip_suffix('%')
            .ok_or_else(|| bad("expected a number followed by `%`, such as `1.5%`"))?;
        let (decimal, rest) =
            Decimal::split(number).ok_or_else(|| bad("expected a number before `%`"))?;
        if !rest.is_empty() {
            return Err(bad("expected a number before `%`"));
        }
        Probability::percent(decimal.as_f64())
            .map(Percent)
            .ok_or_else(|| bad("must be between 0% and 100%"))
    }
}

/// A number of bytes: `1500` (plain bytes), `1500B`, `64KiB`, `10MiB`, `1MB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Size(pub u64);

impl Size {
    pub fn parse(text: &str) -> Result<Self, UnitError> {
        scaled(text, SIZE_UNITS, "size").map(Size)
    }
}

/// Deserializes a unit type from a string with `parse`, naming the expected
/// form in type errors; `integers` also accepts a plain non-negative integer
/// as the base unit.
macro_rules! deserialize_from_str {
    ($ty:ty, $expecting:literal, integers: $integers:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, text: &str) -> Result<$ty, E> {
                        <$ty>::parse(text).map_err(E::custom)
                    }
                    fn visit_i64<E: de::Error>(self, n: i64) -> Result<$ty, E> {
                        match u64::try_from(n) {
                            Ok(n) if $integers => <$ty>::parse(&format!("{n}B")).map_err(E::custom),
                            _ => Err(E::invalid_type(de::Unexpected::Signed(n), &self)),
                        }
                    }
                }
                deserializer.deserialize_any(V)
            }
        }
    };
}

deserialize_from_str!(Duration, "a duration such as \"250us\", \"5ms\" or \"2s\"", integers: false);
deserialize_from_str!(Offset, "a signed duration such as \"-3ms\" or \"250us\"", integers: false);
deserialize_from_str!(Bandwidth, "a bandwidth such as \"100Mbps\"", integers: false);
deserialize_from_str!(Percent, "a percentage such as \"1.5%\"", integers: false);
deserialize_from_str!(Size, "a size such as \"64KiB\" or a number of bytes", integers: true);

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(text: &str) -> u64 {
        Duration::parse(text).expect(text).0.as_nanos()
    }

    #[test]
    fn durations() {
        assert_eq!(ns("250us"), 250_000);
        assert_eq!(ns("250µs"), 250_000);
        assert_eq!(ns("5ms"), 5_000_000);
        assert_eq!(ns("2s"), 2_000_000_000);
        assert_eq!(ns("1.5s"), 1_500_000_000);
        assert_eq!(ns("0s"), 0);
        assert_eq!(ns("2min"), 120_000_000_000);
        assert_eq!(ns("7ns"), 7);
        for bad in [
            "5", "ms", "5 ms", "-5ms", "1.5ns", "5.ms", ".5s", "5sec", "", "1e3ms",
        ] {
            assert!(Duration::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Duration::parse("99999999999999999999h").is_err());
    }

    #[test]
    fn offsets() {
        assert_eq!(Offset::parse("-3ms"), Ok(Offset(-3_000_000)));
        assert_eq!(Offset::parse("+1us"), Ok(Offset(1_000)));
        assert_eq!(Offset::parse("2s"), Ok(Offset(2_000_000_000)));
        assert!(Offset::parse("--3ms").is_err());
    }

    #[test]
    fn bandwidths() {
        let bps = |t: &str| Bandwidth::parse(t).expect(t).0.get();
        assert_eq!(bps("100Mbps"), 100_000_000);
        assert_eq!(bps("1.5Mbps"), 1_500_000);
        assert_eq!(bps("56kbps"), 56_000);
        assert_eq!(bps("10Gbps"), 10_000_000_000);
        let zero = Bandwidth::parse("0Mbps").expect_err("zero");
        assert!(zero.to_string().contains("must be positive"), "{zero}");
        assert!(Bandwidth::parse("100MB").is_err());
        assert!(Bandwidth::parse("0.5bps").is_err());
    }

    #[test]
    fn percentages() {
        let p = |t: &str| Percent::parse(t).expect(t).0.get();
        assert_eq!(p("1.5%"), 0.015);
        assert_eq!(p("0%"), 0.0);
        assert_eq!(p("100%"), 1.0);
        for bad in ["101%", "1.5", "%", "x%", "-1%", "1.5 %"] {
            assert!(Percent::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn sizes() {
        let b = |t: &str| Size::parse(t).expect(t).0;
        assert_eq!(b("64KiB"), 65_536);
        assert_eq!(b("10MiB"), 10 << 20);
        assert_eq!(b("1500B"), 1500);
        assert_eq!(b("1.5KiB"), 1536);
        assert_eq!(b("2MB"), 2_000_000);
        assert!(Size::parse("1.1B").is_err());
        let unknown = Size::parse("64kib").expect_err("case matters");
        assert!(
            unknown.to_string().contains("unknown unit \"kib\""),
            "{unknown}"
        );
    }
}
