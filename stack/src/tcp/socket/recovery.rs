//! Loss recovery glue: RACK bookkeeping on each transmission and ACK, the
//! RFC 6675 pipe, and which bytes to resend. Everything here is a no-op
//! without SACK, where the sender stays with NewReno and the timer.

use super::Socket;
use crate::tcp::scoreboard::Scoreboard;
use crate::time::Instant;
use crate::wire::tcp::{Repr, SeqNumber};

impl Socket<'_> {
    fn scoreboard(&self) -> Scoreboard<'_> {
        Scoreboard::new(self.snd_una, &self.sacked)
    }

    /// Records a transmission of `[seq, end)` for RACK.
    pub(super) fn rack_on_sent(
        &mut self,
        now: Instant,
        seq: SeqNumber,
        end: SeqNumber,
        resent: bool,
    ) {
        if self.sack_ok {
            let board = Scoreboard::new(self.snd_una, &self.sacked);
            self.rack.on_sent(now, seq, end, resent, board);
        }
    }

    /// After an ACK (its SACK blocks already on the scoreboard): RACK
    /// learns what was delivered and looks for losses; SND.NXT steps over
    /// data the peer now holds.
    pub(super) fn rack_on_ack(&mut self, now: Instant, seg: &Repr<'_>) {
        let idle = self.rack.is_idle() && self.sacked.is_empty() && seg.sack_ranges[0].is_none();
        if !self.sack_ok || idle {
            return;
        }
        let board = Scoreboard::new(self.snd_una, &self.sacked);
        self.rack.on_ack(now, &seg.sack_ranges, board);
        self.rack_detect_loss(now);
        self.skip_sacked();
    }

    /// Runs RACK loss detection (on an ACK or when its timer fires). A
    /// loss outside any recovery starts one, and its first retransmission
    /// goes out whatever the window.
    pub(super) fn rack_detect_loss(&mut self, now: Instant) {
        if !self.rack.detect_loss(now) {
            return;
        }
        let outstanding = self.snd_max.distance_from(self.snd_una) as usize;
        if self.cc.on_loss(self.snd_una, self.snd_max, outstanding) {
            self.counters.fast_retransmits += 1;
            self.fast_rexmit_now = true;
            self.rtt_sample = None;
        }
    }

    /// The lowest range RACK found lost that the peer still lacks, below
    /// SND.NXT (later bytes are resent as the stream anyway).
    pub(super) fn rack_lost_range(&self) -> Option<(SeqNumber, usize)> {
        if !self.rack.has_lost() {
            return None;
        }
        let (start, end) = self.rack.next_lost(self.scoreboard(), self.snd_nxt)?;
        Some((start, end.distance_from(start) as usize))
    }

    /// RFC 6675 pipe: bytes from SND.UNA to SND.NXT still in the network,
    /// so neither SACKed nor marked lost by RACK. Hole retransmissions are
    /// not added: a hole is lost data that already left the network, so the
    /// two cancel out.
    pub(super) fn pipe(&self) -> usize {
        let sent = self.snd_nxt.distance_from(self.snd_una) as usize;
        if self.sacked.is_empty() && !self.rack.has_lost() {
            return sent;
        }
        let board = self.scoreboard();
        let missing = board.missing(self.snd_una, self.snd_nxt);
        missing.saturating_sub(self.rack.lost_bytes(board, self.snd_nxt))
    }

    /// When resending from SND.NXT (after a timeout), skip what the peer
    /// holds.
    pub(super) fn skip_sacked(&mut self) {
        if self.snd_nxt >= self.snd_max {
            return;
        }
        let offset = self.snd_nxt.distance_from(self.snd_una) as usize;
        if let Some(end) = self.sacked.range_end_at(offset) {
            self.snd_nxt = (self.snd_una + end).min(self.snd_max);
        }
    }

    /// How much a resend from SND.NXT may carry before it reaches data the
    /// peer holds.
    pub(super) fn resend_limit(&self) -> usize {
        if self.snd_nxt >= self.snd_max || self.sacked.is_empty() {
            return usize::MAX;
        }
        match self.scoreboard().first_hole(self.snd_nxt, self.snd_max) {
            Some((_, end)) if end < self.snd_max => end.distance_from(self.snd_nxt) as usize,
            _ => usize::MAX,
        }
    }

    /// Arms the tail loss probe after new data or a retransmission went
    /// out, or an ACK moved SND.UNA, while data is in flight and SND.NXT
    /// was not rewound by a timeout. Unlike RFC 8985 section 7.2 this
    /// includes fast recovery: when a retransmission and every ACK after it
    /// are lost, or the ACKs stop while the window holds back a lost range,
    /// nothing arrives to move recovery on, and the probe does so within
    /// two RTTs instead of the RTO.
    pub(super) fn arm_loss_probe(&mut self, now: Instant) {
        let open = self.sack_ok && self.snd_nxt == self.snd_max && self.snd_una != self.snd_max;
        if !open {
            self.tlp.disarm();
            return;
        }
        let one_segment = self.snd_max.distance_from(self.snd_una) as usize <= self.data_mss();
        self.tlp.arm(now, self.rtt.srtt(), one_segment, self.rtx_at);
    }
}
