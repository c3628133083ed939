//! What runs on a host: the [`Node`] trait, mirroring the stack's sans-IO
//! contract so a `seqs` stack plugs in with a thin adapter.
//!
//! The engine drives a node exactly as firmware drives the stack:
//!
//! ```text
//! node.receive(cx, frame)                         // a frame reached the NIC
//! while let Some(n) = node.transmit(cx, &mut buf) // drained after every
//!     { send(&buf[..n]) }                         // boot, receive and wake-up
//! node.poll_at()                                  // → the one pending wake-up
//! node.link_changed(cx, up)                       // carrier lost or back
//! ```
//!
//! There is no periodic tick: a node that wants to act later says when
//! through `poll_at`, and the engine wakes it then (drains `transmit`).
//! The node sees the virtual time through its context; a stack adapter
//! converts with [`SimTime::to_instant`] / [`SimTime::from_instant`], which
//! never wakes a host before its deadline.
//!
//! Carrier: a host has exactly one link (see [`crate::topology`]). When a
//! fault (`link_down`, `link_up`, `partition`, `heal`) actually changes the
//! state of that link, the engine calls `link_changed` at the fault's
//! instant, as a NIC reports carrier off/on (Linux) or a lost and rejoined
//! Wi-Fi association (the Pico W), then drains `transmit` as after any
//! event. Nothing is said when the state does not change, for links between
//! switches, or to a host that is down (crashed): a node starts with
//! carrier, and one built while its link is down hears of it when the link
//! comes back up.

use std::fmt;

use seqs::time::Instant;
use seqs::wire::EthernetAddress;

use crate::rng::{self, SimRng};
use crate::time::SimTime;
use crate::trace::Trace;

/// A host's software: a network stack with its apps, or a test stub.
pub trait Node {
    /// One inbound Ethernet frame (untrusted: may be corrupted or foreign).
    fn receive(&mut self, cx: &mut NodeCtx<'_>, frame: &[u8]);

    /// Writes the next outbound frame into `buf` and returns its length, or
    /// `None` when there is nothing to send now. Timers that are due run
    /// here, as in the stack.
    fn transmit(&mut self, cx: &mut NodeCtx<'_>, buf: &mut [u8]) -> Option<usize>;

    /// When the node next needs `transmit` called without a frame arriving
    /// first; `None` (or `SimTime::MAX`, what `Instant::MAX` converts to)
    /// for never. A time not after the current one is taken to mean "at the
    /// next microsecond" (the stack cannot observe finer steps).
    fn poll_at(&self) -> Option<SimTime>;

    /// The link the NIC is attached to went down (`up == false`) or came
    /// back up. Frames sent while it is down are lost on the link, as on a
    /// real NIC without carrier. The default ignores it, so a node that
    /// wraps another must forward it.
    fn link_changed(&mut self, _cx: &mut NodeCtx<'_>, _up: bool) {}

    /// The node's own results and counters for the run summary.
    fn summary(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}

/// The environment of one call into a node: the time, the host's identity,
/// and the trace.
pub struct NodeCtx<'a> {
    now: SimTime,
    host: &'a str,
    trace: &'a mut Trace,
}

impl<'a> NodeCtx<'a> {
    pub(crate) fn new(now: SimTime, host: &'a str, trace: &'a mut Trace) -> Self {
        NodeCtx { now, host, trace }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The current time as the stack sees it.
    pub fn instant(&self) -> Instant {
        self.now.to_instant()
    }

    /// The host's name.
    pub fn host(&self) -> &str {
        self.host
    }

    /// Whether a line of `kind` for this host (or its `part`) would be kept.
    pub fn tracing(&self, part: Option<&str>, kind: &str) -> bool {
        self.trace.enabled(self.host, part, kind)
    }

    /// Emits a trace line for this host (`part`: an app inside it, shown as
    /// `host/part`).
    pub fn trace(&mut self, part: Option<&str>, kind: &str, details: fmt::Arguments<'_>) {
        self.trace.emit(self.now, self.host, part, kind, details);
    }
}

/// What a node factory gets to build (or rebuild, after a crash) a node.
#[derive(Debug, Clone, Copy)]
pub struct Spawn<'a> {
    pub host: &'a str,
    pub mac: EthernetAddress,
    /// 0 for the first boot, incremented by every restart.
    pub boot: u32,
    pub now: SimTime,
    pub(crate) seed: u64,
}

impl Spawn<'_> {
    /// The node's random stream, `host:<name>:boot:<n>` (see [`crate::rng`]):
    /// a restarted host draws fresh numbers, as rebooted hardware would.
    pub fn rng(&self) -> SimRng {
        rng::stream(self.seed, &format!("host:{}:boot:{}", self.host, self.boot))
    }
}

/// Builds the node of every host, at start and after each restart.
pub type NodeFactory = Box<dyn FnMut(&Spawn<'_>) -> Box<dyn Node>>;
