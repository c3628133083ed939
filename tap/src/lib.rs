//! `seqs-tap`: one `seqs` stack node in real time on a Linux TAP device,
//! so real peers (the kernel, ping, socat, later curl, dnsmasq, chronyd)
//! can talk to it.
//!
//! The [`Bridge`] is a driver like the firmware's loop or a simulator host:
//! it hands the stack every frame read from the device, writes every frame
//! the stack transmits, and sleeps in `ppoll(2)` until a frame arrives or
//! the earliest deadline of the stack and its [`apps`] passes. Time is a
//! monotonic clock since the bridge started; the RNG, and the optional
//! seeded loss on each direction, come from one seed. While it runs, other
//! threads use its stack through blocking std-style sockets ([`net`]).
#![cfg(target_os = "linux")]
#![deny(unsafe_code)]

pub mod apps;
mod backlog;
mod bridge;
mod capture;
pub mod cli;
mod clock;
mod device;
mod events;
mod loss;
pub mod net;
#[allow(unsafe_code)]
mod sys;

pub use bridge::{
    random_seed, stop_on_interrupt, Addressing, Bridge, BridgeConfig, BridgeCounters, BridgeReport,
    Control, Running, StopReason, TapStack,
};
pub use capture::Capture;
pub use clock::Clock;
pub use device::{FrameIo, TapDevice};
pub use events::EventLog;
pub use loss::{Dropper, LossRate};
