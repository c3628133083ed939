//! Interop against an independent TCP: our socket exchanges data both ways
//! with a smoltcp socket over a lossy in-memory Ethernet, as client or as
//! server, then each side closes once it has sent everything (so closes are
//! sometimes simultaneous). The frames around our segments (Ethernet, IPv4, ARP)
//! are built by hand here; the TCP bytes are ours.

mod tcp_harness;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seqs::tcp::{Config, SeqNumber, State};
use seqs::time::{Duration, Instant};
use seqs::wire::checksum;
use smoltcp::iface::{Config as IfaceConfig, Interface, SocketSet};
use smoltcp::phy::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::socket::tcp;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr};
use std::collections::VecDeque;
use tcp_harness::*;

const OUR_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
const SMOL_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
const LATENCY: Duration = Duration::from_millis(5);

/// Frames in flight towards smoltcp (delivered through the `Device`) and
/// from it (collected by the test).
#[derive(Default)]
struct Link {
    to_smol: VecDeque<(Instant, Vec<u8>)>,
    from_smol: Vec<Vec<u8>>,
    now: Instant,
}

struct Rx(Vec<u8>);
struct Tx<'a>(&'a mut Vec<Vec<u8>>);

impl RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = vec![0u8; len];
        let r = f(&mut frame);
        self.0.push(frame);
        r
    }
}

impl Device for Link {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _: smoltcp::time::Instant) -> Option<(Rx, Tx<'_>)> {
        if self.to_smol.front().is_some_and(|(at, _)| *at <= self.now) {
            let (_, frame) = self.to_smol.pop_front()?;
            return Some((Rx(frame), Tx(&mut self.from_smol)));
        }
        None
    }

    fn transmit(&mut self, _: smoltcp::time::Instant) -> Option<Tx<'_>> {
        Some(Tx(&mut self.from_smol))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = 1514;
        caps
    }
}

fn smol_now(now: Instant) -> smoltcp::time::Instant {
    smoltcp::time::Instant::from_micros(now.total_micros() as i64)
}

/// Our TCP segment wrapped in IPv4 and Ethernet for smoltcp.
fn frame(tcp_bytes: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(34 + tcp_bytes.len());
    f.extend_from_slice(&SMOL_MAC);
    f.extend_from_slice(&OUR_MAC);
    f.extend_from_slice(&[0x08, 0x00]);
    let total = (20 + tcp_bytes.len()) as u16;
    let mut ip = [0u8; 20];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    ip[12..16].copy_from_slice(&A_IP.octets());
    ip[16..20].copy_from_slice(&B_IP.octets());
    let sum = !checksum::data(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(tcp_bytes);
    f
}

/// The ARP reply telling smoltcp where we are.
fn arp_reply() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&SMOL_MAC);
    f.extend_from_slice(&OUR_MAC);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2]);
    f.extend_from_slice(&OUR_MAC);
    f.extend_from_slice(&A_IP.octets());
    f.extend_from_slice(&SMOL_MAC);
    f.extend_from_slice(&B_IP.octets());
    f
}

/// What smoltcp sent: a TCP segment for us, or an ARP request for our IP.
enum FromSmol {
    Segment(Seg),
    ArpRequest,
    Other,
}

fn classify(f: &[u8]) -> FromSmol {
    match f.get(12..14) {
        Some([0x08, 0x06])
            if f.get(20..22) == Some(&[0, 1]) && f.get(38..42) == Some(&A_IP.octets()) =>
        {
            FromSmol::ArpRequest
        }
        Some([0x08, 0x00]) if f.get(23) == Some(&6) => {
            let ihl = usize::from(f[14] & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes([f[16], f[17]]));
            f.get(14 + ihl..14 + total)
                .and_then(|tcp| Seg::from_bytes(B_IP, A_IP, tcp))
                .map_or(FromSmol::Other, FromSmol::Segment)
        }
        _ => FromSmol::Other,
    }
}

/// Returns how many segments we retransmitted.
fn run(seed: u64, loss: f64, we_listen: bool) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let ours_to_send: Vec<u8> = (0..rng.random_range(1..40_000))
        .map(|_| rng.random())
        .collect();
    let smol_to_send: Vec<u8> = (0..rng.random_range(1..40_000))
        .map(|_| rng.random())
        .collect();

    let mut link = Link::default();
    let mut iface_config = IfaceConfig::new(HardwareAddress::Ethernet(EthernetAddress(SMOL_MAC)));
    iface_config.random_seed = seed;
    let mut iface = Interface::new(iface_config, &mut link, smol_now(Instant::ZERO));
    iface.update_ip_addrs(|a| {
        a.push(IpCidr::new(IpAddress::v4(192, 0, 2, 2), 24))
            .unwrap()
    });
    let mut peer = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0; 8192]),
        tcp::SocketBuffer::new(vec![0; 8192]),
    );
    if we_listen {
        let remote = (IpAddress::v4(192, 0, 2, 1), A_PORT);
        peer.connect(iface.context(), remote, B_PORT).unwrap();
    } else {
        peer.listen(B_PORT).unwrap();
    }
    let mut sockets = SocketSet::new(vec![]);
    let handle = sockets.add(peer);

    let config = Config {
        time_wait: Duration::from_secs(2),
        timestamps: rng.random_bool(0.5),
        sack: rng.random_bool(0.5),
        ..Config::default()
    };
    let mut ours = socket(8192, config);
    if we_listen {
        ours.listen(a_end(), SeqNumber(rng.random())).unwrap();
    } else {
        ours.connect(Instant::ZERO, a_end(), b_end(), SeqNumber(rng.random()))
            .unwrap();
    }

    let (mut ours_sent, mut smol_sent) = (0, 0);
    let (mut ours_got, mut smol_got) = (Vec::new(), Vec::new());
    let (mut ours_closed, mut smol_closed) = (false, false);
    let (mut ours_eof, mut smol_eof) = (false, false);
    let mut to_ours: VecDeque<(Instant, Seg)> = VecDeque::new();
    let mut now = Instant::ZERO;
    while now < Instant::from_secs(600) {
        link.now = now;
        // Our application.
        if ours_sent < ours_to_send.len() {
            ours_sent += ours.send_slice(&ours_to_send[ours_sent..]).unwrap_or(0);
        } else if !ours_closed && matches!(ours.state(), State::Established | State::CloseWait) {
            ours.close();
            ours_closed = true;
        }
        let mut buf = [0u8; 4096];
        loop {
            match ours.recv_slice(&mut buf) {
                Ok(0) => break,
                Ok(n) => ours_got.extend_from_slice(&buf[..n]),
                Err(seqs::tcp::Error::Finished) => {
                    ours_eof = true;
                    break;
                }
                Err(_) => break,
            }
        }
        // Our segments onto the wire.
        for seg in drain(&mut ours, now) {
            if !rng.random_bool(loss) {
                link.to_smol
                    .push_back((now + LATENCY, frame(&seg.to_bytes())));
            }
        }
        // smoltcp and its application.
        iface.poll(smol_now(now), &mut link, &mut sockets);
        let server = sockets.get_mut::<tcp::Socket>(handle);
        loop {
            match server.recv_slice(&mut buf) {
                Ok(0) => break,
                Ok(n) => smol_got.extend_from_slice(&buf[..n]),
                Err(tcp::RecvError::Finished) => {
                    smol_eof = true;
                    break;
                }
                Err(_) => break,
            }
        }
        if server.may_send() && smol_sent < smol_to_send.len() {
            smol_sent += server.send_slice(&smol_to_send[smol_sent..]).unwrap_or(0);
        }
        if server.may_send() && smol_sent == smol_to_send.len() && !smol_closed {
            server.close();
            smol_closed = true;
        }
        iface.poll(smol_now(now), &mut link, &mut sockets);
        for f in std::mem::take(&mut link.from_smol) {
            match classify(&f) {
                FromSmol::ArpRequest => link.to_smol.push_back((now + LATENCY, arp_reply())),
                FromSmol::Segment(seg) if !rng.random_bool(loss) => {
                    to_ours.push_back((now + LATENCY, seg))
                }
                _ => {}
            }
        }
        while to_ours.front().is_some_and(|(at, _)| *at <= now) {
            let (_, seg) = to_ours.pop_front().unwrap();
            if let Some(reply) = feed(&mut ours, now, &seg) {
                link.to_smol
                    .push_back((now + LATENCY, frame(&reply.to_bytes())));
            }
        }
        let server_state = sockets.get::<tcp::Socket>(handle).state();
        if ours.state() == State::Closed
            && ours_closed
            && matches!(server_state, tcp::State::Closed | tcp::State::TimeWait)
        {
            break;
        }
        now += Duration::from_millis(1);
    }
    assert_eq!(
        smol_got.len(),
        ours_to_send.len(),
        "seed {seed}: bytes smoltcp got"
    );
    assert!(
        smol_got == ours_to_send,
        "seed {seed}: smoltcp got other bytes"
    );
    assert_eq!(
        ours_got.len(),
        smol_to_send.len(),
        "seed {seed}: bytes we got"
    );
    assert!(ours_got == smol_to_send, "seed {seed}: we got other bytes");
    assert!(smol_eof, "seed {seed}: smoltcp saw our FIN");
    assert!(ours_eof, "seed {seed}: we saw smoltcp's FIN");
    assert_eq!(ours.state(), State::Closed, "seed {seed}");
    ours.counters().retransmissions
}

#[test]
fn bulk_both_ways_with_smoltcp() {
    for seed in 0..4 {
        assert_eq!(run(seed, 0.0, seed % 2 == 0), 0, "no retransmission");
    }
}

#[test]
fn lossy_both_ways_with_smoltcp() {
    let retransmissions: u64 = (10..50)
        .map(|seed| run(seed, 0.05 * (seed % 5) as f64, seed % 2 == 0))
        .sum();
    assert!(retransmissions > 0, "loss was exercised");
}
