//! A hub joining the app to peer stacks in memory, driven as a driver
//! would: a node runs only when a frame reaches it or its `poll_at`
//! deadline passes, and every node drains its transmit queue after.
#![allow(dead_code)]

use std::net::Ipv4Addr;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use seqs::iface::Capacities;
use seqs::storage::{PacketBuffer, PacketMeta, RingBuffer};
use seqs::time::{Duration, Instant};
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs::{dns, tcp, udp, Stack, Storage};
use seqs_app::{App, Config, HttpSlot, Led, Sockets};

pub type Peer = Stack<'static, ChaCha8Rng>;
pub type TestApp = App<'static, ChaCha8Rng, Recorder>;

/// An LED that remembers every switch the app asked for.
#[derive(Debug, Default)]
pub struct Recorder {
    pub history: Vec<bool>,
}

impl Led for Recorder {
    fn set(&mut self, on: bool) {
        self.history.push(on);
    }
}

pub fn mac(n: u8) -> EthernetAddress {
    EthernetAddress([0x02, 0, 0, 0, 0, n])
}

pub fn ip(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, n)
}

fn rng(seed: u8) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(u64::from(seed))
}

pub fn udp_socket() -> udp::Socket<'static> {
    let buffer = || PacketBuffer::new(vec![PacketMeta::empty(); 4], vec![0u8; 2048]);
    udp::Socket::new(buffer(), buffer())
}

pub fn tcp_socket(rx: usize, tx: usize) -> tcp::Socket<'static> {
    tcp::Socket::new(
        RingBuffer::new(vec![0u8; rx]),
        RingBuffer::new(vec![0u8; tx]),
    )
}

fn leak(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}

/// Peer `n` at 192.0.2.n/24.
pub fn peer(n: u8) -> Peer {
    let mut stack = Stack::new(
        seqs::Config::new(mac(n)),
        Storage::with_capacity(Capacities::default()),
        rng(n),
    );
    stack.set_ipv4_address(Instant::ZERO, Ipv4Cidr::new(ip(n), 24));
    stack
}

/// The app with MAC 02:..:0a, its sockets sized as the firmware sizes them.
pub fn app(config: impl FnOnce(&mut Config<'static>)) -> TestApp {
    let mut c = Config::new(mac(10));
    config(&mut c);
    let sockets = Sockets {
        dhcp: udp_socket(),
        ntp: udp_socket(),
        dns: udp_socket(),
        dns_answers: vec![dns::Answer::UNSPECIFIED; 2].into(),
        http: std::array::from_fn(|_| HttpSlot {
            socket: tcp_socket(1024, 1024),
            request: leak(seqs_app::REQUEST_MAX),
            response: leak(seqs_app::RESPONSE_MAX),
        }),
    };
    let storage = Storage::with_capacity(Capacities::default());
    App::new(
        c,
        storage,
        sockets,
        rng(10),
        Recorder::default(),
        Instant::ZERO,
    )
    .unwrap()
}

/// Anything driven through the sans-IO contract.
pub trait Node {
    fn receive(&mut self, now: Instant, frame: &[u8]);
    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize>;
    fn poll_at(&self) -> Option<Instant>;
}

impl Node for Peer {
    fn receive(&mut self, now: Instant, frame: &[u8]) {
        Stack::receive(self, now, frame);
    }
    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        Stack::transmit(self, now, buf)
    }
    fn poll_at(&self) -> Option<Instant> {
        Stack::poll_at(self)
    }
}

impl Node for TestApp {
    fn receive(&mut self, now: Instant, frame: &[u8]) {
        App::receive(self, now, frame);
    }
    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        App::transmit(self, now, buf)
    }
    fn poll_at(&self) -> Option<Instant> {
        App::poll_at(self)
    }
}

/// The app and its peers on one hub with a fixed latency.
pub struct Net {
    pub app: TestApp,
    pub peers: Vec<Peer>,
    pub now: Instant,
    latency: Duration,
    /// (arrival, sender index, frame); index 0 is the app, i + 1 peer i.
    in_flight: Vec<(Instant, usize, Vec<u8>)>,
}

impl Net {
    pub fn new(app: TestApp, peers: Vec<Peer>) -> Self {
        Net {
            app,
            peers,
            now: Instant::ZERO,
            latency: Duration::from_micros(200),
            in_flight: Vec::new(),
        }
    }

    fn node(&mut self, i: usize) -> &mut dyn Node {
        match i {
            0 => &mut self.app,
            i => &mut self.peers[i - 1],
        }
    }

    fn count(&self) -> usize {
        1 + self.peers.len()
    }

    pub fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        let mut spins = 0;
        self.drain();
        while let Some(next) = self.next_event().filter(|&t| t <= end) {
            spins = if next <= self.now { spins + 1 } else { 0 };
            assert!(spins < 1000, "a node asks to run now but has nothing to do");
            self.now = next;
            self.deliver();
            self.drain();
        }
        self.now = end;
    }

    fn next_event(&self) -> Option<Instant> {
        let frames = self.in_flight.iter().map(|f| f.0);
        let app = Node::poll_at(&self.app);
        let peers = self.peers.iter().filter_map(Node::poll_at);
        frames
            .chain(app)
            .chain(peers)
            .min()
            .map(|t| t.max(self.now))
    }

    fn deliver(&mut self) {
        let now = self.now;
        let (due, later) = self.in_flight.drain(..).partition(|f| f.0 <= now);
        self.in_flight = later;
        for (_, from, frame) in due {
            for i in (0..self.count()).filter(|&i| i != from) {
                self.node(i).receive(now, &frame);
            }
        }
    }

    fn drain(&mut self) {
        let mut buf = [0u8; 1514];
        for i in 0..self.count() {
            let now = self.now;
            while let Some(n) = self.node(i).transmit(now, &mut buf) {
                let frame = buf[..n].to_vec();
                self.in_flight.push((now + self.latency, i, frame));
            }
        }
    }
}
