//! `seqs`: a `no_std`, heap-free, sans-IO TCP/IP stack.
//!
//! The stack never reads a clock, never sleeps and never draws randomness of
//! its own: the driver hands it time ([`time::Instant`]), frames and an RNG.
//! See `DESIGN.md` for the contract every driver (firmware, simulator, TAP
//! bridge) relies on.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_debug_implementations)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod endpoint;

pub mod arp;
pub mod http;
pub mod icmp;
pub mod iface;
pub mod ipv4;
pub mod rate_limit;
pub mod socket;
pub mod stats;
pub mod storage;
pub mod time;
pub mod udp;
pub mod wire;

pub use endpoint::Endpoint;
pub use iface::{Config, Stack, Storage};
pub use rand_core;
