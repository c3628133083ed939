//! An in-memory link for driving several stacks exactly as a driver would:
//! frames are delivered after a fixed latency, and a node is woken only when
//! a frame arrives or its `poll_at` deadline passes.
#![allow(dead_code)]

use core::net::Ipv4Addr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seqs::iface::Capacities;
use seqs::storage::{PacketBuffer, PacketMeta};
use seqs::time::{Duration, Instant};
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs::{icmp, udp, Config, Stack, Storage};

pub type TestStack = Stack<'static, ChaCha8Rng>;

pub fn mac(n: u8) -> EthernetAddress {
    EthernetAddress([0x02, 0, 0, 0, 0, n])
}

pub fn ip(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, n)
}

/// Stack `n` with MAC 02:..:n and, when `addressed`, 192.0.2.n/24.
pub fn stack(n: u8, addressed: bool) -> TestStack {
    stack_with(n, addressed, Config::new(mac(n)))
}

/// Stack `n`, addressed, that sends no gratuitous ARP: for tests that feed
/// hand-written frames and inspect exactly what comes out.
pub fn silent_stack(n: u8) -> TestStack {
    let mut config = Config::new(mac(n));
    config.announcements = 0;
    stack_with(n, true, config)
}

pub fn stack_with(n: u8, addressed: bool, config: Config) -> TestStack {
    let mut s = Stack::new(
        config,
        Storage::with_capacity(Capacities::default()),
        ChaCha8Rng::seed_from_u64(u64::from(n)),
    );
    if addressed {
        s.set_ipv4_address(Instant::ZERO, Ipv4Cidr::new(ip(n), 24));
    }
    s
}

/// An ARP request from node `from` for node `to`'s address: teaches `to`
/// the sender's MAC (RFC 826 merge, since it is addressed to `to`).
pub fn arp_request(from: u8, to: u8) -> Vec<u8> {
    use seqs::wire::{arp, ethernet};
    let repr = arp::Repr {
        operation: arp::Operation::Request,
        source_hardware_addr: mac(from),
        source_protocol_addr: ip(from),
        target_hardware_addr: EthernetAddress([0; 6]),
        target_protocol_addr: ip(to),
    };
    let eth = ethernet::Repr {
        src_addr: mac(from),
        dst_addr: EthernetAddress::BROADCAST,
        ethertype: ethernet::EtherType::Arp,
        vlan: None,
    };
    let mut frame = vec![0u8; eth.buffer_len(repr.buffer_len())];
    let mut view = ethernet::Frame::new_unchecked(&mut frame[..]);
    eth.emit(&mut view);
    repr.emit(&mut arp::Packet::new_unchecked(view.payload_mut()));
    frame
}

pub fn udp_socket(packets: usize, bytes: usize) -> udp::Socket<'static> {
    let buffer = || PacketBuffer::new(vec![PacketMeta::empty(); packets], vec![0u8; bytes]);
    udp::Socket::new(buffer(), buffer())
}

pub fn icmp_socket() -> icmp::Socket<'static> {
    icmp::Socket::new(
        PacketBuffer::new(vec![PacketMeta::empty(); 8], vec![0u8; 2048]),
        PacketBuffer::new(vec![PacketMeta::empty(); 8], vec![0u8; 2048]),
    )
}

/// A frame seen on the link.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub from: usize,
    pub frame: Vec<u8>,
}

/// A shared segment (hub): every frame reaches every other node, which
/// filters by MAC like a NIC would.
pub struct Link {
    pub nodes: Vec<TestStack>,
    pub now: Instant,
    pub latency: Duration,
    in_flight: Vec<(Instant, usize, Vec<u8>)>,
    /// Every frame transmitted, in order.
    pub log: Vec<Seen>,
    /// Nodes whose outbound frames vanish (a host that is down).
    pub muted: Vec<bool>,
    /// How many times each node was woken by its own deadline.
    pub wakeups: Vec<usize>,
    /// Probability that a frame is lost, drawn from `rng`.
    pub loss: f64,
    rng: ChaCha8Rng,
}

impl Link {
    pub fn new(nodes: Vec<TestStack>) -> Self {
        let n = nodes.len();
        Link {
            nodes,
            now: Instant::ZERO,
            latency: Duration::from_micros(100),
            in_flight: Vec::new(),
            log: Vec::new(),
            muted: vec![false; n],
            wakeups: vec![0; n],
            loss: 0.0,
            rng: ChaCha8Rng::seed_from_u64(0),
        }
    }

    /// The same link losing each frame with probability `loss`, seeded.
    pub fn lossy(nodes: Vec<TestStack>, loss: f64, seed: u64) -> Self {
        Link {
            loss,
            rng: ChaCha8Rng::seed_from_u64(seed),
            ..Link::new(nodes)
        }
    }

    /// Attaches another node to the link.
    pub fn push(&mut self, node: TestStack) {
        self.nodes.push(node);
        self.muted.push(false);
        self.wakeups.push(0);
    }

    /// Runs until `end`, waking nodes only on frames and deadlines.
    pub fn run_until(&mut self, end: Instant) {
        self.drain_all();
        let mut spins_at_same_time = 0;
        while let Some(next) = self.next_event().filter(|&t| t <= end) {
            spins_at_same_time = if next <= self.now {
                spins_at_same_time + 1
            } else {
                0
            };
            assert!(
                spins_at_same_time < 1000,
                "poll_at keeps asking for a wake-up with nothing to do"
            );
            self.now = self.now.max(next);
            self.deliver_due();
            for i in 0..self.nodes.len() {
                if self.nodes[i].poll_at().is_some_and(|t| t <= self.now) {
                    self.wakeups[i] += 1;
                }
            }
            self.drain_all();
        }
        self.now = self.now.max(end);
    }

    pub fn run_for(&mut self, d: Duration) {
        self.run_until(self.now + d);
    }

    /// Lets every node transmit everything it has now.
    pub fn drain_all(&mut self) {
        let mut buf = [0u8; 1600];
        for i in 0..self.nodes.len() {
            while let Some(n) = self.nodes[i].transmit(self.now, &mut buf) {
                let frame = buf[..n].to_vec();
                self.log.push(Seen {
                    at: self.now,
                    from: i,
                    frame: frame.clone(),
                });
                let lost = self.loss > 0.0 && self.rng.random_bool(self.loss);
                if !self.muted[i] && !lost {
                    self.in_flight.push((self.now + self.latency, i, frame));
                }
            }
        }
    }

    fn next_event(&self) -> Option<Instant> {
        let frames = self.in_flight.iter().map(|(t, _, _)| *t);
        let timers = self.nodes.iter().filter_map(|n| n.poll_at());
        frames.chain(timers).min().map(|t| t.max(self.now))
    }

    fn deliver_due(&mut self) {
        let now = self.now;
        let (due, later): (Vec<_>, Vec<_>) =
            self.in_flight.drain(..).partition(|(t, _, _)| *t <= now);
        self.in_flight = later;
        for (_, from, frame) in due {
            for (i, node) in self.nodes.iter_mut().enumerate() {
                if i != from {
                    node.receive(now, &frame);
                }
            }
        }
    }

    /// Frames node `from` sent, in order.
    pub fn sent_by(&self, from: usize) -> impl Iterator<Item = &Seen> {
        self.log.iter().filter(move |s| s.from == from)
    }
}

pub fn tcp_socket(rx: usize, tx: usize) -> seqs::tcp::Socket<'static> {
    use seqs::storage::RingBuffer;
    seqs::tcp::Socket::new(
        RingBuffer::new(vec![0u8; rx]),
        RingBuffer::new(vec![0u8; tx]),
    )
}

/// The bytes of a seeded test pattern: position `i` of stream `seed`.
pub fn pattern(seed: u8, from: usize, len: usize) -> Vec<u8> {
    (from..from + len)
        .map(|i| {
            (i as u8)
                .wrapping_mul(31)
                .wrapping_add(seed ^ (i >> 8) as u8)
        })
        .collect()
}
