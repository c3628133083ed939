//! ICMPv4 sockets: the ping client.

mod socket;

pub use socket::{Reply, RequestMeta, Socket};
