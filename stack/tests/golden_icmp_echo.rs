//! `icmp_echo.pcap`: two iputils pings and Linux's echo replies, decoded by
//! our wire layer; a live stack answers the same requests with the same
//! ICMP bytes.

#[path = "golden/layers.rs"]
mod layers;
mod support;

use layers::*;
use seqs::stats::{Consumer, Disposition};
use seqs::time::Instant;
use seqs::wire::icmpv4::Repr;

const IDENT: u16 = 0x2c1d;

/// (is request, seq, ICMP checksum, IP DF) per frame, as tshark read them.
const FRAMES: [(bool, u16, u16, bool); 4] = [
    (true, 1, 0xab7c, true),
    (false, 1, 0xb37c, false),
    (true, 2, 0xc86a, true),
    (false, 2, 0xd06a, false),
];

#[test]
fn echoes_decode_field_by_field() {
    let frames = capture("icmp_echo.pcap");
    assert_eq!(frames.len(), FRAMES.len());
    let mut request_data = &[][..];
    for (frame, (request, seq, checksum, dont_frag)) in frames.iter().zip(FRAMES) {
        let (ip, icmp, sum) = icmp(frame);
        let (src, dst) = if request {
            (CLIENT, SERVER)
        } else {
            (SERVER, CLIENT)
        };
        assert_eq!((ip.src_addr, ip.dst_addr), (src, dst));
        assert_eq!(
            (ip.ttl, ip.dont_frag, ip.is_fragment()),
            (64, dont_frag, false)
        );
        assert_eq!(sum, checksum);
        let (ident, seq_no, data) = match icmp {
            Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } if request => (ident, seq_no, data),
            Repr::EchoReply {
                ident,
                seq_no,
                data,
            } if !request => (ident, seq_no, data),
            other => panic!("seq {seq}: {other:?}"),
        };
        assert_eq!((ident, seq_no), (IDENT, seq));
        // A 16-byte struct timeval, then 0x10, 0x11, ... 0x37.
        assert_eq!(data.len(), 56);
        assert!(data[16..].iter().copied().eq(0x10..=0x37));
        if request {
            request_data = data;
        } else {
            assert_eq!(data, request_data, "the reply echoes the request's data");
        }
    }
}

#[test]
fn stack_answers_the_requests_with_linux_icmp_bytes() {
    let frames = capture("icmp_echo.pcap");
    let mut server = support::silent_stack(1);
    let now = Instant::from_secs(1);
    learn_client(&mut server, now);
    for pair in frames.chunks(2) {
        let (request, linux_reply) = (&pair[0], &pair[1]);
        assert_eq!(
            server.receive(now, request),
            Disposition::Consumed(Consumer::Icmp)
        );
        let sent = transmit_all(&mut server, now);
        assert_eq!(sent.len(), 1, "one echo reply");
        let (eth, _) = ethernet(&sent[0]);
        assert_eq!((eth.src_addr, eth.dst_addr), (SERVER_MAC, CLIENT_MAC));
        let (ip, ours) = ipv4(&sent[0]);
        assert_eq!((ip.src_addr, ip.dst_addr), (SERVER, CLIENT));
        // Identical ICMP messages (type, id, seq, data, hence checksum);
        // only IP fields such as the identification may differ.
        assert_eq!(ours, &linux_reply[L4..]);
    }
}
