//! Async sockets for [embassy](https://embassy.dev) on the `seqs` stack.
//!
//! - [`Net`]: the shared handle, a [`Node`] (a `seqs::Stack`, or an
//!   application built on one) behind a blocking mutex, with the table of
//!   waiting socket operations.
//! - [`Runner`]: the driver side. It moves frames between any
//!   [`embassy_net_driver::Driver`] and the node, sleeping until a frame,
//!   a free transmit slot, a link change, an application request or the
//!   stack's own deadline, never on a fixed tick.
//! - [`TcpSocket`] (`accept`, `connect`, `embedded-io-async`
//!   `Read`/`Write`) and [`UdpSocket`] (`send_to`, `recv_from`).
//! - [`Cable`]: two drivers joined in memory, to run two stacks (a service
//!   and its client) in host tests.
//!
//! # How wake-ups work
//!
//! A socket operation locks the [`Net`], tries the stack's non-blocking
//! call and, if that would block, records its task's waker under what it
//! waits for (readable, writable, flushed, accepted, connected, closed,
//! datagram, room) in a fixed table beside the stack. After each round
//! (frames received, timers fired, frames sent) the runner wakes exactly
//! the entries whose condition now holds. An operation that did something
//! (queued data, read and so opened the window, closed) pokes the runner,
//! so the segment goes out in the next round rather than at a timer.
//!
//! No heap: the waiter table holds `W` entries (a const generic of
//! [`Net`]), sockets borrow their buffers for the stack's lifetime.
#![no_std]
#![forbid(unsafe_code)]

pub mod cable;
pub mod clock;
mod error;
mod net;
mod node;
mod runner;
mod tcp;
mod udp;
mod waiters;

pub use cable::{Cable, CableEnd};
pub use error::Error;
pub use net::Net;
pub use node::Node;
pub use runner::{Runner, MAX_FRAME};
pub use tcp::{TcpReader, TcpSocket, TcpWriter};
pub use udp::UdpSocket;

pub use seqs;
