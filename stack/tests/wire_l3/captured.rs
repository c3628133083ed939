//! Frames the Linux kernel sent, captured rather than made up: two network
//! namespaces joined by a veth pair (checksum offload off, so every checksum
//! is on the wire), 192.0.2.1 (`a`) and 192.0.2.2 (`b`), captured on `a`'s
//! side with `tcpdump -i vA -w linux.pcap` while `a` ran
//!
//! ```text
//! ping -c1 192.0.2.2                  # frames 1-4: ARP request/reply, echo request/reply
//! ping -c1 -s 3000 -M dont 192.0.2.2  # frames 5-10: echo in three fragments each way
//! ping -c1 -R 192.0.2.2               # frames 11-12: echo with a record-route option
//! echo hello | socat -u - UDP:192.0.2.2:9,sourceport=40000
//!                                     # frames 13-14: UDP, and b's port unreachable
//! ```
//!
//! Every layer of every frame must parse, and re-emit to the same bytes.

use seqs::wire::{arp, ethernet, icmpv4, ipv4, udp, EthernetAddress, Ipv4Addr};

const PCAP: &[u8] = include_bytes!("linux.pcap");

const A: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const B: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

/// The frames of a little-endian, microsecond pcap file, numbered from 1 as
/// Wireshark numbers them (index 0 is empty).
fn frames() -> Vec<&'static [u8]> {
    let u32_at = |at: usize| u32::from_le_bytes(PCAP[at..at + 4].try_into().unwrap()) as usize;
    assert_eq!(u32_at(0), 0xa1b2_c3d4, "little-endian microsecond pcap");
    let mut frames = vec![&PCAP[..0]];
    let mut at = 24;
    while at < PCAP.len() {
        let len = u32_at(at + 8);
        frames.push(&PCAP[at + 16..at + 16 + len]);
        at += 16 + len;
    }
    frames
}

fn ethernet_payload(frame: &[u8]) -> &[u8] {
    ethernet::Frame::new_checked(frame).unwrap().payload()
}

fn ipv4_of(frame: &[u8]) -> (ipv4::Repr, ipv4::Packet<&[u8]>) {
    let packet = ipv4::Packet::new_checked(ethernet_payload(frame)).unwrap();
    (ipv4::Repr::parse(&packet).unwrap(), packet)
}

/// Re-emits each layer it knows and compares with the captured bytes.
fn assert_re_emits(frame: &[u8]) {
    let eth = ethernet::Frame::new_checked(frame).unwrap();
    let eth_repr = ethernet::Repr::parse(&eth).unwrap();
    let mut out = frame.to_vec();
    eth_repr.emit(&mut ethernet::Frame::new_unchecked(&mut out[..]));
    assert_eq!(out, frame);
    match eth_repr.ethertype {
        ethernet::EtherType::Arp => {
            let repr = arp::Repr::parse(&arp::Packet::new_checked(eth.payload()).unwrap()).unwrap();
            let mut out = [0; arp::PACKET_LEN];
            repr.emit(&mut arp::Packet::new_unchecked(&mut out[..]));
            assert_eq!(out, eth.payload()[..arp::PACKET_LEN]);
        }
        ethernet::EtherType::Ipv4 => assert_ipv4_re_emits(eth.payload()),
        other => panic!("unexpected ethertype {other:?}"),
    }
}

fn assert_ipv4_re_emits(bytes: &[u8]) {
    let packet = ipv4::Packet::new_checked(bytes).unwrap();
    let repr = ipv4::Repr::parse(&packet).unwrap();
    if packet.header_len() == ipv4::HEADER_LEN {
        let mut out = bytes.to_vec();
        repr.emit(&mut ipv4::Packet::new_unchecked(&mut out[..]));
        assert_eq!(out, bytes);
    }
    if repr.is_fragment() {
        return;
    }
    let payload = packet.payload();
    let mut out = vec![0; payload.len()];
    match repr.protocol {
        ipv4::Protocol::Icmp => {
            let icmp = icmpv4::Repr::parse(&icmpv4::Packet::new_checked(payload).unwrap()).unwrap();
            icmp.emit(&mut icmpv4::Packet::new_unchecked(&mut out[..]));
        }
        ipv4::Protocol::Udp => {
            let datagram = udp::Packet::new_checked(payload).unwrap();
            let udp_repr = udp::Repr::parse(&datagram, repr.src_addr, repr.dst_addr).unwrap();
            let mut view = udp::Packet::new_unchecked(&mut out[..]);
            udp_repr.emit(&mut view, repr.src_addr, repr.dst_addr, datagram.payload());
        }
        other => panic!("unexpected protocol {other:?}"),
    }
    assert_eq!(out, payload);
}

#[test]
fn every_layer_of_every_frame_re_emits() {
    let frames = frames();
    assert_eq!(frames.len(), 15);
    for (number, frame) in frames.iter().enumerate().skip(1) {
        eprintln!("frame {number}");
        assert_re_emits(frame);
    }
}

#[test]
fn arp_exchange() {
    let frames = frames();
    let parse =
        |frame| arp::Repr::parse(&arp::Packet::new_checked(ethernet_payload(frame)).unwrap());
    let request = parse(frames[1]).unwrap();
    let reply = parse(frames[2]).unwrap();
    let eth_request = ethernet::Frame::new_checked(frames[1]).unwrap();
    assert_eq!(eth_request.dst_addr(), EthernetAddress::BROADCAST);
    assert_eq!(request.operation, arp::Operation::Request);
    assert_eq!(request.source_hardware_addr, eth_request.src_addr());
    assert_eq!(
        (request.source_protocol_addr, request.target_protocol_addr),
        (A, B)
    );
    assert_eq!(request.target_hardware_addr, EthernetAddress([0; 6]));
    assert_eq!(reply.operation, arp::Operation::Reply);
    assert_eq!(
        (reply.source_protocol_addr, reply.target_protocol_addr),
        (B, A)
    );
    assert_eq!(reply.target_hardware_addr, request.source_hardware_addr);
}

#[test]
fn echo_request_fields() {
    let frames = frames();
    let (ip, packet) = ipv4_of(frames[3]);
    assert_eq!((ip.src_addr, ip.dst_addr, ip.ttl), (A, B, 64));
    assert!(ip.dont_frag && !ip.is_fragment());
    let icmp = icmpv4::Repr::parse(&icmpv4::Packet::new_checked(packet.payload()).unwrap());
    let Ok(icmpv4::Repr::EchoRequest {
        ident,
        seq_no,
        data,
    }) = icmp
    else {
        panic!("not an echo request: {icmp:?}")
    };
    assert_eq!((ident, seq_no, data.len()), (0x6ae7, 1, 56));
}

/// The three fragments of a 3008-byte ICMP message: offsets in bytes, MF on
/// all but the last; put back together by offset, the ICMP checksum holds.
#[test]
fn fragments_reassemble_to_a_valid_echo() {
    let frames = frames();
    let mut whole = vec![0u8; 3008];
    let mut expected_offset = 0;
    for (i, frame) in frames[5..=7].iter().enumerate() {
        let (ip, packet) = ipv4_of(frame);
        assert_eq!(ip.ident, 0xd01e);
        assert_eq!(ip.protocol, ipv4::Protocol::Icmp);
        assert_eq!(ip.more_frags, i < 2);
        assert_eq!(usize::from(ip.frag_offset), expected_offset);
        let end = expected_offset + ip.payload_len;
        whole[expected_offset..end].copy_from_slice(packet.payload());
        expected_offset = end;
    }
    assert_eq!(expected_offset, whole.len());
    let icmp = icmpv4::Repr::parse(&icmpv4::Packet::new_checked(&whole[..]).unwrap()).unwrap();
    assert!(matches!(icmp, icmpv4::Repr::EchoRequest { data, .. } if data.len() == 3000));
}

#[test]
fn record_route_option_is_skipped() {
    let frames = frames();
    let (ip, packet) = ipv4_of(frames[11]);
    assert_eq!(packet.header_len(), 60);
    assert_eq!(packet.options()[..2], [1, 7], "NOP, record route");
    assert_eq!(ip.payload_len, 64);
    let icmp = icmpv4::Repr::parse(&icmpv4::Packet::new_checked(packet.payload()).unwrap());
    assert!(matches!(icmp, Ok(icmpv4::Repr::EchoRequest { .. })));
}

#[test]
fn udp_datagram() {
    let frames = frames();
    let (ip, packet) = ipv4_of(frames[13]);
    let datagram = udp::Packet::new_checked(packet.payload()).unwrap();
    assert_eq!(
        udp::Repr::parse(&datagram, ip.src_addr, ip.dst_addr),
        Ok(udp::Repr {
            src_port: 40000,
            dst_port: 9
        })
    );
    assert_eq!(datagram.payload(), b"hello\n");
}

/// Our port-unreachable error about frame 13 is, byte for byte, the one the
/// kernel sent back (frame 14), and its quote leads back to the socket.
#[test]
fn port_unreachable_matches_the_kernel() {
    let frames = frames();
    let offending = ethernet_payload(frames[13]);
    let (_, reply) = ipv4_of(frames[14]);
    let ours = icmpv4::Repr::dst_unreachable(icmpv4::DstUnreachable::PortUnreachable, offending);
    let mut out = vec![0; ours.buffer_len()];
    ours.emit(&mut icmpv4::Packet::new_unchecked(&mut out[..]));
    assert_eq!(out, reply.payload());

    let theirs = icmpv4::Repr::parse(&icmpv4::Packet::new_checked(reply.payload()).unwrap());
    let Ok(icmpv4::Repr::DstUnreachable { data, .. }) = theirs else {
        panic!("not unreachable: {theirs:?}")
    };
    let quote = icmpv4::Quote::parse(data).unwrap();
    assert_eq!((quote.src_addr, quote.dst_addr), (A, B));
    assert_eq!(quote.protocol, ipv4::Protocol::Udp);
    let quoted = udp::Packet::new_checked(quote.payload).unwrap();
    assert_eq!((quoted.src_port(), quoted.dst_port()), (40000, 9));
}
