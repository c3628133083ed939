//! Arbitrary frames into a live stack: never a panic, and every frame ends
//! in exactly one counted disposition.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seqs::arp::Neighbor;
use seqs::ipv4::FragmentSlot;
use seqs::socket::Slot;
use seqs::storage::{PacketBuffer, PacketMeta};
use seqs::time::{Duration, Instant};
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs::{udp, Config, Stack, Storage};

#[path = "fixed_rng.rs"]
mod fixed_rng;
use fixed_rng::FixedRng;

fuzz_target!(|data: &[u8]| {
    let mut sockets: [Slot; 2] = Default::default();
    let mut neighbors = [None::<Neighbor>; 4];
    let mut frag_bytes = [[0u8; 1500]; 2];
    let [f0, f1] = &mut frag_bytes;
    let mut fragments = [
        FragmentSlot::new(&mut f0[..]),
        FragmentSlot::new(&mut f1[..]),
    ];
    let mut icmp_meta = [PacketMeta::empty(); 4];
    let mut icmp_bytes = [0u8; 2048];
    let storage = Storage {
        sockets: (&mut sockets).into(),
        neighbors: (&mut neighbors).into(),
        fragments: (&mut fragments).into(),
        icmp_out: PacketBuffer::new(&mut icmp_meta, &mut icmp_bytes),
    };
    let mac = EthernetAddress([2, 0, 0, 0, 0, 2]);
    let mut stack = Stack::new(Config::new(mac), storage, FixedRng(1));
    stack.set_ipv4_address(Instant::ZERO, Ipv4Cidr::new([192, 0, 2, 2].into(), 24));
    let (mut rx_meta, mut tx_meta) = ([PacketMeta::empty(); 2], [PacketMeta::empty(); 2]);
    let (mut rx_bytes, mut tx_bytes) = ([0u8; 1024], [0u8; 1024]);
    let socket = udp::Socket::new(
        PacketBuffer::new(&mut rx_meta, &mut rx_bytes),
        PacketBuffer::new(&mut tx_meta, &mut tx_bytes),
    );
    let handle = stack.add_udp_socket(socket).unwrap();
    stack.bind_udp(handle, 7).unwrap();

    // Input: frames, each behind a 2-byte big-endian length.
    let mut rest = data;
    let mut frames = 0u64;
    let mut now = Instant::ZERO;
    let mut out = [0u8; 1600];
    while let [hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (frame, next) = tail.split_at(len);
        stack.receive(now, frame);
        frames += 1;
        while stack.transmit(now, &mut out).is_some() {}
        let _ = stack.udp(handle).unwrap().recv();
        now += Duration::from_millis(u64::from(*lo));
        rest = next;
    }
    let c = stack.counters();
    assert_eq!(c.frames_in, frames);
    let consumed = c.arp_in + c.icmp_in + c.udp_in + c.tcp_in + c.fragments_in;
    assert_eq!(consumed + c.total_drops() - c.egress_drops, frames);
});
