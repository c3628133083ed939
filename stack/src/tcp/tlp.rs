//! Tail loss probe (RFC 8985 section 7). When the last segments of a
//! flight, or all the ACKs for them, are lost, no later ACK arrives to
//! reveal it and only the retransmission timer would. A probe sent about two
//! round trips after the last activity draws an ACK (with SACK blocks) that
//! lets RACK or the cumulative ACK repair the tail long before the RTO.

use crate::time::{Duration, Instant};

/// The peer's worst-case delayed ACK (RFC 8985 WCDelAckT): with a single
/// segment in flight its ACK may be held this long.
const MAX_ACK_DELAY: Duration = Duration::from_millis(200);
/// Floor on the probe timeout, so a sub-millisecond path does not probe
/// ahead of ordinary ACK jitter.
const MIN_PTO: Duration = Duration::from_millis(10);
/// Probe timeout before any RTT sample.
const INITIAL_PTO: Duration = Duration::from_secs(1);

/// Loss-probe timer and episode state of one connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LossProbe {
    at: Option<Instant>,
    due: bool,
    /// A probe went out and no ACK has advanced SND.UNA since: one probe
    /// per episode.
    outstanding: bool,
}

impl LossProbe {
    pub const fn new() -> Self {
        LossProbe {
            at: None,
            due: false,
            outstanding: false,
        }
    }

    /// (Re)arms the probe timeout (PTO) at `now`: two smoothed RTTs, plus
    /// the peer's delayed ACK when only `one_segment` is in flight. It is
    /// not armed when the retransmission timer (`rto_at`) comes first.
    pub fn arm(
        &mut self,
        now: Instant,
        srtt: Option<Duration>,
        one_segment: bool,
        rto_at: Option<Instant>,
    ) {
        // New data just went out: it probes as well as a probe would.
        self.due = false;
        if self.outstanding {
            return;
        }
        let pto = match srtt {
            Some(srtt) if one_segment => srtt.saturating_mul(2) + MAX_ACK_DELAY,
            Some(srtt) => srtt.saturating_mul(2).max(MIN_PTO),
            None => INITIAL_PTO,
        };
        let at = now + pto;
        self.at = rto_at.is_none_or(|rto| at < rto).then_some(at);
    }

    /// No probe: nothing in flight, no SACK, or SND.NXT rewound by a
    /// timeout (the retransmission timer owns that episode).
    pub fn disarm(&mut self) {
        self.at = None;
        self.due = false;
    }

    /// Back to the initial state (a timeout, a new connection).
    pub fn reset(&mut self) {
        *self = LossProbe::new();
    }

    pub fn timer(&self) -> Option<Instant> {
        self.at
    }

    /// The timer fired: a probe is owed.
    pub fn fire(&mut self) {
        self.at = None;
        self.due = true;
    }

    pub fn is_due(&self) -> bool {
        self.due
    }

    /// The probe went out.
    pub fn sent(&mut self) {
        self.due = false;
        self.outstanding = true;
    }

    /// An ACK advanced SND.UNA: the episode is over.
    pub fn on_ack_advance(&mut self) {
        self.outstanding = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Instant {
        Instant::from_millis(n)
    }

    #[test]
    fn pto_is_two_rtts_before_the_rto_and_one_per_episode() {
        let mut tlp = LossProbe::new();
        let srtt = Some(Duration::from_millis(20));
        tlp.arm(ms(100), srtt, false, Some(ms(300)));
        assert_eq!(tlp.timer(), Some(ms(140)));
        tlp.arm(ms(100), srtt, true, Some(ms(300)));
        assert_eq!(tlp.timer(), None, "240 ms would come after the RTO");
        tlp.arm(ms(100), Some(Duration::from_millis(1)), false, None);
        assert_eq!(tlp.timer(), Some(ms(110)), "floor");
        tlp.fire();
        assert!(tlp.is_due() && tlp.timer().is_none());
        tlp.sent();
        tlp.arm(ms(120), srtt, false, None);
        assert_eq!(tlp.timer(), None, "a probe is outstanding");
        tlp.on_ack_advance();
        tlp.arm(ms(120), srtt, false, None);
        assert_eq!(tlp.timer(), Some(ms(160)));
    }
}
