//! DNS over UDP: a stub resolver ([`Client`]) and a static-zone server
//! ([`Server`]) for the simulator, both sans-IO.
//!
//! Neither touches sockets, clocks or entropy: the driver feeds received
//! datagrams with the current time, asks for datagrams to send (handing in
//! its RNG), and sleeps until `poll_at`.

mod client;
mod server;

pub use client::{
    Answer, Client, Config, Error, Reject, Resolved, Transmit, MAX_CNAME_HOPS, MAX_SERVERS,
};
pub use server::{Server, ZoneData, ZoneEntry};

/// The DNS port (RFC 1035 4.2.1).
pub const PORT: u16 = 53;
