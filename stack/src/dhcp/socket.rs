//! The DHCP engines bound to UDP sockets, as the stack holds them.
//!
//! Messages arriving on the engine's port are parsed and handed to it at
//! once; what it wants to send is queued on its UDP socket when the stack
//! pumps it before transmitting, so ARP waiting, counters and drops work as
//! for any datagram.

use rand_core::RngCore;

use super::{Client, Event, Server, Transmit};
use crate::endpoint::Endpoint;
use crate::time::{Duration, Instant};
use crate::udp::{self, Meta};
use crate::wire::dhcp::{Packet, Repr};
use crate::wire::Ipv4Addr;

pub const CLIENT_PORT: u16 = 68;
pub const SERVER_PORT: u16 = 67;

/// How long after binding an ARP conflict on the new address makes the
/// client DECLINE it (RFC 2131 2.2 asks clients to check before use; our
/// gratuitous announcements draw the owner's answer within this window).
const CONFLICT_WINDOW: Duration = Duration::from_secs(10);

/// A DHCP client with its UDP socket (port 68).
#[derive(Debug)]
pub struct ClientSocket<'a> {
    pub(crate) udp: udp::Socket<'a>,
    engine: Client<'a>,
    /// The address bound most recently, and when.
    bound: Option<(Ipv4Addr, Instant)>,
}

impl<'a> ClientSocket<'a> {
    pub fn new(engine: Client<'a>, udp: udp::Socket<'a>) -> Self {
        ClientSocket {
            udp,
            engine,
            bound: None,
        }
    }

    pub fn client(&self) -> &Client<'a> {
        &self.engine
    }

    /// For RELEASE, restart and the like; the stack sends what follows.
    pub fn client_mut(&mut self) -> &mut Client<'a> {
        &mut self.engine
    }

    pub(crate) fn receive(&mut self, now: Instant, payload: &[u8]) -> bool {
        match parse(payload) {
            Some(repr) => {
                self.engine.handle(now, &repr);
                true
            }
            None => false,
        }
    }

    /// Runs the engine's timers and queues what it sends. Returns the
    /// configuration change the interface must apply, if any.
    pub(crate) fn pump(
        &mut self,
        now: Instant,
        rng: &mut impl RngCore,
        conflict: Option<Ipv4Addr>,
    ) -> Option<Event> {
        if let (Some((addr, at)), Some(seen)) = (self.bound, conflict) {
            if addr == seen && now - at <= CONFLICT_WINDOW {
                self.bound = None;
                self.engine.decline(now);
            }
        }
        while let Some(transmit) = self.engine.poll(now, rng) {
            queue(&mut self.udp, &transmit);
        }
        let event = self.engine.take_event();
        match event {
            Some(Event::Configured(lease)) => self.bound = Some((lease.address.address(), now)),
            Some(Event::Deconfigured) => self.bound = None,
            None => {}
        }
        event
    }

    pub(crate) fn poll_at(&self) -> Option<Instant> {
        self.engine.poll_at()
    }
}

/// A DHCP server with its UDP socket (port 67).
#[derive(Debug)]
pub struct ServerSocket<'a> {
    pub(crate) udp: udp::Socket<'a>,
    engine: Server<'a>,
}

impl<'a> ServerSocket<'a> {
    pub fn new(engine: Server<'a>, udp: udp::Socket<'a>) -> Self {
        ServerSocket { udp, engine }
    }

    pub fn server(&self) -> &Server<'a> {
        &self.engine
    }

    /// Answers a request at once, by queueing the reply.
    pub(crate) fn receive(&mut self, now: Instant, payload: &[u8]) -> bool {
        let Some(request) = parse(payload) else {
            return false;
        };
        if let Some(reply) = self.engine.handle(now, &request) {
            queue(&mut self.udp, &reply);
        }
        true
    }
}

fn parse(payload: &[u8]) -> Option<Repr<'_>> {
    Repr::parse(&Packet::new_checked(payload).ok()?).ok()
}

/// Queues `t` on `udp`; a message that does not fit or cannot be encoded is
/// dropped here, and the engine's retransmission covers for it.
fn queue(udp: &mut udp::Socket<'_>, t: &Transmit<'_>) {
    let meta = Meta {
        remote: Endpoint::new(t.dst_addr, t.dst_port),
        local_addr: t.src_addr,
        link_dst: t.dst_hardware,
    };
    let len = t.repr.buffer_len();
    let _ = udp.send_with(len, meta, |buf| {
        t.repr.emit(&mut Packet::new_unchecked(buf)).map(|()| len)
    });
}
