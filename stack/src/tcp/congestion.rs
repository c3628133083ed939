//! Congestion control: slow start and congestion avoidance (RFC 5681), fast
//! retransmit and NewReno fast recovery (RFC 6582), with Reno's window
//! growth or CUBIC's (RFC 9438, in `cubic`).

use super::cubic::Cubic;
use crate::time::{Duration, Instant};
use crate::wire::tcp::SeqNumber;

/// Default upper bound on the congestion window, until `cap` sets one.
const MAX_CWND: usize = 1 << 30;
/// Duplicate ACKs that signal a loss (RFC 5681 DupThresh).
const DUP_THRESH: u8 = 3;

/// What a new (cumulative) ACK meant for recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckKind {
    /// Outside recovery, or the ACK ended it.
    Normal,
    /// Inside recovery and below the recovery point: the next hole is lost
    /// too (RFC 6582 partial acknowledgment).
    Partial,
}

/// Congestion state for one connection.
#[derive(Debug, Clone, Copy)]
pub struct Controller {
    mss: usize,
    cwnd: usize,
    ssthresh: usize,
    /// Bytes acked since the last congestion-avoidance increase.
    acked: usize,
    dup_acks: u8,
    /// Highest sequence sent when recovery (or the last timeout) began; a new
    /// recovery may only start once the cumulative ACK passes it.
    recover: SeqNumber,
    in_recovery: bool,
    /// RFC 6675 accounting (with SACK): the window is compared with the
    /// pipe, which already leaves out what the peer SACKed, so it is not
    /// inflated by duplicate ACKs nor deflated by partial ACKs.
    pipe: bool,
    /// The window never grows past what could ever be in flight, so an
    /// application-limited sender does not build up a meaningless window.
    max_cwnd: usize,
    /// CUBIC's reduction and growth instead of Reno's.
    cubic: Option<Cubic>,
}

impl Controller {
    /// Initial window per RFC 5681 section 3.1.
    pub fn new(mss: usize, snd_una: SeqNumber) -> Self {
        let mss = mss.max(1);
        let cwnd = if mss > 2190 {
            2 * mss
        } else if mss > 1095 {
            3 * mss
        } else {
            4 * mss
        };
        Controller {
            mss,
            cwnd,
            ssthresh: MAX_CWND,
            acked: 0,
            dup_acks: 0,
            recover: snd_una,
            in_recovery: false,
            pipe: false,
            max_cwnd: MAX_CWND,
            cubic: None,
        }
    }

    /// Switches window growth and reduction to CUBIC (RFC 9438).
    pub fn use_cubic(&mut self) {
        self.cubic = Some(Cubic::default());
    }

    /// Switches to RFC 6675 pipe accounting (the peer sends SACK blocks).
    pub fn use_pipe(&mut self) {
        self.pipe = true;
    }

    /// Bounds the window to `limit` bytes (at least the initial window).
    pub fn cap(&mut self, limit: usize) {
        self.max_cwnd = limit.max(self.cwnd);
    }

    pub fn cwnd(&self) -> usize {
        self.cwnd
    }
    pub fn ssthresh(&self) -> usize {
        self.ssthresh
    }
    pub fn in_recovery(&self) -> bool {
        self.in_recovery
    }

    /// Multiplicative decrease: half of `flight` for Reno, seven tenths
    /// for CUBIC, at least two segments.
    fn reduce(&mut self, flight: usize) {
        let kept = match &mut self.cubic {
            Some(cubic) => cubic.on_congestion(self.cwnd, flight),
            None => flight / 2,
        };
        self.ssthresh = kept.max(2 * self.mss);
    }

    /// A cumulative ACK for `acked` new bytes, up to `ack`, at `now`;
    /// `flight` is what remains outstanding after it, `rtt` the smoothed
    /// round trip (CUBIC's growth depends on time).
    pub fn on_ack(
        &mut self,
        acked: usize,
        ack: SeqNumber,
        flight: usize,
        now: Instant,
        rtt: Duration,
    ) -> AckKind {
        self.dup_acks = 0;
        if self.in_recovery {
            if ack < self.recover {
                if !self.pipe {
                    // Deflate by what was acked, re-inflate by one segment.
                    self.cwnd = self.cwnd.saturating_sub(acked) + self.mss.min(acked);
                }
                return AckKind::Partial;
            }
            self.in_recovery = false;
            // RFC 6582 section 3.2 step 3 option 1, at least two segments
            // so the receiver's delayed ACK does not stall the restart;
            // with pipe accounting nothing was inflated (RFC 6675).
            self.cwnd = if self.pipe {
                self.ssthresh
            } else {
                self.ssthresh.min(flight.max(self.mss) + self.mss)
            };
            return AckKind::Normal;
        }
        // Keep `recover` just behind the ACK so the comparison above stays
        // meaningful however far the sequence space has advanced.
        if ack > self.recover {
            self.recover = ack - 1;
        }
        if self.cwnd < self.ssthresh {
            self.cwnd += acked.min(self.mss);
        } else if let Some(cubic) = &mut self.cubic {
            self.cwnd = cubic.grow(now, rtt, self.cwnd, acked, self.mss);
        } else {
            self.acked += acked;
            if self.acked >= self.cwnd {
                self.acked -= self.cwnd;
                self.cwnd += self.mss;
            }
        }
        self.cwnd = self.cwnd.min(self.max_cwnd);
        AckKind::Normal
    }

    /// A duplicate ACK. Returns true when it starts fast recovery: the
    /// caller then retransmits the first unacknowledged segment.
    pub fn on_dup_ack(&mut self, snd_una: SeqNumber, snd_max: SeqNumber, flight: usize) -> bool {
        self.dup_acks = self.dup_acks.saturating_add(1);
        if self.in_recovery {
            if !self.pipe {
                self.cwnd = (self.cwnd + self.mss).min(self.max_cwnd);
            }
            return false;
        }
        self.dup_acks == DUP_THRESH && self.on_loss(snd_una, snd_max, flight)
    }

    /// A loss was detected (by duplicate ACKs or by RACK). Returns true when
    /// it starts fast recovery; within a recovery, or before the cumulative
    /// ACK passed the previous recovery point (RFC 6582 section 3.2 step 1,
    /// e.g. after a timeout), the window was already reduced for this loss
    /// episode and stays as it is.
    pub fn on_loss(&mut self, snd_una: SeqNumber, snd_max: SeqNumber, flight: usize) -> bool {
        if self.in_recovery || snd_una <= self.recover {
            return false;
        }
        self.reduce(flight);
        self.cwnd = if self.pipe {
            self.ssthresh
        } else {
            self.ssthresh + 3 * self.mss
        };
        self.recover = snd_max;
        self.in_recovery = true;
        true
    }

    /// The retransmission timer expired (RFC 5681 section 3.1, RFC 6582
    /// section 3.2 step 4).
    pub fn on_timeout(&mut self, flight: usize, snd_max: SeqNumber) {
        self.reduce(flight);
        if let Some(cubic) = &mut self.cubic {
            cubic.on_timeout();
        }
        self.cwnd = self.mss;
        self.acked = 0;
        self.dup_acks = 0;
        self.in_recovery = false;
        self.recover = snd_max;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: usize = 1000;

    /// An ACK for Reno, whose growth does not depend on time.
    fn ack(cc: &mut Controller, acked: usize, ack: SeqNumber, flight: usize) -> AckKind {
        cc.on_ack(acked, ack, flight, Instant::ZERO, Duration::ZERO)
    }

    #[test]
    fn initial_window_follows_rfc5681() {
        assert_eq!(Controller::new(1460, SeqNumber(0)).cwnd(), 3 * 1460);
        assert_eq!(Controller::new(536, SeqNumber(0)).cwnd(), 4 * 536);
        assert_eq!(Controller::new(9000, SeqNumber(0)).cwnd(), 18000);
    }

    #[test]
    fn slow_start_then_avoidance() {
        let mut cc = Controller::new(MSS, SeqNumber(0));
        ack(&mut cc, MSS, SeqNumber(1000), 0);
        assert_eq!(cc.cwnd(), 5 * MSS);
        cc.on_timeout(8 * MSS, SeqNumber(9000));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (MSS, 4 * MSS));
        for i in 0..3 {
            ack(&mut cc, MSS, SeqNumber(10_000 + i * 1000), 0);
        }
        assert_eq!(cc.cwnd(), 4 * MSS, "slow start up to ssthresh");
        for i in 0..4 {
            ack(&mut cc, MSS, SeqNumber(20_000 + i * 1000), 0);
        }
        assert_eq!(cc.cwnd(), 5 * MSS, "one segment per window");
    }

    #[test]
    fn window_stops_at_its_cap() {
        let mut cc = Controller::new(MSS, SeqNumber(0));
        cc.cap(6 * MSS);
        for i in 0..10 {
            ack(&mut cc, MSS, SeqNumber(1 + i * 1000), 0);
        }
        assert_eq!(cc.cwnd(), 6 * MSS);
        cc.cap(MSS);
        assert_eq!(cc.cwnd(), 6 * MSS, "never below the current window");
    }

    #[test]
    fn newreno_recovery_partial_and_full_ack() {
        let mut cc = Controller::new(MSS, SeqNumber(0));
        ack(&mut cc, MSS, SeqNumber(1), 0);
        let (una, max) = (SeqNumber(1), SeqNumber(10_001));
        assert!(!cc.on_dup_ack(una, max, 10 * MSS));
        assert!(!cc.on_dup_ack(una, max, 10 * MSS));
        assert!(cc.on_dup_ack(una, max, 10 * MSS));
        assert!(cc.in_recovery());
        assert_eq!(cc.cwnd(), 8 * MSS);
        assert!(!cc.on_dup_ack(una, max, 10 * MSS));
        assert_eq!(cc.cwnd(), 9 * MSS, "inflated per dup ack");
        assert_eq!(
            ack(&mut cc, 2 * MSS, SeqNumber(2001), 8 * MSS),
            AckKind::Partial
        );
        assert_eq!(cc.cwnd(), 8 * MSS);
        assert_eq!(ack(&mut cc, 8 * MSS, max, 0), AckKind::Normal);
        assert!(!cc.in_recovery());
        assert_eq!(cc.cwnd(), 2 * MSS, "min(ssthresh, max(flight, mss) + mss)");
        for _ in 0..3 {
            assert!(
                !cc.on_dup_ack(max, max + 5000u32, 5 * MSS),
                "not past recover"
            );
        }
    }

    #[test]
    fn pipe_accounting_neither_inflates_nor_deflates() {
        let mut cc = Controller::new(MSS, SeqNumber(0));
        cc.use_pipe();
        ack(&mut cc, MSS, SeqNumber(1), 0);
        let (una, max) = (SeqNumber(1), SeqNumber(10_001));
        assert!(cc.on_loss(una, max, 10 * MSS), "RACK starts recovery");
        assert_eq!((cc.cwnd(), cc.ssthresh()), (5 * MSS, 5 * MSS));
        assert!(!cc.on_dup_ack(una, max, 10 * MSS));
        assert!(!cc.on_loss(una, max, 10 * MSS), "one reduction per episode");
        assert_eq!(cc.cwnd(), 5 * MSS);
        ack(&mut cc, 2 * MSS, SeqNumber(2001), 8 * MSS);
        assert_eq!(cc.cwnd(), 5 * MSS);
        cc.on_timeout(8 * MSS, SeqNumber(20_001));
        assert!(!cc.on_loss(SeqNumber(3001), SeqNumber(20_001), 8 * MSS));
        assert_eq!(cc.cwnd(), MSS, "after a timeout, loss keeps slow start");
    }
}
