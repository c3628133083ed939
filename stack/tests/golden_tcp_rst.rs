//! `tcp_rst.pcap`: curl's SYN to closed port 81 and Linux's RST/ACK, decoded
//! by our wire layer; a live stack must refuse the same SYN the same way.

#[path = "golden/layers.rs"]
mod layers;
mod support;

use layers::*;
use seqs::time::Instant;
use seqs::wire::tcp::{Control, SeqNumber};

const ISN: u32 = 2_070_803_485;

#[test]
fn syn_decodes_field_by_field() {
    let frame = &capture("tcp_rst.pcap")[0];
    let (ip, syn, checksum) = layers::tcp(frame);
    assert_eq!((ip.src_addr, ip.dst_addr), (CLIENT, SERVER));
    assert_eq!((ip.ident, ip.dont_frag, ip.ttl), (0x159d, true, 64));
    assert_eq!((syn.src_port, syn.dst_port), (40081, 81));
    assert_eq!(
        (syn.control, syn.seq_number, syn.ack_number),
        (Control::Syn, SeqNumber(ISN), None)
    );
    assert_eq!((syn.window_len, checksum), (64240, 0x773a));
    assert_linux_syn_options(&syn, 2_076_297_630, 0);
    assert!(syn.payload.is_empty());
}

#[test]
fn reset_decodes_field_by_field() {
    let frame = &capture("tcp_rst.pcap")[1];
    let (ip, rst, checksum) = layers::tcp(frame);
    assert_eq!((ip.src_addr, ip.dst_addr), (SERVER, CLIENT));
    assert_eq!((ip.ident, ip.dont_frag), (0, true));
    assert_eq!((rst.src_port, rst.dst_port), (81, 40081));
    // RFC 9293 3.10.7.1: no ACK on the SYN, so <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
    assert_eq!(
        (rst.control, rst.seq_number, rst.ack_number),
        (Control::Rst, SeqNumber(0), Some(SeqNumber(ISN + 1)))
    );
    assert_eq!(
        (rst.window_len, checksum, rst.header_len()),
        (0, 0x1f5e, 20)
    );
    assert_eq!(
        (rst.max_seg_size, rst.timestamp, rst.window_scale),
        (None, None, None)
    );
}

#[test]
fn our_reset_reply_to_the_syn_is_linux_reset() {
    let frames = capture("tcp_rst.pcap");
    let (_, syn, _) = layers::tcp(&frames[0]);
    let (ip, _, _) = layers::tcp(&frames[1]);
    let ours = seqs::tcp::reset_reply(&syn).expect("a SYN is answered");
    assert_eq!(emit_tcp(&ours, &ip), &frames[1][L4..]);
}

#[test]
fn stack_resets_a_syn_to_a_closed_port() {
    let frames = capture("tcp_rst.pcap");
    let mut server = support::silent_stack(1);
    let now = Instant::from_secs(1);
    learn_client(&mut server, now);
    let disposition = server.receive(now, &frames[0]);
    let sent = transmit_all(&mut server, now);
    assert_eq!(
        sent.len(),
        1,
        "RFC 9293 3.10.7.1: a segment to a closed port gets a RST ({disposition:?})"
    );
    let (ip, _, _) = layers::tcp(&sent[0]);
    assert_eq!((ip.src_addr, ip.dst_addr), (SERVER, CLIENT));
    assert_eq!(
        &sent[0][L4..],
        &frames[1][L4..],
        "Linux's RST/ACK, byte for byte"
    );
}
