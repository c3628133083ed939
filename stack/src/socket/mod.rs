//! The socket set: sockets live in caller storage and are reached by typed
//! handles, so no layer above ever holds a long borrow of the stack.

mod set;

pub use set::{Handle, Icmp, Set, Slot, Socket, Udp};
