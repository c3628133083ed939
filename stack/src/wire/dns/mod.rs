//! DNS messages (RFC 1035): header, questions, resource records, name compression.
//!
//! - [`Packet`] is the checked view of the fixed 12-byte header.
//! - [`Repr`] walks a whole received message once, validating every name
//!   (compression pointers, length limits) and every record length; its
//!   section iterators then hand out zero-copy [`Question`]s and [`Record`]s
//!   that borrow from the message.
//! - [`Builder`] writes a message section by section into a caller buffer,
//!   compressing names against the ones already written.
//!
//! A, AAAA and CNAME data are decoded ([`RData`]); everything else is kept as
//! raw bytes. Raw data of types that embed names (NS, MX, SOA, ...) may hold
//! compression pointers into the message it came from, so it is only
//! meaningful next to that message.

mod builder;
mod header;
mod message;
mod name;
mod record;

pub use builder::{Builder, Section};
pub use header::{Class, Flags, Header, Opcode, Packet, Rcode, Type, HEADER_LEN};
pub use message::{Questions, Records, Repr};
pub use name::{Labels, Name, MAX_LABEL_LEN, MAX_NAME_LEN, MAX_POINTERS};
pub use record::{Question, RData, Record};

/// The DNS server port.
pub const PORT: u16 = 53;
/// Largest message over UDP without EDNS (RFC 1035 §4.2.1).
pub const MAX_UDP_LEN: usize = 512;
