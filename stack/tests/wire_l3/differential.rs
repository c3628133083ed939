//! etherparse as an independent oracle: what we emit, it reads field for
//! field; what it writes, we read (and re-emit byte for byte).

use etherparse as ep;
use proptest::prelude::*;
use seqs::wire::{arp, ethernet, icmpv4, ipv4, udp, Ipv4Addr};

use crate::support::*;

fn ep_vlan(tag: ethernet::VlanTag, inner: ethernet::EtherType) -> ep::SingleVlanHeader {
    ep::SingleVlanHeader {
        pcp: ep::VlanPcp::try_new(tag.pcp()).unwrap(),
        drop_eligible_indicator: tag.dei(),
        vlan_id: ep::VlanId::try_new(tag.id()).unwrap(),
        ether_type: ep::EtherType(inner.into()),
    }
}

proptest! {
    #[test]
    fn ethernet_we_emit_etherparse_reads(repr in ethernet_repr(), body in payload(64)) {
        let bytes = emit_ethernet(&repr, &body);
        let (header, rest) = ep::Ethernet2Header::from_slice(&bytes).unwrap();
        prop_assert_eq!(header.source, repr.src_addr.0);
        prop_assert_eq!(header.destination, repr.dst_addr.0);
        let payload = match repr.vlan {
            None => {
                prop_assert_eq!(header.ether_type.0, u16::from(repr.ethertype));
                rest
            }
            Some(tag) => {
                prop_assert_eq!(header.ether_type, ep::EtherType::VLAN_TAGGED_FRAME);
                let (vlan, rest) = ep::SingleVlanHeader::from_slice(rest).unwrap();
                prop_assert_eq!(vlan, ep_vlan(tag, repr.ethertype));
                rest
            }
        };
        prop_assert_eq!(payload, &body[..]);
    }

    #[test]
    fn ethernet_etherparse_emits_we_read(repr in ethernet_repr(), body in payload(64)) {
        let outer = repr.vlan.map_or(repr.ethertype.into(), |_| 0x8100);
        let mut bytes = ep::Ethernet2Header {
            source: repr.src_addr.0,
            destination: repr.dst_addr.0,
            ether_type: ep::EtherType(outer),
        }
        .to_bytes()
        .to_vec();
        if let Some(tag) = repr.vlan {
            bytes.extend(ep_vlan(tag, repr.ethertype).to_bytes());
        }
        bytes.extend(&body);
        let frame = ethernet::Frame::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(ethernet::Repr::parse(&frame), Ok(repr));
        prop_assert_eq!(frame.payload(), &body[..]);
        prop_assert_eq!(emit_ethernet(&repr, &body), bytes);
    }

    #[test]
    fn arp_we_emit_etherparse_reads(repr in arp_repr()) {
        let bytes = emit_arp(&repr);
        let theirs = ep::ArpPacket::from_slice(&bytes).unwrap().try_eth_ipv4().unwrap();
        prop_assert_eq!(theirs.operation.0, u16::from(repr.operation));
        prop_assert_eq!(theirs.sender_mac, repr.source_hardware_addr.0);
        prop_assert_eq!(theirs.sender_ipv4_addr(), repr.source_protocol_addr);
        prop_assert_eq!(theirs.target_mac, repr.target_hardware_addr.0);
        prop_assert_eq!(theirs.target_ipv4_addr(), repr.target_protocol_addr);
    }

    #[test]
    fn arp_etherparse_emits_we_read(repr in arp_repr()) {
        let bytes = ep::ArpEthIpv4Packet {
            operation: ep::ArpOperation(repr.operation.into()),
            sender_mac: repr.source_hardware_addr.0,
            sender_ipv4: repr.source_protocol_addr.octets(),
            target_mac: repr.target_hardware_addr.0,
            target_ipv4: repr.target_protocol_addr.octets(),
        }
        .to_bytes();
        prop_assert_eq!(arp::Repr::parse(&arp::Packet::new_checked(&bytes[..]).unwrap()), Ok(repr));
        prop_assert_eq!(emit_arp(&repr), bytes.to_vec());
    }

    /// Foreign ARP (any hardware and protocol sizes): the view reads the same
    /// addresses as etherparse, and the `Repr` declines it.
    #[test]
    fn arp_foreign_sizes_agree_with_etherparse(
        htype in any::<u16>(),
        ptype in any::<u16>(),
        op in any::<u16>(),
        hw in (0usize..=16).prop_flat_map(|n| proptest::collection::vec(payload(n).prop_map(move |mut v| { v.resize(n, 0); v }), 2)),
        proto in (0usize..=16).prop_flat_map(|n| proptest::collection::vec(payload(n).prop_map(move |mut v| { v.resize(n, 0); v }), 2)),
    ) {
        let theirs = ep::ArpPacket::new(
            ep::ArpHardwareId(htype),
            ep::EtherType(ptype),
            ep::ArpOperation(op),
            &hw[0],
            &proto[0],
            &hw[1],
            &proto[1],
        )
        .unwrap();
        let bytes = theirs.to_bytes();
        let ours = arp::Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(ours.hardware_type(), htype);
        prop_assert_eq!(u16::from(ours.protocol_type()), ptype);
        prop_assert_eq!(u16::from(ours.operation()), op);
        prop_assert_eq!(ours.source_hardware_addr(), theirs.sender_hw_addr());
        prop_assert_eq!(ours.source_protocol_addr(), theirs.sender_protocol_addr());
        prop_assert_eq!(ours.target_hardware_addr(), theirs.target_hw_addr());
        prop_assert_eq!(ours.target_protocol_addr(), theirs.target_protocol_addr());
        let ethernet_ipv4 = htype == 1 && ptype == 0x0800 && hw[0].len() == 6 && proto[0].len() == 4;
        prop_assert_eq!(arp::Repr::parse(&ours).is_ok(), ethernet_ipv4);
    }

    #[test]
    fn ipv4_we_emit_etherparse_reads(repr in ipv4_repr()) {
        let bytes = emit_ipv4(&repr);
        // The header slice, not `Ipv4Slice`: the latter would also try to
        // read IPsec AH payloads (protocol 51) out of our pattern bytes.
        let header = ep::Ipv4HeaderSlice::from_slice(&bytes).unwrap();
        prop_assert_eq!(header.dcp().value(), repr.dscp_ecn >> 2);
        prop_assert_eq!(header.ecn().value(), repr.dscp_ecn & 3);
        prop_assert_eq!(usize::from(header.total_len()), repr.buffer_len());
        prop_assert_eq!(header.identification(), repr.ident);
        prop_assert_eq!(header.dont_fragment(), repr.dont_frag);
        prop_assert_eq!(header.more_fragments(), repr.more_frags);
        prop_assert_eq!(header.fragments_offset().byte_offset(), repr.frag_offset);
        prop_assert_eq!(header.ttl(), repr.ttl);
        prop_assert_eq!(header.protocol().0, u8::from(repr.protocol));
        prop_assert_eq!(header.source_addr(), repr.src_addr);
        prop_assert_eq!(header.destination_addr(), repr.dst_addr);
        prop_assert_eq!(header.header_checksum(), header.to_header().calc_header_checksum());
        prop_assert_eq!(usize::from(header.payload_len().unwrap()), repr.payload_len);
    }

    /// etherparse headers, options included, read the same in our view;
    /// without options our emit reproduces them byte for byte.
    #[test]
    fn ipv4_etherparse_emits_we_read(
        repr in ipv4_repr(),
        options in (0usize..=10).prop_flat_map(|words| proptest::collection::vec(any::<u8>(), words * 4)),
    ) {
        let mut header = ep::Ipv4Header {
            dscp: ep::IpDscp::try_new(repr.dscp_ecn >> 2).unwrap(),
            ecn: ep::IpEcn::try_new(repr.dscp_ecn & 3).unwrap(),
            total_len: 0,
            identification: repr.ident,
            dont_fragment: repr.dont_frag,
            more_fragments: repr.more_frags,
            fragment_offset: ep::IpFragOffset::try_new(repr.frag_offset / 8).unwrap(),
            time_to_live: repr.ttl,
            protocol: ep::IpNumber(repr.protocol.into()),
            header_checksum: 0,
            source: repr.src_addr.octets(),
            destination: repr.dst_addr.octets(),
            options: ep::Ipv4Options::try_from(&options[..]).unwrap(),
        };
        header.set_payload_len(repr.payload_len).unwrap();
        header.header_checksum = header.calc_header_checksum();
        let mut bytes = header.to_bytes().to_vec();
        let header_len = bytes.len();
        bytes.extend((0..repr.payload_len).map(|i| i as u8 ^ 0x5a));
        bytes.extend([0u8; 3]); // link padding
        let packet = ipv4::Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(packet.header_len(), header_len);
        prop_assert_eq!(packet.options(), &options[..]);
        prop_assert_eq!(packet.payload(), &bytes[header_len..header_len + repr.payload_len]);
        prop_assert_eq!(ipv4::Repr::parse(&packet), Ok(repr));
        if options.is_empty() {
            prop_assert_eq!(emit_ipv4(&repr), &bytes[..bytes.len() - 3]);
        }
    }

    #[test]
    fn icmpv4_we_emit_etherparse_reads(icmp in icmp()) {
        let bytes = emit_icmp(&icmp.repr());
        let theirs = ep::Icmpv4Slice::from_slice(&bytes).unwrap();
        prop_assert_eq!(theirs.icmp_type(), icmp.etherparse_type());
        prop_assert_eq!(theirs.payload(), icmp.data());
        prop_assert_eq!(theirs.checksum(), icmp.etherparse_type().calc_checksum(icmp.data()));
    }

    #[test]
    fn icmpv4_etherparse_emits_we_read(icmp in icmp()) {
        let header = ep::Icmpv4Header::with_checksum(icmp.etherparse_type(), icmp.data());
        let mut bytes = header.to_bytes().to_vec();
        bytes.extend(icmp.data());
        let packet = icmpv4::Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(icmpv4::Repr::parse(&packet), Ok(icmp.repr()));
        prop_assert_eq!(emit_icmp(&icmp.repr()), bytes);
    }

    #[test]
    fn udp_we_emit_etherparse_reads(ports in any::<(u16, u16)>(), src in ip(), dst in ip(), body in payload(600)) {
        let repr = udp::Repr { src_port: ports.0, dst_port: ports.1 };
        let bytes = emit_udp(&repr, src, dst, &body);
        let theirs = ep::UdpSlice::from_slice(&bytes).unwrap();
        prop_assert_eq!(theirs.source_port(), ports.0);
        prop_assert_eq!(theirs.destination_port(), ports.1);
        prop_assert_eq!(usize::from(theirs.length()), bytes.len());
        prop_assert_eq!(theirs.payload(), &body[..]);
        let expected = theirs.to_header().calc_checksum_ipv4_raw(src.octets(), dst.octets(), &body).unwrap();
        prop_assert_eq!(theirs.checksum(), expected);
    }

    #[test]
    fn udp_etherparse_emits_we_read(ports in any::<(u16, u16)>(), src in ip(), dst in ip(), body in payload(600)) {
        let mut ip_header = ep::Ipv4Header::new(0, 64, ep::IpNumber::UDP, src.octets(), dst.octets()).unwrap();
        ip_header.set_payload_len(8 + body.len()).unwrap();
        let header = ep::UdpHeader::with_ipv4_checksum(ports.0, ports.1, &ip_header, &body).unwrap();
        let mut bytes = header.to_bytes().to_vec();
        bytes.extend(&body);
        let repr = udp::Repr { src_port: ports.0, dst_port: ports.1 };
        let packet = udp::Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(udp::Repr::parse(&packet, src, dst), Ok(repr));
        prop_assert_eq!(packet.payload(), &body[..]);
        prop_assert_eq!(emit_udp(&repr, src, dst, &body), bytes);
    }

    /// A whole frame (802.1Q-tagged or not) built layer by layer with our
    /// emitters, read by etherparse's full-packet slicer.
    #[test]
    fn whole_udp_frame_reads_in_etherparse(
        eth in ethernet_repr(),
        ports in any::<(u16, u16)>(),
        src in ip(),
        dst in ip(),
        body in payload(200),
    ) {
        let udp_repr = udp::Repr { src_port: ports.0, dst_port: ports.1 };
        let udp_bytes = emit_udp(&udp_repr, src, dst, &body);
        let ip_repr = ipv4::Repr {
            src_addr: src,
            dst_addr: dst,
            protocol: ipv4::Protocol::Udp,
            payload_len: udp_bytes.len(),
            ttl: 64,
            dscp_ecn: 0,
            ident: 7,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
        };
        let mut ip_bytes = vec![0; ip_repr.buffer_len()];
        let mut ip_packet = ipv4::Packet::new_unchecked(&mut ip_bytes[..]);
        ip_repr.emit(&mut ip_packet);
        ip_packet.payload_mut().copy_from_slice(&udp_bytes);
        let eth = ethernet::Repr { ethertype: ethernet::EtherType::Ipv4, ..eth };
        let frame = emit_ethernet(&eth, &ip_bytes);

        let sliced = ep::SlicedPacket::from_ethernet(&frame).unwrap();
        prop_assert_eq!(sliced.link_exts.len(), usize::from(eth.vlan.is_some()));
        let Some(ep::NetSlice::Ipv4(net)) = sliced.net else { panic!("no IPv4 layer") };
        prop_assert_eq!(net.header().source_addr(), src);
        let Some(ep::TransportSlice::Udp(datagram)) = sliced.transport else { panic!("no UDP layer") };
        prop_assert_eq!(datagram.source_port(), ports.0);
        prop_assert_eq!(datagram.payload(), &body[..]);
    }
}

/// etherparse's packet builder writes a tagged ICMP echo frame; we read every
/// layer of it back.
#[test]
fn etherparse_built_echo_frame_reads_in_every_layer() {
    let builder = ep::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .single_vlan(ep::VlanId::try_new(100).unwrap())
        .ipv4([192, 0, 2, 1], [192, 0, 2, 2], 32)
        .icmpv4_echo_request(0x1234, 9);
    let mut frame = Vec::new();
    builder.write(&mut frame, b"ping payload").unwrap();

    let eth = ethernet::Frame::new_checked(&frame[..]).unwrap();
    assert_eq!(eth.vlan_id(), Some(100));
    assert_eq!(eth.ethertype(), ethernet::EtherType::Ipv4);
    let ip = ipv4::Packet::new_checked(eth.payload()).unwrap();
    let ip_repr = ipv4::Repr::parse(&ip).unwrap();
    assert_eq!(ip_repr.protocol, ipv4::Protocol::Icmp);
    assert_eq!(ip_repr.ttl, 32);
    let icmp = icmpv4::Packet::new_checked(ip.payload()).unwrap();
    assert_eq!(
        icmpv4::Repr::parse(&icmp),
        Ok(icmpv4::Repr::EchoRequest {
            ident: 0x1234,
            seq_no: 9,
            data: b"ping payload",
        })
    );
}

/// A port-unreachable reply built the way the stack will: quote the
/// offending datagram, wrap it in IPv4, and check that etherparse sees the
/// quoted UDP header inside, and that our `Quote` finds the ports.
#[test]
fn port_unreachable_quotes_the_offending_datagram() {
    let mut offending = Vec::new();
    ep::PacketBuilder::ipv4([192, 0, 2, 1], [192, 0, 2, 2], 64)
        .udp(40000, 9)
        .write(&mut offending, &[0xab; 1000])
        .unwrap();

    let icmp_repr =
        icmpv4::Repr::dst_unreachable(icmpv4::DstUnreachable::PortUnreachable, &offending);
    let ip_repr = ipv4::Repr {
        src_addr: Ipv4Addr::new(192, 0, 2, 2),
        dst_addr: Ipv4Addr::new(192, 0, 2, 1),
        protocol: ipv4::Protocol::Icmp,
        payload_len: icmp_repr.buffer_len(),
        ttl: 64,
        dscp_ecn: 0,
        ident: 1,
        dont_frag: false,
        more_frags: false,
        frag_offset: 0,
    };
    let mut reply = vec![0; ip_repr.buffer_len()];
    let mut packet = ipv4::Packet::new_unchecked(&mut reply[..]);
    ip_repr.emit(&mut packet);
    icmp_repr.emit(&mut icmpv4::Packet::new_unchecked(packet.payload_mut()));
    assert_eq!(reply.len(), 576);

    let sliced = ep::SlicedPacket::from_ip(&reply).unwrap();
    let Some(ep::TransportSlice::Icmpv4(icmp)) = sliced.transport else {
        panic!("no ICMP layer")
    };
    assert_eq!(
        icmp.icmp_type(),
        ep::Icmpv4Type::DestinationUnreachable(ep::icmpv4::DestUnreachableHeader::Port)
    );
    let quoted = ep::Ipv4HeaderSlice::from_slice(icmp.payload()).unwrap();
    assert_eq!(quoted.destination(), [192, 0, 2, 2]);

    let quote = icmpv4::Quote::parse(icmp.payload()).unwrap();
    assert_eq!(quote.protocol, ipv4::Protocol::Udp);
    let quoted_udp = udp::Packet::new_unchecked(quote.payload);
    assert_eq!((quoted_udp.src_port(), quoted_udp.dst_port()), (40000, 9));
}
