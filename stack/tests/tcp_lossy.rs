//! Two sockets move random data both ways over an in-memory wire that
//! loses (up to 30%), reorders, duplicates and corrupts segments. For every
//! seed, every byte must arrive exactly once and in order, and both sockets
//! must end in CLOSED.

mod tcp_harness;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seqs::tcp::{reset_reply, Config, Congestion, Error, SeqNumber, Socket, State};
use seqs::time::{Duration, Instant};
use std::collections::BinaryHeap;
use std::net::Ipv4Addr;
use tcp_harness::*;

/// A segment in flight, ordered by delivery time then by send order.
#[derive(PartialEq, Eq)]
struct InFlight {
    at: Instant,
    order: u64,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    bytes: Vec<u8>,
}

impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.at, other.order).cmp(&(self.at, self.order))
    }
}
impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

struct Wire {
    rng: ChaCha8Rng,
    loss: f64,
    queue: BinaryHeap<InFlight>,
    order: u64,
    latency: Duration,
    faults: Faults,
    trace: bool,
}

#[derive(Clone, Copy)]
struct Faults {
    max_loss: f64,
    dup: f64,
    corrupt: f64,
    reorder: f64,
}

const ALL_FAULTS: Faults = Faults {
    max_loss: 0.3,
    dup: 0.05,
    corrupt: 0.02,
    reorder: 0.2,
};

impl Wire {
    fn send(&mut self, now: Instant, src: Ipv4Addr, dst: Ipv4Addr, bytes: Vec<u8>) {
        let lost = self.rng.random_bool(self.loss);
        if self.trace {
            let seg = Seg::from_bytes(src, dst, &bytes).unwrap();
            eprintln!(
                "{now} {}{} {:?} seq={} ack={:?} win={} len={} sack={:?} ts={:?}",
                src.octets()[3],
                if lost { " LOST" } else { "" },
                seg.control,
                seg.seq,
                seg.ack,
                seg.win,
                seg.payload.len(),
                seg.sack,
                seg.ts,
            );
        }
        if lost {
            return;
        }
        let copies = if self.rng.random_bool(self.faults.dup) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let mut bytes = bytes.clone();
            if self.rng.random_bool(self.faults.corrupt) {
                let at = self.rng.random_range(0..bytes.len());
                bytes[at] ^= 1 << self.rng.random_range(0..8);
            }
            let jitter = if self.rng.random_bool(self.faults.reorder) {
                Duration::from_millis(self.rng.random_range(0..30))
            } else {
                Duration::ZERO
            };
            self.order += 1;
            self.queue.push(InFlight {
                at: now + self.latency + jitter,
                order: self.order,
                src,
                dst,
                bytes,
            });
        }
    }
}

struct Peer {
    sock: Socket<'static>,
    ip: Ipv4Addr,
    to_send: Vec<u8>,
    sent: usize,
    received: Vec<u8>,
    closed: bool,
    finished: bool,
}

impl Peer {
    fn app(&mut self, rng: &mut ChaCha8Rng) {
        if self.sent < self.to_send.len() && self.sock.send_capacity() > 0 {
            let chunk = rng
                .random_range(1..=4000)
                .min(self.to_send.len() - self.sent);
            if let Ok(n) = self
                .sock
                .send_slice(&self.to_send[self.sent..self.sent + chunk])
            {
                self.sent += n;
            }
        }
        if self.sent == self.to_send.len() && !self.closed && self.sock.state().is_synchronized() {
            self.sock.close();
            self.closed = true;
        }
        // Sometimes the application is slow to read, so windows close.
        if rng.random_bool(0.7) {
            let mut buf = [0u8; 3000];
            match self.sock.recv_slice(&mut buf) {
                Ok(n) => self.received.extend_from_slice(&buf[..n]),
                Err(Error::Finished) => self.finished = true,
                Err(_) => {}
            }
        }
    }

    /// The application has something it could do right now.
    fn busy(&self) -> bool {
        self.sock.recv_queue() > 0
            || (self.sent < self.to_send.len() && self.sock.send_capacity() > 0)
            || (self.sent == self.to_send.len() && !self.closed)
            || (self.sock.state() == State::Closed && !self.finished && self.closed)
    }

    fn transmit(&mut self, now: Instant, wire: &mut Wire) {
        let mut out = Vec::new();
        while self
            .sock
            .dispatch(now, |src, dst, repr| {
                out.push(Seg::from_repr(src, dst, repr));
                Ok::<(), ()>(())
            })
            .unwrap()
        {}
        for seg in out {
            wire.send(now, seg.src, seg.dst, seg.to_bytes());
        }
    }
}

fn config(rng: &mut ChaCha8Rng) -> Config {
    Config {
        mss: rng.random_range(64..=1460),
        window_scaling: rng.random_bool(0.5),
        timestamps: rng.random_bool(0.5),
        sack: rng.random_bool(0.7),
        nagle: rng.random_bool(0.5),
        ack_delay: rng
            .random_bool(0.5)
            .then(|| Duration::from_millis(rng.random_range(1..200))),
        syn_retries: 20,
        max_retries: 30,
        time_wait: Duration::from_secs(rng.random_range(1..60)),
        congestion: if rng.random_bool(0.5) {
            Congestion::Cubic
        } else {
            Congestion::Reno
        },
        ..Config::default()
    }
}

fn random_bytes(rng: &mut ChaCha8Rng, max: usize) -> Vec<u8> {
    let len = rng.random_range(0..=max);
    (0..len).map(|_| rng.random()).collect()
}

/// Runs one seed; returns a description of the failure, if any.
fn run(seed: u64, faults: Faults) -> Result<(), String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut wire = Wire {
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5eed),
        loss: rng.random_range(0.0..=faults.max_loss),
        queue: BinaryHeap::new(),
        order: 0,
        latency: Duration::from_millis(rng.random_range(1..50)),
        faults,
        trace: std::env::var("TRACE").is_ok(),
    };
    let buf_a = rng.random_range(64..6000);
    let buf_b = rng.random_range(64..6000);
    let mut a = Peer {
        sock: socket(buf_a, config(&mut rng)),
        ip: A_IP,
        to_send: random_bytes(&mut rng, 30_000),
        sent: 0,
        received: Vec::new(),
        closed: false,
        finished: false,
    };
    let mut b = Peer {
        sock: socket(buf_b, config(&mut rng)),
        ip: B_IP,
        to_send: random_bytes(&mut rng, 30_000),
        sent: 0,
        received: Vec::new(),
        closed: false,
        finished: false,
    };
    b.sock.listen(b_end(), SeqNumber(rng.random())).unwrap();
    a.sock
        .connect(Instant::ZERO, a_end(), b_end(), SeqNumber(rng.random()))
        .unwrap();
    let mut now = Instant::ZERO;
    let mut b_listening = true;
    for _ in 0..1_000_000 {
        if b_listening && b.sock.state() == State::Closed {
            return Err(format!("listener closed at {now}"));
        }
        b_listening = b.sock.state() == State::Listen;
        for peer in [&mut a, &mut b] {
            peer.app(&mut rng);
            peer.transmit(now, &mut wire);
        }
        while wire.queue.peek().is_some_and(|p| p.at <= now) {
            let packet = wire.queue.pop().unwrap();
            let Some(seg) = Seg::from_bytes(packet.src, packet.dst, &packet.bytes) else {
                continue;
            };
            let peer = if packet.dst == a.ip { &mut a } else { &mut b };
            let reply = seg.with_repr(|r| {
                if peer.sock.accepts(seg.src, seg.dst, r) {
                    peer.sock.process(now, seg.src, seg.dst, r)
                } else {
                    reset_reply(r)
                }
            });
            if let Some(reply) = reply {
                let reply = Seg::from_repr(seg.dst, seg.src, &reply);
                wire.send(now, reply.src, reply.dst, reply.to_bytes());
            }
            peer.transmit(now, &mut wire);
        }
        let done = |p: &Peer| p.sock.state() == State::Closed && p.finished;
        if done(&a) && done(&b) {
            break;
        }
        let next = [
            a.sock.poll_at(now),
            b.sock.poll_at(now),
            wire.queue.peek().map(|p| p.at),
        ]
        .into_iter()
        .flatten()
        .min();
        // Applications that still have reading or writing to do act at
        // least every 10 ms.
        let app_tick = (a.busy() || b.busy()).then(|| now + Duration::from_millis(10));
        now = match [next, app_tick].into_iter().flatten().min() {
            Some(t) => t.max(now),
            None => break,
        };
        if now > Instant::from_secs(36_000) {
            break;
        }
    }
    if wire.trace {
        eprintln!(
            "A: {:?} {:?} {:?}",
            a.sock.sequence_state(),
            a.sock.metrics(),
            a.sock.counters()
        );
        eprintln!(
            "B: {:?} {:?} {:?}",
            b.sock.sequence_state(),
            b.sock.metrics(),
            b.sock.counters()
        );
        eprintln!(
            "A sent {} recv {}, B sent {} recv {}",
            a.sent,
            a.received.len(),
            b.sent,
            b.received.len()
        );
    }
    let check = |name: &str, p: &Peer, expected: &[u8]| -> Result<(), String> {
        if p.received != expected {
            let same = p
                .received
                .iter()
                .zip(expected)
                .take_while(|(x, y)| x == y)
                .count();
            return Err(format!(
                "{name} received {} of {} bytes, first difference at {same}",
                p.received.len(),
                expected.len()
            ));
        }
        if p.sock.state() != State::Closed || !p.finished {
            return Err(format!(
                "{name} ended in {} (finished: {}) at {now}",
                p.sock.state(),
                p.finished
            ));
        }
        Ok(())
    };
    check("A", &a, &b.to_send)?;
    check("B", &b, &a.to_send)?;
    Ok(())
}

#[test]
fn lossless_transfer_completes() {
    for seed in 0..20 {
        let faults = Faults {
            max_loss: 0.0,
            ..ALL_FAULTS
        };
        run(seed, faults).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

/// The seeds to run: 1000..1500, or `SEQS_TCP_SEEDS` to replay one seed
/// (`=1234`) or widen the run (`=0..5000`).
fn seeds() -> std::ops::Range<u64> {
    let Ok(spec) = std::env::var("SEQS_TCP_SEEDS") else {
        return 1000..1500;
    };
    let parse = |s: &str| {
        s.trim()
            .parse::<u64>()
            .expect("SEQS_TCP_SEEDS: a seed or a range A..B")
    };
    match spec.split_once("..") {
        Some((a, b)) => parse(a)..parse(b),
        None => parse(&spec)..parse(&spec) + 1,
    }
}

#[test]
fn lossy_reordering_duplicating_wire_delivers_everything() {
    let failures: Vec<String> = seeds()
        .filter_map(|seed| {
            run(seed, ALL_FAULTS)
                .err()
                .map(|e| format!("seed {seed}: {e}"))
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}
