//! Segment arrival (RFC 9293 section 3.10.7) with RFC 5961 and RFC 7323
//! checks.

use super::output::NO_SACK;
use super::{Socket, DEFAULT_MSS, MAX_WINDOW_SHIFT, MIN_MSS};
use crate::tcp::congestion::{AckKind, Controller};
use crate::tcp::{reset_reply, Congestion, State};
use crate::time::{Duration, Instant};
use crate::wire::tcp::{Control, Repr, SeqNumber, Timestamp};
use core::net::{Ipv4Addr, SocketAddrV4};

impl Socket<'_> {
    /// Whether `seg`, from `src` to `dst`, belongs to this socket: the exact
    /// connection, or for a listener its port (and address, if bound).
    pub fn accepts(&self, src: Ipv4Addr, dst: Ipv4Addr, seg: &Repr<'_>) -> bool {
        if seg.dst_port != self.local.port() {
            return false;
        }
        match self.state {
            State::Closed => false,
            State::Listen => self.local.ip().is_unspecified() || *self.local.ip() == dst,
            _ => {
                seg.src_port == self.remote.port()
                    && *self.remote.ip() == src
                    && *self.local.ip() == dst
            }
        }
    }

    /// Feeds one segment that [`accepts`](Self::accepts) said is ours.
    /// Returns a segment to send back at once (from `dst` to `src`): a RST,
    /// a (challenge) ACK for an unacceptable segment. Ordinary ACKs and data
    /// go out through [`dispatch`](Self::dispatch).
    pub fn process(
        &mut self,
        now: Instant,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        seg: &Repr<'_>,
    ) -> Option<Repr<'static>> {
        if !self.accepts(src, dst, seg) {
            return None;
        }
        let reply = match self.state {
            State::Listen => self.process_listen(now, src, dst, seg),
            State::SynSent => self.process_syn_sent(now, seg),
            _ => self.process_synchronized(now, seg),
        };
        self.update_persist(now);
        reply
    }

    fn process_listen(
        &mut self,
        now: Instant,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        seg: &Repr<'_>,
    ) -> Option<Repr<'static>> {
        if seg.control == Control::Rst {
            return None;
        }
        if seg.ack_number.is_some() {
            return reset_reply(seg);
        }
        if seg.control != Control::Syn {
            return None;
        }
        let (_, isn_seed) = self.listener?;
        self.remote = SocketAddrV4::new(src, seg.src_port);
        self.local = SocketAddrV4::new(dst, self.local.port());
        // RFC 9293 section 3.4.1: ISN = M + F, M a 4 µs clock.
        self.start_sequence(isn_seed + (now.total_micros() / 4) as u32);
        self.accept_syn(now, seg);
        self.state = State::SynReceived;
        None
    }

    fn process_syn_sent(&mut self, now: Instant, seg: &Repr<'_>) -> Option<Repr<'static>> {
        let ack_ok = seg
            .ack_number
            .map(|ack| self.snd_una < ack && ack <= self.snd_max);
        if ack_ok == Some(false) {
            return if seg.control == Control::Rst {
                None
            } else {
                reset_reply(seg)
            };
        }
        if seg.control == Control::Rst {
            if ack_ok == Some(true) {
                self.connection_reset();
            }
            return None;
        }
        if seg.control != Control::Syn {
            return None;
        }
        self.accept_syn(now, seg);
        match seg.ack_number {
            Some(ack) => {
                self.on_ack_advance(now, ack, seg);
                self.state = State::Established;
            }
            None => {
                // Simultaneous open: answer with SYN,ACK on the same ISS.
                self.state = State::SynReceived;
                self.snd_nxt = self.iss;
                self.rtx_at = None;
            }
        }
        None
    }

    /// Learns the peer's ISN and options from its SYN (or SYN,ACK).
    fn accept_syn(&mut self, now: Instant, seg: &Repr<'_>) {
        self.irs = seg.seq_number;
        self.rcv_nxt = seg.seq_number + 1u32;
        self.rcv_adv = self.rcv_nxt;
        self.last_ack_sent = self.rcv_nxt;
        self.ws_ok = self.config.window_scaling && seg.window_scale.is_some();
        self.snd_shift = seg.window_scale.unwrap_or(0).min(MAX_WINDOW_SHIFT);
        if !self.ws_ok {
            self.snd_shift = 0;
            self.rcv_shift = 0;
        }
        self.ts_recent = seg
            .timestamp
            .filter(|_| self.config.timestamps)
            .map(|ts| ts.tsval);
        self.sack_ok = self.config.sack && seg.sack_permitted;
        let peer_mss = seg.max_seg_size.map_or(DEFAULT_MSS, usize::from);
        self.snd_mss = peer_mss.min(usize::from(self.config.mss)).max(MIN_MSS);
        // The window in a SYN is never scaled (RFC 7323 section 2.2).
        self.snd_wnd = usize::from(seg.window_len);
        self.max_snd_wnd = self.snd_wnd;
        self.snd_wl1 = seg.seq_number;
        self.snd_wl2 = seg.ack_number.unwrap_or(self.iss);
        self.cc = Controller::new(self.data_mss(), self.iss);
        if self.sack_ok {
            self.cc.use_pipe();
        }
        if self.config.congestion == Congestion::Cubic {
            self.cc.use_cubic();
        }
        // Nothing beyond the send buffer (plus SYN and FIN) is ever in flight.
        self.cc.cap(self.tx.capacity() + 2 * self.data_mss());
        self.ack_now = true;
        self.keepalive_touch(now);
    }

    fn process_synchronized(&mut self, now: Instant, seg: &Repr<'_>) -> Option<Repr<'static>> {
        if self.state == State::SynReceived
            && seg.control == Control::Syn
            && seg.seq_number == self.irs
            && seg.ack_number.is_some()
        {
            // Simultaneous open (RFC 9293 figure 7): the peer's SYN,ACK repeats
            // the SYN we already have; what is new is its ACK.
            let rest = Repr {
                control: Control::None,
                seq_number: seg.seq_number + 1u32,
                ..*seg
            };
            return self.process_synchronized(now, &rest);
        }
        if self.fails_paws(seg) || !self.acceptable(seg) {
            self.counters.unacceptable += 1;
            return self.on_unacceptable(now, seg);
        }
        self.keepalive_touch(now);
        match seg.control {
            // RFC 1337: a RST must not cut TIME-WAIT short.
            Control::Rst if self.state == State::TimeWait => return None,
            Control::Rst if seg.seq_number == self.rcv_nxt => {
                self.connection_reset();
                return None;
            }
            // RFC 5961 sections 3.2 and 4.2: an in-window RST that is not
            // exact, or any SYN, gets a challenge ACK instead.
            Control::Rst | Control::Syn => return self.challenge_ack(now),
            _ => {}
        }
        let ack = seg.ack_number?;
        if self.state == State::SynReceived {
            if !(self.snd_una < ack && ack <= self.snd_max) {
                return reset_reply(seg);
            }
            self.state = State::Established;
            self.snd_wl1 = seg.seq_number;
            self.snd_wl2 = ack;
        }
        if let Some(reply) = self.check_ack_range(now, ack) {
            return reply;
        }
        let new_sack = self.sack_ok && seg.sack_ranges[0].is_some() && self.absorb_sack(seg);
        let fin_acked = if ack > self.snd_una {
            self.on_ack_advance(now, ack, seg)
        } else {
            self.on_old_ack(seg, new_sack);
            false
        };
        self.rack_on_ack(now, seg);
        self.update_window(seg, ack);
        self.update_ts_recent(seg);
        if fin_acked && self.on_fin_acked(now) {
            return None;
        }
        // An ACK still owed when another segment needs one at once goes
        // out now, so each out-of-order segment gets its own duplicate ACK
        // even when the driver delivers several before dispatching.
        let owed = self.ack_now;
        let urgent =
            self.state.may_receive() && !seg.payload.is_empty() && self.receive_data(now, seg);
        if seg.control == Control::Fin && self.state.may_receive() {
            self.remote_fin = Some(seg.seq_number + seg.payload.len());
        }
        self.consume_remote_fin(now);
        (owed && urgent).then(|| {
            let reply = self.ack_reply(now);
            self.ack_now = true;
            reply
        })
    }

    /// RFC 7323 section 5.3: a segment whose TSval is older than TS.Recent
    /// is an old duplicate.
    fn fails_paws(&self, seg: &Repr<'_>) -> bool {
        match (self.ts_recent, seg.timestamp) {
            (Some(recent), Some(Timestamp { tsval, .. })) => {
                seg.control != Control::Rst && SeqNumber(tsval) < SeqNumber(recent)
            }
            _ => false,
        }
    }

    /// The four-case acceptability test of RFC 9293 section 3.10.7.4, with
    /// the window being the free receive space. A segment at exactly
    /// RCV.NXT is let through a zero window so its ACK (and RST) count.
    fn acceptable(&self, seg: &Repr<'_>) -> bool {
        let window = self.rx.window();
        let (start, end) = (self.rcv_nxt, self.rcv_nxt + window);
        let seq = seg.seq_number;
        match (seg.segment_len(), window) {
            (0, 0) => seq == self.rcv_nxt,
            (0, _) => seq.in_range(start, end),
            (_, 0) => seq == self.rcv_nxt,
            (len, _) => seq.in_range(start, end) || (seq + (len - 1)).in_range(start, end),
        }
    }

    fn on_unacceptable(&mut self, now: Instant, seg: &Repr<'_>) -> Option<Repr<'static>> {
        match seg.control {
            Control::Rst => return None,
            Control::Syn if self.state == State::SynReceived && seg.seq_number == self.irs => {
                // The peer did not get our SYN,ACK: send it again now.
                self.snd_nxt = self.iss;
                return None;
            }
            Control::Fin if self.state == State::TimeWait => {
                // A retransmitted FIN: its ACK was lost (RFC 9293 3.10.7.4).
                self.close_at = Some(now + self.config.time_wait);
            }
            _ => {}
        }
        // A duplicate below RCV.NXT still refreshes TS.Recent (as Linux
        // does), so the ACK it triggers echoes a fresh time and the
        // sender's RTT sample is not inflated by our old one.
        if !self.fails_paws(seg) {
            self.update_ts_recent(seg);
        }
        Some(self.ack_reply(now))
    }

    /// RFC 5961 section 5.2: an ACK for data never sent, or older than the
    /// largest window behind SND.UNA, is answered with a challenge ACK.
    fn check_ack_range(&mut self, now: Instant, ack: SeqNumber) -> Option<Option<Repr<'static>>> {
        let oldest = self.snd_una - (self.max_snd_wnd.min(1 << 30) as u32);
        if ack > self.snd_max || ack < oldest {
            return Some(self.challenge_ack(now));
        }
        None
    }

    /// Rate-limited ACK answering a suspicious segment (RFC 5961 section 7).
    fn challenge_ack(&mut self, now: Instant) -> Option<Repr<'static>> {
        if now - self.challenge_window >= Duration::from_secs(1) {
            self.challenge_window = now;
            self.challenge_count = 0;
        }
        if self.challenge_count >= self.config.challenge_ack_limit {
            self.counters.challenge_acks_suppressed += 1;
            return None;
        }
        self.challenge_count += 1;
        self.counters.challenge_acks += 1;
        Some(self.ack_reply(now))
    }

    /// Records the peer's SACK blocks that fall inside the outstanding data;
    /// true when they told us of data we did not know had arrived.
    fn absorb_sack(&mut self, seg: &Repr<'_>) -> bool {
        let before = self.sacked.total_len();
        for &(left, right) in seg.sack_ranges.iter().flatten() {
            let start = left.max(self.snd_una);
            let end = right.min(self.snd_max);
            if left >= self.snd_una && start < end {
                let offset = start.distance_from(self.snd_una) as usize;
                let len = end.distance_from(start) as usize;
                // A full scoreboard only costs extra retransmissions.
                let _ = self.sacked.add(offset, len);
            }
        }
        self.sacked.total_len() > before
    }

    /// A cumulative ACK that covers new data (or our SYN or FIN). Returns
    /// whether it acknowledged our FIN.
    fn on_ack_advance(&mut self, now: Instant, ack: SeqNumber, seg: &Repr<'_>) -> bool {
        let data_start = self.data_start();
        let fin_acked = self.fin_queued && ack > self.data_end();
        let data_acked = if ack > data_start {
            (ack.distance_from(data_start) as usize).min(self.tx.len())
        } else {
            0
        };
        self.tx.dequeue_allocated(data_acked);
        self.syn_acked = true;
        let acked = ack.distance_from(self.snd_una) as usize;
        self.snd_una = ack;
        self.snd_nxt = self.snd_nxt.max(ack);
        self.rexmit_nxt = self.rexmit_nxt.max(ack);
        self.sacked.advance(acked);
        self.sample_rtt(now, ack, seg.timestamp);
        self.retries = 0;
        let flight = self.snd_max.distance_from(self.snd_una) as usize;
        // NewReno (RFC 6582 3.2 step 5): a partial ACK means the next
        // segment is lost too. With SACK the hole pointer already knows.
        let rtt = self.rtt.srtt().unwrap_or(Duration::ZERO);
        let kind = self.cc.on_ack(data_acked, ack, flight, now, rtt);
        if kind == AckKind::Partial && self.sacked.is_empty() {
            self.fast_rexmit_now = true;
            self.rexmit_nxt = self.snd_una;
        }
        self.rtx_at = (self.snd_una != self.snd_max).then(|| now + self.rtt.rto());
        self.tlp.on_ack_advance();
        self.arm_loss_probe(now);
        fin_acked
    }

    /// RTT measurement: from the one timed segment when it is covered (Karn),
    /// else from the echoed timestamp when timestamps are on (RFC 7323
    /// section 4), which also measures retransmitted segments.
    fn sample_rtt(&mut self, now: Instant, ack: SeqNumber, ts: Option<Timestamp>) {
        if let Some((end, sent)) = self.rtt_sample {
            if ack >= end {
                self.rtt.sample(now - sent);
                self.rtt_sample = None;
                return;
            }
        }
        if let (Some(_), Some(ts)) = (self.ts_recent, ts) {
            let elapsed = self.ts_now(now).wrapping_sub(ts.tsecr);
            if ts.tsecr != 0 && elapsed < 1 << 31 {
                self.rtt.sample(Duration::from_millis(u64::from(elapsed)));
            }
        }
    }

    /// An ACK that does not advance SND.UNA: maybe a duplicate ACK, the
    /// loss signal for fast retransmit. RFC 5681 section 2 asks for an
    /// unchanged window; RFC 6675 section 2 also counts an ACK whose SACK
    /// blocks report new data, whatever its window (a receiver that keeps
    /// growing its window, as Linux does, would otherwise never trigger
    /// fast retransmit).
    fn on_old_ack(&mut self, seg: &Repr<'_>, new_sack: bool) {
        let is_dup = seg.ack_number == Some(self.snd_una)
            && seg.payload.is_empty()
            && seg.control.is_empty()
            && self.snd_max != self.snd_una
            && self.snd_wnd != 0
            && (new_sack || self.scaled_window(seg) == self.snd_wnd);
        if !is_dup {
            return;
        }
        self.counters.dup_acks += 1;
        let flight = self.snd_max.distance_from(self.snd_una) as usize;
        if self.cc.on_dup_ack(self.snd_una, self.snd_max, flight) {
            self.counters.fast_retransmits += 1;
            self.fast_rexmit_now = true;
            self.rexmit_nxt = self.snd_una;
            self.rtt_sample = None;
        }
    }

    fn scaled_window(&self, seg: &Repr<'_>) -> usize {
        usize::from(seg.window_len) << self.snd_shift
    }

    /// RFC 9293 section 3.10.7.4: take the window from the newest segment.
    #[inline]
    fn update_window(&mut self, seg: &Repr<'_>, ack: SeqNumber) {
        let seq = seg.seq_number;
        if self.snd_wl1 < seq || (self.snd_wl1 == seq && self.snd_wl2 <= ack) {
            let was_closed = self.snd_wnd == 0;
            self.snd_wnd = self.scaled_window(seg);
            if was_closed && self.snd_wnd > 0 {
                // Probe bytes sent into the zero window were dropped: send
                // them again now rather than after a timeout.
                self.snd_nxt = self.snd_una;
            }
            self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
            self.snd_wl1 = seq;
            self.snd_wl2 = ack;
        }
        if self.snd_wnd == 0 {
            // The peer answers our probes: it is alive, just full.
            self.retries = 0;
        }
    }

    /// RFC 7323 section 4.3: remember the TSval of in-order segments.
    fn update_ts_recent(&mut self, seg: &Repr<'_>) {
        if let (Some(recent), Some(ts)) = (self.ts_recent, seg.timestamp) {
            if seg.seq_number <= self.last_ack_sent && SeqNumber(ts.tsval) >= SeqNumber(recent) {
                self.ts_recent = Some(ts.tsval);
            }
        }
    }

    /// Our FIN was acknowledged. Returns true when the connection is gone.
    fn on_fin_acked(&mut self, now: Instant) -> bool {
        match self.state {
            State::FinWait1 => self.state = State::FinWait2,
            State::Closing => self.enter_time_wait(now),
            State::LastAck => {
                self.reset_connection();
                return true;
            }
            _ => {}
        }
        false
    }

    /// Writes payload into the receive ring at its offset from RCV.NXT and
    /// makes whatever became contiguous readable. Returns true when the
    /// segment must be acknowledged at once.
    fn receive_data(&mut self, now: Instant, seg: &Repr<'_>) -> bool {
        let seq = seg.seq_number;
        let (offset, data) = if seq < self.rcv_nxt {
            let skip = self.rcv_nxt.distance_from(seq) as usize;
            (0, seg.payload.get(skip..).unwrap_or(&[]))
        } else {
            (seq.distance_from(self.rcv_nxt) as usize, seg.payload)
        };
        let had_holes = !self.ooo.is_empty();
        let written = self.rx.write_unallocated(offset, data);
        if written == 0 {
            self.ack_now = true;
            return true;
        }
        let ready = if offset == 0 && !had_holes {
            // In order with nothing held back: readable at once, and the
            // assembler has nothing to merge.
            written
        } else {
            if self.ooo.add(offset, written).is_err() {
                self.counters.reassembly_overflow += 1;
                self.ack_now = true;
                return true;
            }
            let ready = self.ooo.front_len();
            self.ooo.advance(ready);
            ready
        };
        self.rx.enqueue_unallocated(ready);
        self.rcv_nxt += ready;
        if offset > 0 {
            self.sack_recent = Some(seq);
        }
        if offset > 0 || had_holes || written < data.len() {
            // Out of order, filling a hole, or overrunning the buffer: the
            // sender needs to hear at once (RFC 5681 section 4.2).
            self.ack_now = true;
            true
        } else {
            self.delay_ack(now, written);
            false
        }
    }

    /// Delayed ACK (RFC 1122 4.2.3.2, RFC 5681 4.2): at least every second
    /// full-sized segment, else when the timer runs out.
    fn delay_ack(&mut self, now: Instant, len: usize) {
        let Some(delay) = self.config.ack_delay else {
            self.ack_now = true;
            return;
        };
        let full = usize::from(self.config.mss).saturating_sub(self.data_options_len(NO_SACK));
        if len >= full {
            self.unacked_segments = self.unacked_segments.saturating_add(1);
        }
        if self.unacked_segments >= 2 {
            self.ack_now = true;
        } else {
            self.ack_at = self.ack_at.or(Some(now + delay));
        }
    }

    /// Consumes the peer's FIN once every byte before it has arrived.
    fn consume_remote_fin(&mut self, now: Instant) {
        if self.remote_fin != Some(self.rcv_nxt) || !self.state.may_receive() {
            return;
        }
        self.rcv_nxt += 1u32;
        self.rx_fin = true;
        self.ack_now = true;
        match self.state {
            State::SynReceived | State::Established => self.state = State::CloseWait,
            State::FinWait1 => self.state = State::Closing,
            State::FinWait2 => self.enter_time_wait(now),
            _ => {}
        }
    }

    fn enter_time_wait(&mut self, now: Instant) {
        self.state = State::TimeWait;
        self.rtx_at = None;
        self.persist_at = None;
        self.probe_now = false;
        self.keepalive_at = None;
        self.close_at = Some(now + self.config.time_wait);
    }
}
