//! RACK loss detection (RFC 8985; the tail loss probe is in `tlp`): a
//! range is lost once a range sent after it has been delivered
//! (cumulatively or selectively acknowledged) and a reordering window has
//! passed since it should have arrived. Loss is found from SACKs and time,
//! not from duplicate-ACK counts or the retransmission timer, so a lost
//! retransmission, or a loss after a timeout, is repaired within about one
//! round trip.
//!
//! No heap: send times live in [`MAX_SENT`] entries of transmitted ranges,
//! in send order (so in order of send time). Contiguous ranges sent within
//! an eighth of the minimum RTT share an entry (with the later time). When
//! the array is full, the two neighbouring entries sent closest in time
//! merge (taking the later time, which can only delay detection of the
//! earlier bytes); if none can merge, the oldest entry is evicted and its
//! bytes are left to the retransmission timer. Cost: 24 bytes per entry,
//! 440 bytes per socket in all.

use super::scoreboard::Scoreboard;
use crate::time::{Duration, Instant};
use crate::wire::tcp::{SeqNumber, MAX_SACK_BLOCKS};

/// Transmitted ranges with their send times.
pub const MAX_SENT: usize = 16;

/// One transmission: `[start, end)` last sent at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sent {
    start: SeqNumber,
    end: SeqNumber,
    at: Instant,
    retransmitted: bool,
    /// `[start, lost_end)` is marked lost (none when `lost_end <= start`).
    lost_end: SeqNumber,
}

impl Sent {
    fn is_lost(&self) -> bool {
        self.lost_end > self.start
    }

    /// The highest byte of this entry that `[una, ...)` and `sack` show
    /// delivered, plus one.
    fn delivered_end(
        &self,
        una: SeqNumber,
        sack: Option<&[Option<(SeqNumber, SeqNumber)>; MAX_SACK_BLOCKS]>,
    ) -> Option<SeqNumber> {
        let acked = (self.start < una).then(|| una.min(self.end));
        let Some(sack) = sack else {
            return acked;
        };
        sack.iter()
            .flatten()
            .filter(|&&(l, r)| self.overlaps(l, r))
            .map(|&(_, r)| r.min(self.end))
            .chain(acked)
            .reduce(SeqNumber::max)
    }

    /// RFC 8985 orders transmissions by time, then by end sequence.
    fn order(&self) -> (Instant, SeqNumber) {
        (self.at, self.end)
    }

    fn overlaps(&self, start: SeqNumber, end: SeqNumber) -> bool {
        self.start < end && start < self.end
    }
}

/// Whether transmission `a` (time, end) came after `b`.
fn after(a: (Instant, SeqNumber), b: (Instant, SeqNumber)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 > b.1)
}

/// RACK state of one connection.
#[derive(Debug, Clone, Copy)]
pub struct Rack {
    sent: [Sent; MAX_SENT],
    count: usize,
    /// The most recent transmission known delivered (RACK.xmit_ts and
    /// RACK.end_seq).
    newest: Option<(Instant, SeqNumber)>,
    /// Round trip of that transmission (RACK.rtt).
    rtt: Duration,
    min_rtt: Option<Duration>,
    /// When the next suspect range is due (the RACK reordering timer).
    timer: Option<Instant>,
    /// Entries marked lost whose bytes may still need sending.
    lost: usize,
}

impl Default for Rack {
    fn default() -> Self {
        Rack::new()
    }
}

impl Rack {
    pub const fn new() -> Self {
        const EMPTY: Sent = Sent {
            start: SeqNumber(0),
            end: SeqNumber(0),
            at: Instant::ZERO,
            retransmitted: false,
            lost_end: SeqNumber(0),
        };
        Rack {
            sent: [EMPTY; MAX_SENT],
            count: 0,
            newest: None,
            rtt: Duration::ZERO,
            min_rtt: None,
            timer: None,
            lost: 0,
        }
    }

    /// Forgets every transmission (after a timeout the sender starts over),
    /// keeping what was learnt about the path.
    pub fn clear(&mut self) {
        self.count = 0;
        self.newest = None;
        self.timer = None;
        self.lost = 0;
    }

    pub fn timer(&self) -> Option<Instant> {
        self.timer
    }

    pub fn has_lost(&self) -> bool {
        self.lost > 0
    }

    fn entries(&self) -> &[Sent] {
        &self.sent[..self.count]
    }

    /// Nothing recorded and no timer running: an ACK without SACK
    /// information has nothing to tell (the receiving end of a transfer).
    pub fn is_idle(&self) -> bool {
        self.count == 0 && self.timer.is_none()
    }

    /// Records `[start, end)` sent at `now`. A retransmission takes over its
    /// bytes from the older entries (bytes the peer already holds are
    /// dropped from them).
    // Inlined for the usual case, new data joining the newest entry.
    #[inline]
    pub fn on_sent(
        &mut self,
        now: Instant,
        start: SeqNumber,
        end: SeqNumber,
        retransmitted: bool,
        board: Scoreboard<'_>,
    ) {
        if retransmitted || !self.join_tail(now, start, end, false) {
            self.record(now, (start, end), retransmitted, board);
        }
    }

    /// `on_sent` for a retransmission or a range that starts an entry.
    fn record(
        &mut self,
        now: Instant,
        (start, end): (SeqNumber, SeqNumber),
        retransmitted: bool,
        board: Scoreboard<'_>,
    ) {
        if start >= end {
            return;
        }
        if retransmitted {
            self.forget(start, end, board);
        }
        if self.join_tail(now, start, end, retransmitted) {
            return;
        }
        if self.count == MAX_SENT {
            self.make_room();
        }
        self.sent[self.count] = Sent {
            start,
            end,
            at: now,
            retransmitted,
            lost_end: start,
        };
        self.count += 1;
    }

    /// Extends the newest entry by `[start, end)` if that continues it, of
    /// the same kind, within the join window.
    #[inline]
    fn join_tail(
        &mut self,
        now: Instant,
        start: SeqNumber,
        end: SeqNumber,
        retransmitted: bool,
    ) -> bool {
        let join_window = self.join_window();
        match self.sent[..self.count].last_mut() {
            Some(tail)
                if tail.end == start
                    && start < end
                    && tail.retransmitted == retransmitted
                    && !tail.is_lost()
                    && now - tail.at <= join_window =>
            {
                tail.end = end;
                tail.at = now;
                true
            }
            _ => false,
        }
    }

    /// Removes `[start, end)` from every entry, splitting one that holds it
    /// in the middle when there is a free slot (otherwise its tail goes
    /// untracked); pieces the peer already holds are dropped.
    fn forget(&mut self, start: SeqNumber, end: SeqNumber, board: Scoreboard<'_>) {
        let mut kept = [self.sent[0]; MAX_SENT];
        let mut count = 0;
        let mut spare = MAX_SENT - self.count;
        for e in self.entries() {
            let pieces = if e.overlaps(start, end) {
                let head = (e.start < start && !board.holds(e.start, start)).then_some(e.start);
                let mut tail = (end < e.end && !board.holds(end, e.end)).then_some(end);
                if head.is_some() && tail.is_some() {
                    if spare == 0 {
                        tail = None;
                    } else {
                        spare -= 1;
                    }
                }
                [head.map(|s| (s, start)), tail.map(|s| (s, e.end))]
            } else {
                [Some((e.start, e.end)), None]
            };
            for (s, t) in pieces.into_iter().flatten() {
                if let Some(slot) = kept.get_mut(count) {
                    *slot = Sent {
                        start: s,
                        end: t,
                        lost_end: e.lost_end.max(s).min(t),
                        ..*e
                    };
                    count += 1;
                }
            }
        }
        self.sent = kept;
        self.count = count;
        self.recount_lost();
    }

    /// Merges the two neighbours (in send order and in sequence) sent
    /// closest in time, so detection coarsens evenly; with no such pair the
    /// oldest entry goes.
    fn make_room(&mut self) {
        let mergeable = |a: &Sent, b: &Sent| {
            a.end == b.start && a.retransmitted == b.retransmitted && !a.is_lost() && !b.is_lost()
        };
        let closest = self
            .entries()
            .windows(2)
            .enumerate()
            .filter(|(_, w)| mergeable(&w[0], &w[1]))
            .min_by_key(|(_, w)| w[1].at - w[0].at)
            .map(|(i, _)| i);
        match closest {
            Some(i) => {
                let start = self.sent[i].start;
                self.sent[i + 1].start = start;
                self.sent[i + 1].lost_end = start;
                self.remove(i);
            }
            None => self.remove(0),
        }
    }

    fn remove(&mut self, index: usize) {
        if index < self.count {
            self.sent.copy_within(index + 1..self.count, index);
            self.count -= 1;
        }
    }

    fn recount_lost(&mut self) {
        self.lost = self.entries().iter().filter(|e| e.is_lost()).count();
    }

    /// An ACK arrived: `board` already includes it, `sack` are its blocks.
    /// Notes the newest delivered transmission, then drops entries the peer
    /// now holds entirely.
    // Inlined for the usual ACK, one without SACK information.
    #[inline]
    pub fn on_ack(
        &mut self,
        now: Instant,
        sack: &[Option<(SeqNumber, SeqNumber)>; MAX_SACK_BLOCKS],
        board: Scoreboard<'_>,
    ) {
        if sack[0].is_none() && board.nothing_sacked() {
            self.on_cumulative_ack(now, board.una());
        } else {
            self.on_selective_ack(now, sack, board);
        }
    }

    /// `on_ack` when the peer holds data above `una`.
    fn on_selective_ack(
        &mut self,
        now: Instant,
        sack: &[Option<(SeqNumber, SeqNumber)>; MAX_SACK_BLOCKS],
        board: Scoreboard<'_>,
    ) {
        let una = board.una();
        let sack = sack[0].is_some().then_some(sack);
        // Entries are in send order, so the last one delivered is the
        // newest, and (if not a retransmission) gives the shortest RTT.
        // Entries wholly past everything the peer holds (most of them: what
        // was sent in the last round trip) stay as they are, unexamined.
        let held_end = board.held_end();
        self.settle(now, |e| {
            if e.start >= held_end {
                return (None, e.start);
            }
            let start = e.start.max(una);
            let held = start < e.end && board.holds(start, e.end);
            (e.delivered_end(una, sack), if held { e.end } else { start })
        });
    }

    /// `on_ack` for the common case, an ACK without SACK information: the
    /// entries reaching below `una` were delivered; the rest stay.
    #[inline]
    fn on_cumulative_ack(&mut self, now: Instant, una: SeqNumber) {
        self.settle(now, |e| {
            let delivered = (e.start < una).then(|| una.min(e.end));
            (delivered, e.start.max(una))
        });
    }

    /// Walks the entries in send order; `step` says how far each was
    /// delivered and where what is still outstanding starts (at its end:
    /// nothing). Keeps the latter, recounts the lost ones and learns from
    /// the newest delivery that is not ambiguous.
    fn settle(
        &mut self,
        now: Instant,
        mut step: impl FnMut(&Sent) -> (Option<SeqNumber>, SeqNumber),
    ) {
        let (mut kept, mut lost) = (0, 0);
        let mut newest = None;
        for i in 0..self.count {
            let e = self.sent[i];
            let (delivered, start) = step(&e);
            if let Some(end) = delivered.filter(|_| !self.ambiguous(&e, now)) {
                newest = Some((e, end));
            }
            // Written whether kept or not (`kept <= i`, so only a slot
            // already read is overwritten): no branch to mispredict.
            let keep = start < e.end;
            self.sent[kept] = Sent { start, ..e };
            kept += usize::from(keep);
            lost += usize::from(keep && e.lost_end > start);
        }
        self.count = kept;
        self.lost = lost;
        if let Some((e, end)) = newest {
            self.delivered(now, &e, end);
        }
    }

    /// A retransmission acknowledged sooner than any round trip took: the
    /// original was delivered, so its time says nothing (RFC 8985 6.2 step 2).
    fn ambiguous(&self, e: &Sent, now: Instant) -> bool {
        e.retransmitted && self.min_rtt.is_some_and(|min| now - e.at < min)
    }

    /// Bytes of `e` up to `end` were delivered.
    fn delivered(&mut self, now: Instant, e: &Sent, end: SeqNumber) {
        if !e.retransmitted {
            let rtt = now - e.at;
            self.min_rtt = Some(self.min_rtt.map_or(rtt, |m| m.min(rtt)));
        }
        if self.newest.is_none_or(|newest| after((e.at, end), newest)) {
            self.newest = Some((e.at, end));
            self.rtt = now - e.at;
        }
    }

    /// Contiguous ranges sent within this of each other share an entry:
    /// less than the reordering window, so detection hardly notices, and
    /// the record does not fill up (and merge) on every send.
    fn join_window(&self) -> Duration {
        let min = self.min_rtt.unwrap_or(Duration::ZERO);
        Duration::from_micros(min.total_micros() / 8)
    }

    /// RACK.reo_wnd: a quarter of the minimum RTT (RFC 8985 6.2 step 4).
    fn reordering_window(&self) -> Duration {
        let base = self.min_rtt.unwrap_or(self.rtt);
        Duration::from_micros(base.total_micros() / 4)
    }

    /// Marks lost every range sent before the newest delivered one that is
    /// overdue by more than the reordering window, and arms the timer for
    /// the next one due. Returns whether anything new was marked.
    #[inline]
    pub fn detect_loss(&mut self, now: Instant) -> bool {
        self.timer = None;
        let Some(newest) = self.newest else {
            return false;
        };
        if self.entries().first().is_none_or(|e| e.at > newest.0) {
            return false; // the common case: nothing sent before it remains
        }
        self.mark_lost(now, newest)
    }

    /// `detect_loss` once some entry was sent before the newest delivery.
    fn mark_lost(&mut self, now: Instant, newest: (Instant, SeqNumber)) -> bool {
        let wait = self.rtt + self.reordering_window();
        let mut found = false;
        for e in self.sent[..self.count].iter_mut() {
            if e.at > newest.0 {
                break; // entries are in send order: none later is older
            }
            // Bytes sent before the newest delivered one: all of an older
            // entry, or the lower part of one sent in the same instant.
            let before = if after(newest, e.order()) {
                e.end
            } else if e.at == newest.0 {
                newest.1.min(e.end)
            } else {
                continue;
            };
            if e.lost_end.max(e.start) >= before {
                continue;
            }
            let due = e.at + wait;
            if due <= now {
                self.lost += usize::from(!e.is_lost());
                e.lost_end = before;
                found = true;
            } else {
                self.timer = Some(self.timer.map_or(due, |t| t.min(due)));
            }
        }
        found
    }

    /// The lowest lost range the peer lacks, below `limit` (bytes from
    /// `limit` on go out with the stream anyway).
    pub fn next_lost(
        &self,
        board: Scoreboard<'_>,
        limit: SeqNumber,
    ) -> Option<(SeqNumber, SeqNumber)> {
        self.entries()
            .iter()
            .filter(|e| e.is_lost())
            .filter_map(|e| board.first_hole(e.start, e.lost_end.min(limit)))
            .min_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(core::cmp::Ordering::Equal))
    }

    /// Bytes below `limit` marked lost and not yet resent or SACKed: they
    /// left the network, so they are not in flight (RFC 6675 pipe).
    #[inline]
    pub fn lost_bytes(&self, board: Scoreboard<'_>, limit: SeqNumber) -> usize {
        if self.lost == 0 {
            return 0;
        }
        self.entries()
            .iter()
            .filter(|e| e.is_lost() && e.start < limit)
            .map(|e| board.missing(e.start, e.lost_end.min(limit)))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::assembler::Assembler;

    const NONE: [Option<(SeqNumber, SeqNumber)>; MAX_SACK_BLOCKS] = [None; MAX_SACK_BLOCKS];

    fn ms(n: u64) -> Instant {
        Instant::from_millis(n)
    }

    fn seq(n: u32) -> SeqNumber {
        SeqNumber(n)
    }

    fn sack(l: u32, r: u32) -> [Option<(SeqNumber, SeqNumber)>; MAX_SACK_BLOCKS] {
        let mut blocks = NONE;
        blocks[0] = Some((seq(l), seq(r)));
        blocks
    }

    #[test]
    fn same_instant_burst_loses_only_what_precedes_the_delivered_part() {
        let (mut rack, mut sacked) = (Rack::new(), Assembler::new());
        let una = seq(1000);
        for i in 0..4 {
            let board = Scoreboard::new(una, &sacked);
            rack.on_sent(
                ms(10),
                seq(1000 + i * 100),
                seq(1100 + i * 100),
                false,
                board,
            );
        }
        assert_eq!(rack.entries().len(), 1, "one burst, one entry");
        sacked.add(200, 100).unwrap();
        rack.on_ack(ms(30), &sack(1200, 1300), Scoreboard::new(una, &sacked));
        assert!(!rack.detect_loss(ms(30)));
        assert_eq!(rack.timer(), Some(ms(35)), "RTT 20 ms + 20/4 ms");
        assert!(rack.detect_loss(ms(35)));
        let board = Scoreboard::new(una, &sacked);
        assert_eq!(
            rack.next_lost(board, seq(1400)),
            Some((seq(1000), seq(1200)))
        );
        assert_eq!(rack.lost_bytes(board, seq(1400)), 200, "1300.. is not lost");
    }

    #[test]
    fn retransmission_takes_its_bytes_and_an_early_ack_is_ambiguous() {
        let (mut rack, sacked) = (Rack::new(), Assembler::new());
        let board = Scoreboard::new(seq(0), &sacked);
        rack.on_sent(ms(0), seq(0), seq(300), false, board);
        rack.on_ack(ms(20), &NONE, Scoreboard::new(seq(100), &sacked));
        rack.on_sent(
            ms(25),
            seq(150),
            seq(200),
            true,
            Scoreboard::new(seq(100), &sacked),
        );
        let spans: std::vec::Vec<_> = rack
            .entries()
            .iter()
            .map(|e| (e.start.0, e.end.0))
            .collect();
        assert_eq!(
            spans,
            [(100, 150), (200, 300), (150, 200)],
            "split around it"
        );
        // Acked 5 ms after the resend, under the 20 ms minimum RTT: the
        // original arrived, so the resend's time says nothing.
        rack.on_ack(ms(30), &NONE, Scoreboard::new(seq(300), &sacked));
        assert_eq!(rack.newest, Some((ms(0), seq(300))));
        assert!(rack.entries().is_empty());
    }

    #[test]
    fn retransmission_into_a_full_record_splits_only_with_room() {
        let (mut rack, sacked) = (Rack::new(), Assembler::new());
        let board = Scoreboard::new(seq(0), &sacked);
        for i in 0..MAX_SENT as u32 {
            rack.on_sent(
                ms(u64::from(i)),
                seq(i * 100),
                seq(i * 100 + 100),
                false,
                board,
            );
        }
        // Resending the middle of the first entry: no slot for its tail,
        // and every later entry is kept (two merge to make room).
        rack.on_sent(ms(50), seq(40), seq(60), true, board);
        let spans: std::vec::Vec<_> = rack
            .entries()
            .iter()
            .map(|e| (e.start.0, e.end.0))
            .collect();
        assert_eq!(spans.len(), MAX_SENT);
        assert_eq!(spans[0], (0, 40), "head kept, tail untracked");
        assert_eq!(
            spans[1],
            (100, 300),
            "closest neighbours merged to make room"
        );
        assert_eq!(spans[MAX_SENT - 2], (1500, 1600), "later entries kept");
        assert_eq!(spans[MAX_SENT - 1], (40, 60), "the resend, newest");
    }

    #[test]
    fn full_record_merges_the_closest_neighbours() {
        let (mut rack, sacked) = (Rack::new(), Assembler::new());
        let board = Scoreboard::new(seq(0), &sacked);
        let gap = |i: u32| if i == 5 { 1 } else { 10 };
        let mut t = 0;
        for i in 0..=MAX_SENT as u32 {
            t += gap(i);
            rack.on_sent(ms(t), seq(i * 100), seq(i * 100 + 100), false, board);
        }
        assert_eq!(rack.entries().len(), MAX_SENT);
        let merged = rack.entries()[4];
        assert_eq!((merged.start, merged.end), (seq(400), seq(600)));
        assert_eq!(merged.at, ms(51), "the later time of the two");
        assert!(rack.entries().iter().all(|e| !e.is_lost()));
    }
}
