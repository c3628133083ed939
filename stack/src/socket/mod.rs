//! The socket set: sockets live in caller storage and are reached by typed
//! handles, so no layer above ever holds a long borrow of the stack.

mod set;

pub use set::{
    DhcpClient, DhcpServer, DnsClient, DnsServer, Handle, Icmp, NtpClient, NtpServer, Set, Slot,
    Socket, Tcp, Udp,
};
