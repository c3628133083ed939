//! Retransmission timeout estimation (RFC 6298).

use crate::time::Duration;

/// Clock granularity G of RFC 6298: our clock is finer, so this is just the
/// floor on the variance term.
const GRANULARITY: Duration = Duration::from_millis(1);

/// Smoothed RTT, variance and the RTO derived from them, with exponential
/// backoff after timeouts.
#[derive(Debug, Clone, Copy)]
pub struct RttEstimator {
    srtt: Option<Duration>,
    rttvar: Duration,
    rto: Duration,
    backoff: u32,
    min: Duration,
    max: Duration,
}

impl RttEstimator {
    /// Before any sample the RTO is `initial` (RFC 6298: 1 s), clamped to
    /// `[min, max]`.
    pub fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        RttEstimator {
            srtt: None,
            rttvar: Duration::ZERO,
            rto: initial.max(min).min(max),
            backoff: 0,
            min,
            max,
        }
    }

    /// Feeds one measurement (never from a retransmitted segment, per Karn,
    /// unless timestamps disambiguate it) and clears the backoff.
    pub fn sample(&mut self, rtt: Duration) {
        let (srtt, rttvar) = match self.srtt {
            None => (rtt, Duration::from_micros(rtt.total_micros() / 2)),
            Some(srtt) => {
                let err = if srtt > rtt { srtt - rtt } else { rtt - srtt };
                let rttvar = (self.rttvar.saturating_mul(3) + err).total_micros() / 4;
                let srtt = (srtt.saturating_mul(7) + rtt).total_micros() / 8;
                (Duration::from_micros(srtt), Duration::from_micros(rttvar))
            }
        };
        self.srtt = Some(srtt);
        self.rttvar = rttvar;
        self.rto = (srtt + rttvar.saturating_mul(4).max(GRANULARITY))
            .max(self.min)
            .min(self.max);
        self.backoff = 0;
    }

    /// Doubles the timeout after an expiry (RFC 6298 5.5), up to the maximum.
    pub fn back_off(&mut self) {
        self.backoff = self.backoff.saturating_add(1).min(32);
    }

    /// The current timeout including backoff.
    pub fn rto(&self) -> Duration {
        let factor = 1u64.checked_shl(self.backoff).unwrap_or(u64::MAX);
        self.rto.saturating_mul(factor).min(self.max)
    }

    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    pub fn rttvar(&self) -> Duration {
        self.rttvar
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimator() -> RttEstimator {
        RttEstimator::new(
            Duration::from_secs(1),
            Duration::from_millis(200),
            Duration::from_secs(60),
        )
    }

    #[test]
    fn first_sample_sets_srtt_and_half_variance() {
        let mut rtt = estimator();
        assert_eq!(rtt.rto(), Duration::from_secs(1));
        rtt.sample(Duration::from_millis(100));
        assert_eq!(rtt.srtt(), Some(Duration::from_millis(100)));
        assert_eq!(rtt.rttvar(), Duration::from_millis(50));
        assert_eq!(rtt.rto(), Duration::from_millis(300));
    }

    #[test]
    fn later_samples_smooth_by_eighths_and_quarters() {
        let mut rtt = estimator();
        rtt.sample(Duration::from_millis(100));
        rtt.sample(Duration::from_millis(180));
        // rttvar = 3/4*50 + 1/4*80 = 57.5; srtt = 7/8*100 + 1/8*180 = 110
        assert_eq!(rtt.srtt(), Some(Duration::from_millis(110)));
        assert_eq!(rtt.rttvar(), Duration::from_micros(57_500));
        assert_eq!(rtt.rto(), Duration::from_millis(340));
    }

    #[test]
    fn backoff_doubles_until_max_and_sample_clears_it() {
        let mut rtt = estimator();
        rtt.sample(Duration::from_millis(10));
        assert_eq!(rtt.rto(), Duration::from_millis(200), "clamped to min");
        rtt.back_off();
        assert_eq!(rtt.rto(), Duration::from_millis(400));
        for _ in 0..40 {
            rtt.back_off();
        }
        assert_eq!(rtt.rto(), Duration::from_secs(60));
        rtt.sample(Duration::from_millis(10));
        assert_eq!(rtt.rto(), Duration::from_millis(200));
    }
}
