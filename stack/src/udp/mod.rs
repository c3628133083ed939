//! UDP sockets (RFC 768).

mod socket;

pub use socket::{Meta, RecvError, SendError, Socket, SocketCounters};
