//! Whatever the bytes, no view or parser panics, and input a view accepts
//! re-emits to a packet that parses the same; `parse(emit(r)) == r` for
//! generated `Repr`s.

use proptest::prelude::*;
use seqs::wire::{arp, ethernet, icmpv4, ipv4, udp, Error};

use crate::support::*;

fn exercise_ethernet(bytes: &[u8]) {
    let Ok(frame) = ethernet::Frame::new_checked(bytes) else {
        return;
    };
    let repr = ethernet::Repr::parse(&frame).expect("a checked frame always parses");
    assert_eq!(frame.header_len() + frame.payload().len(), bytes.len());
    assert_eq!(frame.vlan_id(), repr.vlan.map(|t| t.id()));
    assert_eq!(frame.vlan_pcp(), repr.vlan.map(|t| t.pcp()));
    assert_eq!(emit_ethernet(&repr, frame.payload()), bytes);
}

fn exercise_arp(bytes: &[u8]) {
    let Ok(packet) = arp::Packet::new_checked(bytes) else {
        return;
    };
    assert_eq!(
        packet.source_hardware_addr().len(),
        usize::from(packet.hardware_len())
    );
    assert_eq!(
        packet.target_protocol_addr().len(),
        usize::from(packet.protocol_len())
    );
    let _ = (packet.operation(), packet.source_protocol_addr());
    let _ = packet.target_hardware_addr();
    match arp::Repr::parse(&packet) {
        Ok(repr) => assert_eq!(emit_arp(&repr), bytes[..arp::PACKET_LEN]),
        Err(e) => assert_eq!(e, Error::Unsupported),
    }
}

fn exercise_ipv4(bytes: &[u8]) {
    let Ok(packet) = ipv4::Packet::new_checked(bytes) else {
        return;
    };
    let total = usize::from(packet.total_len());
    assert!(total <= bytes.len());
    assert_eq!(packet.header_len() + packet.payload().len(), total);
    assert_eq!(packet.options().len(), packet.header_len() - 20);
    let _ = (packet.dscp(), packet.ecn(), packet.checksum());
    let Ok(repr) = ipv4::Repr::parse(&packet) else {
        return;
    };
    let mut out = vec![0; repr.buffer_len()];
    let mut emitted = ipv4::Packet::new_unchecked(&mut out[..]);
    repr.emit(&mut emitted);
    emitted.payload_mut().copy_from_slice(packet.payload());
    let again = ipv4::Packet::new_checked(&out[..]).unwrap();
    assert_eq!(ipv4::Repr::parse(&again), Ok(repr));
    assert_eq!(again.payload(), packet.payload());
}

fn exercise_icmpv4(bytes: &[u8]) {
    let Ok(packet) = icmpv4::Packet::new_checked(bytes) else {
        return;
    };
    let _ = (packet.msg_type(), packet.msg_code(), packet.next_hop_mtu());
    let _ = (packet.echo_ident(), packet.echo_seq_no(), packet.data());
    let Ok(repr) = icmpv4::Repr::parse(&packet) else {
        return;
    };
    if let icmpv4::Repr::DstUnreachable { data, .. } | icmpv4::Repr::TimeExceeded { data, .. } =
        repr
    {
        let _ = icmpv4::Quote::parse(data);
    }
    let out = emit_icmp(&repr);
    assert_eq!(
        icmpv4::Repr::parse(&icmpv4::Packet::new_checked(&out[..]).unwrap()),
        Ok(repr)
    );
}

fn exercise_udp(bytes: &[u8]) {
    let Ok(packet) = udp::Packet::new_checked(bytes) else {
        return;
    };
    assert_eq!(packet.payload().len() + 8, usize::from(packet.len()));
    let Ok(repr) = udp::Repr::parse(&packet, SRC, DST) else {
        return;
    };
    let out = emit_udp(&repr, SRC, DST, packet.payload());
    let again = udp::Packet::new_checked(&out[..]).unwrap();
    assert_eq!(udp::Repr::parse(&again, SRC, DST), Ok(repr));
    assert_eq!(again.payload(), packet.payload());
    assert_ne!(again.checksum(), 0, "we always compute the checksum");
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in payload(128)) {
        exercise_ethernet(&bytes);
        exercise_arp(&bytes);
        exercise_ipv4(&bytes);
        exercise_icmpv4(&bytes);
        exercise_udp(&bytes);
    }

    #[test]
    fn mutated_ethernet_never_panics(repr in ethernet_repr(), body in payload(64), e in edits()) {
        exercise_ethernet(&mutate(emit_ethernet(&repr, &body), &e));
    }

    #[test]
    fn mutated_arp_never_panics(repr in arp_repr(), e in edits()) {
        exercise_arp(&mutate(emit_arp(&repr), &e));
    }

    /// Mutated as sent, and again with the checksum made right so that the
    /// semantic checks behind it are reached too.
    #[test]
    fn mutated_ipv4_never_panics(repr in ipv4_repr(), e in edits()) {
        let mut bytes = mutate(emit_ipv4(&repr), &e);
        exercise_ipv4(&bytes);
        if let Ok(mut packet) = ipv4::Packet::new_checked(&mut bytes[..]) {
            packet.fill_checksum();
            exercise_ipv4(&bytes);
        }
    }

    #[test]
    fn mutated_icmpv4_never_panics(icmp in icmp(), e in edits()) {
        let mut bytes = mutate(emit_icmp(&icmp.repr()), &e);
        exercise_icmpv4(&bytes);
        if let Ok(mut packet) = icmpv4::Packet::new_checked(&mut bytes[..]) {
            packet.fill_checksum();
            exercise_icmpv4(&bytes);
        }
    }

    #[test]
    fn mutated_udp_never_panics(ports in any::<(u16, u16)>(), body in payload(64), e in edits()) {
        let repr = udp::Repr { src_port: ports.0, dst_port: ports.1 };
        let mut bytes = mutate(emit_udp(&repr, SRC, DST, &body), &e);
        exercise_udp(&bytes);
        if let Ok(mut packet) = udp::Packet::new_checked(&mut bytes[..]) {
            packet.fill_checksum(SRC, DST);
            exercise_udp(&bytes);
        }
    }

    // ---- round trips: parse(emit(r)) == r

    #[test]
    fn ethernet_round_trip(repr in ethernet_repr(), body in payload(64)) {
        let bytes = emit_ethernet(&repr, &body);
        let frame = ethernet::Frame::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(ethernet::Repr::parse(&frame), Ok(repr));
        prop_assert_eq!(frame.payload(), &body[..]);
    }

    #[test]
    fn arp_round_trip(repr in arp_repr()) {
        let bytes = emit_arp(&repr);
        prop_assert_eq!(arp::Repr::parse(&arp::Packet::new_checked(&bytes[..]).unwrap()), Ok(repr));
    }

    #[test]
    fn ipv4_round_trip(repr in ipv4_repr()) {
        let bytes = emit_ipv4(&repr);
        let packet = ipv4::Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(ipv4::Repr::parse(&packet), Ok(repr));
        prop_assert_eq!(packet.payload(), &bytes[20..]);
    }

    #[test]
    fn icmpv4_round_trip(icmp in icmp()) {
        let repr = icmp.repr();
        let bytes = emit_icmp(&repr);
        prop_assert_eq!(icmpv4::Repr::parse(&icmpv4::Packet::new_checked(&bytes[..]).unwrap()), Ok(repr));
    }

    #[test]
    fn udp_round_trip(ports in any::<(u16, u16)>(), src in ip(), dst in ip(), body in payload(600)) {
        let repr = udp::Repr { src_port: ports.0, dst_port: ports.1 };
        let bytes = emit_udp(&repr, src, dst, &body);
        let packet = udp::Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(udp::Repr::parse(&packet, src, dst), Ok(repr));
        prop_assert_eq!(packet.payload(), &body[..]);
    }
}
