//! Seeded random loss on the bridge's own ingress and egress, so that both
//! our stack and the Linux peer must recover from lost frames.

use std::fmt;
use std::str::FromStr;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// A probability of losing a frame, in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct LossRate(f64);

impl LossRate {
    pub const NONE: LossRate = LossRate(0.0);

    /// `None` unless `p` is within [0, 1].
    pub fn new(p: f64) -> Option<Self> {
        (0.0..=1.0).contains(&p).then_some(LossRate(p))
    }

    pub fn probability(self) -> f64 {
        self.0
    }
}

/// Accepts `5%` or `0.05`.
impl FromStr for LossRate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (number, scale) = match s.strip_suffix('%') {
            Some(pct) => (pct, 100.0),
            None => (s, 1.0),
        };
        number
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|v| LossRate::new(v / scale))
            .ok_or_else(|| format!("{s:?} is not a loss rate between 0% and 100%"))
    }
}

impl fmt::Display for LossRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0 * 100.0)
    }
}

/// Decides, frame by frame, whether one direction loses it. Each direction
/// has its own ChaCha stream, so traffic in one direction does not change
/// which frames the other loses.
#[derive(Debug, Clone)]
pub struct Dropper {
    rate: LossRate,
    rng: ChaCha8Rng,
}

impl Dropper {
    pub fn new(rate: LossRate, seed: u64, stream: u64) -> Self {
        Dropper {
            rate,
            rng: chacha_stream(seed, stream),
        }
    }

    /// True when the next frame is lost. Draws nothing at 0%.
    pub fn lose(&mut self) -> bool {
        if self.rate.0 <= 0.0 {
            return false;
        }
        let draw = f64::from(self.rng.next_u32()) / (f64::from(u32::MAX) + 1.0);
        draw < self.rate.0
    }
}

/// Independent ChaCha stream `stream` of `seed`: one per consumer, so one
/// seed drives the stack and both directions' losses without coupling them.
pub(crate) fn chacha_stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_percent_and_fraction() {
        assert_eq!("5%".parse::<LossRate>().unwrap(), LossRate(0.05));
        assert_eq!("0.25".parse::<LossRate>().unwrap(), LossRate(0.25));
        assert!("101%".parse::<LossRate>().is_err());
        assert!("-1".parse::<LossRate>().is_err());
        assert!("NaN".parse::<LossRate>().is_err());
        assert!("x%".parse::<LossRate>().is_err());
    }

    #[test]
    fn extremes_are_exact_and_rate_is_roughly_honoured() {
        let mut never = Dropper::new(LossRate::NONE, 1, 0);
        let mut always = Dropper::new(LossRate(1.0), 1, 0);
        assert!((0..1000).all(|_| !never.lose() && always.lose()));
        let mut some = Dropper::new(LossRate(0.1), 7, 0);
        let lost = (0..10_000).filter(|_| some.lose()).count();
        assert!((800..1200).contains(&lost), "{lost}");
    }

    #[test]
    fn same_seed_same_losses_and_streams_differ() {
        let pattern = |seed, stream| {
            let mut d = Dropper::new(LossRate(0.5), seed, stream);
            (0..64).map(|_| d.lose()).collect::<Vec<_>>()
        };
        assert_eq!(pattern(3, 1), pattern(3, 1));
        assert_ne!(pattern(3, 1), pattern(3, 2));
    }
}
