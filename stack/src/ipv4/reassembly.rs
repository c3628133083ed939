//! Reassembly of fragmented datagrams (RFC 791 section 3.2, RFC 815).
//!
//! Bounded on every axis, because fragments are a classic way to exhaust a
//! small device: a fixed number of slots each with a fixed buffer, a fixed
//! number of disjoint byte ranges per datagram, and a timeout. Overlapping
//! fragments (RFC 5722's stance, applied to IPv4) discard the datagram.

use core::net::Ipv4Addr;

use crate::stats::DropReason;
use crate::storage::Managed;
use crate::time::{Duration, Instant};

/// Disjoint ranges tracked per datagram; more holes than this discards it.
const MAX_RANGES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How long an incomplete datagram is kept (RFC 791 suggests 15 s).
    pub timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(15),
        }
    }
}

/// What identifies the fragments of one datagram (RFC 791).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub ident: u16,
    pub protocol: u8,
}

/// A reassembly buffer. Its length bounds the largest datagram payload it
/// can rebuild.
#[derive(Debug)]
pub struct Slot<'a> {
    buffer: Managed<'a, u8>,
    assembly: Option<Assembly>,
}

impl<'a> Slot<'a> {
    pub fn new(buffer: impl Into<Managed<'a, u8>>) -> Self {
        Slot {
            buffer: buffer.into(),
            assembly: None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Assembly {
    key: Key,
    /// Received byte ranges, sorted, disjoint and non-adjacent.
    ranges: [(usize, usize); MAX_RANGES],
    n_ranges: usize,
    /// Known once the last fragment (MF clear) arrived.
    total_len: Option<usize>,
    expires_at: Instant,
}

/// One fragment's place in its datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment<'p> {
    pub key: Key,
    /// Offset in bytes.
    pub offset: usize,
    pub more_fragments: bool,
    pub data: &'p [u8],
}

/// Rebuilds fragmented datagrams in caller-provided slots.
#[derive(Debug)]
pub struct Reassembler<'a> {
    slots: Managed<'a, Slot<'a>>,
    config: Config,
    /// No datagram expires before this; `None` when none is in progress.
    /// It may be early (a datagram completed since), never late, and spares
    /// [`Reassembler::expire`] its walk on every transmit.
    expiry_due: Option<Instant>,
}

impl<'a> Reassembler<'a> {
    pub fn new(slots: impl Into<Managed<'a, Slot<'a>>>, config: Config) -> Self {
        Reassembler {
            slots: slots.into(),
            config,
            expiry_due: None,
        }
    }

    /// Adds a fragment. `Ok(Some(payload))` when it completed its datagram
    /// (the slot is free again once the borrow ends), `Ok(None)` when held,
    /// `Err` when it (and possibly its datagram) was dropped.
    pub fn add(
        &mut self,
        now: Instant,
        fragment: Fragment<'_>,
    ) -> Result<Option<&[u8]>, DropReason> {
        let index = self.slot_for(now, fragment.key)?;
        let expires_at = now + self.config.timeout;
        let slot = &mut self.slots[index];
        if slot
            .assembly
            .is_none_or(|a| a.key != fragment.key || a.expires_at <= now)
        {
            slot.assembly = Some(Assembly {
                key: fragment.key,
                ranges: [(0, 0); MAX_RANGES],
                n_ranges: 0,
                total_len: None,
                expires_at,
            });
            self.expiry_due = Some(self.expiry_due.map_or(expires_at, |t| t.min(expires_at)));
        }
        let Some(assembly) = slot.assembly.as_mut() else {
            return Err(DropReason::FragmentNoSlot);
        };
        match place(assembly, &mut slot.buffer, &fragment) {
            Ok(true) => {
                let len = assembly.total_len.unwrap_or(0);
                slot.assembly = None;
                Ok(Some(&slot.buffer[..len]))
            }
            Ok(false) => Ok(None),
            Err(Placement::Duplicate) => Err(DropReason::FragmentOverlap),
            Err(Placement::Discard(reason)) => {
                slot.assembly = None;
                Err(reason)
            }
        }
    }

    /// Discards datagrams whose time is up; returns how many.
    #[inline]
    pub fn expire(&mut self, now: Instant) -> usize {
        if self.expiry_due.is_none_or(|due| due > now) {
            return 0;
        }
        let mut expired = 0;
        for slot in self.slots.iter_mut() {
            if slot.assembly.is_some_and(|a| a.expires_at <= now) {
                slot.assembly = None;
                expired += 1;
            }
        }
        self.expiry_due = self.poll_at();
        expired
    }

    pub fn poll_at(&self) -> Option<Instant> {
        self.expiry_due?;
        self.slots
            .iter()
            .filter_map(|s| s.assembly.map(|a| a.expires_at))
            .min()
    }

    /// Datagrams currently being rebuilt.
    pub fn in_progress(&self) -> usize {
        self.slots.iter().filter(|s| s.assembly.is_some()).count()
    }

    fn slot_for(&mut self, now: Instant, key: Key) -> Result<usize, DropReason> {
        let existing = self
            .slots
            .iter()
            .position(|s| s.assembly.is_some_and(|a| a.key == key));
        let free = || {
            self.slots
                .iter()
                .position(|s| s.assembly.is_none_or(|a| a.expires_at <= now))
        };
        existing.or_else(free).ok_or(DropReason::FragmentNoSlot)
    }
}

enum Placement {
    /// Wholly inside data already held: drop just this fragment.
    Duplicate,
    /// The datagram cannot be rebuilt: drop it.
    Discard(DropReason),
}

/// Copies the fragment in; `Ok(true)` when the datagram is complete.
fn place(a: &mut Assembly, buffer: &mut [u8], f: &Fragment<'_>) -> Result<bool, Placement> {
    let start = f.offset;
    let end = start
        .checked_add(f.data.len())
        .filter(|&end| end <= buffer.len())
        .ok_or(Placement::Discard(DropReason::FragmentTooLarge))?;
    if f.more_fragments && (f.data.is_empty() || f.data.len() % 8 != 0) {
        return Err(Placement::Discard(DropReason::Ipv4Malformed));
    }
    let held = &a.ranges[..a.n_ranges];
    if held.iter().any(|&(s, e)| s <= start && end <= e) && !f.data.is_empty() {
        return Err(Placement::Duplicate);
    }
    if held.iter().any(|&(s, e)| start < e && s < end) {
        return Err(Placement::Discard(DropReason::FragmentOverlap));
    }
    set_total_len(a, f.more_fragments, end)?;
    insert_range(a, start, end)?;
    buffer[start..end].copy_from_slice(f.data);
    Ok(a.total_len
        .is_some_and(|t| a.n_ranges == 1 && a.ranges[0] == (0, t)))
}

fn set_total_len(a: &mut Assembly, more_fragments: bool, end: usize) -> Result<(), Placement> {
    let past_end = |t: usize| end > t || a.ranges[..a.n_ranges].iter().any(|&(_, e)| e > t);
    match (more_fragments, a.total_len) {
        (true, Some(t)) if end > t => Err(Placement::Discard(DropReason::Ipv4Malformed)),
        (false, Some(t)) if t != end => Err(Placement::Discard(DropReason::Ipv4Malformed)),
        (false, None) if past_end(end) => Err(Placement::Discard(DropReason::Ipv4Malformed)),
        (false, None) => {
            a.total_len = Some(end);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Inserts `[start, end)` (known not to overlap) and merges neighbours.
fn insert_range(a: &mut Assembly, start: usize, end: usize) -> Result<(), Placement> {
    if start == end {
        return Ok(());
    }
    let n = a.n_ranges;
    let at = a.ranges[..n]
        .iter()
        .position(|&(s, _)| s > start)
        .unwrap_or(n);
    let joins_prev = at > 0 && a.ranges[at - 1].1 == start;
    let joins_next = at < n && a.ranges[at].0 == end;
    match (joins_prev, joins_next) {
        (true, true) => {
            a.ranges[at - 1].1 = a.ranges[at].1;
            a.ranges.copy_within(at + 1..n, at);
            a.n_ranges -= 1;
        }
        (true, false) => a.ranges[at - 1].1 = end,
        (false, true) => a.ranges[at].0 = start,
        (false, false) => {
            if n == MAX_RANGES {
                return Err(Placement::Discard(DropReason::FragmentNoSlot));
            }
            a.ranges.copy_within(at..n, at + 1);
            a.ranges[at] = (start, end);
            a.n_ranges += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    const KEY: Key = Key {
        src: Ipv4Addr::new(192, 0, 2, 1),
        dst: Ipv4Addr::new(192, 0, 2, 2),
        ident: 7,
        protocol: 17,
    };

    fn frag(offset: usize, more: bool, data: &[u8]) -> Fragment<'_> {
        Fragment {
            key: KEY,
            offset,
            more_fragments: more,
            data,
        }
    }

    fn payload() -> Vec<u8> {
        (0..40u8).collect()
    }

    #[test]
    fn in_order_and_out_of_order_complete() {
        let p = payload();
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
            let mut buf = [0u8; 64];
            let mut slots = [Slot::new(&mut buf[..])];
            let mut r = Reassembler::new(&mut slots[..], Config::default());
            let pieces = [
                frag(0, true, &p[..16]),
                frag(16, true, &p[16..32]),
                frag(32, false, &p[32..]),
            ];
            let mut done = None;
            for &i in &order {
                if let Some(d) = r.add(Instant::ZERO, pieces[i]).unwrap() {
                    done = Some(d.to_vec());
                }
            }
            assert_eq!(done.as_deref(), Some(&p[..]), "order {order:?}");
            assert_eq!(r.in_progress(), 0);
        }
    }

    #[test]
    fn overlap_discards_and_duplicate_is_ignored() {
        let p = payload();
        let mut buf = [0u8; 64];
        let mut slots = [Slot::new(&mut buf[..])];
        let mut r = Reassembler::new(&mut slots[..], Config::default());
        assert_eq!(r.add(Instant::ZERO, frag(0, true, &p[..16])), Ok(None));
        assert_eq!(
            r.add(Instant::ZERO, frag(0, true, &p[..16])),
            Err(DropReason::FragmentOverlap)
        );
        assert_eq!(r.in_progress(), 1, "an exact duplicate keeps the datagram");
        assert_eq!(
            r.add(Instant::ZERO, frag(8, true, &p[8..24])),
            Err(DropReason::FragmentOverlap)
        );
        assert_eq!(r.in_progress(), 0, "a partial overlap discards it");
    }

    #[test]
    fn oversize_and_inconsistent_lengths_are_rejected() {
        let p = payload();
        let mut buf = [0u8; 32];
        let mut slots = [Slot::new(&mut buf[..])];
        let mut r = Reassembler::new(&mut slots[..], Config::default());
        assert_eq!(
            r.add(Instant::ZERO, frag(24, false, &p[..16])),
            Err(DropReason::FragmentTooLarge)
        );
        assert_eq!(
            r.add(Instant::ZERO, frag(0, true, &p[..10])),
            Err(DropReason::Ipv4Malformed)
        );
        assert_eq!(r.add(Instant::ZERO, frag(8, false, &p[..8])), Ok(None));
        assert_eq!(
            r.add(Instant::ZERO, frag(16, true, &p[..8])),
            Err(DropReason::Ipv4Malformed)
        );
        assert_eq!(
            r.add(Instant::ZERO, frag(usize::MAX, false, &p[..8])),
            Err(DropReason::FragmentTooLarge)
        );
    }

    #[test]
    fn times_out_and_frees_slot() {
        let p = payload();
        let mut buf = [0u8; 64];
        let mut slots = [Slot::new(&mut buf[..])];
        let mut r = Reassembler::new(&mut slots[..], Config::default());
        r.add(Instant::ZERO, frag(0, true, &p[..16])).unwrap();
        assert_eq!(r.poll_at(), Some(Instant::from_secs(15)));
        assert_eq!(r.expire(Instant::from_secs(14)), 0);
        assert_eq!(r.expire(Instant::from_secs(15)), 1);
        assert_eq!(r.poll_at(), None);
    }

    #[test]
    fn too_many_datagrams_exhaust_slots() {
        let p = payload();
        let mut buf = [0u8; 64];
        let mut slots = [Slot::new(&mut buf[..])];
        let mut r = Reassembler::new(&mut slots[..], Config::default());
        r.add(Instant::ZERO, frag(0, true, &p[..16])).unwrap();
        let other = Fragment {
            key: Key { ident: 8, ..KEY },
            ..frag(0, true, &p[..16])
        };
        assert_eq!(r.add(Instant::ZERO, other), Err(DropReason::FragmentNoSlot));
        // A stale datagram's slot is reclaimed.
        assert_eq!(r.add(Instant::from_secs(20), other), Ok(None));
    }

    #[test]
    fn too_many_holes_discard() {
        let data = [0u8; 8];
        let mut buf = [0u8; 512];
        let mut slots = [Slot::new(&mut buf[..])];
        let mut r = Reassembler::new(&mut slots[..], Config::default());
        for i in 0..MAX_RANGES {
            assert_eq!(r.add(Instant::ZERO, frag(i * 16, true, &data)), Ok(None));
        }
        assert_eq!(
            r.add(Instant::ZERO, frag(MAX_RANGES * 16, true, &data)),
            Err(DropReason::FragmentNoSlot)
        );
    }
}
