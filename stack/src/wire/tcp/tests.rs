extern crate std;

use super::*;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const DST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

/// A SYN laid out as Linux sends one: MSS, SACK-permitted, timestamps,
/// NOP, window scale (checksum filled in by the test).
fn linux_syn() -> Vec<u8> {
    let mut bytes = vec![
        0xc3, 0x50, 0x00, 0x50, // ports 50000 -> 80
        0x12, 0x34, 0x56, 0x78, // seq
        0x00, 0x00, 0x00, 0x00, // ack
        0xa0, 0x02, 0xfa, 0xf0, // offset 10 words, SYN, window 64240
        0x00, 0x00, 0x00, 0x00, // checksum, urgent
        0x02, 0x04, 0x05, 0xb4, // MSS 1460
        0x04, 0x02, 0x08, 0x0a, // SACK-permitted, timestamps...
        0x00, 0x01, 0xe2, 0x40, // tsval 123456
        0x00, 0x00, 0x00, 0x00, // tsecr 0
        0x01, 0x03, 0x03, 0x07, // NOP, window scale 7
    ];
    Packet::new_unchecked(&mut bytes[..]).fill_checksum(SRC, DST);
    bytes
}

fn parse(bytes: &[u8]) -> Result<Repr<'_>> {
    Repr::parse(&Packet::new_checked(bytes)?, SRC, DST)
}

fn emit(repr: &Repr<'_>) -> Vec<u8> {
    let mut bytes = vec![0u8; repr.buffer_len()];
    repr.emit(&mut Packet::new_unchecked(&mut bytes[..]), SRC, DST);
    bytes
}

#[test]
fn parses_linux_syn_field_by_field() {
    let bytes = linux_syn();
    let packet = Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(packet.src_port(), 50000);
    assert_eq!(packet.dst_port(), 80);
    assert_eq!(packet.header_len(), 40);
    assert!(packet.syn() && !packet.ack() && !packet.fin() && !packet.rst());
    assert!(!packet.psh() && !packet.urg() && !packet.ece() && !packet.cwr());
    assert_eq!(packet.options().len(), 20);
    assert!(packet.payload().is_empty());
    assert!(packet.verify_checksum(SRC, DST));
    assert!(!packet.verify_checksum(SRC, Ipv4Addr::new(198, 51, 100, 3)));

    let repr = parse(&bytes).unwrap();
    assert_eq!(repr.control, Control::Syn);
    assert_eq!(repr.seq_number, SeqNumber(0x1234_5678));
    assert_eq!(repr.ack_number, None);
    assert_eq!(repr.window_len, 64240);
    assert_eq!(repr.max_seg_size, Some(1460));
    assert_eq!(repr.window_scale, Some(7));
    assert!(repr.sack_permitted);
    assert_eq!(
        repr.timestamp,
        Some(Timestamp {
            tsval: 123_456,
            tsecr: 0
        })
    );
    assert_eq!(emit(&repr), bytes, "our layout is Linux's");
}

#[test]
fn every_flag_has_its_own_bit() {
    let mut bytes = linux_syn();
    type Getter = fn(&Packet<&mut [u8]>) -> bool;
    let getters: [(u16, Getter); 8] = [
        (flags::FIN, |p| p.fin()),
        (flags::SYN, |p| p.syn()),
        (flags::RST, |p| p.rst()),
        (flags::PSH, |p| p.psh()),
        (flags::ACK, |p| p.ack()),
        (flags::URG, |p| p.urg()),
        (flags::ECE, |p| p.ece()),
        (flags::CWR, |p| p.cwr()),
    ];
    let mut packet = Packet::new_unchecked(&mut bytes[..]);
    for (bit, get) in getters {
        packet.set_flags(bit);
        assert_eq!(packet.flags(), bit);
        assert!(get(&packet));
        assert_eq!(packet.header_len(), 40, "flags keep the data offset");
        for (other, get_other) in getters {
            assert_eq!(get_other(&packet), other == bit);
        }
    }
}

#[test]
fn truncated_at_every_length_is_an_error() {
    let mut bytes = linux_syn();
    bytes.extend_from_slice(b"payload");
    Packet::new_unchecked(&mut bytes[..]).fill_checksum(SRC, DST);
    for len in 0..bytes.len() {
        assert!(parse(&bytes[..len]).is_err(), "length {len}");
    }
    assert_eq!(parse(&bytes).unwrap().payload, b"payload");
}

#[test]
fn bad_data_offset_is_rejected() {
    let mut bytes = linux_syn();
    for words in 0..5u8 {
        Packet::new_unchecked(&mut bytes[..]).set_header_len(words * 4);
        assert_eq!(
            Packet::new_checked(&bytes[..]).unwrap_err(),
            Error::Malformed
        );
    }
    Packet::new_unchecked(&mut bytes[..]).set_header_len(44);
    assert_eq!(
        Packet::new_checked(&bytes[..]).unwrap_err(),
        Error::Truncated
    );
    let unchecked = Packet::new_unchecked(&bytes[..]);
    assert!(unchecked.options().is_empty() && unchecked.payload().is_empty());
}

#[test]
fn malformed_options_are_rejected_without_panic() {
    for (at, value) in [(21, 0u8), (21, 1), (21, 30), (24, 5), (25, 3)] {
        let mut bytes = linux_syn();
        bytes[at] = value;
        Packet::new_unchecked(&mut bytes[..]).fill_checksum(SRC, DST);
        assert_eq!(parse(&bytes), Err(Error::Malformed), "byte {at} = {value}");
    }
}

#[test]
fn unknown_options_are_skipped_by_length() {
    let mut bytes = linux_syn();
    // Replace SACK-permitted + timestamps with an unknown 12-byte option.
    bytes[24] = 0xfd;
    bytes[25] = 12;
    Packet::new_unchecked(&mut bytes[..]).fill_checksum(SRC, DST);
    let repr = parse(&bytes).unwrap();
    assert!(!repr.sack_permitted && repr.timestamp.is_none());
    assert_eq!(
        (repr.max_seg_size, repr.window_scale),
        (Some(1460), Some(7))
    );
}

#[test]
fn wrong_checksum_is_rejected_for_every_flipped_byte() {
    let bytes = linux_syn();
    for at in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[at] ^= 0x40;
        assert!(parse(&bad).is_err(), "byte {at}");
    }
    let mut bad = bytes.clone();
    bad[16] ^= 1;
    assert_eq!(parse(&bad), Err(Error::Checksum));
}

#[test]
fn impossible_flag_sets_and_zero_ports_are_malformed() {
    for bits in [
        flags::SYN | flags::FIN,
        flags::SYN | flags::RST,
        flags::FIN | flags::RST,
    ] {
        let mut bytes = linux_syn();
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        packet.set_flags(bits);
        packet.fill_checksum(SRC, DST);
        assert_eq!(parse(&bytes), Err(Error::Malformed));
    }
    for port in [0..2, 2..4] {
        let mut bytes = linux_syn();
        bytes[port].fill(0);
        Packet::new_unchecked(&mut bytes[..]).fill_checksum(SRC, DST);
        assert_eq!(parse(&bytes), Err(Error::Malformed));
    }
}

#[test]
fn fin_with_psh_parses_as_fin() {
    let mut bytes = linux_syn();
    let mut packet = Packet::new_unchecked(&mut bytes[..]);
    packet.set_flags(flags::FIN | flags::PSH | flags::ACK);
    packet.fill_checksum(SRC, DST);
    let repr = parse(&bytes).unwrap();
    assert_eq!(repr.control, Control::Fin);
    assert_eq!(repr.segment_len(), 1);
}

fn data_repr(payload: &[u8]) -> Repr<'_> {
    Repr {
        src_port: 1,
        dst_port: 2,
        control: Control::Psh,
        seq_number: SeqNumber(10),
        ack_number: Some(SeqNumber(20)),
        window_len: 100,
        window_scale: None,
        max_seg_size: None,
        sack_permitted: false,
        sack_ranges: [None; MAX_SACK_BLOCKS],
        timestamp: None,
        payload,
    }
}

#[test]
fn sack_blocks_are_limited_to_what_fits() {
    let block = |n: u32| Some((SeqNumber(n), SeqNumber(n + 1)));
    let mut repr = data_repr(b"x");
    repr.sack_ranges = [block(1), block(3), block(5), block(7)];
    assert_eq!(repr.header_len(), 20 + 36);
    assert_eq!(parse(&emit(&repr)).unwrap(), repr);

    repr.timestamp = Some(Timestamp { tsval: 1, tsecr: 2 });
    assert_eq!(repr.header_len(), 60);
    let bytes = emit(&repr);
    let parsed = parse(&bytes).unwrap();
    assert_eq!(parsed.sack_ranges, [block(1), block(3), block(5), None]);
}

#[test]
fn option_groups_are_word_aligned() {
    let mut repr = data_repr(b"");
    repr.timestamp = Some(Timestamp { tsval: 1, tsecr: 2 });
    let bytes = emit(&repr);
    assert_eq!(&bytes[20..24], &[1, 1, 8, 10]);
    repr.timestamp = None;
    repr.window_scale = Some(3);
    assert_eq!(&emit(&repr)[20..], &[1, 3, 3, 3]);
    repr.window_scale = None;
    repr.sack_permitted = true;
    assert_eq!(&emit(&repr)[20..], &[1, 1, 4, 2]);
}

fn arb_seq() -> impl Strategy<Value = SeqNumber> {
    any::<u32>().prop_map(SeqNumber)
}

fn arb_control() -> impl Strategy<Value = Control> {
    prop_oneof![
        Just(Control::None),
        Just(Control::Psh),
        Just(Control::Syn),
        Just(Control::Fin),
        Just(Control::Rst),
    ]
}

prop_compose! {
    fn arb_repr_parts()(
        ports in (1..=u16::MAX, 1..=u16::MAX),
        control in arb_control(),
        seq in arb_seq(),
        ack in proptest::option::of(arb_seq()),
        window_len in any::<u16>(),
        window_scale in proptest::option::of(any::<u8>()),
        max_seg_size in proptest::option::of(any::<u16>()),
        sack_permitted in any::<bool>(),
        sack in proptest::collection::vec((arb_seq(), arb_seq()), 0..=4),
        timestamp in proptest::option::of((any::<u32>(), any::<u32>())),
        payload in proptest::collection::vec(any::<u8>(), 0..64),
    ) -> (Repr<'static>, Vec<u8>) {
        let mut sack_ranges = [None; MAX_SACK_BLOCKS];
        for (slot, block) in sack_ranges.iter_mut().zip(sack) {
            *slot = Some(block);
        }
        let repr = Repr {
            src_port: ports.0,
            dst_port: ports.1,
            control,
            seq_number: seq,
            ack_number: ack,
            window_len,
            window_scale,
            max_seg_size,
            sack_permitted,
            sack_ranges,
            timestamp: timestamp.map(|(tsval, tsecr)| Timestamp { tsval, tsecr }),
            payload: &[],
        };
        (repr, payload)
    }
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        let _ = parse(&bytes);
        let packet = Packet::new_unchecked(&bytes[..]);
        if bytes.len() >= HEADER_LEN {
            let _ = (packet.options(), packet.payload(), packet.flags());
        }
        for option in Options::new(&bytes) {
            let _ = option;
        }
    }

    #[test]
    fn mutated_valid_segments_never_panic(
        at in 0usize..40, value in any::<u8>(), fix in any::<bool>(), cut in 0usize..48,
    ) {
        let mut bytes = linux_syn();
        bytes.extend_from_slice(b"abcdefgh");
        bytes[at] = value;
        if fix {
            Packet::new_unchecked(&mut bytes[..]).fill_checksum(SRC, DST);
        }
        bytes.truncate(cut);
        if let Ok(repr) = parse(&bytes) {
            let again = emit(&repr);
            prop_assert_eq!(parse(&again).unwrap(), repr);
        }
    }

    #[test]
    fn repr_round_trips((mut repr, payload) in arb_repr_parts()) {
        repr.payload = &payload;
        let bytes = emit(&repr);
        prop_assert_eq!(bytes.len() % 4, payload.len() % 4);
        let parsed = parse(&bytes).unwrap();
        let fitted = parsed.sack_ranges.iter().flatten().count();
        let mut expected = repr;
        for slot in expected.sack_ranges.iter_mut().skip(fitted) {
            *slot = None;
        }
        prop_assert_eq!(parsed, expected);
        prop_assert_eq!(emit(&parsed), bytes);
    }
}

/// What the option walk alone makes of `options`, as (timestamp, SACK).
fn walked(options: &[u8]) -> Result<(Option<Timestamp>, [Option<SackBlock>; MAX_SACK_BLOCKS])> {
    let mut found = (None, [None; MAX_SACK_BLOCKS]);
    for option in Options::new(options) {
        match option? {
            TcpOption::Timestamp(ts) => found.0 = Some(ts),
            TcpOption::SackRange(blocks) => found.1 = blocks,
            _ => {}
        }
    }
    Ok(found)
}

/// Timestamps and SACK blocks as this stack and Linux lay them out, with
/// `blocks` blocks (0 to 5, one more than fits) and a SACK length byte off
/// by `skew`.
fn usual_layout(timestamps: bool, blocks: u8, skew: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    if timestamps {
        bytes.extend_from_slice(&[1, 1, 8, 10, 0, 0, 1, 2, 0xde, 0xad, 0xbe, 0xef]);
    }
    if blocks > 0 {
        bytes.extend_from_slice(&[1, 1, 5, (2 + 8 * blocks).wrapping_add(skew)]);
        for i in 0..u32::from(blocks) * 2 {
            bytes.extend_from_slice(&(1000 * i + 7).to_be_bytes());
        }
    }
    bytes
}

#[test]
fn usual_options_read_as_the_walk_does() {
    for timestamps in [false, true] {
        for blocks in 0..=5 {
            for skew in [0, 1, 8, 255] {
                let bytes = usual_layout(timestamps, blocks, skew);
                let walk = walked(&bytes);
                match usual_options(&bytes) {
                    Some(fast) => assert_eq!(Ok(fast), walk, "{bytes:?}"),
                    None => assert!(
                        skew != 0 || blocks == 5 || (!timestamps && blocks == 0),
                        "the usual layout {bytes:?} missed the fast path"
                    ),
                }
            }
        }
    }
}

proptest! {
    #[test]
    fn usual_options_agree_with_the_walk(
        timestamps in any::<bool>(),
        blocks in 0u8..=4,
        at in 0usize..48,
        value in any::<u8>(),
    ) {
        let mut bytes = usual_layout(timestamps, blocks, 0);
        if let Some(byte) = bytes.get_mut(at) {
            *byte = value;
        }
        if let Some(fast) = usual_options(&bytes) {
            prop_assert_eq!(Ok(fast), walked(&bytes));
        }
    }
}

proptest! {
    /// The one-pass payload copy and checksum writes the same bytes as
    /// copying the payload and then summing the segment, for any payload
    /// (odd lengths included), for a buffer longer than the segment and for
    /// a data offset under 20 bytes (where the checksum field lies in the
    /// payload; both fall back to the two passes).
    #[test]
    fn payload_and_checksum_in_one_pass_match_two(
        // At least 10 bytes: an 8-byte header still needs the checksum field.
        payload in proptest::collection::vec(any::<u8>(), 10..1500),
        header in proptest::collection::vec(any::<u8>(), 24..=24),
        header_len in proptest::sample::select(vec![8u8, 16, 20, 24]),
        spare in 0usize..3,
    ) {
        let hlen = usize::from(header_len);
        let len = hlen + payload.len() + spare;
        let (mut once, mut twice) = (vec![0x5au8; len], vec![0x5au8; len]);
        for bytes in [&mut once, &mut twice] {
            let n = hlen.min(len).min(header.len());
            bytes[..n].copy_from_slice(&header[..n]);
            Packet::new_unchecked(&mut bytes[..]).set_header_len(header_len);
        }
        let mut packet = Packet::new_unchecked(&mut once[..]);
        packet.fill_payload_and_checksum(&payload, SRC, DST);
        let mut packet = Packet::new_unchecked(&mut twice[..]);
        packet.payload_mut()[..payload.len()].copy_from_slice(&payload);
        packet.fill_checksum(SRC, DST);
        prop_assert_eq!(&once, &twice);
        prop_assert!(Packet::new_unchecked(&once[..]).verify_checksum(SRC, DST));
    }
}
