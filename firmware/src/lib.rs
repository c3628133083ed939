//! Pico W firmware for the `seqs` stack (RP2040 + CYW43439).
//!
//! This library is the board-independent half of the firmware: the frame
//! interface the application implements ([`frame::FrameStack`]), the pump
//! that moves frames between a Wi-Fi driver and that interface
//! ([`pump::Pump`]), the application's static storage and LED signal
//! ([`app`]), build-time Wi-Fi credentials and settings, and the LED
//! patterns. It also builds for the host, where its tests run; `main.rs` is
//! the board.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod app;
pub mod blink;
pub mod clock;
pub mod credentials;
pub mod frame;
pub mod pump;
pub mod settings;

#[cfg(test)]
mod testing;

pub use seqs;
pub use seqs_app;
