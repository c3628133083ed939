//! A token bucket, for replies an attacker could otherwise make us flood
//! (ICMP echo replies and errors, RFC 1812 4.3.2.8).

use crate::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenBucket {
    burst: u32,
    tokens: u32,
    /// One token is added per interval, up to `burst`.
    interval: Duration,
    last_refill: Instant,
}

impl TokenBucket {
    /// Up to `burst` events at once, then one per `interval`. A zero
    /// interval disables limiting.
    pub const fn new(burst: u32, interval: Duration) -> Self {
        TokenBucket {
            burst,
            tokens: burst,
            interval,
            last_refill: Instant::ZERO,
        }
    }

    /// Takes a token if one is available.
    pub fn try_take(&mut self, now: Instant) -> bool {
        if self.interval.is_zero() {
            return true;
        }
        self.refill(now);
        if self.tokens == 0 {
            return false;
        }
        self.tokens -= 1;
        true
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now - self.last_refill;
        let new_tokens = elapsed.total_micros() / self.interval.total_micros();
        if new_tokens == 0 {
            return;
        }
        let added = u32::try_from(new_tokens).unwrap_or(u32::MAX);
        self.tokens = self.tokens.saturating_add(added).min(self.burst);
        self.last_refill = if self.tokens == self.burst {
            now
        } else {
            self.last_refill + self.interval.saturating_mul(new_tokens)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_steady_rate() {
        let mut b = TokenBucket::new(2, Duration::from_millis(100));
        let t = Instant::from_secs(1);
        assert!(b.try_take(t));
        assert!(b.try_take(t));
        assert!(!b.try_take(t));
        assert!(!b.try_take(t + Duration::from_millis(99)));
        assert!(b.try_take(t + Duration::from_millis(100)));
        assert!(!b.try_take(t + Duration::from_millis(150)));
        assert!(b.try_take(t + Duration::from_millis(200)));
    }

    #[test]
    fn zero_interval_is_unlimited() {
        let mut b = TokenBucket::new(0, Duration::ZERO);
        assert!((0..1000).all(|_| b.try_take(Instant::ZERO)));
    }
}
