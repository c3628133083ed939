//! The stack object and its driver contract.
//!
//! ```text
//! stack.receive(now, frame);                 // one inbound Ethernet frame; never panics
//! while let Some(n) = stack.transmit(now, &mut buf) { nic.send(&buf[..n]) }
//! let deadline = stack.poll_at();            // earliest timer; sleep until it or the next frame
//! ```
//!
//! Outbound packets wait in their socket's queue while the next hop is
//! resolved, so the queue bound is the socket's own; when ARP gives up they
//! are dropped and counted as [`DropReason::NeighborUnreachable`].

mod config;
mod egress;
mod ingress;
mod storage;

use core::net::Ipv4Addr;

use rand_core::RngCore;

use crate::arp;
use crate::icmp;
use crate::ipv4::Reassembler;
use crate::rate_limit::TokenBucket;
use crate::socket::{self, Handle};
use crate::stats::{Counters, DropReason};
use crate::storage::PacketBuffer;
use crate::time::Instant;
use crate::udp;
use crate::wire::{EthernetAddress, Ipv4Cidr};

pub use config::{Config, Ipv4Config};
#[cfg(feature = "alloc")]
pub use storage::Capacities;
pub use storage::Storage;

/// Ephemeral port range (RFC 6335 section 6).
const EPHEMERAL_PORTS: core::ops::RangeInclusive<u16> = 49152..=65535;

/// Addressing of a queued outbound ICMP message. Public only so callers can
/// size [`Storage::icmp_out`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcmpOut {
    dst: Ipv4Addr,
}

impl Default for IcmpOut {
    fn default() -> Self {
        IcmpOut {
            dst: Ipv4Addr::UNSPECIFIED,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindError {
    /// Port zero, or no such socket.
    Invalid,
    /// Another socket of the same protocol holds the port.
    InUse,
    /// No free ephemeral port.
    Exhausted,
}

/// Another host answered ARP for our address (RFC 5227 conflict).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressConflict {
    pub addr: Ipv4Addr,
    pub mac: EthernetAddress,
}

/// A TCP/IP stack on one Ethernet interface.
#[derive(Debug)]
pub struct Stack<'a, R> {
    iface: Interface<'a>,
    reassembler: Reassembler<'a>,
    sockets: socket::Set<'a>,
    rng: R,
    /// Socket slot to offer the next transmit opportunity to (round robin).
    next_dispatch: usize,
}

/// All non-socket state; split from the sockets so egress can borrow both.
#[derive(Debug)]
struct Interface<'a> {
    config: Config,
    ipv4: Ipv4Config,
    neighbors: arp::Cache<'a>,
    icmp_out: PacketBuffer<'a, IcmpOut>,
    arp_replies: ArpReplies,
    /// Gratuitous ARP announcements still to send, and when.
    announcements_left: u8,
    next_announcement: Instant,
    next_ident: u16,
    echo_limit: TokenBucket,
    error_limit: TokenBucket,
    conflict: Option<AddressConflict>,
    counters: Counters,
}

/// ARP replies owed to requesters, sent before anything else.
#[derive(Debug, Clone, Copy, Default)]
struct ArpReplies {
    queue: [Option<(Ipv4Addr, EthernetAddress)>; 4],
}

impl ArpReplies {
    fn push(&mut self, to: (Ipv4Addr, EthernetAddress)) -> bool {
        if self.queue.contains(&Some(to)) {
            return true;
        }
        match self.queue.iter_mut().find(|s| s.is_none()) {
            Some(slot) => {
                *slot = Some(to);
                true
            }
            None => false,
        }
    }

    fn pop(&mut self) -> Option<(Ipv4Addr, EthernetAddress)> {
        self.queue.iter_mut().find_map(Option::take)
    }

    fn is_empty(&self) -> bool {
        self.queue.iter().all(Option::is_none)
    }
}

impl<'a, R: RngCore> Stack<'a, R> {
    pub fn new(config: Config, storage: Storage<'a>, mut rng: R) -> Self {
        let iface = Interface {
            config,
            ipv4: Ipv4Config::default(),
            neighbors: arp::Cache::new(storage.neighbors, config.arp),
            icmp_out: storage.icmp_out,
            arp_replies: ArpReplies::default(),
            announcements_left: 0,
            next_announcement: Instant::ZERO,
            next_ident: rng.next_u32() as u16,
            echo_limit: TokenBucket::new(config.echo_reply_burst, config.echo_reply_interval),
            error_limit: TokenBucket::new(config.icmp_error_burst, config.icmp_error_interval),
            conflict: None,
            counters: Counters::default(),
        };
        Stack {
            iface,
            reassembler: Reassembler::new(storage.fragments, config.reassembly),
            sockets: socket::Set::new(storage.sockets),
            rng,
            next_dispatch: 0,
        }
    }

    pub fn config(&self) -> &Config {
        &self.iface.config
    }

    pub fn mac(&self) -> EthernetAddress {
        self.iface.config.mac
    }

    pub fn counters(&self) -> &Counters {
        &self.iface.counters
    }

    pub fn ipv4_config(&self) -> &Ipv4Config {
        &self.iface.ipv4
    }

    pub fn ipv4_address(&self) -> Option<Ipv4Cidr> {
        self.iface.ipv4.address
    }

    /// Sets or clears the interface address. A new address is announced
    /// with gratuitous ARP starting at `now`; cached neighbours are kept
    /// unless the subnet changed.
    pub fn set_ipv4_address(&mut self, now: Instant, address: Option<Ipv4Cidr>) {
        let old = self.iface.ipv4.address;
        if old == address {
            return;
        }
        if old.map(|c| c.network()) != address.map(|c| c.network()) {
            self.iface.neighbors.flush();
        }
        self.iface.ipv4.address = address;
        self.iface.conflict = None;
        self.iface.announcements_left = if address.is_some() {
            self.iface.config.announcements
        } else {
            0
        };
        self.iface.next_announcement = now;
    }

    pub fn set_gateway(&mut self, gateway: Option<Ipv4Addr>) {
        self.iface.ipv4.gateway = gateway;
    }

    pub fn set_dns_servers(&mut self, servers: &[Ipv4Addr]) {
        let mut slots = [None; 3];
        for (slot, &addr) in slots.iter_mut().zip(servers) {
            *slot = Some(addr);
        }
        self.iface.ipv4.dns_servers = slots;
    }

    /// An address conflict seen since the address was set, if any.
    pub fn address_conflict(&self) -> Option<AddressConflict> {
        self.iface.conflict
    }

    /// The neighbour cache's view of `addr` (for diagnostics and tests).
    pub fn neighbor(&self, now: Instant, addr: Ipv4Addr) -> Option<arp::Lookup> {
        self.iface.neighbors.lookup(now, addr)
    }

    pub fn rng(&mut self) -> &mut R {
        &mut self.rng
    }

    pub fn add_udp_socket(&mut self, socket: udp::Socket<'a>) -> Option<Handle<socket::Udp>> {
        self.sockets.add(socket::Socket::Udp(socket))
    }

    /// Adds a ping socket with a random identifier.
    pub fn add_icmp_socket(
        &mut self,
        mut socket: icmp::Socket<'a>,
    ) -> Option<Handle<socket::Icmp>> {
        socket.bind(self.rng.next_u32() as u16);
        self.sockets.add(socket::Socket::Icmp(socket))
    }

    pub fn remove_socket<K>(&mut self, handle: Handle<K>) -> Option<socket::Socket<'a>> {
        self.sockets.remove(handle)
    }

    /// The UDP socket behind `handle`; `None` if it was removed.
    pub fn udp(&mut self, handle: Handle<socket::Udp>) -> Option<&mut udp::Socket<'a>> {
        self.sockets.udp(handle)
    }

    pub fn icmp(&mut self, handle: Handle<socket::Icmp>) -> Option<&mut icmp::Socket<'a>> {
        self.sockets.icmp(handle)
    }

    pub fn sockets(&self) -> &socket::Set<'a> {
        &self.sockets
    }

    /// Binds a UDP socket to `port`.
    pub fn bind_udp(&mut self, handle: Handle<socket::Udp>, port: u16) -> Result<(), BindError> {
        if port == 0 {
            return Err(BindError::Invalid);
        }
        if self.udp_port_in_use(port) {
            return Err(BindError::InUse);
        }
        self.sockets
            .udp(handle)
            .ok_or(BindError::Invalid)?
            .bind(port);
        Ok(())
    }

    /// Binds a UDP socket to a random free ephemeral port and returns it.
    pub fn bind_udp_ephemeral(&mut self, handle: Handle<socket::Udp>) -> Result<u16, BindError> {
        let port = self.ephemeral_port(|stack, port| stack.udp_port_in_use(port))?;
        self.bind_udp(handle, port)?;
        Ok(port)
    }

    fn udp_port_in_use(&self, port: u16) -> bool {
        self.sockets
            .iter()
            .any(|s| matches!(s, socket::Socket::Udp(u) if u.local_port() == port))
    }

    /// A random port in the ephemeral range for which `in_use` is false:
    /// random start, then a linear probe (RFC 6056 algorithm 1 in spirit).
    fn ephemeral_port(&mut self, in_use: impl Fn(&Self, u16) -> bool) -> Result<u16, BindError> {
        let span = u32::from(EPHEMERAL_PORTS.end() - EPHEMERAL_PORTS.start()) + 1;
        let start = self.rng.next_u32() % span;
        (0..span)
            .map(|i| EPHEMERAL_PORTS.start() + ((start + i) % span) as u16)
            .find(|&port| !in_use(self, port))
            .ok_or(BindError::Exhausted)
    }

    /// The earliest instant at which [`Stack::transmit`] has work. An instant
    /// in the past means "now". `None`: nothing until the next frame or API
    /// call.
    pub fn poll_at(&self) -> Option<Instant> {
        let iface = &self.iface;
        let mut deadline = [
            iface.neighbors.poll_at(),
            self.reassembler.poll_at(),
            (iface.announcements_left > 0).then_some(iface.next_announcement),
            (!iface.arp_replies.is_empty()).then_some(Instant::ZERO),
        ]
        .into_iter()
        .flatten()
        .min();
        if iface.has_ready_icmp() || self.sockets.iter().any(|s| iface.socket_ready(s)) {
            deadline = Some(Instant::ZERO);
        }
        deadline
    }

    fn record_drop(&mut self, reason: DropReason) {
        self.iface
            .counters
            .record(crate::stats::Disposition::Dropped(reason));
    }
}
