//! A learning Ethernet switch.
//!
//! It learns which port each unicast source address lives behind, forwards
//! known unicast out of that port only, and floods broadcast, multicast and
//! unknown unicast out of every other port. Entries age out; the table is
//! bounded and, when full, new addresses are not learned (their frames are
//! flooded), as hardware switches do. Forwarding takes no time: delay comes
//! from the links.

use std::collections::BTreeMap;

use seqs::wire::EthernetAddress;
use serde::Serialize;

use crate::time::{SimDuration, SimTime};

/// Switch parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchConfig {
    /// Most addresses the MAC table holds.
    pub table_size: usize,
    /// How long an address is remembered after its last frame.
    pub ageing: SimDuration,
}

impl Default for SwitchConfig {
    fn default() -> Self {
        SwitchConfig {
            table_size: 1024,
            ageing: SimDuration::from_secs(300),
        }
    }
}

/// What a switch did with frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SwitchCounters {
    pub frames_in: u64,
    /// Sent out of one learned port.
    pub forwarded: u64,
    /// Sent out of every port but the ingress one.
    pub flooded: u64,
    /// Destination lives behind the ingress port: not sent anywhere.
    pub filtered: u64,
    /// Shorter than an Ethernet header.
    pub runts: u64,
    pub learned: u64,
    /// Addresses not learned because the table was full.
    pub table_full: u64,
    pub aged_out: u64,
}

/// Where a frame goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Egress {
    Port(usize),
    /// Every port except the ingress one.
    Flood,
    Nowhere,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    port: usize,
    seen: SimTime,
}

/// Switch state (ports are numbered by the engine, in link order).
pub(crate) struct Switch {
    config: SwitchConfig,
    table: BTreeMap<EthernetAddress, Entry>,
    pub(crate) counters: SwitchCounters,
}

impl Switch {
    pub(crate) fn new(config: SwitchConfig) -> Self {
        Switch {
            config,
            table: BTreeMap::new(),
            counters: SwitchCounters::default(),
        }
    }

    /// Learns from and decides the egress of a frame that came in on `port`.
    pub(crate) fn process(&mut self, now: SimTime, port: usize, frame: &[u8]) -> Egress {
        self.counters.frames_in += 1;
        let dst = EthernetAddress::from_bytes(frame);
        let src = frame.get(6..12).and_then(EthernetAddress::from_bytes);
        let (Some(dst), Some(src), true) = (dst, src, frame.len() >= 14) else {
            self.counters.runts += 1;
            return Egress::Nowhere;
        };
        if src.is_unicast() {
            self.learn(now, src, port);
        }
        let egress = match self.lookup(now, dst) {
            Some(out) if out == port => Egress::Nowhere,
            Some(out) => Egress::Port(out),
            None => Egress::Flood,
        };
        match egress {
            Egress::Port(_) => self.counters.forwarded += 1,
            Egress::Flood => self.counters.flooded += 1,
            Egress::Nowhere => self.counters.filtered += 1,
        }
        egress
    }

    /// The port of a live entry for `mac` (never for group addresses).
    fn lookup(&mut self, now: SimTime, mac: EthernetAddress) -> Option<usize> {
        if mac.is_multicast() {
            return None;
        }
        let entry = *self.table.get(&mac)?;
        if self.expired(entry, now) {
            self.table.remove(&mac);
            self.counters.aged_out += 1;
            return None;
        }
        Some(entry.port)
    }

    fn learn(&mut self, now: SimTime, mac: EthernetAddress, port: usize) {
        if let Some(entry) = self.table.get_mut(&mac) {
            *entry = Entry { port, seen: now };
            return;
        }
        if self.table.len() >= self.config.table_size {
            self.purge(now);
        }
        if self.table.len() >= self.config.table_size {
            self.counters.table_full += 1;
            return;
        }
        self.table.insert(mac, Entry { port, seen: now });
        self.counters.learned += 1;
    }

    fn purge(&mut self, now: SimTime) {
        let before = self.table.len();
        let ageing = self.config.ageing;
        self.table.retain(|_, e| e.seen + ageing > now);
        self.counters.aged_out += (before - self.table.len()) as u64;
    }

    fn expired(&self, entry: Entry, now: SimTime) -> bool {
        entry.seen + self.config.ageing <= now
    }

    /// Live table entries (address, port), in address order.
    pub(crate) fn table(&self, now: SimTime) -> Vec<(EthernetAddress, usize)> {
        self.table
            .iter()
            .filter(|(_, e)| !self.expired(**e, now))
            .map(|(mac, e)| (*mac, e.port))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(dst: u8, src: u8) -> Vec<u8> {
        let mut f = vec![0u8; 60];
        f[..6].copy_from_slice(&[2, 0, 0, 0, 0, dst]);
        f[6..12].copy_from_slice(&[2, 0, 0, 0, 0, src]);
        f
    }

    fn config(table_size: usize) -> SwitchConfig {
        SwitchConfig {
            table_size,
            ageing: SimDuration::from_secs(10),
        }
    }

    #[test]
    fn learns_then_forwards() {
        let mut sw = Switch::new(config(8));
        let t = SimTime::ZERO;
        assert_eq!(sw.process(t, 0, &frame(2, 1)), Egress::Flood);
        assert_eq!(sw.process(t, 1, &frame(1, 2)), Egress::Port(0));
        assert_eq!(sw.process(t, 0, &frame(2, 1)), Egress::Port(1));
        assert_eq!(sw.process(t, 1, &frame(2, 3)), Egress::Nowhere);
        let mut bcast = frame(0, 1);
        bcast[..6].copy_from_slice(&[0xff; 6]);
        assert_eq!(sw.process(t, 0, &bcast), Egress::Flood);
        assert_eq!(sw.process(t, 0, &[0u8; 13]), Egress::Nowhere);
        assert_eq!(sw.counters.runts, 1);
    }

    #[test]
    fn station_move_updates_port() {
        let mut sw = Switch::new(config(8));
        sw.process(SimTime::ZERO, 0, &frame(9, 1));
        sw.process(SimTime::ZERO, 3, &frame(9, 1));
        assert_eq!(sw.process(SimTime::ZERO, 0, &frame(1, 2)), Egress::Port(3));
    }

    #[test]
    fn entries_age_out() {
        let mut sw = Switch::new(config(8));
        sw.process(SimTime::ZERO, 0, &frame(9, 1));
        let later = SimTime::from_secs(10);
        assert_eq!(sw.table(later), vec![]);
        assert_eq!(sw.process(later, 1, &frame(1, 2)), Egress::Flood);
        assert_eq!(sw.counters.aged_out, 1);
    }

    #[test]
    fn full_table_does_not_learn_until_entries_age() {
        let mut sw = Switch::new(config(2));
        for src in 1..=3 {
            sw.process(SimTime::ZERO, usize::from(src), &frame(9, src));
        }
        assert_eq!(sw.counters.table_full, 1);
        assert_eq!(sw.process(SimTime::ZERO, 0, &frame(3, 9)), Egress::Flood);
        sw.process(SimTime::from_secs(11), 3, &frame(9, 3));
        assert_eq!(sw.counters.aged_out, 2);
        assert_eq!(
            sw.table(SimTime::from_secs(11)),
            vec![(EthernetAddress([2, 0, 0, 0, 0, 3]), 3)]
        );
    }
}
