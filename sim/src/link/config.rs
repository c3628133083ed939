//! What a link direction does to frames: its configuration values.

use core::fmt;
use core::num::NonZeroU64;

use serde::Serialize;

use crate::time::SimDuration;

/// A probability in `[0, 1]`; other values cannot be constructed.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize)]
pub struct Probability(f64);

impl Probability {
    pub const ZERO: Probability = Probability(0.0);
    pub const ONE: Probability = Probability(1.0);

    /// `None` unless `p` is a finite number in `[0, 1]`.
    pub fn new(p: f64) -> Option<Self> {
        (p.is_finite() && (0.0..=1.0).contains(&p)).then_some(Probability(p))
    }

    /// `percent` / 100, e.g. `Probability::percent(1.5)` for 1.5 %.
    pub fn percent(percent: f64) -> Option<Self> {
        Probability::new(percent / 100.0)
    }

    pub fn get(self) -> f64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0.0
    }

    /// Whether a uniform draw in `[0, 1)` falls inside this probability.
    pub(crate) fn hit(self, unit_draw: f64) -> bool {
        unit_draw < self.0
    }
}

/// The two-state Gilbert–Elliott bursty loss model, stepped once per frame:
/// first the state may change, then the frame is lost with the state's loss
/// probability. With `loss_good = 0` and `loss_bad = 1` loss bursts last
/// `1 / to_good` frames on average.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GilbertElliott {
    /// Probability of moving from the good to the bad state, per frame.
    pub to_bad: Probability,
    /// Probability of moving from the bad to the good state, per frame.
    pub to_good: Probability,
    pub loss_good: Probability,
    pub loss_bad: Probability,
}

impl GilbertElliott {
    /// The simple Gilbert model (lossless good state, lossy bad state) with a
    /// long-run loss `rate` and a mean loss-burst length of `mean_burst`
    /// frames. `None` when no such model exists (`rate` not in `[0, 1)`,
    /// `mean_burst < 1`, or a rate too high for that burst length).
    pub fn from_rate_and_burst(rate: f64, mean_burst: f64) -> Option<Self> {
        if !(rate.is_finite() && (0.0..1.0).contains(&rate) && mean_burst >= 1.0) {
            return None;
        }
        let to_good = 1.0 / mean_burst;
        // Stationary bad-state share = to_bad / (to_bad + to_good) = rate.
        let to_bad = rate * to_good / (1.0 - rate);
        Some(GilbertElliott {
            to_bad: Probability::new(to_bad)?,
            to_good: Probability::new(to_good)?,
            loss_good: Probability::ZERO,
            loss_bad: Probability::ONE,
        })
    }
}

/// How frames are lost on a link direction.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[serde(rename_all = "snake_case", tag = "model")]
pub enum Loss {
    #[default]
    None,
    /// Each frame independently lost with this probability.
    Bernoulli { p: Probability },
    /// Bursty loss.
    GilbertElliott(GilbertElliott),
}

impl fmt::Display for Loss {
    /// The form used in traces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loss::None => write!(f, "none"),
            Loss::Bernoulli { p } => write!(f, "bernoulli p={}", p.get()),
            Loss::GilbertElliott(ge) => write!(
                f,
                "gilbert-elliott to_bad={} to_good={} loss_good={} loss_bad={}",
                ge.to_bad.get(),
                ge.to_good.get(),
                ge.loss_good.get(),
                ge.loss_bad.get()
            ),
        }
    }
}

/// One direction of a full-duplex link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DirectionConfig {
    /// Propagation delay, after serialization.
    pub latency: SimDuration,
    /// Extra delay drawn uniformly from `[0, jitter]` per frame. Jitter never
    /// reorders frames (a frame never overtakes the previous one); use
    /// `reorder` for that.
    pub jitter: SimDuration,
    /// Serialization rate in bits per second over the frame's captured length
    /// (no preamble, inter-frame gap or FCS); `None` is infinitely fast, with
    /// no queue.
    pub bandwidth_bps: Option<NonZeroU64>,
    /// Drop-tail queue in front of the serializer, in bytes of waiting
    /// frames (the frame being serialized is not counted).
    pub queue_bytes: usize,
    pub loss: Loss,
    /// Probability that a delivered frame arrives twice.
    pub duplicate: Probability,
    /// Probability that a frame is held back by `reorder_delay`, letting
    /// later frames overtake it.
    pub reorder: Probability,
    pub reorder_delay: SimDuration,
    /// Probability that one random bit of the frame's Ethernet payload is
    /// flipped. A single-bit error is always caught by the Internet checksum,
    /// which is what this exercises; the Ethernet header is spared because a
    /// real NIC's FCS would have discarded such a frame instead.
    pub corrupt: Probability,
    /// Largest Ethernet payload in bytes (frame length minus the 14-byte
    /// header, 18 with an 802.1Q tag); larger frames are dropped.
    pub mtu: usize,
}

impl Default for DirectionConfig {
    fn default() -> Self {
        DirectionConfig {
            latency: SimDuration::ZERO,
            jitter: SimDuration::ZERO,
            bandwidth_bps: None,
            queue_bytes: 64 * 1024,
            loss: Loss::None,
            duplicate: Probability::ZERO,
            reorder: Probability::ZERO,
            reorder_delay: SimDuration::from_millis(1),
            corrupt: Probability::ZERO,
            mtu: 1500,
        }
    }
}

/// Both directions of a link, from its `a` end to its `b` end and back.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LinkConfig {
    pub a_to_b: DirectionConfig,
    pub b_to_a: DirectionConfig,
}

impl LinkConfig {
    /// The same behaviour in both directions.
    pub fn symmetric(dir: DirectionConfig) -> Self {
        LinkConfig {
            a_to_b: dir.clone(),
            b_to_a: dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_rejects_out_of_range() {
        assert!(Probability::new(-0.1).is_none());
        assert!(Probability::new(1.1).is_none());
        assert!(Probability::new(f64::NAN).is_none());
        assert_eq!(Probability::percent(1.5).map(Probability::get), Some(0.015));
    }

    #[test]
    fn gilbert_from_rate_and_burst() {
        let ge = GilbertElliott::from_rate_and_burst(0.05, 4.0).expect("valid");
        assert_eq!(ge.to_good.get(), 0.25);
        let share = ge.to_bad.get() / (ge.to_bad.get() + ge.to_good.get());
        assert!((share - 0.05).abs() < 1e-12);
        assert!(GilbertElliott::from_rate_and_burst(0.9, 1.0).is_none());
        assert!(GilbertElliott::from_rate_and_burst(0.1, 0.5).is_none());
    }
}
