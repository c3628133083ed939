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

pub mod http;
pub mod storage;
pub mod tcp;
pub mod time;
pub mod wire;
