//! smoltcp as a second oracle, chosen for what etherparse does not check:
//! it reads the IPv4 header quoted inside ICMP errors, and rejects UDP with
//! a bad pseudo-header checksum. What we emit, smoltcp must parse to the same
//! meaning, and the reverse.

use proptest::prelude::*;
use seqs::wire::{icmpv4, ipv4, udp, Ipv4Addr};
use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire as sm;

use crate::support::*;

/// An IPv4/UDP datagram built with our emitters.
fn ipv4_udp(src: Ipv4Addr, dst: Ipv4Addr, ports: (u16, u16), body: &[u8]) -> Vec<u8> {
    let datagram = emit_udp(
        &udp::Repr {
            src_port: ports.0,
            dst_port: ports.1,
        },
        src,
        dst,
        body,
    );
    let repr = ipv4::Repr {
        src_addr: src,
        dst_addr: dst,
        protocol: ipv4::Protocol::Udp,
        payload_len: datagram.len(),
        ttl: 64,
        dscp_ecn: 0,
        ident: 1,
        dont_frag: true,
        more_frags: false,
        frag_offset: 0,
    };
    let mut out = vec![0; repr.buffer_len()];
    let mut packet = ipv4::Packet::new_unchecked(&mut out[..]);
    repr.emit(&mut packet);
    packet.payload_mut().copy_from_slice(&datagram);
    out
}

fn caps() -> ChecksumCapabilities {
    ChecksumCapabilities::default()
}

proptest! {
    #[test]
    fn arp_we_emit_smoltcp_reads(repr in arp_repr()) {
        let bytes = emit_arp(&repr);
        let theirs = sm::ArpRepr::parse(&sm::ArpPacket::new_checked(&bytes[..]).unwrap()).unwrap();
        let sm::ArpRepr::EthernetIpv4 {
            operation,
            source_hardware_addr,
            source_protocol_addr,
            target_hardware_addr,
            target_protocol_addr,
        } = theirs
        else {
            panic!("smoltcp read {theirs:?}");
        };
        prop_assert_eq!(u16::from(operation), u16::from(repr.operation));
        prop_assert_eq!(source_hardware_addr.0, repr.source_hardware_addr.0);
        prop_assert_eq!(source_protocol_addr, repr.source_protocol_addr);
        prop_assert_eq!(target_hardware_addr.0, repr.target_hardware_addr.0);
        prop_assert_eq!(target_protocol_addr, repr.target_protocol_addr);
    }

    /// A whole IPv4/UDP datagram: smoltcp verifies both checksums, pseudo-
    /// header included, and reads the same addresses, ports and payload.
    #[test]
    fn ipv4_udp_we_emit_smoltcp_reads(
        src in ip(),
        dst in ip(),
        ports in (any::<u16>(), 1..=u16::MAX),
        body in payload(600),
    ) {
        let bytes = ipv4_udp(src, dst, ports, &body);
        let packet = sm::Ipv4Packet::new_checked(&bytes[..]).unwrap();
        let ip = sm::Ipv4Repr::parse(&packet, &caps()).unwrap();
        prop_assert_eq!((ip.src_addr, ip.dst_addr), (src, dst));
        prop_assert_eq!(ip.next_header, sm::IpProtocol::Udp);
        prop_assert_eq!(ip.payload_len, 8 + body.len());
        let datagram = sm::UdpPacket::new_checked(packet.payload()).unwrap();
        let (s, d) = (sm::IpAddress::Ipv4(src), sm::IpAddress::Ipv4(dst));
        let theirs = sm::UdpRepr::parse(&datagram, &s, &d, &caps()).unwrap();
        prop_assert_eq!((theirs.src_port, theirs.dst_port), ports);
        prop_assert_eq!(datagram.payload(), &body[..]);
    }

    #[test]
    fn echo_we_emit_smoltcp_reads(ident in any::<u16>(), seq_no in any::<u16>(), data in payload(600)) {
        let ours = icmpv4::Repr::EchoReply { ident, seq_no, data: &data };
        let bytes = emit_icmp(&ours);
        let packet = sm::Icmpv4Packet::new_checked(&bytes[..]).unwrap();
        let theirs = sm::Icmpv4Repr::parse(&packet, &caps()).unwrap();
        prop_assert_eq!(theirs, sm::Icmpv4Repr::EchoReply { ident, seq_no, data: &data });
    }

    /// Our unreachable about a datagram: smoltcp finds in the quote the
    /// datagram's addresses and protocol, and the bytes after its header.
    /// The datagram fits the quote whole: smoltcp rejects quotes cut short
    /// (which RFC 792 and our `Quote` allow).
    #[test]
    fn unreachable_we_emit_smoltcp_reads(
        code in 0u8..16,
        src in ip(),
        dst in ip(),
        ports in any::<(u16, u16)>(),
        body in payload(icmpv4::MAX_QUOTE_LEN - 28),
    ) {
        let offending = ipv4_udp(src, dst, ports, &body);
        let reason = icmpv4::DstUnreachable::from_code(code, 1280).unwrap();
        let bytes = emit_icmp(&icmpv4::Repr::dst_unreachable(reason, &offending));
        let packet = sm::Icmpv4Packet::new_checked(&bytes[..]).unwrap();
        let theirs = sm::Icmpv4Repr::parse(&packet, &caps()).unwrap();
        let sm::Icmpv4Repr::DstUnreachable { reason: their_reason, header, data } = theirs else {
            panic!("smoltcp read {theirs:?}");
        };
        prop_assert_eq!(u8::from(their_reason), code);
        prop_assert_eq!((header.src_addr, header.dst_addr), (src, dst));
        prop_assert_eq!(header.next_header, sm::IpProtocol::Udp);
        prop_assert_eq!(data, &offending[20..]);
    }

    /// smoltcp's unreachable (it quotes a header it re-emits, then the data
    /// it is given): our reader finds the same datagram in it.
    #[test]
    fn unreachable_smoltcp_emits_we_read(
        src in ip(),
        dst in ip(),
        ports in any::<(u16, u16)>(),
        body in payload(64),
    ) {
        let offending = ipv4_udp(src, dst, ports, &body);
        let header = sm::Ipv4Repr {
            src_addr: src,
            dst_addr: dst,
            next_header: sm::IpProtocol::Udp,
            payload_len: offending.len() - 20,
            hop_limit: 64,
        };
        let theirs = sm::Icmpv4Repr::DstUnreachable {
            reason: sm::Icmpv4DstUnreachable::PortUnreachable,
            header,
            data: &offending[20..],
        };
        let mut bytes = vec![0; theirs.buffer_len()];
        theirs.emit(&mut sm::Icmpv4Packet::new_unchecked(&mut bytes[..]), &caps());

        let ours = icmpv4::Repr::parse(&icmpv4::Packet::new_checked(&bytes[..]).unwrap()).unwrap();
        let icmpv4::Repr::DstUnreachable { reason, data } = ours else {
            panic!("we read {ours:?}");
        };
        prop_assert_eq!(reason, icmpv4::DstUnreachable::PortUnreachable);
        let quote = icmpv4::Quote::parse(data).unwrap();
        prop_assert_eq!((quote.src_addr, quote.dst_addr), (src, dst));
        prop_assert_eq!(quote.protocol, ipv4::Protocol::Udp);
        prop_assert_eq!(quote.payload, &offending[20..]);
    }
}
