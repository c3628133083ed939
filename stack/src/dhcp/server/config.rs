//! What a server hands out, fixed at construction.

use core::net::Ipv4Addr;

use crate::time::Duration;
use crate::wire::dhcp::AddressList;
use crate::wire::{EthernetAddress, Ipv4Cidr};

/// An inclusive range of addresses to lease, `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressRange {
    first: Ipv4Addr,
    last: Ipv4Addr,
}

impl AddressRange {
    /// `None` when `first` comes after `last`. `const` so that firmware can
    /// keep its ranges in a `static`.
    pub const fn new(first: Ipv4Addr, last: Ipv4Addr) -> Option<AddressRange> {
        if first.to_bits() <= last.to_bits() {
            Some(AddressRange { first, last })
        } else {
            None
        }
    }
    pub fn first(&self) -> Ipv4Addr {
        self.first
    }
    pub fn last(&self) -> Ipv4Addr {
        self.last
    }
    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        (self.first..=self.last).contains(&addr)
    }
    pub(super) fn addresses(&self) -> impl Iterator<Item = Ipv4Addr> {
        (u32::from(self.first)..=u32::from(self.last)).map(Ipv4Addr::from)
    }
}

/// A fixed address for one client, whether or not it is in a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reservation {
    pub hardware_address: EthernetAddress,
    pub address: Ipv4Addr,
}

/// A server for one subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerConfig<'a> {
    /// The server's own address (its server identifier) and the subnet it
    /// serves, directly or through relays inside it.
    pub address: Ipv4Cidr,
    pub ranges: &'a [AddressRange],
    pub reservations: &'a [Reservation],
    pub router: Option<Ipv4Addr>,
    pub dns_servers: AddressList,
    pub ntp_servers: AddressList,
    pub domain_name: Option<&'a [u8]>,
    /// Capped at `u32::MAX - 1` seconds on the wire (`u32::MAX` would mean
    /// infinite).
    pub lease_duration: Duration,
    /// How long an OFFER holds its address for the client's REQUEST.
    pub offer_hold: Duration,
    /// How long a DECLINEd address stays out of use.
    pub decline_hold: Duration,
}

impl<'a> ServerConfig<'a> {
    /// One hour leases, offers held for a minute, declined addresses kept
    /// out of use for ten.
    pub const fn new(address: Ipv4Cidr, ranges: &'a [AddressRange]) -> Self {
        ServerConfig {
            address,
            ranges,
            reservations: &[],
            router: None,
            dns_servers: AddressList::EMPTY,
            ntp_servers: AddressList::EMPTY,
            domain_name: None,
            lease_duration: Duration::from_secs(3600),
            offer_hold: Duration::from_secs(60),
            decline_hold: Duration::from_secs(600),
        }
    }

    /// Ranges and reservations must lie in the served subnet.
    pub fn check(&self) -> Result<(), ConfigError> {
        let inside = |a: Ipv4Addr| self.address.contains(a);
        if !self
            .ranges
            .iter()
            .all(|r| inside(r.first) && inside(r.last))
        {
            return Err(ConfigError::RangeOutsideSubnet);
        }
        if !self.reservations.iter().all(|r| inside(r.address)) {
            return Err(ConfigError::ReservationOutsideSubnet);
        }
        Ok(())
    }

    /// The lease time as option 51 carries it.
    pub(super) fn lease_secs(&self) -> u32 {
        u32::try_from(self.lease_duration.secs())
            .unwrap_or(u32::MAX)
            .min(u32::MAX - 1)
    }

    pub(super) fn in_ranges(&self, addr: Ipv4Addr) -> bool {
        self.ranges.iter().any(|r| r.contains(addr))
    }

    pub(super) fn reservation_for(&self, mac: EthernetAddress) -> Option<Ipv4Addr> {
        self.reservations
            .iter()
            .find(|r| r.hardware_address == mac)
            .map(|r| r.address)
    }

    /// Reserved for a client other than `mac`.
    pub(super) fn reserved_for_other(&self, addr: Ipv4Addr, mac: EthernetAddress) -> bool {
        self.reservations
            .iter()
            .any(|r| r.address == addr && r.hardware_address != mac)
    }

    /// Never leased: the server itself, and the subnet's network and
    /// broadcast addresses.
    pub(super) fn is_special(&self, addr: Ipv4Addr) -> bool {
        addr == self.address.address()
            || (self.address.prefix_len() < 31
                && (addr == self.address.network() || Some(addr) == self.address.broadcast()))
    }
}

/// Why a [`ServerConfig`] was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigError {
    RangeOutsideSubnet,
    ReservationOutsideSubnet,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ConfigError::RangeOutsideSubnet => "address range outside the served subnet",
            ConfigError::ReservationOutsideSubnet => "reservation outside the served subnet",
        })
    }
}

impl core::error::Error for ConfigError {}
