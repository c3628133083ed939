//! Hosts in the event loop: boot, delivery, carrier, draining, wake-ups,
//! crashes.
//!
//! Wake-ups: a host has one *live* wake-up event at a time. When the node's
//! deadline moves earlier, a new event is pushed and the generation counter
//! bumped, so the older event is recognised as stale when popped. When it
//! moves later, nothing is pushed: the pending event fires, sees the deadline
//! is not due and re-arms itself for the deadline. The queue therefore never
//! fills with stale wake-ups of a node that keeps postponing its timer, and the
//! node is only called when a deadline is actually due.

use seqs::wire::EthernetAddress;

use super::{carrier_word, Event, Packet, Port, Simulation};
use crate::capture::Direction;
use crate::node::{Node, NodeCtx, Spawn};
use crate::summary::{HostCounters, HostSummary};
use crate::time::SimTime;

/// Frames taken from a node in one drain at most: a node that never stops
/// transmitting cannot stall the run.
const MAX_FRAMES_PER_DRAIN: usize = 65_536;

/// Where a host is in its life. The initial boot is an event at time zero,
/// which does nothing if a fault applied before it already decided the
/// host's fate (crashed, or restarted).
enum Life {
    Unborn,
    Running(Box<dyn Node>),
    Crashed,
}

pub(super) struct HostSlot {
    pub(super) name: String,
    mac: EthernetAddress,
    /// Set when the topology's link is attached (every host has one).
    pub(super) port: Option<Port>,
    life: Life,
    boot: u32,
    /// When the node wants to run next (already clamped to the future).
    deadline: Option<SimTime>,
    /// Time of the live wake-up event, if any.
    pending: Option<SimTime>,
    generation: u64,
    pub(super) counters: HostCounters,
}

impl HostSlot {
    pub(super) fn new(name: String, mac: EthernetAddress) -> Self {
        HostSlot {
            name,
            mac,
            port: None,
            life: Life::Unborn,
            boot: 0,
            deadline: None,
            pending: None,
            generation: 0,
            counters: HostCounters::default(),
        }
    }

    pub(super) fn summary(&self) -> HostSummary {
        HostSummary {
            mac: self.mac.to_string(),
            up: self.is_up(),
            counters: self.counters,
            node: self.node().map_or(serde_json::Value::Null, |n| n.summary()),
        }
    }

    pub(super) fn is_up(&self) -> bool {
        self.node().is_some()
    }

    fn node(&self) -> Option<&dyn Node> {
        match &self.life {
            Life::Running(node) => Some(node.as_ref()),
            Life::Unborn | Life::Crashed => None,
        }
    }

    /// Forgets any wake-up (pending events become stale).
    fn disarm(&mut self) {
        self.deadline = None;
        self.pending = None;
        self.generation += 1;
    }
}

impl Simulation {
    /// The initial boot, unless a fault got there first.
    pub(super) fn first_boot(&mut self, host: usize) {
        if matches!(self.hosts[host].life, Life::Unborn) {
            self.boot(host);
        }
    }

    /// Builds the host's node and lets it transmit.
    fn boot(&mut self, host: usize) {
        let slot = &mut self.hosts[host];
        let spawn = Spawn {
            host: &slot.name,
            mac: slot.mac,
            boot: slot.boot,
            now: self.now,
            seed: self.seed,
        };
        slot.life = Life::Running((self.factory)(&spawn));
        slot.counters.boots += 1;
        let boot = slot.boot;
        self.trace
            .emit(self.now, &slot.name, None, "boot", format_args!("n={boot}"));
        self.drain(host);
    }

    pub(super) fn crash(&mut self, host: usize) {
        let slot = &mut self.hosts[host];
        if !matches!(
            std::mem::replace(&mut slot.life, Life::Crashed),
            Life::Running(_)
        ) {
            return;
        }
        slot.disarm();
        slot.counters.crashes += 1;
        self.trace
            .emit(self.now, &slot.name, None, "fault", format_args!("crash"));
    }

    pub(super) fn restart(&mut self, host: usize) {
        self.crash(host);
        let slot = &mut self.hosts[host];
        slot.boot += 1;
        let boot = slot.boot;
        self.trace.emit(
            self.now,
            &slot.name,
            None,
            "fault",
            format_args!("restart boot={boot}"),
        );
        self.boot(host);
    }

    pub(super) fn wake(&mut self, host: usize, generation: u64) {
        let slot = &mut self.hosts[host];
        if generation != slot.generation {
            return;
        }
        slot.pending = None;
        match slot.deadline {
            Some(due) if due <= self.now => {
                slot.counters.wakeups += 1;
                self.drain(host);
            }
            Some(later) => self.arm(host, later),
            None => {}
        }
    }

    /// Delivers a frame that reached the host's NIC.
    pub(super) fn deliver(&mut self, host: usize, packet: Packet) {
        let slot = &mut self.hosts[host];
        let len = packet.bytes.len();
        let Life::Running(node) = &mut slot.life else {
            slot.counters.rx_while_down += 1;
            self.trace.emit(
                self.now,
                &slot.name,
                None,
                "drop",
                format_args!("reason=host-down len={len}"),
            );
            self.pool.recycle(packet.bytes);
            return;
        };
        slot.counters.rx_frames += 1;
        slot.counters.rx_bytes += len as u64;
        let mut cx = NodeCtx::new(self.now, &slot.name, &mut self.trace);
        node.receive(&mut cx, &packet.bytes);
        self.record(host, Direction::Inbound, &packet);
        self.pool.recycle(packet.bytes);
        self.drain(host);
    }

    /// Tells a running host that its `link` went down or came up, traced
    /// as `<host> carrier down|up link=<link>`, then drains it.
    pub(super) fn carrier(&mut self, host: usize, link: usize, up: bool) {
        let slot = &mut self.hosts[host];
        let Life::Running(node) = &mut slot.life else {
            return;
        };
        self.trace.emit(
            self.now,
            &slot.name,
            None,
            "carrier",
            format_args!("{} link={}", carrier_word(up), self.links[link].name),
        );
        let mut cx = NodeCtx::new(self.now, &slot.name, &mut self.trace);
        node.link_changed(&mut cx, up);
        self.drain(host);
    }

    /// Takes every frame the node has to send, sends them, and re-arms the
    /// wake-up at the node's new deadline.
    fn drain(&mut self, host: usize) {
        let slot = &mut self.hosts[host];
        let Life::Running(node) = &mut slot.life else {
            return;
        };
        let mut outbox = std::mem::take(&mut self.outbox);
        let mut cx = NodeCtx::new(self.now, &slot.name, &mut self.trace);
        let mut limited = true;
        for _ in 0..MAX_FRAMES_PER_DRAIN {
            match node.transmit(&mut cx, &mut self.scratch) {
                Some(n) if n > 0 && n <= self.scratch.len() => {
                    outbox.push(self.pool.copy_of(&self.scratch[..n]))
                }
                Some(_) => slot.counters.tx_invalid += 1,
                None => {
                    limited = false;
                    break;
                }
            }
        }
        let deadline = node.poll_at();
        if limited {
            slot.counters.tx_limited += 1;
        }
        let port = slot.port;
        for frame in outbox.drain(..) {
            self.transmit(host, port, frame);
        }
        self.outbox = outbox;
        self.reschedule(host, deadline);
    }

    fn transmit(&mut self, host: usize, port: Option<Port>, frame: Vec<u8>) {
        let counters = &mut self.hosts[host].counters;
        counters.tx_frames += 1;
        counters.tx_bytes += frame.len() as u64;
        let packet = Packet {
            bytes: frame,
            damaged: false,
        };
        self.record(host, Direction::Outbound, &packet);
        match port {
            Some(port) => self.send(port, packet),
            None => self.pool.recycle(packet.bytes),
        }
    }

    /// Records the node's new deadline, pushing an event only if it is
    /// earlier than the live one.
    fn reschedule(&mut self, host: usize, deadline: Option<SimTime>) {
        let now = self.now;
        let slot = &mut self.hosts[host];
        let deadline = deadline.filter(|&t| t != SimTime::MAX).map(|t| {
            if t <= now {
                now.next_micro()
            } else {
                t
            }
        });
        slot.deadline = deadline;
        match (deadline, slot.pending) {
            (Some(due), None) => self.arm(host, due),
            (Some(due), Some(pending)) if due < pending => self.arm(host, due),
            _ => {}
        }
    }

    /// Makes `at` the host's only live wake-up.
    fn arm(&mut self, host: usize, at: SimTime) {
        let slot = &mut self.hosts[host];
        slot.generation += 1;
        slot.pending = Some(at);
        let generation = slot.generation;
        self.queue.push(at, Event::Wake { host, generation });
    }
}
