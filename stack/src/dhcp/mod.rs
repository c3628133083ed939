//! DHCPv4 engines (RFC 2131): a [`Client`] and a [`Server`].
//!
//! Both are sans-IO like the rest of the stack: they never read a clock,
//! never draw randomness of their own and never touch a socket. The stack
//! feeds them decoded messages ([`crate::wire::dhcp::Repr`]) with the time,
//! sends what they hand back as a [`Transmit`] (UDP source and destination
//! included), and applies the client's [`Event`]s to the interface.

mod backoff;
pub mod client;
pub mod server;

pub use client::{Client, ClientConfig, Event, Lease, State as ClientState};
pub use server::{
    AddressRange, ConfigError, LeaseEntry, LeaseState, Reservation, Server, ServerConfig,
};

/// UDP ports (RFC 2131 4.1).
pub const CLIENT_PORT: u16 = 68;
pub const SERVER_PORT: u16 = 67;

use core::net::Ipv4Addr;

use crate::wire::dhcp::Repr;
use crate::wire::EthernetAddress;

/// A message to send and where: the UDP/IP addressing the stack must use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit<'a> {
    pub repr: Repr<'a>,
    /// `0.0.0.0` while a client has no address.
    pub src_addr: Ipv4Addr,
    pub src_port: u16,
    /// `255.255.255.255` for a broadcast.
    pub dst_addr: Ipv4Addr,
    pub dst_port: u16,
    /// Link-layer destination when the stack must not ARP for `dst_addr`:
    /// a server answering a client that has no address yet (RFC 2131 4.1).
    pub dst_hardware: Option<EthernetAddress>,
}
