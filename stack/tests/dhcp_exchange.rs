//! Our DHCP clients against our DHCP server, directly (no stack): real
//! bytes on a shared segment with seeded loss, many seeds. Every client
//! gets a distinct lease, renews, survives a server restart, and releases.

use std::net::Ipv4Addr;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seqs::dhcp::client::{Client, ClientConfig, Event, State};
use seqs::dhcp::server::{AddressRange, Server, ServerConfig};
use seqs::dhcp::Transmit;
use seqs::time::{Duration, Instant};
use seqs::wire::dhcp::{Packet, Repr};
use seqs::wire::{EthernetAddress, Ipv4Cidr};

const SERVER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const CLIENTS: u8 = 8;
const LEASE: Duration = Duration::from_secs(120);

static RANGES: [AddressRange; 1] =
    match AddressRange::new(Ipv4Addr::new(192, 0, 2, 100), Ipv4Addr::new(192, 0, 2, 115)) {
        Some(r) => [r],
        None => panic!("reversed range"),
    };

fn new_server() -> Server<'static> {
    let mut config = ServerConfig::new(Ipv4Cidr::new(SERVER, 24).unwrap(), &RANGES);
    config.router = Some(SERVER);
    config.lease_duration = LEASE;
    Server::new(config, vec![None; 24]).unwrap()
}

/// A client host: the engine, its RNG and what the interface holds.
struct Host {
    client: Client<'static>,
    rng: ChaCha8Rng,
    configured: Option<Ipv4Addr>,
    renewals: u32,
    declines: u32,
}

impl Host {
    fn new(seed: u64, n: u8) -> Self {
        Host {
            client: Client::new(ClientConfig::new(EthernetAddress([2, 0, 0, 0, 1, n]))),
            rng: ChaCha8Rng::seed_from_u64(seed * 1000 + u64::from(n)),
            configured: None,
            renewals: 0,
            declines: 0,
        }
    }
}

/// One broadcast segment: hosts, a server, and a lossy wire.
struct Segment {
    now: Instant,
    hosts: Vec<Host>,
    server: Server<'static>,
    wire: ChaCha8Rng,
    /// Per mille of messages lost, each way.
    loss: u32,
}

fn encode(repr: &Repr) -> Vec<u8> {
    let mut buf = vec![0; repr.buffer_len()];
    repr.emit(&mut Packet::new_unchecked(&mut buf[..])).unwrap();
    buf
}

fn decode(bytes: &[u8]) -> Repr<'_> {
    Repr::parse(&Packet::new_checked(bytes).unwrap()).unwrap()
}

impl Segment {
    fn new(seed: u64, loss: u32) -> Self {
        let hosts = (0..CLIENTS).map(|n| Host::new(seed, n)).collect();
        Segment {
            now: Instant::ZERO,
            hosts,
            server: new_server(),
            wire: ChaCha8Rng::seed_from_u64(seed),
            loss,
        }
    }

    fn lost(&mut self) -> bool {
        self.wire.next_u32() % 1000 < self.loss
    }

    /// Runs every due timer and delivery until `until`.
    fn run_until(&mut self, until: Instant) {
        loop {
            let next = self.hosts.iter().filter_map(|h| h.client.poll_at()).min();
            let Some(next) = next.filter(|&t| t <= until) else {
                self.now = until;
                return;
            };
            self.now = self.now.max(next);
            for i in 0..self.hosts.len() {
                self.poll_host(i);
            }
        }
    }

    fn poll_host(&mut self, i: usize) {
        let now = self.now;
        while let Some(t) = {
            let h = &mut self.hosts[i];
            h.client.poll(now, &mut h.rng)
        } {
            self.apply_events(i);
            self.send_to_server(&t);
        }
        self.apply_events(i);
    }

    fn send_to_server(&mut self, t: &Transmit) {
        if self.lost() {
            return;
        }
        let request = encode(&t.repr);
        let Some(reply) = self.server.handle(self.now, &decode(&request)) else {
            return;
        };
        if self.lost() {
            return;
        }
        let bytes = encode(&reply.repr);
        let reply = decode(&bytes);
        for i in 0..self.hosts.len() {
            let h = &mut self.hosts[i];
            let before = h.client.state();
            h.client.handle(self.now, &reply);
            let after = h.client.state();
            if matches!(before, State::Renewing | State::Rebinding) && after == State::Bound {
                h.renewals += 1;
            }
            self.apply_events(i);
        }
    }

    /// What the stack does with events, including its ARP probe: an address
    /// another host already uses is declined.
    fn apply_events(&mut self, i: usize) {
        while let Some(event) = self.hosts[i].client.take_event() {
            match event {
                Event::Configured(lease) => {
                    let address = lease.address.address();
                    let in_use = self
                        .hosts
                        .iter()
                        .enumerate()
                        .any(|(j, h)| j != i && h.configured == Some(address));
                    let h = &mut self.hosts[i];
                    if in_use {
                        h.configured = None;
                        h.declines += 1;
                        h.client.decline(self.now);
                    } else {
                        h.configured = Some(address);
                    }
                }
                Event::Deconfigured => self.hosts[i].configured = None,
            }
        }
        self.assert_distinct();
    }

    fn assert_distinct(&self) {
        let mut held: Vec<_> = self.hosts.iter().filter_map(|h| h.configured).collect();
        held.sort();
        let total = held.len();
        held.dedup();
        assert_eq!(
            held.len(),
            total,
            "two hosts hold one address at {}",
            self.now
        );
    }

    fn assert_all_bound(&self) {
        for (i, h) in self.hosts.iter().enumerate() {
            assert_eq!(h.client.state(), State::Bound, "host {i} at {}", self.now);
            let lease = h.client.lease().unwrap();
            assert_eq!(h.configured, Some(lease.address.address()));
            assert!(RANGES[0].contains(lease.address.address()));
            assert_eq!(lease.router, Some(SERVER));
        }
    }
}

fn secs(s: u64) -> Instant {
    Instant::from_secs(s)
}

#[test]
fn lossless_clients_bind_renew_and_release() {
    let mut seg = Segment::new(1, 0);
    seg.run_until(secs(1));
    seg.assert_all_bound();
    seg.run_until(secs(600));
    seg.assert_all_bound();
    for h in &seg.hosts {
        assert!(h.renewals >= 9, "renewed every 60 s: {}", h.renewals);
        assert_eq!(h.declines, 0);
    }
    assert!(seg.server.leases().all(|l| l.is_live(seg.now)));

    for h in &mut seg.hosts {
        h.client.release();
    }
    for i in 0..seg.hosts.len() {
        seg.poll_host(i);
    }
    assert!(seg
        .hosts
        .iter()
        .all(|h| h.configured.is_none() && h.client.poll_at().is_none()));
    assert!(
        seg.server.leases().all(|l| !l.is_live(seg.now)),
        "every lease released"
    );
}

#[test]
fn lossy_segments_converge_for_many_seeds() {
    for seed in 0..40 {
        let mut seg = Segment::new(seed, 200);
        seg.run_until(secs(900));
        // The wire heals: within two minutes of retransmissions all bind.
        seg.loss = 0;
        seg.run_until(secs(1200));
        seg.assert_all_bound();
        let renewed = seg.hosts.iter().filter(|h| h.renewals > 0).count();
        assert_eq!(
            renewed,
            usize::from(CLIENTS),
            "seed {seed}: every host renewed"
        );
    }
}

#[test]
fn clients_survive_a_server_restart() {
    for seed in 0..20 {
        let mut seg = Segment::new(seed, 100);
        seg.run_until(secs(300));
        seg.server = new_server();
        seg.run_until(secs(900));
        seg.loss = 0;
        seg.run_until(secs(1200));
        seg.assert_all_bound();
        // The restarted server learnt every binding back.
        for h in &seg.hosts {
            let address = h.configured.unwrap();
            assert!(
                seg.server
                    .leases()
                    .any(|l| l.address == address && l.is_live(seg.now)),
                "seed {seed}: {address} unknown to the new server"
            );
        }
    }
}

#[test]
fn a_restart_without_loss_keeps_every_address() {
    let mut seg = Segment::new(3, 0);
    seg.run_until(secs(100));
    let before: Vec<_> = seg.hosts.iter().map(|h| h.configured).collect();
    seg.server = new_server();
    seg.run_until(secs(1000));
    let after: Vec<_> = seg.hosts.iter().map(|h| h.configured).collect();
    assert_eq!(before, after, "renewals re-taught the new server");
}

#[test]
fn a_host_joining_after_a_restart_declines_addresses_in_use() {
    let mut seg = Segment::new(5, 0);
    seg.run_until(secs(30));
    let before: Vec<_> = seg.hosts.iter().map(|h| h.configured).collect();
    seg.server = new_server();
    seg.hosts.push(Host::new(5, CLIENTS));
    seg.run_until(secs(31));
    let late = seg.hosts.last().unwrap();
    assert!(
        late.declines > 0,
        "the forgetful server offered a used address first"
    );
    seg.run_until(secs(600));
    seg.assert_all_bound();
    let after: Vec<_> = seg.hosts.iter().map(|h| h.configured).collect();
    assert_eq!(
        before,
        after[..before.len()],
        "the holders kept their addresses"
    );
}
