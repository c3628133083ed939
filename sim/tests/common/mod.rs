//! Test nodes: a sender of numbered, checksummed frames and a sink that
//! logs (and optionally echoes) what it receives.
#![allow(dead_code)] // each test file uses a different part

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use seqs::wire::checksum;
use seqs::wire::EthernetAddress;
use seqs_sim::{Node, NodeCtx, SimDuration, SimTime, Simulation, Spawn, Topology};

/// IEEE "local experimental" EtherType.
const ETHERTYPE: [u8; 2] = [0x88, 0xb5];
const HEADER: usize = 14;
/// Sequence number (4) and checksum (2).
pub const MIN_FRAME: usize = HEADER + 6;

pub fn mac(n: u16) -> EthernetAddress {
    let [hi, lo] = n.to_be_bytes();
    EthernetAddress([2, 0, 0, 0, hi, lo])
}

/// A frame `src → dst` carrying `seq`, `len` bytes long (≥ `MIN_FRAME`).
pub fn frame(dst: EthernetAddress, src: EthernetAddress, seq: u32, len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len.max(MIN_FRAME)];
    f[..6].copy_from_slice(&dst.0);
    f[6..12].copy_from_slice(&src.0);
    f[12..14].copy_from_slice(&ETHERTYPE);
    f[14..18].copy_from_slice(&seq.to_be_bytes());
    for (i, b) in f[MIN_FRAME..].iter_mut().enumerate() {
        *b = (seq as usize).wrapping_add(i) as u8;
    }
    let sum = !checksum::combine(&[checksum::data(&f[HEADER..])]);
    f[18..20].copy_from_slice(&sum.to_be_bytes());
    f
}

/// What a host's node saw, across its boots.
#[derive(Debug, Default)]
pub struct Log {
    /// (source MAC, sequence number, arrival time) of intact frames for us.
    pub received: Vec<(EthernetAddress, u32, SimTime)>,
    /// Frames whose checksum failed.
    pub corrupted: u64,
    /// Intact frames addressed to another unicast MAC (flooded to us).
    pub not_mine: u64,
    pub boots: Vec<u32>,
    pub sent: u64,
}

impl Log {
    pub fn seqs(&self) -> Vec<u32> {
        self.received.iter().map(|r| r.1).collect()
    }
}

/// Frames to send: `count` frames to `dst`, the first at `start`, one every
/// `interval`, each `len` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub dst: EthernetAddress,
    pub count: u32,
    pub start: SimTime,
    pub interval: SimDuration,
    pub len: usize,
}

/// What a host does: an optional sending plan, and whether it echoes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Role {
    pub plan: Option<Plan>,
    pub echo: bool,
}

pub struct TestNode {
    mac: EthernetAddress,
    role: Role,
    sent: u32,
    next: SimTime,
    replies: VecDeque<Vec<u8>>,
    log: Rc<RefCell<Log>>,
}

impl TestNode {
    pub fn new(spawn: &Spawn<'_>, role: Role, log: Rc<RefCell<Log>>) -> Self {
        log.borrow_mut().boots.push(spawn.boot);
        let next = role.plan.map_or(SimTime::MAX, |p| p.start.max(spawn.now));
        TestNode {
            mac: spawn.mac,
            role,
            sent: 0,
            next,
            replies: VecDeque::new(),
            log,
        }
    }
}

impl Node for TestNode {
    fn receive(&mut self, cx: &mut NodeCtx<'_>, frame: &[u8]) {
        let intact = frame.len() >= MIN_FRAME
            && checksum::combine(&[checksum::data(&frame[HEADER..])]) == 0xffff;
        let mut log = self.log.borrow_mut();
        if !intact {
            log.corrupted += 1;
            cx.trace(None, "corrupt", format_args!("len={}", frame.len()));
            return;
        }
        let dst = EthernetAddress::from_bytes(frame).expect("length checked");
        let src = EthernetAddress::from_bytes(&frame[6..]).expect("length checked");
        if dst != self.mac && dst.is_unicast() {
            log.not_mine += 1;
            return;
        }
        let seq = u32::from_be_bytes(frame[14..18].try_into().expect("length checked"));
        log.received.push((src, seq, cx.now()));
        cx.trace(
            None,
            "rx",
            format_args!("src={src} seq={seq} len={}", frame.len()),
        );
        if self.role.echo && dst == self.mac {
            let mut reply = frame.to_vec();
            reply[..6].copy_from_slice(&src.0);
            reply[6..12].copy_from_slice(&self.mac.0);
            self.replies.push_back(reply);
        }
    }

    fn transmit(&mut self, cx: &mut NodeCtx<'_>, buf: &mut [u8]) -> Option<usize> {
        let f = match self.replies.pop_front() {
            Some(reply) => reply,
            None => {
                let plan = self.role.plan?;
                if self.sent >= plan.count || cx.now() < self.next {
                    return None;
                }
                let f = frame(plan.dst, self.mac, self.sent, plan.len);
                self.sent += 1;
                self.next += plan.interval;
                f
            }
        };
        buf.get_mut(..f.len())?.copy_from_slice(&f);
        self.log.borrow_mut().sent += 1;
        Some(f.len())
    }

    fn poll_at(&self) -> Option<SimTime> {
        let plan = self.role.plan?;
        (self.sent < plan.count).then_some(self.next)
    }

    fn summary(&self) -> serde_json::Value {
        serde_json::json!({ "sent": self.sent, "received": self.log.borrow().received.len() })
    }
}

pub type Logs = BTreeMap<String, Rc<RefCell<Log>>>;

/// A simulation where each host runs a `TestNode` with the role given in
/// `roles` (silent if absent); returns it with every host's log.
pub fn simulation(topology: &Topology, seed: u64, roles: &[(&str, Role)]) -> (Simulation, Logs) {
    let roles: BTreeMap<String, Role> = roles.iter().map(|(n, r)| (n.to_string(), *r)).collect();
    let logs: Logs = topology
        .hosts()
        .map(|h| (h.name.clone(), Rc::default()))
        .collect();
    let factory_logs = logs.clone();
    let sim = Simulation::new(topology, seed, move |spawn| {
        let role = roles.get(spawn.host).copied().unwrap_or_default();
        Box::new(TestNode::new(spawn, role, factory_logs[spawn.host].clone()))
    });
    (sim, logs)
}

/// A steady stream: `count` frames of `len` bytes to `dst`, every `interval`.
pub fn stream(dst: EthernetAddress, count: u32, interval: SimDuration, len: usize) -> Role {
    Role {
        plan: Some(Plan {
            dst,
            count,
            start: SimTime::ZERO,
            interval,
            len,
        }),
        echo: false,
    }
}

pub fn echo() -> Role {
    Role {
        plan: None,
        echo: true,
    }
}
