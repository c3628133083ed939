//! Differential tests: TCP segments we emit parse identically in etherparse,
//! and segments etherparse writes parse identically in ours, options included.

use etherparse::{TcpHeader, TcpOptionElement};
use proptest::prelude::*;
use seqs::wire::tcp::{Control, Packet, Repr, SeqNumber, Timestamp, MAX_SACK_BLOCKS};
use std::net::Ipv4Addr;

const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 7);
const DST: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 9);

fn arb_control() -> impl Strategy<Value = Control> {
    prop_oneof![
        Just(Control::None),
        Just(Control::Psh),
        Just(Control::Syn),
        Just(Control::Fin),
        Just(Control::Rst),
    ]
}

fn arb_sack(max: usize) -> impl Strategy<Value = Vec<(u32, u32)>> {
    proptest::collection::vec((any::<u32>(), any::<u32>()), 0..=max)
}

fn sack_array(blocks: &[(u32, u32)]) -> [Option<(SeqNumber, SeqNumber)>; MAX_SACK_BLOCKS] {
    let mut out = [None; MAX_SACK_BLOCKS];
    for (slot, &(l, r)) in out.iter_mut().zip(blocks) {
        *slot = Some((SeqNumber(l), SeqNumber(r)));
    }
    out
}

/// What etherparse reports for a header, in our terms.
#[derive(Debug, Default, PartialEq)]
struct Seen {
    mss: Option<u16>,
    ws: Option<u8>,
    sack_permitted: bool,
    sack: Vec<(u32, u32)>,
    ts: Option<(u32, u32)>,
}

fn etherparse_options(header: &TcpHeader) -> Seen {
    let mut seen = Seen::default();
    for element in header.options_iterator() {
        match element.expect("etherparse rejects an option we emitted") {
            TcpOptionElement::Noop => {}
            TcpOptionElement::MaximumSegmentSize(m) => seen.mss = Some(m),
            TcpOptionElement::WindowScale(w) => seen.ws = Some(w),
            TcpOptionElement::SelectiveAcknowledgementPermitted => seen.sack_permitted = true,
            TcpOptionElement::SelectiveAcknowledgement(first, rest) => {
                seen.sack = std::iter::once(first)
                    .chain(rest.into_iter().flatten())
                    .collect();
            }
            TcpOptionElement::Timestamp(v, e) => seen.ts = Some((v, e)),
        }
    }
    seen
}

fn our_options(repr: &Repr<'_>) -> Seen {
    Seen {
        mss: repr.max_seg_size,
        ws: repr.window_scale,
        sack_permitted: repr.sack_permitted,
        sack: repr
            .sack_ranges
            .iter()
            .flatten()
            .map(|(l, r)| (l.0, r.0))
            .collect(),
        ts: repr.timestamp.map(|t| (t.tsval, t.tsecr)),
    }
}

proptest! {
    #[test]
    fn what_we_emit_etherparse_reads(
        ports in (1..=u16::MAX, 1..=u16::MAX),
        control in arb_control(),
        seq in any::<u32>(),
        ack in proptest::option::of(any::<u32>()),
        window_len in any::<u16>(),
        ws in proptest::option::of(any::<u8>()),
        mss in proptest::option::of(any::<u16>()),
        sack_permitted in any::<bool>(),
        sack in arb_sack(4),
        ts in proptest::option::of((any::<u32>(), any::<u32>())),
        payload in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let repr = Repr {
            src_port: ports.0,
            dst_port: ports.1,
            control,
            seq_number: SeqNumber(seq),
            ack_number: ack.map(SeqNumber),
            window_len,
            window_scale: ws,
            max_seg_size: mss,
            sack_permitted,
            sack_ranges: sack_array(&sack),
            timestamp: ts.map(|(tsval, tsecr)| Timestamp { tsval, tsecr }),
            payload: &payload,
        };
        let mut bytes = vec![0u8; repr.buffer_len()];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]), SRC, DST);

        let (header, rest) = TcpHeader::from_slice(&bytes).unwrap();
        prop_assert_eq!(rest, &payload[..]);
        prop_assert_eq!((header.source_port, header.destination_port), ports);
        prop_assert_eq!(header.sequence_number, seq);
        prop_assert_eq!(header.ack, ack.is_some());
        prop_assert_eq!(header.acknowledgment_number, ack.unwrap_or(0));
        prop_assert_eq!(header.syn, control == Control::Syn);
        prop_assert_eq!(header.fin, control == Control::Fin);
        prop_assert_eq!(header.rst, control == Control::Rst);
        prop_assert_eq!(header.psh, control == Control::Psh);
        prop_assert!(!header.urg && !header.ece && !header.cwr && !header.ns);
        prop_assert_eq!(header.window_size, window_len);
        prop_assert_eq!(
            header.calc_checksum_ipv4_raw(SRC.octets(), DST.octets(), rest).unwrap(),
            header.checksum
        );
        let mut seen = etherparse_options(&header);
        let mut expected = our_options(&repr);
        // Blocks that do not fit in 40 option bytes are dropped, first kept.
        prop_assert!(seen.sack.len() <= expected.sack.len());
        expected.sack.truncate(seen.sack.len());
        prop_assert_eq!(&mut seen, &mut expected);
        prop_assert!(bytes.len() - payload.len() <= 60);
    }

    #[test]
    fn what_etherparse_emits_we_read(
        ports in (1..=u16::MAX, 1..=u16::MAX),
        control in arb_control(),
        seq in any::<u32>(),
        ack in proptest::option::of(any::<u32>()),
        window_len in any::<u16>(),
        ws in proptest::option::of(any::<u8>()),
        mss in proptest::option::of(any::<u16>()),
        sack_permitted in any::<bool>(),
        sack in arb_sack(3),
        ts in proptest::option::of((any::<u32>(), any::<u32>())),
        noops in 0usize..3,
        order in any::<u64>(),
        payload in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let mut elements = Vec::new();
        elements.extend(mss.map(TcpOptionElement::MaximumSegmentSize));
        elements.extend(ws.map(TcpOptionElement::WindowScale));
        if sack_permitted {
            elements.push(TcpOptionElement::SelectiveAcknowledgementPermitted);
        }
        if let Some((&first, rest)) = sack.split_first() {
            let mut more = [None; 3];
            for (slot, &b) in more.iter_mut().zip(rest) {
                *slot = Some(b);
            }
            elements.push(TcpOptionElement::SelectiveAcknowledgement(first, more));
        }
        elements.extend(ts.map(|(v, e)| TcpOptionElement::Timestamp(v, e)));
        elements.extend(std::iter::repeat_n(TcpOptionElement::Noop, noops));
        let len = elements.len().max(1);
        elements.rotate_left((order as usize) % len);

        let mut header = TcpHeader::new(ports.0, ports.1, seq, window_len);
        header.acknowledgment_number = ack.unwrap_or(0);
        header.ack = ack.is_some();
        header.syn = control == Control::Syn;
        header.fin = control == Control::Fin;
        header.rst = control == Control::Rst;
        header.psh = control == Control::Psh;
        prop_assume!(header.set_options(&elements).is_ok());
        header.checksum = header
            .calc_checksum_ipv4_raw(SRC.octets(), DST.octets(), &payload)
            .unwrap();
        let mut bytes = header.to_bytes().to_vec();
        bytes.extend_from_slice(&payload);

        let packet = Packet::new_checked(&bytes[..]).unwrap();
        let repr = Repr::parse(&packet, SRC, DST).unwrap();
        prop_assert_eq!((repr.src_port, repr.dst_port), ports);
        prop_assert_eq!(repr.control, control);
        prop_assert_eq!(repr.seq_number, SeqNumber(seq));
        prop_assert_eq!(repr.ack_number, ack.map(SeqNumber));
        prop_assert_eq!(repr.window_len, window_len);
        prop_assert_eq!(repr.payload, &payload[..]);
        prop_assert_eq!(usize::from(packet.header_len()), header.header_len());
        prop_assert_eq!(our_options(&repr), etherparse_options(&header));
    }
}
