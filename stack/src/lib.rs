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

pub mod arp;
pub mod dhcp;
pub mod dns;
pub mod http;
pub mod icmp;
pub mod iface;
pub mod ipv4;
pub mod ntp;
pub mod rate_limit;
pub mod service;
pub mod socket;
pub mod stats;
pub mod storage;
pub mod tcp;
pub mod time;
pub mod udp;
pub mod wire;

pub use iface::{Config, Stack, Storage};
pub use rand_core;
