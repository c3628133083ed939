//! Generators, mutation and emit helpers shared by the wire_l3 tests.

use etherparse as ep;
use proptest::prelude::*;
use seqs::wire::{arp, ethernet, icmpv4, ipv4, udp, EthernetAddress, Ipv4Addr};

pub fn mac() -> impl Strategy<Value = EthernetAddress> {
    any::<[u8; 6]>().prop_map(EthernetAddress)
}

pub fn ip() -> impl Strategy<Value = Ipv4Addr> {
    any::<[u8; 4]>().prop_map(Ipv4Addr::from)
}

pub fn payload(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..=max)
}

/// Byte edits `(index, value)` and an optional cut, applied modulo the
/// packet's length by [`mutate`].
pub fn edits() -> impl Strategy<Value = (Vec<(usize, u8)>, Option<usize>)> {
    (
        proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        proptest::option::of(any::<usize>()),
    )
}

pub fn mutate(mut bytes: Vec<u8>, (edits, cut): &(Vec<(usize, u8)>, Option<usize>)) -> Vec<u8> {
    if !bytes.is_empty() {
        let len = bytes.len();
        for &(index, value) in edits {
            bytes[index % len] = value;
        }
    }
    if let Some(cut) = cut {
        bytes.truncate(cut % (bytes.len() + 1));
    }
    bytes
}

pub fn ethernet_repr() -> impl Strategy<Value = ethernet::Repr> {
    let ethertype = prop_oneof![
        Just(ethernet::EtherType::Ipv4),
        Just(ethernet::EtherType::Arp),
        any::<u16>().prop_map(ethernet::EtherType::from),
    ];
    let vlan = proptest::option::of(any::<u16>().prop_map(ethernet::VlanTag::from_tci));
    (mac(), mac(), ethertype, vlan)
        .prop_filter("a VLAN ethertype needs a tag", |(_, _, t, v)| {
            *t != ethernet::EtherType::Vlan || v.is_some()
        })
        .prop_map(|(src_addr, dst_addr, ethertype, vlan)| ethernet::Repr {
            src_addr,
            dst_addr,
            ethertype,
            vlan,
        })
}

pub fn arp_repr() -> impl Strategy<Value = arp::Repr> {
    (any::<u16>(), mac(), ip(), mac(), ip()).prop_map(|(op, sha, spa, tha, tpa)| arp::Repr {
        operation: arp::Operation::from(op),
        source_hardware_addr: sha,
        source_protocol_addr: spa,
        target_hardware_addr: tha,
        target_protocol_addr: tpa,
    })
}

/// Any header field values a valid packet may carry, payload up to 1480.
pub fn ipv4_repr() -> impl Strategy<Value = ipv4::Repr> {
    (
        (
            ip(),
            ip(),
            any::<u8>(),
            0usize..=1480,
            any::<u8>(),
            any::<u8>(),
        ),
        (any::<u16>(), any::<bool>(), any::<bool>(), 0u16..=0x1fff),
    )
        .prop_filter(
            "fragment must end within 65535",
            |((_, _, _, len, _, _), (_, _, _, units))| usize::from(*units) * 8 + len <= 65515,
        )
        .prop_map(
            |((src, dst, proto, payload_len, ttl, dscp_ecn), (ident, df, mf, units))| ipv4::Repr {
                src_addr: src,
                dst_addr: dst,
                protocol: ipv4::Protocol::from(proto),
                payload_len,
                ttl,
                dscp_ecn,
                ident,
                dont_frag: df,
                more_frags: mf,
                frag_offset: units * 8,
            },
        )
}

/// An ICMP message with owned data, from which a borrowing `Repr` is made.
#[derive(Debug, Clone)]
pub enum Icmp {
    Echo {
        request: bool,
        ident: u16,
        seq_no: u16,
        data: Vec<u8>,
    },
    Unreachable {
        code: u8,
        mtu: u16,
        data: Vec<u8>,
    },
    TimeExceeded {
        code: u8,
        data: Vec<u8>,
    },
}

impl Icmp {
    pub fn repr(&self) -> icmpv4::Repr<'_> {
        match self {
            Icmp::Echo {
                request: true,
                ident,
                seq_no,
                data,
            } => icmpv4::Repr::EchoRequest {
                ident: *ident,
                seq_no: *seq_no,
                data,
            },
            Icmp::Echo {
                ident,
                seq_no,
                data,
                ..
            } => icmpv4::Repr::EchoReply {
                ident: *ident,
                seq_no: *seq_no,
                data,
            },
            Icmp::Unreachable { code, mtu, data } => icmpv4::Repr::DstUnreachable {
                reason: icmpv4::DstUnreachable::from_code(*code, *mtu).unwrap(),
                data,
            },
            Icmp::TimeExceeded { code, data } => icmpv4::Repr::TimeExceeded {
                reason: icmpv4::TimeExceeded::from_code(*code).unwrap(),
                data,
            },
        }
    }

    /// The same message as etherparse types it.
    pub fn etherparse_type(&self) -> ep::Icmpv4Type {
        match self {
            Icmp::Echo {
                request,
                ident,
                seq_no,
                ..
            } => {
                let echo = ep::IcmpEchoHeader {
                    id: *ident,
                    seq: *seq_no,
                };
                if *request {
                    ep::Icmpv4Type::EchoRequest(echo)
                } else {
                    ep::Icmpv4Type::EchoReply(echo)
                }
            }
            Icmp::Unreachable { code, mtu, .. } => ep::Icmpv4Type::DestinationUnreachable(
                ep::icmpv4::DestUnreachableHeader::from_values(*code, *mtu).unwrap(),
            ),
            Icmp::TimeExceeded { code, .. } => {
                ep::Icmpv4Type::TimeExceeded(ep::icmpv4::TimeExceededCode::from_u8(*code).unwrap())
            }
        }
    }

    pub fn data(&self) -> &[u8] {
        match self {
            Icmp::Echo { data, .. }
            | Icmp::Unreachable { data, .. }
            | Icmp::TimeExceeded { data, .. } => data,
        }
    }
}

pub fn icmp() -> impl Strategy<Value = Icmp> {
    prop_oneof![
        (any::<bool>(), any::<u16>(), any::<u16>(), payload(600)).prop_map(
            |(request, ident, seq_no, data)| Icmp::Echo {
                request,
                ident,
                seq_no,
                data
            }
        ),
        (0u8..16, any::<u16>(), payload(icmpv4::MAX_QUOTE_LEN)).prop_map(|(code, mtu, data)| {
            Icmp::Unreachable {
                code,
                // Only "fragmentation needed" carries an MTU.
                mtu: if code == 4 { mtu } else { 0 },
                data,
            }
        }),
        (0u8..2, payload(icmpv4::MAX_QUOTE_LEN))
            .prop_map(|(code, data)| Icmp::TimeExceeded { code, data }),
    ]
}

/// Source and destination used where a UDP checksum needs a pseudo-header.
pub const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
pub const DST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 7);

pub fn emit_ethernet(repr: &ethernet::Repr, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0; repr.buffer_len(payload.len())];
    let mut frame = ethernet::Frame::new_unchecked(&mut out[..]);
    repr.emit(&mut frame);
    frame.payload_mut().copy_from_slice(payload);
    out
}

pub fn emit_arp(repr: &arp::Repr) -> Vec<u8> {
    let mut out = vec![0; repr.buffer_len()];
    repr.emit(&mut arp::Packet::new_unchecked(&mut out[..]));
    out
}

/// A packet for `repr` whose payload is `payload_len` bytes of a pattern.
pub fn emit_ipv4(repr: &ipv4::Repr) -> Vec<u8> {
    let mut out = vec![0; repr.buffer_len()];
    let mut packet = ipv4::Packet::new_unchecked(&mut out[..]);
    repr.emit(&mut packet);
    for (i, b) in packet.payload_mut().iter_mut().enumerate() {
        *b = i as u8 ^ 0x5a;
    }
    out
}

pub fn emit_icmp(repr: &icmpv4::Repr) -> Vec<u8> {
    let mut out = vec![0; repr.buffer_len()];
    repr.emit(&mut icmpv4::Packet::new_unchecked(&mut out[..]));
    out
}

pub fn emit_udp(repr: &udp::Repr, src: Ipv4Addr, dst: Ipv4Addr, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0; repr.buffer_len(payload.len())];
    repr.emit(
        &mut udp::Packet::new_unchecked(&mut out[..]),
        src,
        dst,
        payload,
    );
    out
}
