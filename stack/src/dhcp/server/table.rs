//! The bounded lease table and address choice.

use core::net::Ipv4Addr;

use super::config::ServerConfig;
use crate::storage::Managed;
use crate::time::Instant;
use crate::wire::EthernetAddress;

/// What an address is being held for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeaseState {
    /// Offered, awaiting the client's REQUEST.
    Offered,
    Bound,
    /// A client found it in use; kept out of circulation.
    Declined,
}

/// One row of the lease table. Rows outlive their expiry so that a
/// returning client gets its old address back while nobody else took it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeaseEntry {
    /// The client (for `Declined`, the one that declined it).
    pub hardware_address: EthernetAddress,
    pub address: Ipv4Addr,
    pub state: LeaseState,
    pub expires_at: Instant,
}

impl LeaseEntry {
    pub fn is_live(&self, now: Instant) -> bool {
        now < self.expires_at
    }
    /// The row that remembers `mac`'s address (declines are not its own).
    fn belongs_to(&self, mac: EthernetAddress) -> bool {
        self.hardware_address == mac && self.state != LeaseState::Declined
    }
}

#[derive(Debug)]
pub(super) struct Table<'a> {
    rows: Managed<'a, Option<LeaseEntry>>,
}

impl<'a> Table<'a> {
    pub fn new(rows: Managed<'a, Option<LeaseEntry>>) -> Self {
        Table { rows }
    }

    pub fn iter(&self) -> impl Iterator<Item = &LeaseEntry> {
        self.rows.iter().flatten()
    }

    pub fn entry_for(&self, mac: EthernetAddress) -> Option<&LeaseEntry> {
        self.iter().find(|e| e.belongs_to(mac))
    }

    /// Whether `mac` may have `addr` now: not the server's, not reserved for
    /// another client, not held live by another client or by a decline.
    pub fn available(
        &self,
        config: &ServerConfig,
        addr: Ipv4Addr,
        mac: EthernetAddress,
        now: Instant,
    ) -> bool {
        !config.is_special(addr)
            && !config.reserved_for_other(addr, mac)
            && !self
                .iter()
                .any(|e| e.address == addr && e.is_live(now) && !e.belongs_to(mac))
    }

    /// The address to offer `mac`: its reservation, else the address it
    /// had, else the one it asks for, else a free one in the ranges,
    /// preferring addresses no expired row remembers so that returning
    /// clients find theirs still free.
    pub fn choose(
        &self,
        config: &ServerConfig,
        mac: EthernetAddress,
        requested: Option<Ipv4Addr>,
        now: Instant,
    ) -> Option<Ipv4Addr> {
        if let Some(reserved) = config.reservation_for(mac) {
            return Some(reserved);
        }
        let pooled = |a: &Ipv4Addr| config.in_ranges(*a) && self.available(config, *a, mac, now);
        let previous = self.entry_for(mac).map(|e| e.address);
        if let Some(known) = previous.filter(pooled).or(requested.filter(pooled)) {
            return Some(known);
        }
        // Bounded: with a row free, at most one candidate per row,
        // reservation and special address is passed over before a hit,
        // unless the ranges hold no more addresses than the table has rows.
        self.free_row(mac, now)?;
        let candidates = || config.ranges.iter().flat_map(|r| r.addresses());
        let remembered = |a: &Ipv4Addr| self.iter().any(|e| e.address == *a);
        candidates()
            .find(|a| !remembered(a) && pooled(a))
            .or_else(|| candidates().find(|a| pooled(a)))
    }

    /// Whether `mac` may be granted `addr` on REQUEST.
    pub fn grantable(
        &self,
        config: &ServerConfig,
        addr: Ipv4Addr,
        mac: EthernetAddress,
        now: Instant,
    ) -> bool {
        match config.reservation_for(mac) {
            Some(reserved) => reserved == addr,
            None => config.in_ranges(addr) && self.available(config, addr, mac, now),
        }
    }

    /// The row to (re)write for `mac`: its own, else a spare one.
    fn free_row(&self, mac: EthernetAddress, now: Instant) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.is_some_and(|e| e.belongs_to(mac)))
            .or_else(|| self.spare_row(now))
    }

    /// An empty row, else the one that expired longest ago; `None` when
    /// every row is live.
    fn spare_row(&self, now: Instant) -> Option<usize> {
        let rows = || self.rows.iter().enumerate();
        rows()
            .find(|(_, r)| r.is_none())
            .or_else(|| {
                rows()
                    .filter(|(_, r)| r.is_some_and(|e| !e.is_live(now)))
                    .min_by_key(|(_, r)| r.map(|e| e.expires_at))
            })
            .map(|(i, _)| i)
    }

    /// Records `entry` for its client; `false` when the table is full.
    pub fn record(&mut self, entry: LeaseEntry, now: Instant) -> bool {
        let row = if entry.state == LeaseState::Declined {
            self.rows
                .iter()
                .position(|r| r.is_some_and(|e| e.address == entry.address))
                .or_else(|| self.spare_row(now))
        } else {
            self.free_row(entry.hardware_address, now)
        };
        match row.and_then(|i| self.rows.get_mut(i)) {
            Some(slot) => {
                *slot = Some(entry);
                true
            }
            None => false,
        }
    }

    /// Forgets declines of `addr`: a client showing it uses the address
    /// (renewing from it) explains them; typically a restarted server
    /// offered it to another client.
    pub fn clear_declines(&mut self, addr: Ipv4Addr) {
        for row in self.rows.iter_mut() {
            if row.is_some_and(|e| e.address == addr && e.state == LeaseState::Declined) {
                *row = None;
            }
        }
    }

    /// Ends `mac`'s hold on `addr` now, keeping the row as a memory.
    pub fn expire(&mut self, mac: EthernetAddress, addr: Option<Ipv4Addr>, now: Instant) {
        for e in self.rows.iter_mut().flatten() {
            if e.belongs_to(mac) && addr.is_none_or(|a| a == e.address) {
                e.expires_at = e.expires_at.min(now);
            }
        }
    }
}
