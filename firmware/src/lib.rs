//! Pico W firmware for the `seqs` stack (RP2040 + CYW43439).
//!
//! This crate builds for `thumbv6m-none-eabi` from its own workspace so that
//! the embedded dependency tree never leaks into the host workspace.
#![no_std]
#![forbid(unsafe_code)]

pub use seqs;
