//! The simulation: topology, nodes, links, switches and the event loop.
//!
//! Everything happens in events popped from one queue in `(time, sequence)`
//! order. A frame sent by a host is offered to its link, which decides its
//! fate and arrival time; on arrival it is delivered to a host (receive, then
//! drain) or to a switch (which forwards it onto other links at once). A host
//! has at most one live wake-up event, at its node's `poll_at`. A fault
//! that changes a link's state tells the hosts at its ends (carrier, see
//! [`crate::node`]).

mod fault;
mod host;
mod inspect;

use std::collections::BTreeMap;
use std::io::{self, Write};

pub use fault::{Fault, Lanes, SimError};

use crate::capture::{Capture, Direction};
use crate::event::{EventQueue, FramePool};
use crate::link::{DropReason, Fate, Link, Side};
use crate::node::{Node, NodeFactory, Spawn};
use crate::rng;
use crate::switch::{Egress, Switch};
use crate::time::SimTime;
use crate::topology::{Element, Topology};
use crate::trace::Trace;
use fault::Action;
use host::HostSlot;

/// Largest frame a node may hand to `transmit` (the buffer it writes into).
pub const MAX_FRAME_LEN: usize = 65_536;

/// Where an element plugs into a link: frames it sends leave from `side`.
#[derive(Debug, Clone, Copy)]
struct Port {
    link: usize,
    side: Side,
}

/// What sits at one end of a link.
#[derive(Debug, Clone, Copy)]
enum Endpoint {
    Host(usize),
    Switch { switch: usize, port: usize },
}

struct SwitchSlot {
    name: String,
    switch: Switch,
    ports: Vec<Port>,
}

struct LinkSlot {
    name: String,
    /// Element names at sides A and B (for traces and summaries).
    end_names: [String; 2],
    ends: [Endpoint; 2],
    link: Link,
}

/// A frame on its way, and whether a link flipped a bit in it: the capture
/// flags such frames as FCS errors, as a real NIC would have seen them.
struct Packet {
    bytes: Vec<u8>,
    damaged: bool,
}

enum Event {
    Boot(usize),
    Wake {
        host: usize,
        generation: u64,
    },
    Arrive {
        link: usize,
        from: Side,
        epoch: u64,
        packet: Packet,
    },
    Fault(usize),
}

/// A deterministic simulation of one network.
pub struct Simulation {
    now: SimTime,
    seed: u64,
    queue: EventQueue<Event>,
    pool: FramePool,
    hosts: Vec<HostSlot>,
    switches: Vec<SwitchSlot>,
    links: Vec<LinkSlot>,
    host_index: BTreeMap<String, usize>,
    switch_index: BTreeMap<String, usize>,
    link_index: BTreeMap<String, usize>,
    factory: NodeFactory,
    trace: Trace,
    capture: Option<Capture>,
    /// The buffer nodes transmit into.
    scratch: Vec<u8>,
    /// Frames drained from a node, sent once the node is no longer borrowed.
    outbox: Vec<Vec<u8>>,
    actions: Vec<Action>,
    events: u64,
}

impl Simulation {
    /// Builds the network; every host boots at time zero (its node built by
    /// `factory`). Nothing runs until one of the `run` methods is called.
    pub fn new(
        topology: &Topology,
        seed: u64,
        factory: impl FnMut(&Spawn<'_>) -> Box<dyn Node> + 'static,
    ) -> Self {
        let mut sim = Simulation {
            now: SimTime::ZERO,
            seed,
            queue: EventQueue::new(),
            pool: FramePool::new(),
            hosts: Vec::new(),
            switches: Vec::new(),
            links: Vec::new(),
            host_index: BTreeMap::new(),
            switch_index: BTreeMap::new(),
            link_index: BTreeMap::new(),
            factory: Box::new(factory),
            trace: Trace::disabled(),
            capture: None,
            scratch: vec![0; MAX_FRAME_LEN],
            outbox: Vec::new(),
            actions: Vec::new(),
            events: 0,
        };
        sim.add_elements(topology);
        sim.add_links(topology);
        for host in 0..sim.hosts.len() {
            sim.queue.push(SimTime::ZERO, Event::Boot(host));
        }
        sim
    }

    fn add_elements(&mut self, topology: &Topology) {
        for element in topology.graph().node_weights() {
            match element {
                Element::Host(h) => {
                    self.host_index.insert(h.name.clone(), self.hosts.len());
                    self.hosts.push(HostSlot::new(h.name.clone(), h.mac));
                }
                Element::Switch(s) => {
                    self.switch_index
                        .insert(s.name.clone(), self.switches.len());
                    self.switches.push(SwitchSlot {
                        name: s.name.clone(),
                        switch: Switch::new(s.config.clone()),
                        ports: Vec::new(),
                    });
                }
            }
        }
    }

    fn add_links(&mut self, topology: &Topology) {
        for spec in topology.links() {
            let index = self.links.len();
            let ends = [
                self.attach(
                    &spec.a,
                    Port {
                        link: index,
                        side: Side::A,
                    },
                ),
                self.attach(
                    &spec.b,
                    Port {
                        link: index,
                        side: Side::B,
                    },
                ),
            ];
            let lane_rng = |from: &str, to: &str| {
                rng::stream(self.seed, &format!("link:{}:{from}>{to}", spec.name))
            };
            let link = Link::new(
                spec.config.clone(),
                lane_rng(&spec.a, &spec.b),
                lane_rng(&spec.b, &spec.a),
            );
            self.link_index.insert(spec.name.clone(), index);
            self.links.push(LinkSlot {
                name: spec.name.clone(),
                end_names: [spec.a.clone(), spec.b.clone()],
                ends,
                link,
            });
        }
    }

    /// Connects the named element (validated by the topology) to a port.
    fn attach(&mut self, name: &str, port: Port) -> Endpoint {
        if let Some(&host) = self.host_index.get(name) {
            self.hosts[host].port = Some(port);
            return Endpoint::Host(host);
        }
        let switch = self.switch_index[name];
        let ports = &mut self.switches[switch].ports;
        ports.push(port);
        Endpoint::Switch {
            switch,
            port: ports.len() - 1,
        }
    }

    /// Sends trace lines to `trace` (replacing the current one).
    pub fn set_trace(&mut self, trace: Trace) {
        self.trace = trace;
    }

    /// The trace, for lines from outside the engine (e.g. a scenario runner).
    pub fn trace_mut(&mut self) -> &mut Trace {
        &mut self.trace
    }

    /// Starts a pcapng capture into `out`: one interface per host, in
    /// topology order.
    pub fn capture_to(&mut self, out: Box<dyn Write>) -> io::Result<()> {
        let capture = Capture::new(out, self.hosts.iter().map(|h| h.name.as_str()))?;
        self.capture = Some(capture);
        Ok(())
    }

    /// Flushes the trace and the capture, reporting the first write error.
    pub fn finish(&mut self) -> io::Result<()> {
        let trace = self.trace.flush();
        let capture = self.capture.as_mut().map_or(Ok(()), Capture::flush);
        trace.and(capture)
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Time of the next pending event, if any.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.queue.peek_time()
    }

    /// Frame buffers allocated so far (stops growing in steady state).
    pub fn frame_buffers(&self) -> u64 {
        self.pool.allocated()
    }

    /// Schedules `fault` at `at` (not before now). Faults at the same time
    /// apply in the order they were scheduled.
    pub fn schedule(&mut self, at: SimTime, fault: Fault) -> Result<(), SimError> {
        if at < self.now {
            return Err(SimError::InPast { at, now: self.now });
        }
        let action = self.resolve(fault)?;
        self.actions.push(action);
        self.queue.push(at, Event::Fault(self.actions.len() - 1));
        Ok(())
    }

    /// Applies `fault` now.
    pub fn apply(&mut self, fault: Fault) -> Result<(), SimError> {
        let action = self.resolve(fault)?;
        self.perform(&action);
        Ok(())
    }

    /// Runs every event up to and including `end`, then sets the clock to
    /// `end`. Returns the number of events processed.
    pub fn run_until(&mut self, end: SimTime) -> u64 {
        let before = self.events;
        while self.queue.peek_time().is_some_and(|t| t <= end) {
            self.step();
        }
        self.now = self.now.max(end);
        self.events - before
    }

    /// Runs until no event is pending (returns `true`) or the next one is
    /// after `limit` (returns `false`; the clock stays at the last event).
    pub fn run_until_idle(&mut self, limit: SimTime) -> bool {
        while self.queue.peek_time().is_some_and(|t| t <= limit) {
            self.step();
        }
        self.queue.is_empty()
    }

    /// Processes the next event; `false` if there was none.
    pub fn step(&mut self) -> bool {
        let Some((time, event)) = self.queue.pop() else {
            return false;
        };
        self.now = time;
        self.events += 1;
        match event {
            Event::Boot(host) => self.first_boot(host),
            Event::Wake { host, generation } => self.wake(host, generation),
            Event::Arrive {
                link,
                from,
                epoch,
                packet,
            } => self.arrive(link, from, epoch, packet),
            Event::Fault(index) => {
                let action = self.actions[index].clone();
                self.perform(&action);
            }
        }
        true
    }

    /// Offers a frame to a link from `port`'s side and schedules its arrival.
    fn send(&mut self, port: Port, mut packet: Packet) {
        let slot = &mut self.links[port.link];
        match slot.link.offer(port.side, self.now, &mut packet.bytes) {
            Fate::Dropped(reason) => {
                self.trace_drop(port.link, port.side, reason.as_str(), packet.bytes.len());
                self.pool.recycle(packet.bytes);
            }
            Fate::Arrives {
                at,
                duplicate,
                corrupted,
            } => {
                let (link, from, epoch) = (port.link, port.side, slot.link.epoch());
                packet.damaged |= corrupted;
                let copy = duplicate.then(|| self.copy(&packet));
                for packet in std::iter::once(packet).chain(copy) {
                    let event = Event::Arrive {
                        link,
                        from,
                        epoch,
                        packet,
                    };
                    self.queue.push(at, event);
                }
            }
        }
    }

    fn copy(&mut self, packet: &Packet) -> Packet {
        Packet {
            bytes: self.pool.copy_of(&packet.bytes),
            damaged: packet.damaged,
        }
    }

    fn arrive(&mut self, link: usize, from: Side, epoch: u64, packet: Packet) {
        let slot = &mut self.links[link];
        let current = slot.link.epoch();
        let lane = &mut slot.link.lanes[from.lane()];
        let len = packet.bytes.len();
        if epoch != current {
            lane.count_drop(DropReason::Down);
            self.trace_drop(link, from, DropReason::Down.as_str(), len);
            self.pool.recycle(packet.bytes);
            return;
        }
        lane.count_delivery(len);
        match slot.ends[from.other().lane()] {
            Endpoint::Host(host) => self.deliver(host, packet),
            Endpoint::Switch { switch, port } => self.forward(switch, port, packet),
        }
    }

    fn forward(&mut self, switch: usize, in_port: usize, packet: Packet) {
        let slot = &mut self.switches[switch];
        match slot.switch.process(self.now, in_port, &packet.bytes) {
            Egress::Port(out) => {
                let port = slot.ports[out];
                self.send(port, packet);
            }
            Egress::Flood => {
                for out in 0..self.switches[switch].ports.len() {
                    if out != in_port {
                        let port = self.switches[switch].ports[out];
                        let copy = self.copy(&packet);
                        self.send(port, copy);
                    }
                }
                self.pool.recycle(packet.bytes);
            }
            Egress::Nowhere => self.pool.recycle(packet.bytes),
        }
    }

    fn trace_drop(&mut self, link: usize, from: Side, reason: &str, len: usize) {
        let slot = &self.links[link];
        if self.trace.enabled(&slot.name, None, "drop") {
            let (src, dst) = (
                &slot.end_names[from.lane()],
                &slot.end_names[from.other().lane()],
            );
            let details = format_args!("dir={src}>{dst} reason={reason} len={len}");
            self.trace.emit(self.now, &slot.name, None, "drop", details);
        }
    }

    fn record(&mut self, host: usize, direction: Direction, packet: &Packet) {
        if let Some(capture) = self.capture.as_mut() {
            capture.record(
                host as u32,
                self.now,
                direction,
                &packet.bytes,
                packet.damaged,
            );
        }
    }

    fn resolve(&self, fault: Fault) -> Result<Action, SimError> {
        let link = |name: &str| {
            self.link_index
                .get(name)
                .copied()
                .ok_or_else(|| SimError::UnknownLink(name.into()))
        };
        let host = |name: &str| {
            self.host_index
                .get(name)
                .copied()
                .ok_or_else(|| SimError::UnknownHost(name.into()))
        };
        Ok(match fault {
            Fault::LinkDown(l) => Action::SetUp {
                links: vec![link(&l)?],
                up: false,
            },
            Fault::LinkUp(l) => Action::SetUp {
                links: vec![link(&l)?],
                up: true,
            },
            Fault::Partition(ls) => Action::SetUp {
                links: ls.iter().map(|l| link(l)).collect::<Result<_, _>>()?,
                up: false,
            },
            Fault::Heal => Action::HealAll,
            Fault::SetLoss {
                link: l,
                lanes,
                loss,
            } => Action::SetLoss {
                link: link(&l)?,
                lanes,
                loss,
            },
            Fault::Configure {
                link: l,
                lanes,
                config,
            } => Action::Configure {
                link: link(&l)?,
                lanes,
                config: Box::new(config),
            },
            Fault::Crash(h) => Action::Crash(host(&h)?),
            Fault::Restart(h) => Action::Restart(host(&h)?),
        })
    }

    fn perform(&mut self, action: &Action) {
        match action {
            Action::SetUp { links, up } => links.iter().for_each(|&l| self.set_link_up(l, *up)),
            Action::HealAll => (0..self.links.len()).for_each(|l| self.set_link_up(l, true)),
            Action::SetLoss { link, lanes, loss } => {
                for &lane in lanes.indices() {
                    let lane_state = &mut self.links[*link].link.lanes[lane];
                    let mut config = lane_state.config().clone();
                    config.loss = *loss;
                    lane_state.set_config(config);
                    self.trace_lane_fault(*link, lane, format_args!("loss {loss}"));
                }
            }
            Action::Configure {
                link,
                lanes,
                config,
            } => {
                for &lane in lanes.indices() {
                    self.links[*link].link.lanes[lane].set_config((**config).clone());
                    self.trace_lane_fault(*link, lane, format_args!("configure"));
                }
            }
            Action::Crash(host) => self.crash(*host),
            Action::Restart(host) => self.restart(*host),
        }
    }

    /// Changes a link's state and, if it changed, tells the hosts at its
    /// ends (their carrier).
    fn set_link_up(&mut self, link: usize, up: bool) {
        let slot = &mut self.links[link];
        if !slot.link.set_up(up, self.now) {
            return;
        }
        self.trace.emit(
            self.now,
            &slot.name,
            None,
            "fault",
            format_args!("{}", carrier_word(up)),
        );
        for end in slot.ends {
            if let Endpoint::Host(host) = end {
                self.carrier(host, link, up);
            }
        }
    }

    fn trace_lane_fault(&mut self, link: usize, lane: usize, what: std::fmt::Arguments<'_>) {
        let slot = &self.links[link];
        let (src, dst) = (&slot.end_names[lane], &slot.end_names[1 - lane]);
        self.trace.emit(
            self.now,
            &slot.name,
            None,
            "fault",
            format_args!("{what} dir={src}>{dst}"),
        );
    }
}

/// How traces spell a link state.
fn carrier_word(up: bool) -> &'static str {
    if up {
        "up"
    } else {
        "down"
    }
}
