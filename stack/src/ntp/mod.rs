//! NTP over UDP: an SNTP client (RFC 4330) and a server for the simulator,
//! both sans-IO.
//!
//! Wall time is never read: an [`Epoch`](crate::wire::ntp::Epoch) maps the
//! driver's [`Instant`](crate::time::Instant)s to NTP time, and the client
//! reports how far that mapping is off as a signed offset.

mod client;
mod server;

pub use client::{Client, Config, Error, Reject, Sync};
pub use server::{Server, ServerConfig};

/// The NTP port (RFC 5905 7.2).
pub const PORT: u16 = 123;
