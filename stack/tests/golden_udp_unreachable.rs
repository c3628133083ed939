//! `udp_unreachable.pcap`: a UDP datagram to closed port 9 and Linux's ICMP
//! port unreachable quoting all of it, decoded by our wire layer; a live
//! stack answers the same datagram with a port unreachable quoting it.

#[path = "golden/layers.rs"]
mod layers;
mod support;

use layers::*;
use seqs::stats::{Disposition, DropReason};
use seqs::time::Instant;
use seqs::wire::icmpv4::{DstUnreachable, Quote, Repr};
use seqs::wire::{ipv4, udp};

const PAYLOAD: &[u8] = b"seqs golden: nobody listens here\n";

#[test]
fn datagram_decodes_field_by_field() {
    let frame = &capture("udp_unreachable.pcap")[0];
    let d = layers::udp(frame);
    assert_eq!((d.ip.src_addr, d.ip.dst_addr), (CLIENT, SERVER));
    assert_eq!((d.ip.ident, d.ip.dont_frag, d.ip.ttl), (0x183e, true, 64));
    assert_eq!((d.udp.src_port, d.udp.dst_port), (40009, 9));
    assert_eq!(d.checksum, 0x826c);
    assert_eq!(d.payload, PAYLOAD);
}

#[test]
fn port_unreachable_decodes_and_quotes_the_whole_datagram() {
    let frames = capture("udp_unreachable.pcap");
    let (ip, icmp, checksum) = layers::icmp(&frames[1]);
    assert_eq!((ip.src_addr, ip.dst_addr), (SERVER, CLIENT));
    assert_eq!((ip.dscp_ecn, ip.ident, ip.dont_frag), (0xc0, 0xbf38, false));
    assert_eq!(checksum, 0x813b);
    let Repr::DstUnreachable {
        reason: DstUnreachable::PortUnreachable,
        data,
    } = icmp
    else {
        panic!("{icmp:?}");
    };
    assert_eq!(data, &frames[0][L3..], "the whole offending datagram");
    let quote = Quote::parse(data).unwrap();
    assert_eq!(
        (quote.src_addr, quote.dst_addr, quote.protocol, quote.ident),
        (CLIENT, SERVER, ipv4::Protocol::Udp, 0x183e)
    );
    // Quoted whole, the datagram still passes its own UDP checksum.
    let quoted = udp::Packet::new_checked(quote.payload).unwrap();
    let repr = udp::Repr::parse(&quoted, quote.src_addr, quote.dst_addr).unwrap();
    assert_eq!((repr.src_port, repr.dst_port), (40009, 9));
    assert_eq!(quoted.payload(), PAYLOAD);
    // Our constructor quotes a datagram this short whole too: same bytes.
    let ours = Repr::dst_unreachable(DstUnreachable::PortUnreachable, &frames[0][L3..]);
    assert_eq!(emit_icmp(&ours), &frames[1][L4..]);
}

#[test]
fn stack_answers_a_closed_port_with_port_unreachable() {
    let frames = capture("udp_unreachable.pcap");
    let mut server = support::silent_stack(1);
    let now = Instant::from_secs(1);
    learn_client(&mut server, now);
    assert_eq!(
        server.receive(now, &frames[0]),
        Disposition::Dropped(DropReason::UdpNoSocket)
    );
    let sent = transmit_all(&mut server, now);
    assert_eq!(sent.len(), 1, "one port unreachable");
    assert_eq!(ethernet(&sent[0]).0.dst_addr, CLIENT_MAC);
    let (ip, icmp, _) = layers::icmp(&sent[0]);
    assert_eq!((ip.src_addr, ip.dst_addr), (SERVER, CLIENT));
    let Repr::DstUnreachable {
        reason: DstUnreachable::PortUnreachable,
        data,
    } = icmp
    else {
        panic!("{icmp:?}");
    };
    // RFC 1122 3.2.2 asks for the IP header and at least 8 payload bytes,
    // which is what we quote; Linux quotes the whole datagram. Ours must be
    // the start of Linux's quote.
    let linux_quote = &frames[1][L4 + 8..];
    assert_eq!(data.len(), ipv4::HEADER_LEN + 8);
    assert_eq!(data, &linux_quote[..data.len()]);
}
