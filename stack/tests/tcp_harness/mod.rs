//! Shared by the `tcp_*` integration tests: owned segments, a way to feed
//! them to a socket, and a collector for what the socket sends. Every
//! segment crosses real bytes (emit, parse, checksum) on the way.
#![allow(dead_code)]

use seqs::storage::RingBuffer;
use seqs::tcp::{Config, Socket};
use seqs::time::{Duration, Instant};
use seqs::wire::tcp::{Control, Packet, Repr, SeqNumber, Timestamp, MAX_SACK_BLOCKS};
use std::net::{Ipv4Addr, SocketAddrV4};

pub const A_IP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
pub const B_IP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
pub const A_PORT: u16 = 49152;
pub const B_PORT: u16 = 80;

pub fn a_end() -> SocketAddrV4 {
    SocketAddrV4::new(A_IP, A_PORT)
}
pub fn b_end() -> SocketAddrV4 {
    SocketAddrV4::new(B_IP, B_PORT)
}

pub fn ms(n: u64) -> Instant {
    Instant::from_millis(n)
}

/// Options off, no delayed ACK, no Nagle: segments stay easy to spell out.
pub fn plain_config() -> Config {
    Config {
        window_scaling: false,
        timestamps: false,
        sack: false,
        ack_delay: None,
        nagle: false,
        time_wait: Duration::from_secs(60),
        ..Config::default()
    }
}

/// A socket over leaked buffers of `size` bytes each (tests only).
pub fn socket(size: usize, config: Config) -> Socket<'static> {
    let rx: &'static mut [u8] = Box::leak(vec![0u8; size].into_boxed_slice());
    let tx: &'static mut [u8] = Box::leak(vec![0u8; size].into_boxed_slice());
    Socket::with_config(RingBuffer::new(rx), RingBuffer::new(tx), config)
}

/// An owned TCP segment with its IP addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub src_port: u16,
    pub dst_port: u16,
    pub control: Control,
    pub seq: u32,
    pub ack: Option<u32>,
    pub win: u16,
    pub ws: Option<u8>,
    pub mss: Option<u16>,
    pub sack_perm: bool,
    pub sack: Vec<(u32, u32)>,
    pub ts: Option<(u32, u32)>,
    pub payload: Vec<u8>,
}

impl Seg {
    /// A segment from A to B.
    pub fn a_to_b(control: Control, seq: u32, ack: Option<u32>, win: u16) -> Seg {
        Seg {
            src: A_IP,
            dst: B_IP,
            src_port: A_PORT,
            dst_port: B_PORT,
            control,
            seq,
            ack,
            win,
            ws: None,
            mss: None,
            sack_perm: false,
            sack: vec![],
            ts: None,
            payload: vec![],
        }
    }

    /// A segment from B to A.
    pub fn b_to_a(control: Control, seq: u32, ack: Option<u32>, win: u16) -> Seg {
        let mut s = Seg::a_to_b(control, seq, ack, win);
        s.swap_ends();
        s
    }

    fn swap_ends(&mut self) {
        std::mem::swap(&mut self.src, &mut self.dst);
        std::mem::swap(&mut self.src_port, &mut self.dst_port);
    }

    pub fn mss(mut self, mss: u16) -> Seg {
        self.mss = Some(mss);
        self
    }
    pub fn data(mut self, payload: &[u8]) -> Seg {
        self.payload = payload.to_vec();
        self
    }
    pub fn ts(mut self, tsval: u32, tsecr: u32) -> Seg {
        self.ts = Some((tsval, tsecr));
        self
    }
    pub fn sack(mut self, blocks: &[(u32, u32)]) -> Seg {
        self.sack = blocks.to_vec();
        self
    }

    pub fn from_repr(src: Ipv4Addr, dst: Ipv4Addr, r: &Repr<'_>) -> Seg {
        Seg {
            src,
            dst,
            src_port: r.src_port,
            dst_port: r.dst_port,
            control: r.control,
            seq: r.seq_number.0,
            ack: r.ack_number.map(|a| a.0),
            win: r.window_len,
            ws: r.window_scale,
            mss: r.max_seg_size,
            sack_perm: r.sack_permitted,
            sack: r
                .sack_ranges
                .iter()
                .flatten()
                .map(|(l, r)| (l.0, r.0))
                .collect(),
            ts: r.timestamp.map(|t| (t.tsval, t.tsecr)),
            payload: r.payload.to_vec(),
        }
    }

    pub fn with_repr<T>(&self, f: impl FnOnce(&Repr<'_>) -> T) -> T {
        let mut sack_ranges = [None; MAX_SACK_BLOCKS];
        for (slot, &(l, r)) in sack_ranges.iter_mut().zip(&self.sack) {
            *slot = Some((SeqNumber(l), SeqNumber(r)));
        }
        let repr = Repr {
            src_port: self.src_port,
            dst_port: self.dst_port,
            control: self.control,
            seq_number: SeqNumber(self.seq),
            ack_number: self.ack.map(SeqNumber),
            window_len: self.win,
            window_scale: self.ws,
            max_seg_size: self.mss,
            sack_permitted: self.sack_perm,
            sack_ranges,
            timestamp: self.ts.map(|(tsval, tsecr)| Timestamp { tsval, tsecr }),
            payload: &self.payload,
        };
        f(&repr)
    }

    /// Through real bytes: emit, then parse (which verifies the checksum).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.with_repr(|r| {
            let mut bytes = vec![0u8; r.buffer_len()];
            r.emit(
                &mut Packet::new_unchecked(&mut bytes[..]),
                self.src,
                self.dst,
            );
            bytes
        })
    }

    pub fn from_bytes(src: Ipv4Addr, dst: Ipv4Addr, bytes: &[u8]) -> Option<Seg> {
        let packet = Packet::new_checked(bytes).ok()?;
        let repr = Repr::parse(&packet, src, dst).ok()?;
        Some(Seg::from_repr(src, dst, &repr))
    }
}

/// Feeds `seg` (after a trip through bytes) to `sock`; returns its reply.
pub fn feed(sock: &mut Socket<'_>, now: Instant, seg: &Seg) -> Option<Seg> {
    let bytes = seg.to_bytes();
    let parsed = Seg::from_bytes(seg.src, seg.dst, &bytes).expect("test segment parses");
    assert_eq!(&parsed, seg, "segment survives the wire");
    parsed.with_repr(|r| {
        if !sock.accepts(seg.src, seg.dst, r) {
            return None;
        }
        sock.process(now, seg.src, seg.dst, r)
            .map(|reply| Seg::from_repr(seg.dst, seg.src, &reply))
    })
}

/// Everything `sock` wants to send at `now`.
pub fn drain(sock: &mut Socket<'_>, now: Instant) -> Vec<Seg> {
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let sent = sock
            .dispatch(now, |src, dst, repr| {
                out.push(Seg::from_repr(src, dst, repr));
                Ok::<(), ()>(())
            })
            .unwrap();
        if !sent {
            return out;
        }
    }
    panic!("socket never stops sending");
}

/// Exactly one segment out at `now`.
pub fn one(sock: &mut Socket<'_>, now: Instant) -> Seg {
    let mut out = drain(sock, now);
    assert_eq!(out.len(), 1, "expected one segment, got {out:#?}");
    out.remove(0)
}

pub const A_ISN: u32 = 100;
pub const B_ISN: u32 = 5000;

/// A (client) and B (server) of `size`-byte buffers after a handshake in
/// which every segment takes 10 ms: the SYN leaves at t=0 and A is
/// established at 20 ms, B at 30 ms. B's ISN is `B_ISN + 2500` (its clock).
pub fn connected(
    a_size: usize,
    a_config: Config,
    b_size: usize,
    b_config: Config,
) -> (Socket<'static>, Socket<'static>) {
    let mut a = socket(a_size, a_config);
    let mut b = socket(b_size, b_config);
    b.listen(b_end(), SeqNumber(B_ISN)).unwrap();
    a.connect(ms(0), a_end(), b_end(), SeqNumber(A_ISN))
        .unwrap();
    let syn = one(&mut a, ms(0));
    assert_eq!(feed(&mut b, ms(10), &syn), None);
    let syn_ack = one(&mut b, ms(10));
    assert_eq!(feed(&mut a, ms(20), &syn_ack), None);
    let ack = one(&mut a, ms(20));
    assert_eq!(feed(&mut b, ms(30), &ack), None);
    (a, b)
}

/// B's ISN in a `connected` pair.
pub const B_ISS: u32 = B_ISN + 10_000 / 4;

/// Delivers every segment in `segs` to `sock`, collecting immediate replies.
pub fn feed_all(sock: &mut Socket<'_>, now: Instant, segs: &[Seg]) -> Vec<Seg> {
    segs.iter().filter_map(|s| feed(sock, now, s)).collect()
}
