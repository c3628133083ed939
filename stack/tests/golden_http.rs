//! `http.pcap`: curl fetching a file from `python3 -m http.server` over the
//! Linux TCP: handshake with options, data, FIN/FIN. Every segment decoded by
//! our wire layer and re-emitted byte for byte; then our TCP socket, in the
//! server's place, answers curl's recorded segments.

#[path = "golden/layers.rs"]
mod layers;
mod tcp_harness;

use std::net::SocketAddrV4;

use layers::*;
use seqs::tcp::{Config, State};
use seqs::time::Instant;
use seqs::wire::tcp::{Control, SeqNumber, Timestamp};
use tcp_harness::{drain, feed, one, Seg};

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

/// Every segment of the capture, owned.
fn segments() -> Vec<Seg> {
    let frames = capture("http.pcap");
    frames
        .iter()
        .map(|f| {
            let (ip, repr, _) = layers::tcp(f);
            Seg::from_repr(ip.src_addr, ip.dst_addr, &repr)
        })
        .collect()
}

#[test]
fn our_socket_serves_curl_in_linux_place() {
    let linux = segments();
    let mut sock = tcp_harness::socket(4096, Config::default());
    // At time zero the ISN clock adds nothing: our ISN is Linux's, so
    // curl's recorded acknowledgments fit our sequence space.
    let start = Instant::ZERO;
    sock.listen(SocketAddrV4::new(SERVER, 80), SeqNumber(SERVER_ISN))
        .unwrap();
    assert_eq!(feed(&mut sock, start, &linux[0]), None);
    let syn_ack = one(&mut sock, start);
    assert_eq!(
        (syn_ack.control, syn_ack.seq, syn_ack.ack),
        (Control::Syn, linux[1].seq, linux[1].ack)
    );
    // Linux's options, with our own window scale and timestamp clock.
    assert_eq!((syn_ack.mss, syn_ack.sack_perm), (Some(1460), true));
    assert!(syn_ack.ws.is_some());
    assert_eq!(syn_ack.ts.map(|(_, tsecr)| tsecr), Some(3_499_802_309));

    let now = Instant::from_millis(1);
    for seg in &linux[2..4] {
        assert_eq!(feed(&mut sock, now, seg), None);
    }
    assert_eq!(sock.state(), State::Established);
    let mut request = [0u8; 256];
    let n = sock.recv_slice(&mut request).unwrap();
    assert_eq!(request[..n], linux[3].payload);
    for response in [&linux[5].payload, &linux[7].payload] {
        assert_eq!(sock.send_slice(response), Ok(response.len()));
    }
    sock.close();
    let sent = drain(&mut sock, now);
    // The same bytes at the same sequence numbers, then the FIN where
    // Linux put it; segment boundaries are ours.
    let stream: Vec<u8> = sent.iter().flat_map(|s| s.payload.clone()).collect();
    assert_eq!(
        stream,
        [&linux[5].payload[..], &linux[7].payload[..]].concat()
    );
    assert_eq!(sent[0].seq, linux[5].seq);
    let fin = sent.last().unwrap();
    assert_eq!(fin.control, Control::Fin);
    assert_eq!(fin.seq.wrapping_add(fin.payload.len() as u32), linux[9].seq);
    assert!(sent.iter().all(|s| s.ack == linux[5].ack));

    let later = Instant::from_millis(2);
    for seg in [&linux[6], &linux[8], &linux[10]] {
        assert_eq!(
            feed(&mut sock, later, seg),
            None,
            "no RST, no challenge ACK"
        );
    }
    let last = one(&mut sock, later);
    assert_eq!(
        (last.control, last.seq, last.ack),
        (Control::None, linux[11].seq, linux[11].ack)
    );
    assert_eq!(sock.state(), State::TimeWait);
}
