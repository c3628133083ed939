//! What to send next, timers, and `poll_at`.

use super::Socket;
use crate::tcp::State;
use crate::time::{earliest, Instant};
use crate::wire::tcp::{
    Control, Repr, SackBlock, SeqNumber, Timestamp, HEADER_LEN, MAX_SACK_BLOCKS,
};
use core::net::Ipv4Addr;

/// No SACK blocks: the option layout of a segment that carries none.
pub(super) const NO_SACK: [Option<SackBlock>; MAX_SACK_BLOCKS] = [None; MAX_SACK_BLOCKS];

/// Why a segment is sent; decides the bookkeeping after it went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// From SND.NXT: new data, data resent after a timeout, SYN, FIN or a
    /// pure ACK.
    Stream,
    /// A hole retransmitted during fast recovery.
    Recovery,
    /// A zero-window (or SWS override) probe, sent beyond the window.
    Probe,
    /// A tail loss probe (RFC 8985 section 7.3).
    LossProbe,
    /// A keepalive: one already-acknowledged sequence number, no data.
    Keepalive,
    /// A RST after `abort`.
    Reset,
}

/// The next segment, decided before anything is committed so a failed
/// emit leaves the socket unchanged.
///
/// Twelve bytes, so it is returned in registers: it passes through several
/// calls for every segment, and a larger one went through memory, where
/// reading it back stalled.
#[derive(Debug, Clone, Copy)]
struct Segment {
    seq: SeqNumber,
    /// Payload bytes (contiguous in the send ring); at most one MSS.
    len: u16,
    syn: bool,
    fin: bool,
    kind: Kind,
}

const _: () = assert!(core::mem::size_of::<Option<Segment>>() <= 16);

impl Segment {
    fn at(seq: SeqNumber, kind: Kind) -> Self {
        Segment {
            seq,
            len: 0,
            syn: false,
            fin: false,
            kind,
        }
    }

    fn payload_len(&self) -> usize {
        usize::from(self.len)
    }

    fn seq_len(&self) -> usize {
        self.payload_len() + usize::from(self.syn) + usize::from(self.fin)
    }
}

impl Socket<'_> {
    /// Handles due timers, then hands at most one segment to `emit` as
    /// (source address, destination address, segment). Returns `Ok(true)`
    /// when a segment was emitted; the stack calls again until `Ok(false)`.
    /// When `emit` fails nothing about the segment is committed (due timers
    /// have been handled), so the same segment is offered next time.
    pub fn dispatch<F, E>(&mut self, now: Instant, emit: F) -> Result<bool, E>
    where
        F: FnOnce(Ipv4Addr, Ipv4Addr, &Repr<'_>) -> Result<(), E>,
    {
        self.handle_timers(now);
        let Some(seg) = self.next_segment(now) else {
            self.update_persist(now);
            return Ok(false);
        };
        let repr = self.segment_repr(now, &seg);
        let window = usize::from(repr.window_len) << self.window_shift(&seg);
        let has_ack = repr.ack_number.is_some();
        emit(*self.local.ip(), *self.remote.ip(), &repr)?;
        self.commit(now, &seg, has_ack, window);
        self.update_persist(now);
        Ok(true)
    }

    /// Whether a segment is ready to go now (data, a FIN, an ACK owed).
    /// A socket that reached TIME-WAIT may still owe the ACK of the peer's
    /// FIN: reap it only once this is false, or the peer retransmits its
    /// FIN into a closed port and gets a RST.
    pub fn wants_to_send(&self, now: Instant) -> bool {
        self.next_segment(now).is_some()
    }

    /// When `dispatch` next has work: `now` if a segment is ready, else the
    /// earliest timer (retransmission, delayed ACK, persist, keepalive,
    /// TIME-WAIT), or `None` when idle.
    pub fn poll_at(&self, now: Instant) -> Option<Instant> {
        if self.next_segment(now).is_some() {
            return Some(now);
        }
        self.next_timer()
    }

    /// The earliest of the socket's timers: with nothing to send now and
    /// no input, nothing changes before it.
    pub fn next_timer(&self) -> Option<Instant> {
        earliest([
            self.rtx_at,
            self.ack_at,
            self.persist_at,
            self.keepalive_at,
            self.close_at,
            self.rack.timer(),
            self.tlp.timer(),
        ])
    }

    #[inline]
    fn handle_timers(&mut self, now: Instant) {
        let due = |t: Option<Instant>| t.is_some_and(|t| t <= now);
        if due(self.close_at) {
            self.reset_connection();
            return;
        }
        if due(self.rtx_at) {
            self.on_retransmit_timeout(now);
        }
        if due(self.rack.timer()) {
            self.rack_detect_loss(now);
        }
        if due(self.tlp.timer()) {
            self.tlp.fire();
        }
        if due(self.persist_at) {
            self.persist_at = None;
            self.probe_now = true;
        }
        if due(self.keepalive_at) {
            self.on_keepalive_timer(now);
        }
    }

    /// RFC 6298 section 5.4-5.6 and RFC 5681 section 3.1: back off, shrink
    /// the window to one segment and resend from SND.UNA.
    fn on_retransmit_timeout(&mut self, now: Instant) {
        self.rtx_at = None;
        self.counters.timeouts += 1;
        self.retries = self.retries.saturating_add(1);
        let limit = if self.syn_acked {
            self.config.max_retries
        } else {
            self.config.syn_retries
        };
        if self.retries > limit {
            self.connection_reset();
            return;
        }
        self.rtt.back_off();
        self.rtt_sample = None;
        if self.syn_acked {
            let flight = self.snd_max.distance_from(self.snd_una) as usize;
            self.cc.on_timeout(flight, self.snd_max);
            self.probe_now = self.snd_wnd == 0;
        }
        // Resend from SND.UNA, skipping what the peer SACKed (RFC 6675
        // section 5.1); RACK then repairs later losses without the timer.
        // A second timeout in a row may mean the peer reneged on its SACKs
        // (RFC 2018 section 8): forget them.
        self.rack.clear();
        self.tlp.reset();
        if self.retries > 1 {
            self.sacked.clear();
        }
        self.snd_nxt = self.snd_una;
        self.skip_sacked();
        self.rexmit_nxt = self.snd_una;
        self.fast_rexmit_now = false;
        self.keepalive_touch(now);
    }

    fn on_keepalive_timer(&mut self, now: Instant) {
        let Some(idle) = self.config.keepalive else {
            self.keepalive_at = None;
            return;
        };
        let idle_connection = matches!(self.state, State::Established | State::CloseWait)
            && self.snd_max == self.snd_una;
        if !idle_connection {
            self.keepalive_touch(now);
            return;
        }
        if self.keepalive_unanswered >= self.config.keepalive_probes {
            self.connection_reset();
            return;
        }
        self.keepalive_now = true;
        self.keepalive_at = Some(now + idle);
    }

    /// Persist timer (RFC 9293 section 3.8.6.1, and the SWS override timer
    /// of RFC 1122 4.2.3.4): armed while data waits, nothing can be sent and
    /// no retransmission timer will wake us.
    // Inlined for the two usual cases, data in flight (the retransmission
    // timer stands in) and nothing to send.
    #[inline]
    pub(super) fn update_persist(&mut self, now: Instant) {
        if self.rtx_at.is_some() || self.unsent() == 0 {
            self.persist_at = None;
        } else {
            self.update_waiting_persist(now);
        }
    }

    /// `update_persist` when data waits and nothing is in flight.
    fn update_waiting_persist(&mut self, now: Instant) {
        let stalled = self.syn_acked && self.sends_data() && self.stream_segment().is_none();
        if !stalled {
            self.persist_at = None;
        } else if self.persist_at.is_none() && !self.probe_now {
            self.persist_at = Some(now + self.rtt.rto());
        }
    }

    fn sends_data(&self) -> bool {
        matches!(
            self.state,
            State::Established
                | State::CloseWait
                | State::FinWait1
                | State::Closing
                | State::LastAck
        )
    }

    /// Queued bytes at or after SND.NXT.
    fn unsent(&self) -> usize {
        let end = self.data_end();
        if self.snd_nxt <= end {
            end.distance_from(self.snd_nxt) as usize
        } else {
            0
        }
    }

    /// Room left in the peer's window past SND.NXT.
    fn window_room(&self) -> usize {
        let right = self.snd_una + self.snd_wnd;
        if self.snd_nxt < right {
            right.distance_from(self.snd_nxt) as usize
        } else {
            0
        }
    }

    /// Option bytes on a data segment carrying `sack_ranges`: those and the
    /// timestamps once agreed (the values do not change the length).
    pub(super) fn data_options_len(
        &self,
        sack_ranges: [Option<SackBlock>; MAX_SACK_BLOCKS],
    ) -> usize {
        let repr = Repr {
            timestamp: self.ts_recent.map(|_| Timestamp::default()),
            sack_ranges,
            ..Repr::default()
        };
        repr.header_len() - HEADER_LEN
    }

    /// Payload that fits in the next data segment beside its options.
    fn segment_mss(&self) -> usize {
        let options = self.data_options_len(self.sack_blocks());
        self.snd_mss.saturating_sub(options).max(1)
    }

    /// Payload of a full-sized segment without SACK blocks.
    pub(super) fn data_mss(&self) -> usize {
        self.snd_mss
            .saturating_sub(self.data_options_len(NO_SACK))
            .max(1)
    }

    #[inline]
    fn next_segment(&self, now: Instant) -> Option<Segment> {
        if self.rst_pending {
            return Some(Segment::at(self.snd_max, Kind::Reset));
        }
        if matches!(self.state, State::Closed | State::Listen) {
            return None;
        }
        if !self.syn_acked {
            if self.snd_nxt == self.iss {
                let mut syn = Segment::at(self.iss, Kind::Stream);
                syn.syn = true;
                return Some(syn);
            }
            return self.next_ack(now);
        }
        let data = if self.sends_data() {
            self.recovery_segment()
                .or_else(|| self.stream_segment())
                .or_else(|| self.probe_segment())
                .or_else(|| self.loss_probe_segment())
        } else {
            None
        };
        data.or_else(|| self.keepalive_segment())
            .or_else(|| self.next_ack(now))
    }

    /// During fast recovery: the next hole below the highest SACKed byte
    /// (or, without SACK, the first unacknowledged segment), RFC 6675 style.
    /// Ranges RACK found lost come first, lowest first.
    #[inline]
    fn recovery_segment(&self) -> Option<Segment> {
        let recovering = self.cc.in_recovery() || self.fast_rexmit_now;
        if !recovering && !self.rack.has_lost() {
            return None;
        }
        if !self.fast_rexmit_now && self.pipe() >= self.cc.cwnd() {
            return None;
        }
        let mss = self.segment_mss();
        if let Some((seq, len)) = self.rack_lost_range() {
            return self.segment_from(seq, len.min(mss), Kind::Recovery);
        }
        if !recovering {
            return None;
        }
        let outstanding = self.snd_max.distance_from(self.snd_una) as usize;
        let limit = self.sacked.highest_end().unwrap_or(mss).min(outstanding);
        let from = self.rexmit_nxt.distance_from(self.snd_una) as usize;
        let (start, end) = self.sacked.first_gap(from, limit)?;
        self.segment_from(self.snd_una + start, (end - start).min(mss), Kind::Recovery)
    }

    /// Data (and FIN) from `seq`, at most `max` bytes, limited to what is
    /// contiguous in the ring; the FIN rides along when the data reaches
    /// the end of the stream.
    fn segment_from(&self, seq: SeqNumber, max: usize, kind: Kind) -> Option<Segment> {
        let data_end = self.data_end();
        let offset = seq.distance_from(self.data_start()) as usize;
        let wanted = if seq <= data_end {
            (data_end.distance_from(seq) as usize)
                .min(max)
                .min(usize::from(u16::MAX))
        } else {
            0
        };
        let len = self.tx.get_allocated(offset, wanted).len();
        let fin = self.fin_queued && seq + len == data_end && len == wanted;
        (len > 0 || fin).then_some(Segment {
            seq,
            len: u16::try_from(len).unwrap_or(u16::MAX),
            syn: false,
            fin,
            kind,
        })
    }

    /// New data from SND.NXT within the send and congestion windows, held
    /// back by Nagle and sender-side SWS avoidance (RFC 9293 3.8.6.2.1).
    /// Inlined up to the point where data can go: most calls end before it.
    #[inline]
    fn stream_segment(&self) -> Option<Segment> {
        let unsent = self.unsent();
        if unsent == 0 {
            // A bare FIN goes only once all data has gone out.
            if !self.fin_queued {
                return None;
            }
            return self.segment_from(self.snd_nxt, 0, Kind::Stream);
        }
        let room = self
            .window_room()
            .min(self.cc.cwnd().saturating_sub(self.pipe()));
        if room == 0 {
            return None;
        }
        self.data_segment(unsent, room)
    }

    /// `stream_segment` once `unsent` bytes wait and `room` may go.
    fn data_segment(&self, unsent: usize, room: usize) -> Option<Segment> {
        let mss = self.segment_mss();
        let size = unsent.min(mss).min(room).min(self.resend_limit());
        let seg = self
            .segment_from(self.snd_nxt, size, Kind::Stream)
            .filter(|seg| seg.len > 0)?;
        let everything = size == unsent;
        let resend = self.snd_nxt < self.snd_max;
        let allowed = resend
            || size >= mss
            || (everything && (self.pipe() == 0 || !self.config.nagle || self.fin_queued))
            || size >= self.max_snd_wnd.div_ceil(2);
        allowed.then_some(seg)
    }

    /// A probe when the persist timer fired: one byte into a zero window, or
    /// what little room a small window has.
    #[inline]
    fn probe_segment(&self) -> Option<Segment> {
        if !self.probe_now {
            return None;
        }
        let size = self.window_room().min(self.segment_mss()).max(1);
        let mut seg = self.segment_from(self.snd_nxt, size, Kind::Probe)?;
        seg.fin = false;
        (seg.len > 0).then_some(seg)
    }

    /// When the loss probe timer fired, whatever the congestion window: a
    /// range RACK found lost, else one segment of new data if the peer's
    /// window allows, else the last segment sent again (RFC 8985 7.3).
    #[inline]
    fn loss_probe_segment(&self) -> Option<Segment> {
        if !self.tlp.is_due() {
            return None;
        }
        let mss = self.segment_mss();
        if let Some((seq, len)) = self.rack_lost_range() {
            return self.segment_from(seq, len.min(mss), Kind::LossProbe);
        }
        let room = self.window_room().min(self.unsent());
        if room > 0 {
            return self.segment_from(self.snd_nxt, room.min(mss), Kind::LossProbe);
        }
        let outstanding = self.snd_max.distance_from(self.snd_una) as usize;
        let last = self.snd_max - outstanding.min(mss) as u32;
        self.segment_from(last, mss, Kind::LossProbe)
    }

    #[inline]
    fn keepalive_segment(&self) -> Option<Segment> {
        self.keepalive_now
            .then(|| Segment::at(self.snd_una - 1, Kind::Keepalive))
    }

    #[inline]
    fn next_ack(&self, now: Instant) -> Option<Segment> {
        let due = self.ack_now || self.ack_at.is_some_and(|t| t <= now) || self.window_update_due();
        // SND.MAX, not SND.NXT: after a timeout rewinds SND.NXT it may sit
        // below the peer's RCV.NXT, where a bare ACK would be unacceptable.
        due.then(|| Segment::at(self.snd_max, Kind::Stream))
    }

    /// The window we would advertise has at least doubled, by at least the
    /// SWS threshold: tell the peer (RFC 9293 section 3.8.6.2.2).
    #[inline]
    fn window_update_due(&self) -> bool {
        if !self.state.may_receive() || !self.syn_acked {
            return false;
        }
        let current = self.advertised_remaining();
        let next = self.window_to_advertise();
        next > current && next >= 2 * current
    }

    fn advertised_remaining(&self) -> usize {
        if self.rcv_adv > self.rcv_nxt {
            self.rcv_adv.distance_from(self.rcv_nxt) as usize
        } else {
            0
        }
    }

    /// Receiver-side SWS avoidance: move the right edge only by at least
    /// min(buffer / 2, MSS), and never move it left.
    fn window_to_advertise(&self) -> usize {
        let free = self
            .rx
            .window()
            .min(usize::from(u16::MAX) << self.rcv_shift);
        let current = self.advertised_remaining();
        let threshold = (self.rx.capacity() / 2).min(usize::from(self.config.mss));
        if free >= current + threshold.max(1) {
            free
        } else {
            current.min(free)
        }
    }

    fn window_shift(&self, seg: &Segment) -> u8 {
        if seg.syn {
            0
        } else {
            self.rcv_shift
        }
    }

    fn sack_blocks(&self) -> [Option<(SeqNumber, SeqNumber)>; MAX_SACK_BLOCKS] {
        let mut blocks = NO_SACK;
        if !self.sack_ok || self.ooo.is_empty() {
            return blocks;
        }
        let to_seq = |&(s, e): &(usize, usize)| (self.rcv_nxt + s, self.rcv_nxt + e);
        let ranges = self.ooo.ranges();
        let recent = self.sack_recent.and_then(|seq| {
            ranges
                .iter()
                .position(|&(s, e)| seq.in_range(self.rcv_nxt + s, self.rcv_nxt + e))
        });
        let first = recent.map(|i| to_seq(&ranges[i]));
        let rest = ranges
            .iter()
            .enumerate()
            .filter(|&(i, _)| Some(i) != recent)
            .map(|(_, r)| to_seq(r));
        for (slot, block) in blocks.iter_mut().zip(first.into_iter().chain(rest)) {
            *slot = Some(block);
        }
        blocks
    }

    /// Fields every segment of this connection shares: ports, ACK, window,
    /// timestamps, SACK blocks.
    fn base_repr(&self, now: Instant) -> Repr<'static> {
        let window = self.window_to_advertise() >> self.rcv_shift;
        Repr {
            src_port: self.local.port(),
            dst_port: self.remote.port(),
            control: Control::None,
            seq_number: self.snd_max,
            ack_number: (self.state != State::SynSent).then_some(self.rcv_nxt),
            window_len: window.min(usize::from(u16::MAX)) as u16,
            window_scale: None,
            max_seg_size: None,
            sack_permitted: false,
            sack_ranges: self.sack_blocks(),
            timestamp: self.ts_recent.map(|recent| Timestamp {
                tsval: self.ts_now(now),
                tsecr: recent,
            }),
            payload: &[],
        }
    }

    /// An ACK to send at once from `process`; it counts as our ACK.
    pub(super) fn ack_reply(&mut self, now: Instant) -> Repr<'static> {
        let repr = self.base_repr(now);
        let window = usize::from(repr.window_len) << self.rcv_shift;
        self.note_ack_sent(window);
        repr
    }

    #[inline]
    fn segment_repr(&self, now: Instant, seg: &Segment) -> Repr<'_> {
        let mut repr = self.base_repr(now);
        repr.seq_number = seg.seq;
        if seg.kind == Kind::Reset {
            repr.control = Control::Rst;
            repr.window_len = 0;
            repr.sack_ranges = NO_SACK;
            repr.timestamp = None;
            repr.ack_number = Some(self.rcv_nxt);
            return repr;
        }
        if seg.syn {
            self.syn_options(now, &mut repr);
        } else if seg.fin {
            repr.control = Control::Fin;
        }
        if seg.len > 0 {
            let offset = seg.seq.distance_from(self.data_start()) as usize;
            repr.payload = self.tx.get_allocated(offset, seg.payload_len());
            if repr.control == Control::None && seg.seq + seg.payload_len() == self.data_end() {
                repr.control = Control::Psh;
            }
        }
        repr
    }

    /// SYN and SYN,ACK options: what we offer, or in a SYN,ACK what the
    /// peer offered too (RFC 7323, RFC 2018).
    fn syn_options(&self, now: Instant, repr: &mut Repr<'_>) {
        let active = self.state == State::SynSent;
        repr.control = Control::Syn;
        repr.window_len = self.rx.window().min(usize::from(u16::MAX)) as u16;
        repr.max_seg_size = Some(self.config.mss);
        repr.sack_ranges = NO_SACK;
        let offer_ws = if active {
            self.config.window_scaling
        } else {
            self.ws_ok
        };
        repr.window_scale = offer_ws.then_some(self.rcv_shift);
        repr.sack_permitted = if active {
            self.config.sack
        } else {
            self.sack_ok
        };
        if active && self.config.timestamps {
            repr.timestamp = Some(Timestamp {
                tsval: self.ts_now(now),
                tsecr: 0,
            });
        }
    }

    fn note_ack_sent(&mut self, window: usize) {
        self.ack_now = false;
        self.ack_at = None;
        self.unacked_segments = 0;
        self.last_ack_sent = self.rcv_nxt;
        let edge = self.rcv_nxt + window;
        if edge > self.rcv_adv {
            self.rcv_adv = edge;
        }
    }

    #[inline]
    fn commit(&mut self, now: Instant, seg: &Segment, has_ack: bool, window: usize) {
        if seg.kind == Kind::Reset {
            self.reset_connection();
            return;
        }
        let end = seg.seq + seg.seq_len();
        let resent = seg.seq < self.snd_max || seg.kind == Kind::Recovery;
        match seg.kind {
            Kind::Recovery => {
                // A lost retransmission (RACK) below the hole pointer
                // leaves it where it is.
                if seg.seq >= self.rexmit_nxt {
                    self.rexmit_nxt = end;
                }
                self.fast_rexmit_now = false;
                self.counters.retransmissions += 1;
            }
            Kind::LossProbe => {
                self.tlp.sent();
                self.counters.loss_probes += 1;
                self.advance_stream(now, seg, end);
                self.rtx_at = Some(now + self.rtt.rto());
            }
            Kind::Keepalive => {
                self.keepalive_now = false;
                self.keepalive_unanswered = self.keepalive_unanswered.saturating_add(1);
                self.counters.keepalives += 1;
            }
            Kind::Probe | Kind::Stream | Kind::Reset => {
                if seg.kind == Kind::Probe {
                    self.probe_now = false;
                    self.counters.window_probes += 1;
                }
                self.advance_stream(now, seg, end);
            }
        }
        if seg.seq_len() > 0 && seg.kind != Kind::Keepalive {
            self.rack_on_sent(now, seg.seq, end, resent);
        }
        if seg.seq_len() > 0 && self.rtx_at.is_none() {
            self.rtx_at = Some(now + self.rtt.rto());
        }
        // New data pushes the probe back only when no ACK will (none armed).
        let fresh = seg.kind == Kind::Stream && !resent && self.tlp.timer().is_none();
        if (fresh || seg.kind == Kind::Recovery) && seg.seq_len() > 0 {
            self.arm_loss_probe(now);
        }
        if has_ack {
            self.note_ack_sent(window);
        }
    }

    fn advance_stream(&mut self, now: Instant, seg: &Segment, end: SeqNumber) {
        if seg.seq_len() == 0 {
            return;
        }
        if seg.seq < self.snd_max {
            self.counters.retransmissions += 1;
            self.rtt_sample = None;
        } else if self.rtt_sample.is_none() {
            self.rtt_sample = Some((end, now));
        }
        if end > self.snd_max {
            self.snd_max = end;
        }
        if end > self.snd_nxt {
            self.snd_nxt = end;
        }
        self.skip_sacked();
    }
}
