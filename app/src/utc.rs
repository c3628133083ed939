//! Wall-clock time for the status page: Unix time to a UTC calendar date.

use core::fmt;

const SECS_PER_DAY: u64 = 86_400;

/// A Unix time in microseconds, displayed as `YYYY-MM-DD hh:mm:ss UTC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc(pub u64);

impl Utc {
    /// (year, month 1..=12, day 1..=31) of the day `days` after 1970-01-01,
    /// by counting 400-year eras of 146,097 days from 0000-03-01, so that
    /// the leap day ends each counted year.
    fn date(days: u64) -> (u64, u64, u64) {
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z % 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u64::from(month <= 2);
        (year, month, day)
    }
}

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0 / 1_000_000;
        let (year, month, day) = Utc::date(secs / SECS_PER_DAY);
        let s = secs % SECS_PER_DAY;
        write!(
            f,
            "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn formats_known_instants() {
        let cases = [
            (0, "1970-01-01 00:00:00 UTC"),
            (951_782_400, "2000-02-29 00:00:00 UTC"),
            (1_709_251_199, "2024-02-29 23:59:59 UTC"),
            (1_800_000_000, "2027-01-15 08:00:00 UTC"),
            (4_102_444_800, "2100-01-01 00:00:00 UTC"),
        ];
        for (secs, text) in cases {
            assert_eq!(Utc(secs * 1_000_000).to_string(), text, "{secs}");
        }
    }

    #[test]
    fn never_panics_at_the_far_end() {
        assert!(Utc(u64::MAX).to_string().ends_with("UTC"));
    }
}
