use core::fmt;
use core::marker::PhantomData;

use crate::service::{AutoConfig, Service, ServiceSocket};
use crate::storage::Managed;
use crate::time::Instant;
use crate::{dhcp, dns, icmp, ntp, tcp, udp};

/// Declares the socket kinds: the [`Socket`] variant, the marker type its
/// handles carry, and the typed accessors on [`Set`]: one to change the
/// socket, and one to look at it, which leaves its quiet mark (see
/// [`Set::set_quiet`]) alone.
macro_rules! socket_kinds {
    ($($(#[$doc:meta])* $variant:ident($ty:ty) => $accessor:ident, $viewer:ident;)*) => {
        /// Any socket the stack can hold.
        // Slots are sized for the largest kind (TCP); boxing would need a heap.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug)]
        pub enum Socket<'a> {
            $($(#[$doc])* $variant($ty),)*
        }

        $(
            /// Handle kind marker: a `Handle<Kind>` reaches only that kind.
            #[derive(Debug)]
            pub enum $variant {}
        )*

        impl<'a> Set<'a> {
            $(
                pub fn $accessor(&mut self, handle: Handle<$variant>) -> Option<&mut $ty> {
                    match self.get_mut(handle)? {
                        Socket::$variant(s) => Some(s),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }

                pub fn $viewer(&self, handle: Handle<$variant>) -> Option<&$ty> {
                    match self.get(handle)? {
                        Socket::$variant(s) => Some(s),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            )*
        }
    };
}

socket_kinds! {
    Udp(udp::Socket<'a>) => udp, udp_ref;
    Icmp(icmp::Socket<'a>) => icmp, icmp_ref;
    Tcp(tcp::Socket<'a>) => tcp, tcp_ref;
    /// A DHCP client that configures the interface.
    DhcpClient(ServiceSocket<'a, AutoConfig<'a>>) => dhcp_client, dhcp_client_ref;
    DhcpServer(ServiceSocket<'a, dhcp::Server<'a>>) => dhcp_server, dhcp_server_ref;
    DnsClient(ServiceSocket<'a, dns::Client<'a>>) => dns_client, dns_client_ref;
    DnsServer(ServiceSocket<'a, dns::Server<'a>>) => dns_server, dns_server_ref;
    NtpClient(ServiceSocket<'a, ntp::Client>) => ntp_client, ntp_client_ref;
    NtpServer(ServiceSocket<'a, ntp::Server>) => ntp_server, ntp_server_ref;
}

fn dyn_parts<'s, 'a, E: Service>(
    s: &'s mut ServiceSocket<'a, E>,
) -> (&'s mut udp::Socket<'a>, &'s mut dyn Service) {
    let (udp, engine) = s.parts();
    (udp, engine)
}

impl<'a> Socket<'a> {
    /// The UDP socket underneath, for sockets that send datagrams.
    pub(crate) fn udp(&self) -> Option<&udp::Socket<'a>> {
        match self {
            Socket::Udp(s) => Some(s),
            Socket::Icmp(_) | Socket::Tcp(_) => None,
            Socket::DhcpClient(s) => Some(&s.udp),
            Socket::DhcpServer(s) => Some(&s.udp),
            Socket::DnsClient(s) => Some(&s.udp),
            Socket::DnsServer(s) => Some(&s.udp),
            Socket::NtpClient(s) => Some(&s.udp),
            Socket::NtpServer(s) => Some(&s.udp),
        }
    }

    pub(crate) fn udp_mut(&mut self) -> Option<&mut udp::Socket<'a>> {
        match self {
            Socket::Udp(s) => Some(s),
            Socket::Icmp(_) | Socket::Tcp(_) => None,
            Socket::DhcpClient(s) => Some(&mut s.udp),
            Socket::DhcpServer(s) => Some(&mut s.udp),
            Socket::DnsClient(s) => Some(&mut s.udp),
            Socket::DnsServer(s) => Some(&mut s.udp),
            Socket::NtpClient(s) => Some(&mut s.udp),
            Socket::NtpServer(s) => Some(&mut s.udp),
        }
    }

    /// The engine and its UDP socket, for sockets that run one.
    pub(crate) fn service(&mut self) -> Option<(&mut udp::Socket<'a>, &mut dyn Service)> {
        match self {
            Socket::Udp(_) | Socket::Icmp(_) | Socket::Tcp(_) => None,
            Socket::DhcpClient(s) => Some(dyn_parts(s)),
            Socket::DhcpServer(s) => Some(dyn_parts(s)),
            Socket::DnsClient(s) => Some(dyn_parts(s)),
            Socket::DnsServer(s) => Some(dyn_parts(s)),
            Socket::NtpClient(s) => Some(dyn_parts(s)),
            Socket::NtpServer(s) => Some(dyn_parts(s)),
        }
    }

    fn is_service(&self) -> bool {
        !matches!(self, Socket::Udp(_) | Socket::Icmp(_) | Socket::Tcp(_))
    }

    pub(crate) fn service_poll_at(&self) -> Option<Instant> {
        match self {
            Socket::DhcpClient(s) => Service::poll_at(s.engine()),
            Socket::DnsClient(s) => Service::poll_at(s.engine()),
            Socket::NtpClient(s) => Service::poll_at(s.engine()),
            _ => None,
        }
    }

    pub(crate) fn udp_port(&self) -> Option<u16> {
        self.udp().filter(|u| u.is_bound()).map(|u| u.local_port())
    }
}

/// A typed reference to a socket in a [`Set`]. Stale handles (the socket was
/// removed and the slot reused) are detected by a generation count.
pub struct Handle<K> {
    index: u16,
    generation: u16,
    kind: PhantomData<K>,
}

impl<K> Clone for Handle<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Handle<K> {}
impl<K> PartialEq for Handle<K> {
    fn eq(&self, other: &Self) -> bool {
        (self.index, self.generation) == (other.index, other.generation)
    }
}
impl<K> Eq for Handle<K> {}
impl<K> fmt::Debug for Handle<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle({}#{})", self.index, self.generation)
    }
}

/// One socket slot. Public so callers can size storage with
/// `core::array::from_fn(|_| Slot::default())`.
#[derive(Debug, Default)]
pub struct Slot<'a> {
    generation: u16,
    socket: Option<Socket<'a>>,
    /// The socket last had nothing to send, and nothing has reached it
    /// since: it has nothing before this instant (its earliest timer). Any
    /// mutable access clears it, so an idle socket costs `transmit` one
    /// comparison instead of working out that it has nothing to send.
    quiet_until: Option<Instant>,
}

impl<'a> Slot<'a> {
    /// The socket, for a caller that may change it: no longer quiet.
    fn touch(&mut self) -> Option<&mut Socket<'a>> {
        self.quiet_until = None;
        self.socket.as_mut()
    }
}

/// The fixed-capacity set of sockets.
#[derive(Debug)]
pub struct Set<'a> {
    slots: Managed<'a, Slot<'a>>,
    /// Sockets that carry a protocol engine: the stack skips pumping
    /// engines on every transmit when there are none.
    services: usize,
}

impl<'a> Set<'a> {
    pub fn new(slots: impl Into<Managed<'a, Slot<'a>>>) -> Self {
        let mut slots = slots.into();
        slots.iter_mut().for_each(|s| s.socket = None);
        Set { slots, services: 0 }
    }

    /// Adds a socket; `None` when every slot is taken.
    pub fn add<K>(&mut self, socket: Socket<'a>) -> Option<Handle<K>> {
        let index = self.slots.iter().position(|s| s.socket.is_none())?;
        self.services += usize::from(socket.is_service());
        let slot = &mut self.slots[index];
        slot.generation = slot.generation.wrapping_add(1);
        slot.socket = Some(socket);
        slot.quiet_until = None;
        Some(Handle {
            index: u16::try_from(index).ok()?,
            generation: slot.generation,
            kind: PhantomData,
        })
    }

    pub fn remove<K>(&mut self, handle: Handle<K>) -> Option<Socket<'a>> {
        let socket = self.slot_mut(handle)?.socket.take()?;
        self.services -= usize::from(socket.is_service());
        Some(socket)
    }

    /// Whether any socket carries a protocol engine.
    pub(crate) fn has_services(&self) -> bool {
        self.services > 0
    }

    pub fn get<K>(&self, handle: Handle<K>) -> Option<&Socket<'a>> {
        let slot = self.slots.get(usize::from(handle.index))?;
        (slot.generation == handle.generation).then_some(slot.socket.as_ref()?)
    }

    pub fn get_mut<K>(&mut self, handle: Handle<K>) -> Option<&mut Socket<'a>> {
        self.slot_mut(handle)?.touch()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Socket<'a>> {
        self.slots.iter().filter_map(|s| s.socket.as_ref())
    }

    /// Each socket with the instant before which it surely has nothing to
    /// send, if it is marked quiet (see [`Set::set_quiet`]).
    pub(crate) fn iter_with_quiet(&self) -> impl Iterator<Item = (&Socket<'a>, Option<Instant>)> {
        self.slots
            .iter()
            .filter_map(|s| s.socket.as_ref().map(|socket| (socket, s.quiet_until)))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Socket<'a>> {
        self.slots.iter_mut().filter_map(Slot::touch)
    }

    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// The slot of the first socket `wanted` picks. Looking leaves every
    /// socket's quiet mark alone; [`Set::at_mut`] then touches only that one.
    pub(crate) fn position(&self, wanted: impl Fn(&Socket<'a>) -> bool) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.socket.as_ref().is_some_and(&wanted))
    }

    /// Socket at slot `index`.
    pub(crate) fn at_mut(&mut self, index: usize) -> Option<&mut Socket<'a>> {
        self.slots.get_mut(index)?.touch()
    }

    /// Socket at slot `index` for round-robin dispatch at `now`; `None` for
    /// an empty slot or one still quiet (see [`Set::set_quiet`]).
    pub(crate) fn dispatchable(&mut self, index: usize, now: Instant) -> Option<&mut Socket<'a>> {
        let slot = self.slots.get_mut(index)?;
        if slot.quiet_until.is_some_and(|until| now < until) {
            return None;
        }
        slot.socket.as_mut()
    }

    /// The socket at `index` just had nothing to send at `now`, and will
    /// have nothing before `until` unless something reaches it.
    pub(crate) fn set_quiet(&mut self, index: usize, until: Instant) {
        if let Some(slot) = self.slots.get_mut(index) {
            slot.quiet_until = Some(until);
        }
    }

    fn slot_mut<K>(&mut self, handle: Handle<K>) -> Option<&mut Slot<'a>> {
        let slot = self.slots.get_mut(usize::from(handle.index))?;
        (slot.generation == handle.generation).then_some(slot)
    }
}
