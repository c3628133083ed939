//! Golden frames decoded layer by layer with `seqs::wire`, for the
//! `golden_<format>.rs` tests.
//!
//! Every helper parses one layer with its `Repr` (so checksums are verified)
//! and checks that the layer is canonical: emitting the parsed `Repr` gives
//! back the captured bytes. Include it with
//! `#[path = "golden/layers.rs"] mod layers;`.
#![allow(dead_code)]

#[path = "pcap.rs"]
mod pcap;

use std::net::Ipv4Addr;
use std::path::Path;

use seqs::rand_core::RngCore;
use seqs::time::Instant;
use seqs::wire::{arp, ethernet, icmpv4, ipv4, tcp, udp, EthernetAddress};
use seqs::Stack;

/// The capture's server: 192.0.2.1 at `02:00:00:00:00:01`.
pub const SERVER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
pub const SERVER_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 1]);
/// The capture's client: 192.0.2.2 at `02:00:00:00:00:02`.
pub const CLIENT: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
pub const CLIENT_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 2]);

/// Offset of the IPv4 header (or ARP body) in every golden frame.
pub const L3: usize = ethernet::HEADER_LEN;
/// Offset of the transport header: no golden IPv4 header has options.
pub const L4: usize = L3 + ipv4::HEADER_LEN;

/// The frames of `tests/golden/<name>`.
pub fn capture(name: &str) -> Vec<Vec<u8>> {
    pcap::frames(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
}

/// Big-endian u16 at `at`: for checksum fields the `Repr`s do not keep.
pub fn be16(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

/// The Ethernet header and payload; the header must re-emit byte for byte.
pub fn ethernet(frame: &[u8]) -> (ethernet::Repr, &[u8]) {
    let view = ethernet::Frame::new_checked(frame).expect("Ethernet frame");
    let repr = ethernet::Repr::parse(&view).expect("Ethernet header");
    let mut out = vec![0; repr.header_len()];
    repr.emit(&mut ethernet::Frame::new_unchecked(&mut out[..]));
    assert_eq!(
        out,
        frame[..repr.header_len()],
        "Ethernet header round trip"
    );
    (repr, view.payload())
}

/// The ARP packet of an ARP frame, which must re-emit byte for byte.
pub fn arp(frame: &[u8]) -> (ethernet::Repr, arp::Repr) {
    let (eth, payload) = ethernet(frame);
    assert_eq!(eth.ethertype, ethernet::EtherType::Arp);
    let repr = arp::Repr::parse(&arp::Packet::new_checked(payload).expect("ARP")).expect("ARP");
    let mut out = vec![0; repr.buffer_len()];
    repr.emit(&mut arp::Packet::new_unchecked(&mut out[..]));
    assert_eq!(
        out, payload,
        "ARP round trip (the frame carries no padding)"
    );
    (eth, repr)
}

/// The IPv4 header (checksum verified) and payload of an IPv4 frame. The
/// header must re-emit byte for byte, and the frame must end where the
/// datagram does (veth captures carry no link padding).
pub fn ipv4(frame: &[u8]) -> (ipv4::Repr, &[u8]) {
    let (eth, bytes) = ethernet(frame);
    assert_eq!(eth.ethertype, ethernet::EtherType::Ipv4);
    let view = ipv4::Packet::new_checked(bytes).expect("IPv4 packet");
    let repr = ipv4::Repr::parse(&view).expect("IPv4 header");
    assert_eq!(
        repr.buffer_len(),
        bytes.len(),
        "no padding after the datagram"
    );
    let mut out = bytes.to_vec();
    repr.emit(&mut ipv4::Packet::new_unchecked(&mut out[..]));
    assert_eq!(out, bytes, "IPv4 header round trip");
    (repr, view.payload())
}

/// A UDP datagram inside an IPv4 frame.
#[derive(Debug)]
pub struct Udp<'a> {
    pub ip: ipv4::Repr,
    pub udp: udp::Repr,
    /// The UDP checksum field, verified by the parse.
    pub checksum: u16,
    pub payload: &'a [u8],
}

/// Decodes down to UDP (checksum verified); the datagram must re-emit
/// byte for byte.
pub fn udp(frame: &[u8]) -> Udp<'_> {
    let (ip, bytes) = ipv4(frame);
    assert_eq!(ip.protocol, ipv4::Protocol::Udp);
    let view = udp::Packet::new_checked(bytes).expect("UDP datagram");
    let repr = udp::Repr::parse(&view, ip.src_addr, ip.dst_addr).expect("UDP checksum");
    assert_eq!(usize::from(view.len()), bytes.len(), "UDP length field");
    let payload = view.payload();
    let mut out = vec![0; repr.buffer_len(payload.len())];
    repr.emit(
        &mut udp::Packet::new_unchecked(&mut out[..]),
        ip.src_addr,
        ip.dst_addr,
        payload,
    );
    assert_eq!(out, bytes, "UDP round trip");
    Udp {
        ip,
        udp: repr,
        checksum: view.checksum(),
        payload,
    }
}

/// Decodes down to TCP (checksum verified); the segment, options included,
/// must re-emit byte for byte. Also returns the checksum field.
pub fn tcp(frame: &[u8]) -> (ipv4::Repr, tcp::Repr<'_>, u16) {
    let (ip, bytes) = ipv4(frame);
    assert_eq!(ip.protocol, ipv4::Protocol::Tcp);
    let view = tcp::Packet::new_checked(bytes).expect("TCP segment");
    let repr = tcp::Repr::parse(&view, ip.src_addr, ip.dst_addr).expect("TCP segment");
    assert_eq!(emit_tcp(&repr, &ip), bytes, "TCP round trip");
    (ip, repr, view.checksum())
}

/// What our TCP emitter writes for `repr` between the addresses of `ip`.
pub fn emit_tcp(repr: &tcp::Repr<'_>, ip: &ipv4::Repr) -> Vec<u8> {
    let mut out = vec![0; repr.buffer_len()];
    repr.emit(
        &mut tcp::Packet::new_unchecked(&mut out[..]),
        ip.src_addr,
        ip.dst_addr,
    );
    out
}

/// Decodes an ICMP message (checksum verified) that must re-emit byte for
/// byte. Also returns the checksum field.
pub fn icmp_message(bytes: &[u8]) -> (icmpv4::Repr<'_>, u16) {
    let view = icmpv4::Packet::new_checked(bytes).expect("ICMP message");
    let repr = icmpv4::Repr::parse(&view).expect("ICMP message");
    assert_eq!(emit_icmp(&repr), bytes, "ICMP round trip");
    (repr, view.checksum())
}

/// What our ICMP emitter writes for `repr`.
pub fn emit_icmp(repr: &icmpv4::Repr<'_>) -> Vec<u8> {
    let mut out = vec![0; repr.buffer_len()];
    repr.emit(&mut icmpv4::Packet::new_unchecked(&mut out[..]));
    out
}

/// Decodes down to ICMP in an unfragmented IPv4 frame.
pub fn icmp(frame: &[u8]) -> (ipv4::Repr, icmpv4::Repr<'_>, u16) {
    let (ip, bytes) = ipv4(frame);
    assert_eq!(ip.protocol, ipv4::Protocol::Icmp);
    let (repr, checksum) = icmp_message(bytes);
    (ip, repr, checksum)
}

/// Every frame `stack` has to send at `now`, drained as a driver does: until
/// `transmit` has nothing and `poll_at` asks for no wake-up by `now` (a
/// datagram waiting for ARP makes `transmit` stop once before the request).
pub fn transmit_all<R: RngCore>(stack: &mut Stack<'_, R>, now: Instant) -> Vec<Vec<u8>> {
    let mut buf = [0u8; 1600];
    let mut frames = Vec::new();
    for _ in 0..8 {
        let before = frames.len();
        while let Some(n) = stack.transmit(now, &mut buf) {
            frames.push(buf[..n].to_vec());
        }
        let due = stack.poll_at().is_some_and(|t| t <= now);
        if frames.len() == before && !due {
            break;
        }
    }
    frames
}

/// Feeds the client's golden ARP request for the server to `stack`, which
/// thereby learns the client's MAC, and returns the stack's answer: a
/// stack at the server's address must reply; the reply is drained so that
/// the next frame out is the one a test is after.
pub fn learn_client<R: RngCore>(stack: &mut Stack<'_, R>, now: Instant) -> Vec<Vec<u8>> {
    let request = &capture("arp.pcap")[0];
    stack.receive(now, request);
    transmit_all(stack, now)
}

/// The options every Linux SYN and SYN-ACK in the captures carries: MSS
/// 1460, SACK permitted, timestamps, window scale 10 (on the wire in that
/// order with one NOP before the scale, which the round trip in [`tcp`]
/// proves our emitter reproduces).
pub fn assert_linux_syn_options(repr: &tcp::Repr<'_>, tsval: u32, tsecr: u32) {
    assert_eq!(repr.max_seg_size, Some(1460));
    assert!(repr.sack_permitted);
    assert_eq!(repr.timestamp, Some(tcp::Timestamp { tsval, tsecr }));
    assert_eq!(repr.window_scale, Some(10));
    assert_eq!(repr.sack_ranges, [None; tcp::MAX_SACK_BLOCKS]);
    assert_eq!(repr.header_len(), 40);
}
