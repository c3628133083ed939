//! A TCP socket driven by arbitrary segments, API calls and clock steps:
//! never panics, SND.UNA <= SND.NXT <= SND.MAX, buffers account for every
//! byte, and `poll_at` never asks for a wake-up that `dispatch` ignores.
#![no_main]

#[path = "../../tests/tcp_driver/mod.rs"]
mod driver;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    driver::run(data);
});
