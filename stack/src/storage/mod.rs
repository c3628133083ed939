//! Caller-provided storage.
//!
//! Capacities are fixed at construction. Firmware hands the stack `static`
//! buffers; hosts with an allocator (the simulator sizes buffers from a
//! scenario file) may hand over owned `Vec`s with the `alloc` feature. Either
//! way nothing grows on the packet path.

mod managed;
mod packet_buffer;

pub use managed::Managed;
pub use packet_buffer::{Full, PacketBuffer, PacketMeta};
