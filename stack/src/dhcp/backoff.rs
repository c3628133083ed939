//! RFC 2131 4.1 retransmission: 4 s, doubling to 64 s, each randomised by
//! +/- 1 s so that clients woken together do not stay in step.

use rand_core::RngCore;

use crate::time::{Duration, Instant};

const FIRST_SECS: u64 = 4;
const MAX_SECS: u64 = 64;
const JITTER_MICROS: u64 = 1_000_000;

/// When to (re)send, and how many times it has been sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub next: Instant,
    pub sent: u8,
}

impl Backoff {
    /// Due at once, nothing sent yet.
    pub fn now(now: Instant) -> Backoff {
        Backoff { next: now, sent: 0 }
    }

    pub fn is_due(&self, now: Instant) -> bool {
        now >= self.next
    }

    /// Records a transmission at `now` and schedules the next one.
    pub fn sent(&mut self, now: Instant, rng: &mut impl RngCore) {
        let secs = FIRST_SECS
            .checked_shl(u32::from(self.sent))
            .unwrap_or(MAX_SECS)
            .min(MAX_SECS);
        let jitter = u64::from(rng.next_u32()) % (2 * JITTER_MICROS + 1);
        let delay = Duration::from_secs(secs) + Duration::from_micros(jitter)
            - Duration::from_micros(JITTER_MICROS);
        self.next = now + delay;
        self.sent = self.sent.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(u32);
    impl RngCore for Fixed {
        fn next_u32(&mut self) -> u32 {
            self.0
        }
        fn next_u64(&mut self) -> u64 {
            u64::from(self.0)
        }
        fn fill_bytes(&mut self, dst: &mut [u8]) {
            dst.fill(0);
        }
    }

    #[test]
    fn doubles_to_64_seconds_with_bounded_jitter() {
        let mut b = Backoff::now(Instant::ZERO);
        let mut t = Instant::ZERO;
        for expected in [4, 8, 16, 32, 64, 64, 64] {
            b.sent(t, &mut Fixed(1_000_000));
            assert_eq!(b.next - t, Duration::from_secs(expected));
            t = b.next;
        }
        let mut low = Backoff::now(Instant::ZERO);
        low.sent(Instant::ZERO, &mut Fixed(0));
        assert_eq!(low.next, Instant::from_secs(3));
        let mut high = Backoff::now(Instant::ZERO);
        high.sent(Instant::ZERO, &mut Fixed(2_000_000));
        assert_eq!(high.next, Instant::from_secs(5));
    }
}
