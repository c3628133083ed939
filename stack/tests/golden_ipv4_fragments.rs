//! `ipv4_fragments.pcap`: a 2000-byte ping and Linux's reply, each in two
//! IPv4 fragments, decoded by our wire layer and reassembled; a live stack
//! reassembles the request and must answer it.

#[path = "golden/layers.rs"]
mod layers;
mod support;

use layers::*;
use seqs::stats::{Consumer, Disposition, DropReason};
use seqs::time::Instant;
use seqs::wire::icmpv4::{self, Repr};
use seqs::wire::{ipv4, Error};

/// (IP id, more fragments, offset in bytes, payload length, IP checksum).
const FRAGMENTS: [(u16, bool, u16, usize, u16); 4] = [
    (0x0c32, true, 0, 1480, 0xc4eb),
    (0x0c32, false, 1480, 528, 0xe7ea),
    (0x047b, true, 0, 1480, 0xcca2),
    (0x047b, false, 1480, 528, 0xefa1),
];
const IDENT: u16 = 0x46f4;

/// The ICMP message carried by two fragments, put back together.
fn reassemble(first: &[u8], last: &[u8]) -> Vec<u8> {
    let ((head, a), (tail, b)) = (ipv4(first), ipv4(last));
    assert_eq!(usize::from(tail.frag_offset), a.len(), "no gap, no overlap");
    assert_eq!((head.ident, head.protocol), (tail.ident, tail.protocol));
    [a, b].concat()
}

/// The echo data: a struct timeval, then bytes counting up from 0x10 (the
/// byte at data offset `i` is `i` modulo 256).
fn check_echo_data(data: &[u8]) {
    assert_eq!(data.len(), 2000);
    assert!(data.iter().enumerate().skip(16).all(|(i, &b)| b == i as u8));
}

#[test]
fn fragments_decode_field_by_field() {
    let frames = capture("ipv4_fragments.pcap");
    assert_eq!(frames.len(), FRAGMENTS.len());
    for (i, (frame, (ident, more, offset, len, checksum))) in
        frames.iter().zip(FRAGMENTS).enumerate()
    {
        let (ip, payload) = ipv4(frame);
        let (src, dst) = if i < 2 {
            (CLIENT, SERVER)
        } else {
            (SERVER, CLIENT)
        };
        assert_eq!(
            (ip.src_addr, ip.dst_addr, ip.protocol),
            (src, dst, ipv4::Protocol::Icmp)
        );
        assert_eq!(
            (ip.ident, ip.more_frags, ip.frag_offset),
            (ident, more, offset)
        );
        assert_eq!((ip.dont_frag, ip.ttl, ip.is_fragment()), (false, 64, true));
        assert_eq!((ip.payload_len, payload.len()), (len, len));
        assert_eq!(
            ipv4::Packet::new_checked(&frame[L3..]).unwrap().checksum(),
            checksum
        );
    }
}

#[test]
fn icmp_checksum_covers_the_reassembled_message() {
    let frames = capture("ipv4_fragments.pcap");
    // The first fragment alone holds the ICMP header but not all the data
    // its checksum covers.
    let first = icmpv4::Packet::new_checked(&frames[0][L4..]).unwrap();
    assert_eq!(icmpv4::Repr::parse(&first), Err(Error::Checksum));
    let request = reassemble(&frames[0], &frames[1]);
    let reply = reassemble(&frames[2], &frames[3]);
    let (repr, checksum) = icmp_message(&request);
    let Repr::EchoRequest {
        ident,
        seq_no,
        data,
    } = repr
    else {
        panic!("not an echo request: {repr:?}");
    };
    assert_eq!((ident, seq_no, checksum), (IDENT, 1, 0xa73e));
    check_echo_data(data);
    let (repr, checksum) = icmp_message(&reply);
    let Repr::EchoReply {
        ident,
        seq_no,
        data: echoed,
    } = repr
    else {
        panic!("not an echo reply: {repr:?}");
    };
    assert_eq!(checksum, 0xaf3e);
    assert_eq!((ident, seq_no, echoed), (IDENT, 1, data));
}

#[test]
fn stack_reassembles_the_request_and_answers_it() {
    let frames = capture("ipv4_fragments.pcap");
    let mut server = support::silent_stack(1);
    let now = Instant::from_secs(1);
    learn_client(&mut server, now);
    assert_eq!(
        server.receive(now, &frames[0]),
        Disposition::Consumed(Consumer::Fragment)
    );
    assert_eq!(
        server.receive(now, &frames[1]),
        Disposition::Consumed(Consumer::Icmp)
    );
    assert_eq!(server.counters().datagrams_reassembled, 1);
    let sent = transmit_all(&mut server, now);
    let linux_reply = reassemble(&frames[2], &frames[3]);
    // RFC 1122 3.2.2.6: the reply carries all the data; a host that does
    // not fragment MUST truncate the reply to the MTU and send it.
    match sent.as_slice() {
        [whole] => {
            let (ip, icmp, _) = layers::icmp(whole);
            assert_eq!((ip.dst_addr, ip.is_fragment()), (CLIENT, false));
            let Repr::EchoReply { ident, seq_no, data } = icmp else {
                panic!("{icmp:?}");
            };
            assert_eq!((ident, seq_no), (IDENT, 1));
            assert_eq!(data, &linux_reply[8..8 + data.len()], "truncated, not changed");
        }
        [first, last] => assert_eq!(reassemble(first, last), linux_reply),
        other => panic!(
            "expected an echo reply, whole or in two fragments; sent {} frames, {} dropped for the MTU",
            other.len(),
            server.counters().drops(DropReason::ExceedsMtu)
        ),
    }
}
