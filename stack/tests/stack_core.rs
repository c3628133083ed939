//! The stack core driven through its sans-IO contract: ARP, IPv4, ICMP, UDP.

mod support;

use std::net::SocketAddrV4;

use etherparse::PacketBuilder;
use seqs::arp::Lookup;
use seqs::stats::{Consumer, Disposition, DropReason};
use seqs::time::{Duration, Instant};
use seqs::udp::SendError;
use seqs::wire::{ethernet, ipv4, EthernetAddress};
use support::*;

fn secs(s: u64) -> Instant {
    Instant::from_secs(s)
}

/// An Ethernet+IPv4+UDP frame built by an independent implementation.
fn udp_frame(
    dst_mac: EthernetAddress,
    src: u8,
    dst: [u8; 4],
    dst_port: u16,
    payload: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    PacketBuilder::ethernet2(mac(src).0, dst_mac.0)
        .ipv4(ip(src).octets(), dst, 64)
        .udp(4000, dst_port)
        .write(&mut out, payload)
        .unwrap();
    out
}

fn ethertype(frame: &[u8]) -> ethernet::EtherType {
    ethernet::Frame::new_checked(frame).unwrap().ethertype()
}

#[test]
fn arp_resolves_then_udp_flows() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    let a = link.nodes[0].add_udp_socket(udp_socket(4, 4096)).unwrap();
    let b = link.nodes[1].add_udp_socket(udp_socket(4, 4096)).unwrap();
    link.nodes[0].bind_udp(a, 1000).unwrap();
    link.nodes[1].bind_udp(b, 2000).unwrap();
    link.run_for(Duration::from_secs(5)); // let the announcements pass
    link.log.clear();

    link.nodes[0]
        .udp(a)
        .unwrap()
        .send_slice(b"hello", SocketAddrV4::new(ip(2), 2000))
        .unwrap();
    link.run_for(Duration::from_millis(10));

    let (data, meta) = link.nodes[1]
        .udp(b)
        .unwrap()
        .recv()
        .map(|(d, m)| (d.to_vec(), m))
        .unwrap();
    assert_eq!(data, b"hello");
    assert_eq!(meta.remote, SocketAddrV4::new(ip(1), 1000));
    assert_eq!(meta.local_addr, ip(2));
    let kinds: Vec<_> = link
        .log
        .iter()
        .map(|s| (s.from, ethertype(&s.frame)))
        .collect();
    assert_eq!(
        kinds,
        [
            (0, ethernet::EtherType::Arp),
            (1, ethernet::EtherType::Arp),
            (0, ethernet::EtherType::Ipv4)
        ],
        "request, reply, then the datagram"
    );
    assert_eq!(
        link.nodes[0].neighbor(link.now, ip(2)),
        Some(Lookup::Found(mac(2)))
    );
    // The requester's address was learned by the target from the request.
    assert_eq!(
        link.nodes[1].neighbor(link.now, ip(1)),
        Some(Lookup::Found(mac(1)))
    );
}

#[test]
fn arp_entry_expires_and_is_resolved_again() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    let a = link.nodes[0].add_udp_socket(udp_socket(4, 4096)).unwrap();
    link.nodes[0].bind_udp(a, 1000).unwrap();
    link.nodes[0]
        .udp(a)
        .unwrap()
        .send_slice(b"1", SocketAddrV4::new(ip(2), 9))
        .unwrap();
    link.run_until(secs(10));
    assert_eq!(
        link.nodes[0].neighbor(link.now, ip(2)),
        Some(Lookup::Found(mac(2)))
    );
    // Node 2's second announcement (at 2 s, plus 100 us on the link)
    // refreshed the entry: it lives 60 s from then.
    link.run_until(secs(62));
    assert_eq!(
        link.nodes[0].neighbor(link.now, ip(2)),
        Some(Lookup::Found(mac(2)))
    );
    link.run_until(secs(62) + Duration::from_micros(100));
    assert_eq!(
        link.nodes[0].neighbor(link.now, ip(2)),
        None,
        "lifetime is 60 s"
    );
    let before = link.sent_by(0).count();
    link.nodes[0]
        .udp(a)
        .unwrap()
        .send_slice(b"2", SocketAddrV4::new(ip(2), 9))
        .unwrap();
    link.run_for(Duration::from_millis(10));
    let new: Vec<_> = link
        .sent_by(0)
        .skip(before)
        .map(|s| ethertype(&s.frame))
        .collect();
    assert_eq!(new, [ethernet::EtherType::Arp, ethernet::EtherType::Ipv4]);
}

#[test]
fn unanswered_arp_retries_on_time_then_drops_the_queued_datagram() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    link.muted[1] = true; // node 2 is deaf-mute: no ARP replies ever come back
    let a = link.nodes[0].add_udp_socket(udp_socket(4, 4096)).unwrap();
    link.nodes[0].bind_udp(a, 1000).unwrap();
    link.run_until(secs(100));
    link.log.clear();
    let start = link.now;
    link.nodes[0]
        .udp(a)
        .unwrap()
        .send_slice(b"lost", SocketAddrV4::new(ip(2), 9))
        .unwrap();
    link.run_for(Duration::from_secs(20));

    let requests: Vec<_> = link.sent_by(0).map(|s| s.at - start).collect();
    assert_eq!(
        requests,
        [
            Duration::ZERO,
            Duration::from_secs(1),
            Duration::from_secs(3)
        ]
    );
    let counters = link.nodes[0].counters();
    assert_eq!(counters.drops(DropReason::NeighborUnreachable), 1);
    assert_eq!(link.nodes[0].udp(a).unwrap().counters().tx_dropped, 1);
    assert_eq!(link.nodes[0].poll_at(), None, "nothing left to do");
}

#[test]
fn transmit_queue_bounds_packets_waiting_for_resolution() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    link.muted[1] = true;
    let a = link.nodes[0].add_udp_socket(udp_socket(2, 4096)).unwrap();
    link.nodes[0].bind_udp(a, 1000).unwrap();
    let to = SocketAddrV4::new(ip(2), 9);
    link.nodes[0].udp(a).unwrap().send_slice(b"1", to).unwrap();
    link.nodes[0].udp(a).unwrap().send_slice(b"2", to).unwrap();
    link.drain_all();
    assert_eq!(
        link.nodes[0].udp(a).unwrap().send_slice(b"3", to),
        Err(SendError::BufferFull)
    );
    link.run_for(Duration::from_secs(10));
    assert_eq!(
        link.nodes[0]
            .counters()
            .drops(DropReason::NeighborUnreachable),
        2
    );
}

#[test]
fn gratuitous_arp_announces_a_new_address_twice() {
    let mut link = Link::new(vec![stack(1, false), stack(2, true)]);
    link.run_until(secs(10));
    link.log.clear();
    link.nodes[0].set_ipv4_address(link.now, seqs::wire::Ipv4Cidr::new(ip(1), 24));
    link.run_for(Duration::from_secs(10));
    let announcements: Vec<_> = link.sent_by(0).map(|s| s.at).collect();
    assert_eq!(announcements, [secs(10), secs(12)]);
    let frame = &link.sent_by(0).next().unwrap().frame;
    let arp =
        seqs::wire::arp::Repr::parse(&seqs::wire::arp::Packet::new_checked(&frame[14..]).unwrap())
            .unwrap();
    assert_eq!(arp.source_protocol_addr, ip(1));
    assert_eq!(arp.target_protocol_addr, ip(1));
    // The peer refreshed nothing it did not already know, and learned
    // nothing unsolicited (RFC 826 merge rule).
    assert_eq!(link.nodes[1].neighbor(link.now, ip(1)), None);
}

#[test]
fn address_conflict_is_reported() {
    let mut link = Link::new(vec![stack(1, true), stack(2, false)]);
    link.run_until(secs(5));
    link.nodes[1].set_ipv4_address(link.now, seqs::wire::Ipv4Cidr::new(ip(1), 24));
    link.run_for(Duration::from_secs(1));
    let conflict = link.nodes[0]
        .address_conflict()
        .expect("node 1 sees 2 claim its address");
    assert_eq!((conflict.addr, conflict.mac), (ip(1), mac(2)));
}

#[test]
fn ipv4_destination_filtering() {
    let mut s = stack(2, true);
    let h = s.add_udp_socket(udp_socket(8, 4096)).unwrap();
    s.bind_udp(h, 7).unwrap();
    let now = secs(1);
    let bcast = EthernetAddress::BROADCAST;
    let cases = [
        (
            udp_frame(mac(2), 1, ip(2).octets(), 7, b"u"),
            Disposition::Consumed(Consumer::Udp),
        ),
        (
            udp_frame(bcast, 1, [255; 4], 7, b"l"),
            Disposition::Consumed(Consumer::Udp),
        ),
        (
            udp_frame(bcast, 1, [192, 0, 2, 255], 7, b"s"),
            Disposition::Consumed(Consumer::Udp),
        ),
        (
            udp_frame(mac(2), 1, ip(9).octets(), 7, b"f"),
            Disposition::Dropped(DropReason::Ipv4NotForUs),
        ),
        (
            udp_frame(mac(2), 1, [224, 0, 0, 1], 7, b"m"),
            Disposition::Dropped(DropReason::Ipv4NotForUs),
        ),
        (
            udp_frame(mac(3), 1, ip(2).octets(), 7, b"x"),
            Disposition::Dropped(DropReason::NotOurMac),
        ),
    ];
    for (frame, expected) in cases {
        assert_eq!(s.receive(now, &frame), expected);
    }
    let got: Vec<_> = std::iter::from_fn(|| {
        s.udp(h)
            .unwrap()
            .recv()
            .ok()
            .map(|(d, m)| (d.to_vec(), m.local_addr))
    })
    .collect();
    assert_eq!(
        got,
        [
            (b"u".to_vec(), ip(2)),
            (b"l".to_vec(), [255, 255, 255, 255].into()),
            (b"s".to_vec(), [192, 0, 2, 255].into())
        ]
    );
}

#[test]
fn corrupted_checksums_are_dropped_and_counted() {
    let mut s = stack(2, true);
    let mut frame = udp_frame(mac(2), 1, ip(2).octets(), 7, b"payload");
    frame[24] ^= 0x01; // IPv4 header checksum
    assert_eq!(
        s.receive(secs(1), &frame),
        Disposition::Dropped(DropReason::Ipv4Checksum)
    );
    let mut frame = udp_frame(mac(2), 1, ip(2).octets(), 7, b"payload");
    let last = frame.len() - 1;
    frame[last] ^= 0x10; // UDP payload
    assert_eq!(
        s.receive(secs(1), &frame),
        Disposition::Dropped(DropReason::UdpChecksum)
    );
    assert_eq!(s.counters().total_drops(), 2);
}

/// A UDP datagram to port 7 split into IPv4 fragments of `chunk` bytes.
fn fragments(ident: u16, payload: &[u8], chunk: usize) -> Vec<Vec<u8>> {
    let mut udp = vec![0u8; 8 + payload.len()];
    let repr = seqs::wire::udp::Repr {
        src_port: 4000,
        dst_port: 7,
    };
    repr.emit(
        &mut seqs::wire::udp::Packet::new_unchecked(&mut udp[..]),
        ip(1),
        ip(2),
        payload,
    );
    udp.chunks(chunk)
        .enumerate()
        .map(|(i, piece)| {
            let header = ipv4::Repr {
                src_addr: ip(1),
                dst_addr: ip(2),
                protocol: ipv4::Protocol::Udp,
                payload_len: piece.len(),
                ttl: 64,
                dscp_ecn: 0,
                ident,
                dont_frag: false,
                more_frags: (i + 1) * chunk < udp.len(),
                frag_offset: (i * chunk) as u16,
            };
            let mut frame = vec![0u8; 14 + header.buffer_len()];
            let eth = ethernet::Repr {
                src_addr: mac(1),
                dst_addr: mac(2),
                ethertype: ethernet::EtherType::Ipv4,
                vlan: None,
            };
            eth.emit(&mut ethernet::Frame::new_unchecked(&mut frame[..]));
            let mut packet = ipv4::Packet::new_unchecked(&mut frame[14..]);
            header.emit(&mut packet);
            packet.payload_mut().copy_from_slice(piece);
            frame
        })
        .collect()
}

fn received(s: &mut TestStack, h: seqs::socket::Handle<seqs::socket::Udp>) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| s.udp(h).unwrap().recv().ok().map(|(d, _)| d.to_vec())).collect()
}

#[test]
fn fragments_reassemble_in_and_out_of_order() {
    let payload: Vec<u8> = (0..200u8).collect();
    for order in [vec![0, 1, 2, 3], vec![3, 1, 0, 2], vec![2, 3, 1, 0]] {
        let mut s = stack(2, true);
        let h = s.add_udp_socket(udp_socket(4, 4096)).unwrap();
        s.bind_udp(h, 7).unwrap();
        let frags = fragments(1, &payload, 56);
        assert_eq!(frags.len(), 4);
        for &i in &order {
            s.receive(secs(1), &frags[i]);
        }
        assert_eq!(
            received(&mut s, h),
            std::slice::from_ref(&payload),
            "order {order:?}"
        );
        assert_eq!(s.counters().fragments_in, 3);
        assert_eq!(s.counters().datagrams_reassembled, 1);
    }
}

#[test]
fn overlapping_fragments_discard_the_datagram() {
    let payload: Vec<u8> = (0..200u8).collect();
    let mut s = stack(2, true);
    let h = s.add_udp_socket(udp_socket(4, 4096)).unwrap();
    s.bind_udp(h, 7).unwrap();
    let by_56 = fragments(5, &payload, 56);
    let by_48 = fragments(5, &payload, 48);
    s.receive(secs(1), &by_56[0]);
    assert_eq!(
        s.receive(secs(1), &by_48[1]),
        Disposition::Dropped(DropReason::FragmentOverlap)
    );
    for f in &by_56[1..] {
        s.receive(secs(1), f);
    }
    assert!(
        received(&mut s, h).is_empty(),
        "a discarded datagram never completes"
    );
}

#[test]
fn incomplete_datagram_times_out_on_poll_at() {
    let payload: Vec<u8> = (0..200u8).collect();
    let mut s = silent_stack(2);
    s.receive(secs(1), &fragments(9, &payload, 56)[0]);
    assert_eq!(s.poll_at(), Some(secs(16)));
    let mut buf = [0u8; 1600];
    assert_eq!(s.transmit(secs(16), &mut buf), None);
    assert_eq!(s.counters().drops(DropReason::FragmentTimeout), 1);
    assert_eq!(s.poll_at(), None);
}

#[test]
fn fragment_slots_are_bounded() {
    let payload: Vec<u8> = (0..200u8).collect();
    let mut s = stack(2, true);
    let slots = seqs::iface::Capacities::default().fragment_slots as u16;
    for ident in 0..slots {
        assert_eq!(
            s.receive(secs(1), &fragments(ident, &payload, 56)[0]),
            Disposition::Consumed(Consumer::Fragment)
        );
    }
    let extra = fragments(slots, &payload, 56);
    assert_eq!(
        s.receive(secs(1), &extra[0]),
        Disposition::Dropped(DropReason::FragmentNoSlot)
    );
}

#[test]
fn ping_gets_echo_reply_with_rtt() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    link.latency = Duration::from_millis(3);
    link.run_until(secs(5));
    let p = link.nodes[0].add_icmp_socket(icmp_socket()).unwrap();
    link.nodes[0]
        .icmp(p)
        .unwrap()
        .send_echo(ip(2), 1, b"ping data")
        .unwrap();
    link.run_for(Duration::from_secs(1));
    link.nodes[0]
        .icmp(p)
        .unwrap()
        .send_echo(ip(2), 2, b"again")
        .unwrap();
    link.run_for(Duration::from_secs(1));
    let socket = link.nodes[0].icmp(p).unwrap();
    let (first, data) = socket.recv().map(|(r, d)| (r, d.to_vec())).unwrap();
    assert_eq!(
        (first.from, first.seq_no, data.as_slice()),
        (ip(2), 1, &b"ping data"[..])
    );
    // ARP takes one round trip before the echo's own.
    assert_eq!(first.rtt, Some(Duration::from_millis(6)));
    let (second, _) = socket.recv().unwrap();
    assert_eq!(
        (second.seq_no, second.rtt),
        (2, Some(Duration::from_millis(6)))
    );
}

#[test]
fn echo_queue_overflow_is_counted() {
    let mut s = silent_stack(2);
    let outcomes: Vec<_> = (0..10)
        .map(|_| s.receive(secs(1), &outcome_probe()))
        .collect();
    // Node 1's MAC is unknown, so replies wait in the 8-slot ICMP queue.
    assert_eq!(
        outcomes
            .iter()
            .filter(|&&d| d == Disposition::Consumed(Consumer::Icmp))
            .count(),
        8
    );
    assert_eq!(s.counters().drops(DropReason::IcmpQueueFull), 2);
}

#[test]
fn echo_replies_are_rate_limited() {
    let mut s = silent_stack(2);
    s.receive(secs(1), &arp_request(1, 2));
    let mut buf = [0u8; 1600];
    let mut outcomes = Vec::new();
    let mut replies = 0;
    for seq in 0..15u16 {
        let mut frame = Vec::new();
        PacketBuilder::ethernet2(mac(1).0, mac(2).0)
            .ipv4(ip(1).octets(), ip(2).octets(), 64)
            .icmpv4_echo_request(1, seq)
            .write(&mut frame, b"x")
            .unwrap();
        outcomes.push(s.receive(secs(1), &frame));
        while s.transmit(secs(1), &mut buf).is_some() {
            replies += 1;
        }
    }
    let limited = outcomes
        .iter()
        .filter(|&&d| d == Disposition::Dropped(DropReason::IcmpRateLimited))
        .count();
    // The ARP reply to node 1's request, then one echo reply per token.
    assert_eq!(
        (replies, limited),
        (1 + 10, 5),
        "a burst of 10, then nothing within the same instant"
    );
    let later = secs(1) + Duration::from_millis(10);
    s.receive(later, &outcome_probe());
    assert!(s.transmit(later, &mut buf).is_some(), "one token per 10 ms");
}

fn outcome_probe() -> Vec<u8> {
    let mut frame = Vec::new();
    PacketBuilder::ethernet2(mac(1).0, mac(2).0)
        .ipv4(ip(1).octets(), ip(2).octets(), 64)
        .icmpv4_echo_request(1, 99)
        .write(&mut frame, b"x")
        .unwrap();
    frame
}

#[test]
fn closed_udp_port_gets_port_unreachable_quoting_the_datagram() {
    let mut s = stack(2, true);
    s.receive(
        secs(1),
        &udp_frame(mac(2), 1, ip(2).octets(), 9999, b"knock"),
    );
    assert_eq!(s.counters().drops(DropReason::UdpNoSocket), 1);
    // The reply needs node 1's MAC: it goes out after ARP.
    let mut buf = [0u8; 1600];
    let n = s.transmit(secs(1), &mut buf).unwrap();
    assert_eq!(ethertype(&buf[..n]), ethernet::EtherType::Arp);
    let reply = seqs::wire::arp::Repr {
        operation: seqs::wire::arp::Operation::Reply,
        source_hardware_addr: mac(1),
        source_protocol_addr: ip(1),
        target_hardware_addr: mac(2),
        target_protocol_addr: ip(2),
    };
    let mut frame = vec![0u8; 14 + reply.buffer_len()];
    ethernet::Repr {
        src_addr: mac(1),
        dst_addr: mac(2),
        ethertype: ethernet::EtherType::Arp,
        vlan: None,
    }
    .emit(&mut ethernet::Frame::new_unchecked(&mut frame[..]));
    reply.emit(&mut seqs::wire::arp::Packet::new_unchecked(
        &mut frame[14..],
    ));
    s.receive(secs(1), &frame);
    let n = s.transmit(secs(1), &mut buf).unwrap();
    let parsed = etherparse::SlicedPacket::from_ethernet(&buf[..n]).unwrap();
    let Some(etherparse::TransportSlice::Icmpv4(icmp)) = parsed.transport else {
        panic!("expected ICMP, got {parsed:?}");
    };
    assert_eq!(icmp.type_u8(), 3);
    assert_eq!(icmp.code_u8(), 3);
    // Quoted: the original IPv4 header (20 bytes) and the first 8 UDP bytes.
    let quoted = icmp.payload();
    assert_eq!(quoted.len(), 28);
    assert_eq!(&quoted[12..16], &ip(1).octets());
    assert_eq!(u16::from_be_bytes([quoted[22], quoted[23]]), 9999);
}

#[test]
fn broadcast_to_closed_port_is_not_answered() {
    let mut s = silent_stack(2);
    s.receive(
        secs(1),
        &udp_frame(EthernetAddress::BROADCAST, 1, [255; 4], 9999, b"x"),
    );
    assert_eq!(s.counters().drops(DropReason::UdpNoSocket), 1);
    assert_eq!(s.transmit(secs(1), &mut [0u8; 1600]), None);
}

#[test]
fn unknown_protocol_gets_protocol_unreachable() {
    let mut s = silent_stack(2);
    // Learn node 1's MAC first so the error can leave at once.
    s.receive(secs(1), &arp_request(1, 2));
    let mut frame = udp_frame(mac(2), 1, ip(2).octets(), 7, b"zz");
    frame[14 + 9] = 253; // experimental protocol number
    ipv4::Packet::new_unchecked(&mut frame[14..]).fill_checksum();
    assert_eq!(
        s.receive(secs(1), &frame),
        Disposition::Dropped(DropReason::Ipv4UnknownProtocol)
    );
    let mut buf = [0u8; 1600];
    let mut codes = Vec::new();
    while let Some(n) = s.transmit(secs(1), &mut buf) {
        if let Ok(p) = etherparse::SlicedPacket::from_ethernet(&buf[..n]) {
            if let Some(etherparse::TransportSlice::Icmpv4(icmp)) = p.transport {
                codes.push((icmp.type_u8(), icmp.code_u8()));
            }
        }
    }
    assert!(codes.contains(&(3, 2)), "protocol unreachable in {codes:?}");
}

#[test]
fn udp_receive_queue_overflow_is_counted() {
    let mut s = stack(2, true);
    let h = s.add_udp_socket(udp_socket(2, 4096)).unwrap();
    s.bind_udp(h, 7).unwrap();
    let frame = udp_frame(mac(2), 1, ip(2).octets(), 7, b"data");
    let got: Vec<_> = (0..3).map(|_| s.receive(secs(1), &frame)).collect();
    assert_eq!(got[2], Disposition::Dropped(DropReason::UdpQueueFull));
    assert_eq!(s.udp(h).unwrap().counters().rx_dropped, 1);
}

#[test]
fn ephemeral_ports_are_distinct_and_in_range() {
    let mut s = stack(1, true);
    let mut ports = Vec::new();
    for _ in 0..8 {
        let h = s.add_udp_socket(udp_socket(1, 64)).unwrap();
        ports.push(s.bind_udp_ephemeral(h).unwrap());
    }
    assert!(ports.iter().all(|&p| p >= 49152));
    let mut unique = ports.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ports.len());
}

#[test]
fn dhcp_style_broadcast_before_configuration() {
    let mut link = Link::new(vec![stack(1, false), stack(2, true)]);
    let c = link.nodes[0].add_udp_socket(udp_socket(4, 4096)).unwrap();
    link.nodes[0].bind_udp(c, 68).unwrap();
    let srv = link.nodes[1].add_udp_socket(udp_socket(4, 4096)).unwrap();
    link.nodes[1].bind_udp(srv, 67).unwrap();
    link.nodes[0]
        .udp(c)
        .unwrap()
        .send_slice(b"discover", SocketAddrV4::new([255; 4].into(), 67))
        .unwrap();
    link.run_for(Duration::from_millis(10));
    let (data, meta) = link.nodes[1]
        .udp(srv)
        .unwrap()
        .recv()
        .map(|(d, m)| (d.to_vec(), m))
        .unwrap();
    assert_eq!(data, b"discover");
    assert_eq!(*meta.remote.ip(), std::net::Ipv4Addr::UNSPECIFIED);
    // A unicast reply to the not-yet-configured client's future address.
    let offer = udp_frame(mac(1), 2, ip(50).octets(), 68, b"offer");
    assert_eq!(
        link.nodes[0].receive(link.now, &offer),
        Disposition::Consumed(Consumer::Udp)
    );
}

#[test]
fn more_peers_than_neighbour_slots_does_not_storm() {
    let mut config = seqs::Config::new(mac(1));
    config.announcements = 0;
    let capacities = seqs::iface::Capacities {
        neighbors: 2,
        ..Default::default()
    };
    let mut busy = seqs::Stack::new(
        config,
        seqs::Storage::with_capacity(capacities),
        <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1),
    );
    busy.set_ipv4_address(Instant::ZERO, seqs::wire::Ipv4Cidr::new(ip(1), 24));
    let h = busy.add_udp_socket(udp_socket(16, 16384)).unwrap();
    busy.bind_udp(h, 1000).unwrap();
    let mut nodes = vec![busy];
    nodes.extend((2..10).map(silent_stack));
    let mut link = Link::new(nodes);
    for round in 0..3u8 {
        for peer in 2..10 {
            link.nodes[0]
                .udp(h)
                .unwrap()
                .send_slice(&[round], SocketAddrV4::new(ip(peer), 9))
                .unwrap();
        }
        link.run_for(Duration::from_secs(2));
    }
    let arp_requests = link
        .sent_by(0)
        .filter(|s| ethertype(&s.frame) == ethernet::EtherType::Arp)
        .count();
    assert!(
        arp_requests <= 3 * 8 * 3,
        "{arp_requests} ARP frames for 24 datagrams"
    );
    let c = link.nodes[0].counters();
    assert!(
        c.udp_out + c.drops(DropReason::NeighborCacheFull) == 24,
        "every datagram sent or counted: {c:?}"
    );
    assert!(
        c.udp_out >= 6,
        "the cache still serves as many peers as it can: {c:?}"
    );
}
