//! `http.pcap`: curl fetching a file from `python3 -m http.server` over the
//! Linux TCP: handshake with options, data, FIN/FIN. Every segment decoded by
//! our wire layer and re-emitted byte for byte.

#[path = "golden/layers.rs"]
mod layers;

use layers::*;
use seqs::wire::tcp::{Control, SeqNumber, Timestamp};

const CLIENT_ISN: u32 = 0x0a93_06aa;
const SERVER_ISN: u32 = 0xd355_827f;

/// One row of the README's table: sender, control, relative seq and ack,
/// raw window, payload length, TSval, TSecr.
struct Row(bool, Control, u32, u32, u16, usize, u32, u32);

const C: bool = true;
const S: bool = false;

#[rustfmt::skip]
const ROWS: [Row; 12] = [
    Row(C, Control::Syn, 0, 0, 64240, 0, 3_499_802_309, 0),
    Row(S, Control::Syn, 0, 1, 65160, 0, 2_956_201_898, 3_499_802_309),
    Row(C, Control::None, 1, 1, 63, 0, 3_499_802_309, 2_956_201_898),
    Row(C, Control::Psh, 1, 1, 63, 82, 3_499_802_309, 2_956_201_898),
    Row(S, Control::None, 1, 83, 64, 0, 2_956_201_898, 3_499_802_309),
    Row(S, Control::Psh, 1, 83, 64, 186, 2_956_201_906, 3_499_802_309),
    Row(C, Control::None, 83, 187, 63, 0, 3_499_802_317, 2_956_201_906),
    Row(S, Control::Psh, 187, 83, 64, 36, 2_956_201_906, 3_499_802_317),
    Row(C, Control::None, 83, 223, 63, 0, 3_499_802_317, 2_956_201_906),
    Row(S, Control::Fin, 223, 83, 64, 0, 2_956_201_906, 3_499_802_317),
    Row(C, Control::Fin, 83, 224, 63, 0, 3_499_802_327, 2_956_201_906),
    Row(S, Control::None, 224, 84, 64, 0, 2_956_201_916, 3_499_802_327),
];

#[test]
fn every_segment_decodes_field_by_field() {
    let frames = capture("http.pcap");
    assert_eq!(frames.len(), ROWS.len());
    for (i, (frame, row)) in frames.iter().zip(ROWS).enumerate() {
        let Row(from_client, control, seq, ack, window, len, tsval, tsecr) = row;
        let (ip, seg, _) = layers::tcp(frame);
        let (src, isn, peer_isn, ports) = if from_client {
            (CLIENT, CLIENT_ISN, SERVER_ISN, (40080, 80))
        } else {
            (SERVER, SERVER_ISN, CLIENT_ISN, (80, 40080))
        };
        let at = format!("frame {}", i + 1);
        assert_eq!((ip.src_addr, ip.dont_frag, ip.ttl), (src, true, 64), "{at}");
        assert_eq!((seg.src_port, seg.dst_port), ports, "{at}");
        assert_eq!(seg.control, control, "{at}");
        assert_eq!(seg.seq_number, SeqNumber(isn.wrapping_add(seq)), "{at}");
        let expected_ack = (i > 0).then(|| SeqNumber(peer_isn.wrapping_add(ack)));
        assert_eq!(seg.ack_number, expected_ack, "{at}");
        assert_eq!((seg.window_len, seg.payload.len()), (window, len), "{at}");
        if control == Control::Syn {
            assert_linux_syn_options(&seg, tsval, tsecr);
        } else {
            // NOP, NOP, timestamps: a 32-byte header.
            assert_eq!(seg.timestamp, Some(Timestamp { tsval, tsecr }), "{at}");
            assert_eq!((seg.max_seg_size, seg.window_scale), (None, None), "{at}");
            assert!(!seg.sack_permitted, "{at}");
            assert_eq!(seg.header_len(), 32, "{at}");
        }
    }
}

#[test]
fn syn_ack_has_ip_id_zero() {
    let (ip, _, _) = layers::tcp(&capture("http.pcap")[1]);
    assert_eq!(ip.ident, 0);
}

#[test]
fn payloads_are_the_http_exchange() {
    let frames = capture("http.pcap");
    let payload = |i: usize| layers::tcp(&frames[i]).1.payload.to_vec();
    assert_eq!(
        payload(3),
        b"GET /hello.txt HTTP/1.1\r\nHost: 192.0.2.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
    );
    let head = payload(5);
    assert!(head.starts_with(b"HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.7\r\n"));
    assert!(head.ends_with(
        b"\r\nContent-Length: 36\r\nLast-Modified: Fri, 27 Nov 2026 14:24:35 GMT\r\n\r\n"
    ));
    assert_eq!(payload(7), b"Hello from the seqs golden capture.\n");
}
