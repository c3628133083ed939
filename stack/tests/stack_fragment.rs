//! IPv4 fragmentation on egress: datagrams over the MTU leave in fragments
//! that the other stack (and etherparse, as an independent oracle) puts
//! back together.

mod support;

use std::net::SocketAddrV4;

use etherparse::defrag::IpDefragPool;
use etherparse::{NetSlice, SlicedPacket, UdpHeader};
use seqs::socket::{Handle, Icmp, Udp};
use seqs::stats::DropReason;
use seqs::storage::{PacketBuffer, PacketMeta};
use seqs::time::{Duration, Instant};
use seqs::{icmp, Config};
use support::*;

/// One IPv4 frame as etherparse sees it.
#[derive(Debug, Clone)]
struct Ipv4Frame {
    ident: u16,
    /// In bytes.
    offset: usize,
    more: bool,
    dont_frag: bool,
    payload_len: usize,
}

/// Parses an IPv4 frame with etherparse, checking its header checksum.
fn parse_ipv4(frame: &[u8]) -> Option<Ipv4Frame> {
    let sliced = SlicedPacket::from_ethernet(frame).expect("etherparse parses the frame");
    let Some(NetSlice::Ipv4(ip)) = sliced.net else {
        return None;
    };
    let header = ip.header();
    assert_eq!(
        header.to_header().calc_header_checksum(),
        header.header_checksum(),
        "IPv4 header checksum"
    );
    Some(Ipv4Frame {
        ident: header.identification(),
        offset: usize::from(header.fragments_offset().byte_offset()),
        more: header.more_fragments(),
        dont_frag: header.dont_fragment(),
        payload_len: ip.payload().payload.len(),
    })
}

/// The IPv4 frames node `from` sent, in order.
fn ipv4_frames(link: &Link, from: usize) -> Vec<Ipv4Frame> {
    link.sent_by(from)
        .filter_map(|s| parse_ipv4(&s.frame))
        .collect()
}

/// Checks that each datagram's fragments are in order, back to back and
/// well formed, and returns how many datagrams were fragmented.
fn check_fragment_runs(frames: &[Ipv4Frame], mtu: usize) -> usize {
    let mut fragmented = 0;
    let mut i = 0;
    while i < frames.len() {
        let first = &frames[i];
        assert_eq!(first.offset, 0, "a datagram starts at offset 0: {first:?}");
        let mut next = 0;
        loop {
            let f = &frames[i];
            assert_eq!(f.ident, first.ident, "fragments interleaved: {frames:#?}");
            assert_eq!(f.offset, next);
            assert!(!f.dont_frag || (!f.more && f.offset == 0));
            assert!(20 + f.payload_len <= mtu);
            if f.more {
                assert_eq!(f.payload_len % 8, 0, "only the last fragment may be ragged");
            }
            next += f.payload_len;
            i += 1;
            if !f.more {
                break;
            }
        }
        if next != first.payload_len {
            fragmented += 1;
        }
    }
    fragmented
}

/// Every fragmented datagram node `from` sent, reassembled by etherparse.
fn etherparse_reassembly(link: &Link, from: usize) -> Vec<Vec<u8>> {
    let mut pool = IpDefragPool::<(), ()>::new();
    link.sent_by(from)
        .filter_map(|s| {
            let sliced = SlicedPacket::from_ethernet(&s.frame).unwrap();
            pool.process_sliced_packet(&sliced, (), ()).unwrap()
        })
        .map(|p| p.payload)
        .collect()
}

fn mtu_config(n: u8, mtu: usize) -> Config {
    let mut config = Config::new(mac(n));
    config.mtu = mtu;
    config
}

/// Two stacks at `mtu` with a UDP socket each: node 0 port 1000, node 1
/// port 2000.
fn udp_pair(mtu: usize) -> (Link, Handle<Udp>, Handle<Udp>) {
    let mut a = stack_with(1, true, mtu_config(1, mtu));
    let mut b = stack_with(2, true, mtu_config(2, mtu));
    let ha = a.add_udp_socket(udp_socket(8, 16384)).unwrap();
    let hb = b.add_udp_socket(udp_socket(8, 16384)).unwrap();
    a.bind_udp(ha, 1000).unwrap();
    b.bind_udp(hb, 2000).unwrap();
    (Link::new(vec![a, b]), ha, hb)
}

fn big_ping_socket() -> icmp::Socket<'static> {
    icmp::Socket::new(
        PacketBuffer::new(vec![PacketMeta::empty(); 8], vec![0u8; 16384]),
        PacketBuffer::new(vec![PacketMeta::empty(); 8], vec![0u8; 16384]),
    )
}

fn udp_4000_bytes_arrive_whole(mtu: usize, expected_fragments: usize) {
    let (mut link, ha, hb) = udp_pair(mtu);
    let data = pattern(7, 0, 4000);
    link.nodes[0]
        .udp(ha)
        .unwrap()
        .send_slice(&data, SocketAddrV4::new(ip(2), 2000))
        .unwrap();
    link.run_for(Duration::from_secs(1));

    let (got, meta) = link.nodes[1].udp(hb).unwrap().recv().unwrap();
    assert_eq!(got, &data[..]);
    assert_eq!(meta.remote, SocketAddrV4::new(ip(1), 1000));
    assert_eq!(link.nodes[1].counters().datagrams_reassembled, 1);

    let frames = ipv4_frames(&link, 0);
    assert_eq!(frames.len(), expected_fragments);
    assert_eq!(check_fragment_runs(&frames, mtu), 1);
    let a = &mut link.nodes[0];
    assert_eq!(a.counters().udp_out, 1);
    assert_eq!(a.counters().egress_drops, 0);
    assert_eq!(a.udp(ha).unwrap().counters().tx_datagrams, 1);

    // etherparse agrees on the reassembled datagram and its UDP checksum.
    let whole = etherparse_reassembly(&link, 0);
    assert_eq!(whole.len(), 1);
    let (udp, payload) = UdpHeader::from_slice(&whole[0]).unwrap();
    assert_eq!(payload, &data[..]);
    assert_eq!(usize::from(udp.length), 8 + data.len());
    let sum = udp
        .calc_checksum_ipv4_raw(ip(1).octets(), ip(2).octets(), payload)
        .unwrap();
    assert_eq!(udp.checksum, sum);
}

#[test]
fn udp_4000_bytes_at_mtu_1500_arrive_whole() {
    udp_4000_bytes_arrive_whole(1500, 3);
}

#[test]
fn udp_4000_bytes_at_mtu_576_arrive_whole() {
    udp_4000_bytes_arrive_whole(576, 8);
}

#[test]
fn largest_udp_datagram_arrives_whole_and_larger_is_refused() {
    let (mut link, ha, hb) = udp_pair(1500);
    let max = seqs::udp::Socket::MAX_PAYLOAD;
    assert_eq!(max, 65507);
    let [a, b] = &mut link.nodes[..] else {
        unreachable!()
    };
    let ha = {
        a.remove_socket(ha);
        let h = a.add_udp_socket(udp_socket(2, 70000)).unwrap();
        a.bind_udp(h, 1000).unwrap();
        h
    };
    // Another socket's buffer is the limit when it is the smaller one.
    assert_eq!(
        b.udp(hb)
            .unwrap()
            .send(16385, SocketAddrV4::new(ip(1), 1000)),
        Err(seqs::udp::SendError::TooLarge)
    );
    let to = SocketAddrV4::new(ip(2), 2000);
    let socket = a.udp(ha).unwrap();
    assert_eq!(
        socket.send(max + 1, to),
        Err(seqs::udp::SendError::TooLarge)
    );
    let data = pattern(3, 0, max);
    socket.send_slice(&data, to).unwrap();
    link.run_for(Duration::from_secs(1));

    // Node 1's reassembly buffers hold 9000 bytes: it discards this one,
    // but every fragment is well formed and etherparse rebuilds it.
    let frames = ipv4_frames(&link, 0);
    assert_eq!(frames.len(), (max + 8).div_ceil(1480));
    assert_eq!(check_fragment_runs(&frames, 1500), 1);
    let whole = etherparse_reassembly(&link, 0);
    assert_eq!(&whole[0][8..], &data[..]);
}

#[test]
fn oversize_ping_gets_a_fragmented_echo_reply() {
    let a = stack(1, true);
    let b = stack(2, true);
    let mut link = Link::new(vec![a, b]);
    let ping: Handle<Icmp> = link.nodes[0].add_icmp_socket(big_ping_socket()).unwrap();
    let data = pattern(9, 0, 3000);
    link.nodes[0]
        .icmp(ping)
        .unwrap()
        .send_echo(ip(2), 1, &data)
        .unwrap();
    link.run_for(Duration::from_secs(1));

    let (reply, got) = link.nodes[0].icmp(ping).unwrap().recv().unwrap();
    assert_eq!((reply.from, reply.seq_no), (ip(2), 1));
    assert!(reply.rtt.is_some());
    assert_eq!(got, &data[..]);
    for node in 0..2 {
        let frames = ipv4_frames(&link, node);
        assert_eq!(frames.len(), 3, "3008 bytes of ICMP in 1480-byte pieces");
        assert_eq!(check_fragment_runs(&frames, 1500), 1);
        assert_eq!(link.nodes[node].counters().datagrams_reassembled, 1);
        assert_eq!(link.nodes[node].counters().icmp_out, 1);
    }
}

#[test]
fn fragments_of_one_datagram_are_not_interleaved_with_other_sockets() {
    let (mut link, a1, b1) = udp_pair(576);
    let a = &mut link.nodes[0];
    let a2 = a.add_udp_socket(udp_socket(8, 16384)).unwrap();
    a.bind_udp(a2, 1001).unwrap();
    let ping = a.add_icmp_socket(big_ping_socket()).unwrap();
    let b2 = link.nodes[1].add_udp_socket(udp_socket(8, 16384)).unwrap();
    link.nodes[1].bind_udp(b2, 2001).unwrap();

    let sizes1 = [4000, 100, 3000, 0];
    let sizes2 = [2000, 50, 5000];
    let pings = [3000, 100];
    let a = &mut link.nodes[0];
    for (i, &n) in sizes1.iter().enumerate() {
        let data = pattern(i as u8, 0, n);
        let to = SocketAddrV4::new(ip(2), 2000);
        a.udp(a1).unwrap().send_slice(&data, to).unwrap();
    }
    for (i, &n) in sizes2.iter().enumerate() {
        let data = pattern(100 + i as u8, 0, n);
        let to = SocketAddrV4::new(ip(2), 2001);
        a.udp(a2).unwrap().send_slice(&data, to).unwrap();
    }
    for (i, &n) in pings.iter().enumerate() {
        let data = pattern(200 + i as u8, 0, n);
        a.icmp(ping)
            .unwrap()
            .send_echo(ip(2), i as u16, &data)
            .unwrap();
    }
    link.run_for(Duration::from_secs(1));

    let b = &mut link.nodes[1];
    for (i, &n) in sizes1.iter().enumerate() {
        let (got, _) = b.udp(b1).unwrap().recv().unwrap();
        assert_eq!(got, &pattern(i as u8, 0, n)[..], "socket 1 datagram {i}");
    }
    for (i, &n) in sizes2.iter().enumerate() {
        let (got, _) = b.udp(b2).unwrap().recv().unwrap();
        assert_eq!(
            got,
            &pattern(100 + i as u8, 0, n)[..],
            "socket 2 datagram {i}"
        );
    }
    for (i, &n) in pings.iter().enumerate() {
        let (reply, got) = link.nodes[0].icmp(ping).unwrap().recv().unwrap();
        assert_eq!(reply.seq_no, i as u16);
        assert_eq!(got, &pattern(200 + i as u8, 0, n)[..]);
    }

    let frames = ipv4_frames(&link, 0);
    // 4000, 3000, 2000, 5000 and the 3000-byte ping need fragments.
    assert_eq!(check_fragment_runs(&frames, 576), 5);
    let mut idents: Vec<u16> = frames.iter().map(|f| f.ident).collect();
    idents.dedup();
    let datagrams = idents.len();
    idents.sort_unstable();
    idents.dedup();
    assert_eq!(idents.len(), datagrams, "one ident per datagram");
    assert_eq!(datagrams, sizes1.len() + sizes2.len() + pings.len());
    assert_eq!(link.nodes[1].counters().datagrams_reassembled, 5);
    assert_eq!(link.nodes[0].counters().egress_drops, 0);
}

/// Drives one stack by hand: every frame it sends until `end`, waking at
/// its `poll_at`.
fn drain_until(s: &mut TestStack, mut now: Instant, end: Instant) -> Vec<Vec<u8>> {
    let mut buf = [0u8; 1600];
    let mut out = Vec::new();
    while now <= end {
        while let Some(n) = s.transmit(now, &mut buf) {
            out.push(buf[..n].to_vec());
        }
        match s.poll_at() {
            Some(t) => now = t.max(now + Duration::from_micros(1)),
            None => break,
        }
    }
    out
}

#[test]
fn neighbour_lost_mid_datagram_drops_the_rest_once() {
    let mut a = silent_stack(1);
    let mut b = silent_stack(2);
    let ha = a.add_udp_socket(udp_socket(8, 16384)).unwrap();
    a.bind_udp(ha, 1000).unwrap();
    let hb = b.add_udp_socket(udp_socket(8, 16384)).unwrap();
    b.bind_udp(hb, 2000).unwrap();
    // Node 1 learns node 2's MAC now; the entry lapses a minute later.
    a.receive(Instant::ZERO, &arp_request(2, 1));
    let mut buf = [0u8; 1600];
    a.transmit(Instant::ZERO, &mut buf).expect("the ARP reply");
    let lifetime = a.config().arp.entry_lifetime;

    let t1 = Instant::ZERO + lifetime - Duration::from_micros(1);
    let to = SocketAddrV4::new(ip(2), 2000);
    a.udp(ha)
        .unwrap()
        .send_slice(&pattern(1, 0, 4000), to)
        .unwrap();
    let n = a.transmit(t1, &mut buf).unwrap();
    let first = parse_ipv4(&buf[..n]).unwrap();
    assert!(first.more && first.offset == 0);
    b.receive(t1, &buf[..n]);

    // The entry expires before the second fragment; nobody answers ARP.
    let t2 = t1 + Duration::from_millis(1);
    let rest = drain_until(&mut a, t2, t2 + Duration::from_secs(30));
    assert!(
        rest.iter().all(|f| parse_ipv4(f).is_none()),
        "only ARP after the loss"
    );
    assert_eq!(rest.len(), usize::from(a.config().arp.max_requests));

    let c = a.counters();
    assert_eq!(c.egress_drops, 1, "{c:?}");
    assert_eq!(c.drops(DropReason::NeighborUnreachable), 1);
    assert_eq!(c.udp_out, 0);
    let socket = a.udp(ha).unwrap().counters();
    assert_eq!((socket.tx_datagrams, socket.tx_dropped), (0, 1));
    assert_eq!(a.poll_at(), None, "nothing left to send");

    // The half datagram times out at the receiver.
    b.transmit(t1 + Duration::from_secs(16), &mut buf);
    assert_eq!(b.counters().drops(DropReason::FragmentTimeout), 1);
    assert!(b.udp(hb).unwrap().recv().is_err());
}

/// Node 0's next frame, delivered to node 1 at once.
fn step(link: &mut Link) -> Ipv4Frame {
    let mut buf = [0u8; 1600];
    let now = link.now;
    let n = link.nodes[0].transmit(now, &mut buf).unwrap();
    link.nodes[1].receive(now, &buf[..n]);
    parse_ipv4(&buf[..n]).unwrap()
}

#[test]
fn a_datagram_closed_or_removed_mid_way_is_abandoned() {
    let (mut link, ha, hb) = udp_pair(1500);
    let to = SocketAddrV4::new(ip(2), 2000);
    // Resolve node 2 first so that the next frame is a fragment.
    link.nodes[0]
        .udp(ha)
        .unwrap()
        .send_slice(b"hi", to)
        .unwrap();
    link.run_for(Duration::from_secs(1));
    link.nodes[1].udp(hb).unwrap().recv().unwrap();

    let send = |link: &mut Link, h, seed| {
        let data = pattern(seed, 0, 4000);
        link.nodes[0].udp(h).unwrap().send_slice(&data, to).unwrap();
    };
    send(&mut link, ha, 1);
    assert!(step(&mut link).more);
    // Closed and reopened: the same-sized datagram that follows goes whole.
    link.nodes[0].udp(ha).unwrap().close();
    link.nodes[0].bind_udp(ha, 1000).unwrap();
    send(&mut link, ha, 2);
    assert_eq!(step(&mut link).offset, 0, "restarts at the beginning");
    link.run_for(Duration::from_secs(1));
    let got = link.nodes[1].udp(hb).unwrap().recv().unwrap().0.to_vec();
    assert_eq!(got, pattern(2, 0, 4000));

    // Removed and replaced by a socket in the same slot.
    send(&mut link, ha, 3);
    assert!(step(&mut link).more);
    let a = &mut link.nodes[0];
    a.remove_socket(ha);
    let h = a.add_udp_socket(udp_socket(8, 16384)).unwrap();
    a.bind_udp(h, 1000).unwrap();
    send(&mut link, h, 4);
    assert_eq!(step(&mut link).offset, 0, "restarts at the beginning");
    link.run_for(Duration::from_secs(1));
    let got = link.nodes[1].udp(hb).unwrap().recv().unwrap().0.to_vec();
    assert_eq!(got, pattern(4, 0, 4000));
    assert!(link.nodes[1].udp(hb).unwrap().recv().is_err());
    assert_eq!(link.nodes[1].counters().datagrams_reassembled, 2);
}

#[test]
fn tcp_segments_carry_df_and_fit_the_mtu() {
    let mut a = stack_with(1, true, mtu_config(1, 576));
    let b = stack_with(2, true, mtu_config(2, 576));
    let client = a.add_tcp_socket(tcp_socket(8192, 8192)).unwrap();
    let mut link = Link::new(vec![a, b]);
    let server = link.nodes[1]
        .add_tcp_socket(tcp_socket(8192, 8192))
        .unwrap();
    link.nodes[1].tcp_listen(server, 80).unwrap();
    link.nodes[0]
        .tcp_connect(client, Instant::ZERO, SocketAddrV4::new(ip(2), 80))
        .unwrap();
    link.run_for(Duration::from_millis(100));
    link.nodes[0]
        .tcp(client)
        .unwrap()
        .send_slice(&[0x33; 4000])
        .unwrap();
    link.run_for(Duration::from_secs(1));
    let frames = ipv4_frames(&link, 0);
    assert!(frames.len() > 8);
    assert!(frames
        .iter()
        .all(|f| f.dont_frag && !f.more && f.offset == 0 && 20 + f.payload_len <= 576));
}
