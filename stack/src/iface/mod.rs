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
mod fragment;
mod ingress;
mod owed;
mod storage;

use core::net::{Ipv4Addr, SocketAddrV4};

use rand_core::RngCore;

use crate::ipv4::Reassembler;
use crate::rate_limit::TokenBucket;
use crate::service::{self, AutoConfig, ServiceEvent, ServiceSocket};
use crate::socket::{self, Handle};
use crate::stats::{Counters, DropReason};
use crate::storage::PacketBuffer;
use crate::time::{earliest, Instant};
use crate::udp;
use crate::wire::dhcp::AddressList;
use crate::wire::{self, EthernetAddress, Ipv4Cidr};
use crate::{arp, dhcp, dns, icmp, ntp, tcp};
use owed::Owed;

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
    arp_replies: Owed<(Ipv4Addr, EthernetAddress), 4>,
    /// Gratuitous ARP announcements still to send, and when.
    announcements_left: u8,
    next_announcement: Instant,
    next_ident: u16,
    /// A datagram part-way out in fragments.
    fragmenting: Option<fragment::Outgoing>,
    echo_limit: TokenBucket,
    error_limit: TokenBucket,
    conflict: Option<AddressConflict>,
    /// Segments owed right away (RSTs, challenge ACKs), sent before data.
    tcp_replies: Owed<TcpReply, 4>,
    /// The latest instant the driver handed in: "now" for `poll_at`.
    now: Instant,
    counters: Counters,
}

/// A segment to send from `src` to `dst` outside any socket's flow.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TcpReply {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    repr: wire::tcp::Repr<'static>,
}

impl Interface<'_> {
    fn set_address(&mut self, now: Instant, address: Option<Ipv4Cidr>) {
        let old = self.ipv4.address;
        if old == address {
            return;
        }
        if old.map(|c| c.network()) != address.map(|c| c.network()) {
            self.neighbors.flush();
        }
        self.ipv4.address = address;
        self.conflict = None;
        self.announcements_left = if address.is_some() {
            self.config.announcements
        } else {
            0
        };
        self.next_announcement = now;
    }

    /// Applies what a service engine asks for.
    fn apply(&mut self, now: Instant, event: ServiceEvent) {
        let ServiceEvent::Dhcp(event) = event;
        match event {
            dhcp::Event::Configured(lease) => {
                self.set_address(now, Some(lease.address));
                self.ipv4.gateway = lease.router;
                self.ipv4.dns_servers = lease.dns_servers;
                self.ipv4.ntp_servers = lease.ntp_servers;
            }
            dhcp::Event::Deconfigured => {
                self.set_address(now, None);
                self.ipv4 = Ipv4Config::default();
            }
        }
    }
}

impl<'a, R: RngCore> Stack<'a, R> {
    pub fn new(config: Config, storage: Storage<'a>, mut rng: R) -> Self {
        let iface = Interface {
            config,
            ipv4: Ipv4Config::default(),
            neighbors: arp::Cache::new(storage.neighbors, config.arp),
            icmp_out: storage.icmp_out,
            arp_replies: Owed::new(),
            announcements_left: 0,
            next_announcement: Instant::ZERO,
            next_ident: rng.next_u32() as u16,
            fragmenting: None,
            echo_limit: TokenBucket::new(config.echo_reply_burst, config.echo_reply_interval),
            error_limit: TokenBucket::new(config.icmp_error_burst, config.icmp_error_interval),
            conflict: None,
            tcp_replies: Owed::new(),
            now: Instant::ZERO,
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
        self.iface.set_address(now, address);
    }

    pub fn set_gateway(&mut self, gateway: Option<Ipv4Addr>) {
        self.iface.ipv4.gateway = gateway;
    }

    pub fn set_dns_servers(&mut self, servers: &[Ipv4Addr]) {
        self.iface.ipv4.dns_servers = AddressList::from_slice(servers);
    }

    pub fn set_ntp_servers(&mut self, servers: &[Ipv4Addr]) {
        self.iface.ipv4.ntp_servers = AddressList::from_slice(servers);
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
        let removed = self.sockets.remove(handle)?;
        self.forget_vacated();
        Some(removed)
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
        self.sockets.iter().any(|s| s.udp_port() == Some(port))
    }

    /// Adds a DHCP client on port 68; it configures the interface when it
    /// binds a lease and clears the configuration when the lease ends.
    pub fn add_dhcp_client(
        &mut self,
        client: dhcp::Client<'a>,
        udp: udp::Socket<'a>,
    ) -> Result<Handle<socket::DhcpClient>, BindError> {
        let engine = AutoConfig::new(client);
        self.add_service(Some(dhcp::CLIENT_PORT), udp, |s| {
            socket::Socket::DhcpClient(ServiceSocket::new(engine, s))
        })
    }

    /// Adds a DHCP server on port 67.
    pub fn add_dhcp_server(
        &mut self,
        server: dhcp::Server<'a>,
        udp: udp::Socket<'a>,
    ) -> Result<Handle<socket::DhcpServer>, BindError> {
        self.add_service(Some(dhcp::SERVER_PORT), udp, |s| {
            socket::Socket::DhcpServer(ServiceSocket::new(server, s))
        })
    }

    /// Adds a DNS resolver. It asks the interface's DNS servers unless
    /// given its own, from a fresh random port per lookup.
    pub fn add_dns_client(
        &mut self,
        mut client: dns::Client<'a>,
        udp: udp::Socket<'a>,
    ) -> Result<Handle<socket::DnsClient>, BindError> {
        if client.servers().is_empty() {
            service::use_interface_servers(&mut client, &self.iface.ipv4.dns_servers);
        }
        self.add_service(None, udp, |s| {
            socket::Socket::DnsClient(ServiceSocket::new(client, s))
        })
    }

    /// Adds a DNS server for a static zone on port 53.
    pub fn add_dns_server(
        &mut self,
        server: dns::Server<'a>,
        udp: udp::Socket<'a>,
    ) -> Result<Handle<socket::DnsServer>, BindError> {
        self.add_service(Some(dns::PORT), udp, |s| {
            socket::Socket::DnsServer(ServiceSocket::new(server, s))
        })
    }

    /// Adds an NTP client on a random ephemeral port.
    pub fn add_ntp_client(
        &mut self,
        client: ntp::Client,
        udp: udp::Socket<'a>,
    ) -> Result<Handle<socket::NtpClient>, BindError> {
        self.add_service(None, udp, |s| {
            socket::Socket::NtpClient(ServiceSocket::new(client, s))
        })
    }

    /// Adds an NTP server on port 123.
    pub fn add_ntp_server(
        &mut self,
        server: ntp::Server,
        udp: udp::Socket<'a>,
    ) -> Result<Handle<socket::NtpServer>, BindError> {
        self.add_service(Some(ntp::PORT), udp, |s| {
            socket::Socket::NtpServer(ServiceSocket::new(server, s))
        })
    }

    /// Binds `udp` (to `port`, or an ephemeral one) and adds the socket
    /// `wrap` makes of it.
    fn add_service<K>(
        &mut self,
        port: Option<u16>,
        mut udp: udp::Socket<'a>,
        wrap: impl FnOnce(udp::Socket<'a>) -> socket::Socket<'a>,
    ) -> Result<Handle<K>, BindError> {
        let port = match port {
            Some(p) if self.udp_port_in_use(p) => return Err(BindError::InUse),
            Some(p) => p,
            None => self.ephemeral_port(|stack, p| stack.udp_port_in_use(p))?,
        };
        udp.bind(port);
        self.sockets.add(wrap(udp)).ok_or(BindError::Exhausted)
    }

    /// The DHCP client behind `handle`.
    pub fn dhcp_client(
        &mut self,
        handle: Handle<socket::DhcpClient>,
    ) -> Option<&mut ServiceSocket<'a, AutoConfig<'a>>> {
        self.sockets.dhcp_client(handle)
    }

    pub fn dhcp_server(
        &mut self,
        handle: Handle<socket::DhcpServer>,
    ) -> Option<&mut ServiceSocket<'a, dhcp::Server<'a>>> {
        self.sockets.dhcp_server(handle)
    }

    pub fn dns_client(
        &mut self,
        handle: Handle<socket::DnsClient>,
    ) -> Option<&mut ServiceSocket<'a, dns::Client<'a>>> {
        self.sockets.dns_client(handle)
    }

    pub fn ntp_client(
        &mut self,
        handle: Handle<socket::NtpClient>,
    ) -> Option<&mut ServiceSocket<'a, ntp::Client>> {
        self.sockets.ntp_client(handle)
    }

    /// Adds a TCP socket; its MSS is capped to what the interface MTU
    /// allows (RFC 6691).
    pub fn add_tcp_socket(&mut self, mut socket: tcp::Socket<'a>) -> Option<Handle<socket::Tcp>> {
        let mut config = *socket.config();
        let mtu_mss = self.iface.config.mtu.saturating_sub(40);
        config.mss = config.mss.min(u16::try_from(mtu_mss).unwrap_or(u16::MAX));
        socket.set_config(config);
        self.sockets.add(socket::Socket::Tcp(socket))
    }

    pub fn tcp(&mut self, handle: Handle<socket::Tcp>) -> Option<&mut tcp::Socket<'a>> {
        self.sockets.tcp(handle)
    }

    /// Puts a socket in LISTEN on `port`. Several sockets may listen on one
    /// port: each takes one connection, so they form the accept backlog.
    pub fn tcp_listen(&mut self, handle: Handle<socket::Tcp>, port: u16) -> Result<(), tcp::Error> {
        let isn = tcp::SeqNumber(self.rng.next_u32());
        let socket = self.sockets.tcp(handle).ok_or(tcp::Error::InvalidState)?;
        socket.listen(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port), isn)
    }

    /// Opens a connection to `remote` from the interface address and a
    /// random free ephemeral port, which it returns.
    pub fn tcp_connect(
        &mut self,
        handle: Handle<socket::Tcp>,
        now: Instant,
        remote: SocketAddrV4,
    ) -> Result<u16, tcp::Error> {
        let local = self
            .ipv4_address()
            .ok_or(tcp::Error::Unaddressable)?
            .address();
        let port = self
            .ephemeral_port(|stack, p| stack.tcp_port_in_use(p))
            .map_err(|_| tcp::Error::Unaddressable)?;
        let isn = tcp::SeqNumber(self.rng.next_u32());
        let socket = self.sockets.tcp(handle).ok_or(tcp::Error::InvalidState)?;
        socket.connect(now, SocketAddrV4::new(local, port), remote, isn)?;
        Ok(port)
    }

    fn tcp_port_in_use(&self, port: u16) -> bool {
        self.sockets
            .iter()
            .any(|s| matches!(s, socket::Socket::Tcp(t) if t.state() != tcp::State::Closed && t.local_endpoint().port() == port))
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

    /// The earliest instant at which [`Stack::transmit`] has work; the last
    /// instant handed in (or earlier) means "now". `None`: nothing until the
    /// next frame or API call.
    pub fn poll_at(&self) -> Option<Instant> {
        let iface = &self.iface;
        let owed = !iface.arp_replies.is_empty() || !iface.tcp_replies.is_empty();
        let queued = iface.has_ready_icmp() || self.sockets.iter().any(|s| iface.socket_ready(s));
        let stack = earliest([
            iface.neighbors.poll_at(),
            self.reassembler.poll_at(),
            (iface.announcements_left > 0).then_some(iface.next_announcement),
            (owed || queued).then_some(iface.now),
        ]);
        // A quiet socket's mark is its earliest timer (`Instant::MAX`: none),
        // what working it out again would give: it has not changed since.
        self.sockets
            .iter_with_quiet()
            .fold(stack, |soonest, (s, quiet)| {
                let at = match quiet {
                    Some(until) => (until != Instant::MAX).then_some(until),
                    None => s.service_poll_at().or_else(|| iface.tcp_poll_at(s)),
                };
                earliest([soonest, at])
            })
    }

    fn record_drop(&mut self, reason: DropReason) {
        self.iface
            .counters
            .record(crate::stats::Disposition::Dropped(reason));
    }
}
