//! Protocol engines bound to UDP sockets, as the stack holds them.
//!
//! The engines (DHCP, DNS, NTP) are sans-IO state machines that know
//! nothing of sockets. A [`ServiceSocket`] pairs one with a UDP socket:
//! datagrams arriving on its port go to the engine at once, and what the
//! engine wants to send is queued on the socket when the stack pumps it
//! before transmitting, so ARP waiting, counters and drops work as for any
//! datagram. Engines that change the interface (the DHCP client) report a
//! configuration change that the stack applies.

use core::net::{Ipv4Addr, SocketAddrV4};

use rand_core::RngCore;

use crate::time::{Duration, Instant};
use crate::udp::{self, Meta};
use crate::wire::dhcp::{self as dhcp_wire, AddressList};
use crate::{dhcp, dns, ntp};

/// DNS messages over UDP are at most 512 bytes without EDNS (RFC 1035 2.3.4).
const DNS_MESSAGE_LEN: usize = 512;
/// The NTP packet without extension fields.
const NTP_PACKET_LEN: usize = 48;

/// What the interface tells engines when they run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    /// An address another host claimed over ARP since ours was set.
    pub conflict: Option<Ipv4Addr>,
    pub dns_servers: AddressList,
}

/// A change an engine asks the interface to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServiceEvent {
    Dhcp(dhcp::Event),
}

/// A protocol engine the stack can drive over a UDP socket.
pub(crate) trait Service {
    /// Handles a datagram that arrived on the socket's port; false when it
    /// could not be parsed.
    fn receive(
        &mut self,
        now: Instant,
        udp: &mut udp::Socket<'_>,
        from: SocketAddrV4,
        payload: &[u8],
    ) -> bool;

    /// Runs timers and queues outgoing messages on `udp`. Servers only
    /// answer, from `receive`, and have nothing to do here.
    fn pump(
        &mut self,
        _now: Instant,
        _rng: &mut dyn RngCore,
        _udp: &mut udp::Socket<'_>,
        _cx: &Context,
    ) -> Option<ServiceEvent> {
        None
    }

    /// When `pump` next has work; never, for servers.
    fn poll_at(&self) -> Option<Instant> {
        None
    }
}

/// An engine with its UDP socket.
#[derive(Debug)]
pub struct ServiceSocket<'a, E> {
    pub(crate) udp: udp::Socket<'a>,
    engine: E,
}

impl<'a, E> ServiceSocket<'a, E> {
    pub(crate) fn new(engine: E, udp: udp::Socket<'a>) -> Self {
        ServiceSocket { udp, engine }
    }

    pub fn engine(&self) -> &E {
        &self.engine
    }

    /// For calls such as a DHCP RELEASE or a new DNS lookup; the stack
    /// sends what follows at its next transmit.
    pub fn engine_mut(&mut self) -> &mut E {
        &mut self.engine
    }

    /// The UDP socket's counters.
    pub fn counters(&self) -> udp::SocketCounters {
        self.udp.counters()
    }
}

impl<'a, E> ServiceSocket<'a, E> {
    pub(crate) fn parts(&mut self) -> (&mut udp::Socket<'a>, &mut E) {
        (&mut self.udp, &mut self.engine)
    }
}

/// Queues a reply to `to` that `write` produces in place.
fn reply(
    udp: &mut udp::Socket<'_>,
    to: SocketAddrV4,
    max_len: usize,
    write: impl FnOnce(&mut [u8]) -> Option<usize>,
) {
    let _ = udp.send_with(max_len, |buf| Some((write(buf)?, Meta::to(to))));
}

/// How long after binding an ARP conflict on the new address makes the
/// client DECLINE it: RFC 2131 2.2 asks clients to check an address before
/// use, and our gratuitous announcements draw the owner's answer.
const CONFLICT_WINDOW: Duration = Duration::from_secs(10);

/// A DHCP client configuring the stack's interface: the engine plus the
/// conflict check the stack runs for it.
#[derive(Debug)]
pub struct AutoConfig<'a> {
    client: dhcp::Client<'a>,
    /// The address bound most recently, and when.
    bound: Option<(Ipv4Addr, Instant)>,
}

impl<'a> AutoConfig<'a> {
    pub fn new(client: dhcp::Client<'a>) -> Self {
        AutoConfig {
            client,
            bound: None,
        }
    }

    pub fn client(&self) -> &dhcp::Client<'a> {
        &self.client
    }

    pub fn client_mut(&mut self) -> &mut dhcp::Client<'a> {
        &mut self.client
    }
}

fn parse_dhcp(payload: &[u8]) -> Option<dhcp_wire::Repr<'_>> {
    dhcp_wire::Repr::parse(&dhcp_wire::Packet::new_checked(payload).ok()?).ok()
}

/// Queues a DHCP message with the addressing the engine chose.
fn queue_dhcp(udp: &mut udp::Socket<'_>, t: &dhcp::Transmit<'_>) {
    let meta = Meta {
        remote: SocketAddrV4::new(t.dst_addr, t.dst_port),
        local_addr: t.src_addr,
        link_dst: t.dst_hardware,
    };
    let len = t.repr.buffer_len();
    let _ = udp.send_with(len, |buf| {
        t.repr
            .emit(&mut dhcp_wire::Packet::new_unchecked(buf))
            .ok()?;
        Some((len, meta))
    });
}

impl Service for AutoConfig<'_> {
    fn receive(
        &mut self,
        now: Instant,
        _: &mut udp::Socket<'_>,
        _: SocketAddrV4,
        payload: &[u8],
    ) -> bool {
        let Some(repr) = parse_dhcp(payload) else {
            return false;
        };
        self.client.handle(now, &repr);
        true
    }

    fn pump(
        &mut self,
        now: Instant,
        mut rng: &mut dyn RngCore,
        udp: &mut udp::Socket<'_>,
        cx: &Context,
    ) -> Option<ServiceEvent> {
        if let (Some((addr, at)), Some(seen)) = (self.bound, cx.conflict) {
            if addr == seen && now - at <= CONFLICT_WINDOW {
                self.bound = None;
                self.client.decline(now);
            }
        }
        while let Some(transmit) = self.client.poll(now, &mut rng) {
            queue_dhcp(udp, &transmit);
        }
        let event = self.client.take_event()?;
        self.bound = match event {
            dhcp::Event::Configured(lease) => Some((lease.address.address(), now)),
            dhcp::Event::Deconfigured => None,
        };
        Some(ServiceEvent::Dhcp(event))
    }

    fn poll_at(&self) -> Option<Instant> {
        self.client.poll_at()
    }
}

impl Service for dhcp::Server<'_> {
    fn receive(
        &mut self,
        now: Instant,
        udp: &mut udp::Socket<'_>,
        _: SocketAddrV4,
        payload: &[u8],
    ) -> bool {
        let Some(request) = parse_dhcp(payload) else {
            return false;
        };
        if let Some(reply) = self.handle(now, &request) {
            queue_dhcp(udp, &reply);
        }
        true
    }
}

impl Service for dns::Client<'_> {
    fn receive(
        &mut self,
        now: Instant,
        udp: &mut udp::Socket<'_>,
        from: SocketAddrV4,
        payload: &[u8],
    ) -> bool {
        // Replies that are not for the lookup (spoofed, late) are refused
        // by the engine without disturbing it; they are still well-formed.
        let _ = dns::Client::receive(self, now, udp.local_port(), from, payload);
        true
    }

    fn pump(
        &mut self,
        now: Instant,
        rng: &mut dyn RngCore,
        udp: &mut udp::Socket<'_>,
        cx: &Context,
    ) -> Option<ServiceEvent> {
        if self.servers().is_empty() {
            use_interface_servers(self, &cx.dns_servers);
        }
        let mut port = None;
        let _ = udp.send_with(DNS_MESSAGE_LEN, |buf| {
            let t = self.poll(now, rng, buf)?;
            port = Some(t.local_port);
            Some((t.len, Meta::to(t.remote)))
        });
        if let Some(port) = port {
            // Each lookup draws its own source port (RFC 5452 9.2).
            udp.bind(port);
        }
        None
    }

    fn poll_at(&self) -> Option<Instant> {
        dns::Client::poll_at(self)
    }
}

/// Points a resolver without servers of its own at the interface's.
pub(crate) fn use_interface_servers(client: &mut dns::Client<'_>, servers: &AddressList) {
    let mut addrs = [SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, dns::PORT); AddressList::CAPACITY];
    let known = servers.as_slice();
    for (slot, &addr) in addrs.iter_mut().zip(known) {
        *slot = SocketAddrV4::new(addr, dns::PORT);
    }
    client.set_servers(&addrs[..known.len()]);
}

impl Service for dns::Server<'_> {
    fn receive(
        &mut self,
        _: Instant,
        udp: &mut udp::Socket<'_>,
        from: SocketAddrV4,
        payload: &[u8],
    ) -> bool {
        reply(udp, from, DNS_MESSAGE_LEN, |buf| self.respond(payload, buf));
        true
    }
}

impl Service for ntp::Client {
    fn receive(
        &mut self,
        now: Instant,
        _: &mut udp::Socket<'_>,
        from: SocketAddrV4,
        payload: &[u8],
    ) -> bool {
        let _ = ntp::Client::receive(self, now, from, payload);
        true
    }

    fn pump(
        &mut self,
        now: Instant,
        rng: &mut dyn RngCore,
        udp: &mut udp::Socket<'_>,
        _: &Context,
    ) -> Option<ServiceEvent> {
        let _ = udp.send_with(NTP_PACKET_LEN, |buf| {
            let (to, len) = self.poll(now, rng, buf)?;
            Some((len, Meta::to(to)))
        });
        None
    }

    fn poll_at(&self) -> Option<Instant> {
        ntp::Client::poll_at(self)
    }
}

impl Service for ntp::Server {
    fn receive(
        &mut self,
        now: Instant,
        udp: &mut udp::Socket<'_>,
        from: SocketAddrV4,
        payload: &[u8],
    ) -> bool {
        reply(udp, from, NTP_PACKET_LEN, |buf| {
            self.respond(now, payload, buf)
        });
        true
    }
}
