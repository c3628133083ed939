//! Wire formats: zero-copy checked views over bytes plus plain `Repr` values.
//!
//! Every format module follows the same shape, after smoltcp's wire layer, so
//! that a reader who knows one knows all:
//!
//! - `Packet<T: AsRef<[u8]>>` is a view over a buffer. `Packet::new_checked`
//!   validates lengths (header fits, length fields agree with the buffer)
//!   once, after which every getter is in bounds and never panics.
//!   `new_unchecked` skips validation for buffers the caller is about to fill.
//!   Setters exist when `T: AsMut<[u8]>`. The wrapper and its big-endian
//!   field access are written once, in the private `view` module.
//! - `Repr` is the decoded meaning of a packet. `Repr::parse` checks semantics
//!   (checksums, reserved values) and returns an [`Error`] value on anything
//!   it cannot represent; `Repr::buffer_len` sizes a buffer; `Repr::emit`
//!   writes the packet into a view of that size and fills checksums. For valid
//!   input `emit(parse(x)) == x`.
//!
//! All checksums come from [`checksum`]. Addresses are [`EthernetAddress`]
//! and `core::net::Ipv4Addr`.

pub mod arp;
pub mod checksum;
pub mod dhcp;
pub mod dns;
pub mod ethernet;
pub mod icmpv4;
pub mod ipv4;
pub mod ntp;
pub mod tcp;
pub mod udp;
mod view;

pub use core::net::Ipv4Addr;
pub use ethernet::Address as EthernetAddress;
pub use ipv4::Cidr as Ipv4Cidr;

use core::fmt;

/// Why a buffer could not be read as, or written as, a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// The buffer is shorter than the header, or than a length field claims.
    Truncated,
    /// A field holds a value the format forbids or that contradicts another
    /// field (bad header length, option overrunning its header, name loop).
    Malformed,
    /// The checksum does not match the contents.
    Checksum,
    /// Well-formed, but a variant this stack does not handle (IP version 6,
    /// ARP for a non-Ethernet hardware type, an unknown DHCP message type).
    Unsupported,
}

pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::Truncated => "truncated packet",
            Error::Malformed => "malformed packet",
            Error::Checksum => "checksum mismatch",
            Error::Unsupported => "unsupported packet",
        })
    }
}

impl core::error::Error for Error {}
