//! Pico W firmware for the `seqs` stack (RP2040 + CYW43439).
//!
//! This library is the board-independent half of the firmware: the
//! application's static storage, LED signal and node for the
//! `seqs-embassy` runner ([`app`]), the TCP echo service written on the
//! async sockets ([`echo`]), the Wi-Fi join and rejoin decisions
//! ([`wifi`]), build-time Wi-Fi credentials and settings, and the LED
//! patterns. It also builds for the host, where its tests run; `main.rs` is
//! the board.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod app;
pub mod blink;
pub mod credentials;
pub mod echo;
pub mod settings;
pub mod wifi;

#[cfg(test)]
mod testing;

pub use seqs;
pub use seqs_app;
pub use seqs_embassy;
pub use seqs_embassy::clock;
