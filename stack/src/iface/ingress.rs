//! The receive path: every frame ends in exactly one [`Disposition`].

use core::net::{Ipv4Addr, SocketAddrV4};

use rand_core::RngCore;

use super::{AddressConflict, IcmpOut, Interface, Stack, TcpReply};
use crate::ipv4::{Fragment, FragmentKey};
use crate::socket::{Set, Socket};
use crate::stats::{Consumer, Disposition, DropReason};
use crate::time::Instant;
use crate::udp::Meta;
use crate::wire::{self, arp, ethernet, icmpv4, ipv4, tcp, udp};

use Disposition::{Consumed, Dropped};

/// What the transport layer needs to know about the datagram it got.
#[derive(Debug, Clone, Copy)]
struct Delivery {
    header: ipv4::Repr,
    /// Sent to a broadcast address: never answered with ICMP errors.
    broadcast: bool,
}

impl<R: RngCore> Stack<'_, R> {
    /// Processes one inbound Ethernet frame. Never panics, whatever the bytes.
    pub fn receive(&mut self, now: Instant, frame: &[u8]) -> Disposition {
        self.iface.now = self.iface.now.max(now);
        self.iface.counters.frames_in += 1;
        self.iface.counters.bytes_in += frame.len() as u64;
        let disposition = self.process_ethernet(now, frame);
        self.iface.counters.record(disposition);
        disposition
    }

    fn process_ethernet(&mut self, now: Instant, bytes: &[u8]) -> Disposition {
        let Ok(frame) = ethernet::Frame::new_checked(bytes) else {
            return Dropped(DropReason::EthernetMalformed);
        };
        let dst = frame.dst_addr();
        if dst != self.iface.config.mac && !dst.is_broadcast() {
            return Dropped(DropReason::NotOurMac);
        }
        if frame.vlan_tag().is_some() {
            return Dropped(DropReason::UnknownEtherType);
        }
        match frame.ethertype() {
            ethernet::EtherType::Arp => self.iface.process_arp(now, frame.payload()),
            ethernet::EtherType::Ipv4 => self.process_ipv4(now, frame.payload()),
            _ => Dropped(DropReason::UnknownEtherType),
        }
    }

    fn process_ipv4(&mut self, now: Instant, bytes: &[u8]) -> Disposition {
        let packet = match ipv4::Packet::new_checked(bytes) {
            Ok(p) => p,
            Err(_) => return Dropped(DropReason::Ipv4Malformed),
        };
        let header = match ipv4::Repr::parse(&packet) {
            Ok(r) => r,
            Err(wire::Error::Checksum) => return Dropped(DropReason::Ipv4Checksum),
            Err(wire::Error::Unsupported) => return Dropped(DropReason::Ipv4Unsupported),
            Err(_) => return Dropped(DropReason::Ipv4Malformed),
        };
        let delivery = match self.iface.classify(&header) {
            Ok(broadcast) => Delivery { header, broadcast },
            Err(reason) => return Dropped(reason),
        };
        let Stack {
            iface,
            reassembler,
            sockets,
            ..
        } = self;
        if !header.is_fragment() {
            return iface.process_transport(now, sockets, &delivery, packet.payload());
        }
        let fragment = Fragment {
            key: FragmentKey {
                src: header.src_addr,
                dst: header.dst_addr,
                ident: header.ident,
                protocol: header.protocol.into(),
            },
            offset: usize::from(header.frag_offset),
            more_fragments: header.more_frags,
            data: packet.payload(),
        };
        match reassembler.add(now, fragment) {
            Ok(None) => Consumed(Consumer::Fragment),
            Ok(Some(datagram)) => {
                iface.counters.datagrams_reassembled += 1;
                let whole = Delivery {
                    header: ipv4::Repr {
                        payload_len: datagram.len(),
                        more_frags: false,
                        frag_offset: 0,
                        ..delivery.header
                    },
                    ..delivery
                };
                iface.process_transport(now, sockets, &whole, datagram)
            }
            Err(reason) => Dropped(reason),
        }
    }
}

/// Whether `s` is a TCP socket that takes `seg`: as its connection, or
/// (with `listener`) as a listener on its port.
fn is_tcp_owner(
    s: &Socket<'_>,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    seg: &tcp::Repr<'_>,
    listener: bool,
) -> bool {
    match s {
        Socket::Tcp(t) => {
            (t.state() == crate::tcp::State::Listen) == listener && t.accepts(src, dst, seg)
        }
        _ => false,
    }
}

impl Interface<'_> {
    fn process_arp(&mut self, now: Instant, bytes: &[u8]) -> Disposition {
        let Ok(packet) = arp::Packet::new_checked(bytes) else {
            return Dropped(DropReason::ArpMalformed);
        };
        let repr = match arp::Repr::parse(&packet) {
            Ok(r) => r,
            Err(wire::Error::Unsupported) => return Dropped(DropReason::ArpUnsupported),
            Err(_) => return Dropped(DropReason::ArpMalformed),
        };
        let our_ip = self.ipv4.address.map(|c| c.address());
        let sender = repr.source_protocol_addr;
        if our_ip == Some(sender) && repr.source_hardware_addr != self.config.mac {
            self.conflict = Some(AddressConflict {
                addr: sender,
                mac: repr.source_hardware_addr,
            });
        }
        let for_us = our_ip.is_some() && our_ip == Some(repr.target_protocol_addr);
        let create = for_us || self.neighbors.is_resolving(sender);
        self.neighbors
            .fill(now, sender, repr.source_hardware_addr, create);
        if for_us && repr.operation == arp::Operation::Request {
            self.arp_replies.push((sender, repr.source_hardware_addr));
        }
        Consumed(Consumer::Arp)
    }

    /// Decides whether a datagram is ours to process (RFC 1122 3.2.1.3),
    /// and whether it was sent to a broadcast address.
    fn classify(&self, header: &ipv4::Repr) -> Result<bool, DropReason> {
        let src = header.src_addr;
        if src.is_broadcast() || src.is_multicast() {
            return Err(DropReason::Ipv4Malformed);
        }
        let dst = header.dst_addr;
        let cidr = self.ipv4.address;
        let broadcast = dst.is_broadcast() || cidr.is_some_and(|c| c.broadcast() == Some(dst));
        let unicast_to_us = cidr.is_some_and(|c| c.address() == dst);
        // Before configuration DHCP offers may arrive unicast to the address
        // being offered, which is not ours yet.
        let unconfigured_udp =
            cidr.is_none() && header.protocol == ipv4::Protocol::Udp && !dst.is_multicast();
        if broadcast || unicast_to_us || unconfigured_udp {
            Ok(broadcast)
        } else {
            Err(DropReason::Ipv4NotForUs)
        }
    }

    fn process_transport(
        &mut self,
        now: Instant,
        sockets: &mut Set<'_>,
        d: &Delivery,
        payload: &[u8],
    ) -> Disposition {
        match d.header.protocol {
            ipv4::Protocol::Udp => self.process_udp(now, sockets, d, payload),
            ipv4::Protocol::Icmp => self.process_icmp(now, sockets, d, payload),
            ipv4::Protocol::Tcp => self.process_tcp(now, sockets, d, payload),
            ipv4::Protocol::Unknown(_) => {
                self.queue_unreachable(now, d, payload, icmpv4::DstUnreachable::ProtoUnreachable);
                Dropped(DropReason::Ipv4UnknownProtocol)
            }
        }
    }

    fn process_udp(
        &mut self,
        now: Instant,
        sockets: &mut Set<'_>,
        d: &Delivery,
        bytes: &[u8],
    ) -> Disposition {
        let Ok(packet) = udp::Packet::new_checked(bytes) else {
            return Dropped(DropReason::UdpMalformed);
        };
        let repr = match udp::Repr::parse(&packet, d.header.src_addr, d.header.dst_addr) {
            Ok(r) => r,
            Err(wire::Error::Checksum) => return Dropped(DropReason::UdpChecksum),
            Err(_) => return Dropped(DropReason::UdpMalformed),
        };
        let Some(socket) = sockets
            .position(|s| s.udp_port() == Some(repr.dst_port))
            .and_then(|index| sockets.at_mut(index))
        else {
            self.queue_unreachable(now, d, bytes, icmpv4::DstUnreachable::PortUnreachable);
            return Dropped(DropReason::UdpNoSocket);
        };
        let meta = Meta {
            remote: SocketAddrV4::new(d.header.src_addr, repr.src_port),
            local_addr: d.header.dst_addr,
            link_dst: None,
        };
        let (accepted, refusal) = match socket.service() {
            Some((udp, engine)) => (
                engine.receive(now, udp, meta.remote, packet.payload()),
                DropReason::ServiceMalformed,
            ),
            None => (
                socket
                    .udp_mut()
                    .is_some_and(|u| u.deliver(meta, packet.payload())),
                DropReason::UdpQueueFull,
            ),
        };
        if accepted {
            Consumed(Consumer::Udp)
        } else {
            Dropped(refusal)
        }
    }

    fn process_tcp(
        &mut self,
        now: Instant,
        sockets: &mut Set<'_>,
        d: &Delivery,
        bytes: &[u8],
    ) -> Disposition {
        let (src, dst) = (d.header.src_addr, d.header.dst_addr);
        if d.broadcast {
            return Dropped(DropReason::Ipv4NotForUs);
        }
        let Ok(packet) = tcp::Packet::new_checked(bytes) else {
            return Dropped(DropReason::TcpMalformed);
        };
        let seg = match tcp::Repr::parse(&packet, src, dst) {
            Ok(r) => r,
            Err(wire::Error::Checksum) => return Dropped(DropReason::TcpChecksum),
            Err(_) => return Dropped(DropReason::TcpMalformed),
        };
        // A connection's own socket comes before a listener on its port.
        let owner = sockets
            .position(|s| is_tcp_owner(s, src, dst, &seg, false))
            .or_else(|| sockets.position(|s| is_tcp_owner(s, src, dst, &seg, true)));
        let reply = match owner.and_then(|index| sockets.at_mut(index)) {
            Some(Socket::Tcp(socket)) => socket.process(now, src, dst, &seg),
            _ => {
                if self.config.tcp_reset_unmatched {
                    self.queue_tcp_reply(dst, src, crate::tcp::reset_reply(&seg));
                }
                return Dropped(DropReason::TcpNoSocket);
            }
        };
        self.queue_tcp_reply(dst, src, reply);
        Consumed(Consumer::Tcp)
    }

    fn queue_tcp_reply(&mut self, src: Ipv4Addr, dst: Ipv4Addr, repr: Option<tcp::Repr<'static>>) {
        if let Some(repr) = repr {
            self.tcp_replies.push(TcpReply { src, dst, repr });
        }
    }

    fn process_icmp(
        &mut self,
        now: Instant,
        sockets: &mut Set<'_>,
        d: &Delivery,
        bytes: &[u8],
    ) -> Disposition {
        let Ok(packet) = icmpv4::Packet::new_checked(bytes) else {
            return Dropped(DropReason::IcmpMalformed);
        };
        let repr = match icmpv4::Repr::parse(&packet) {
            Ok(r) => r,
            Err(wire::Error::Checksum) => return Dropped(DropReason::IcmpChecksum),
            Err(wire::Error::Unsupported) => return Dropped(DropReason::IcmpIgnored),
            Err(_) => return Dropped(DropReason::IcmpMalformed),
        };
        match repr {
            icmpv4::Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => {
                if d.broadcast {
                    return Dropped(DropReason::IcmpIgnored);
                }
                if !self.echo_limit.try_take(now) {
                    return Dropped(DropReason::IcmpRateLimited);
                }
                let reply = icmpv4::Repr::EchoReply {
                    ident,
                    seq_no,
                    data,
                };
                self.queue_icmp(d.header.src_addr, &reply)
            }
            icmpv4::Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => {
                let ping = sockets.iter_mut().find_map(|s| match s {
                    Socket::Icmp(p) if p.accepts(ident) => Some(p),
                    _ => None,
                });
                let delivered =
                    ping.is_some_and(|p| p.deliver(now, d.header.src_addr, seq_no, data));
                if delivered {
                    Consumed(Consumer::Icmp)
                } else {
                    Dropped(DropReason::IcmpIgnored)
                }
            }
            _ => Consumed(Consumer::Icmp),
        }
    }

    /// Queues an ICMP message; the disposition of the frame that caused it.
    fn queue_icmp(&mut self, dst: Ipv4Addr, repr: &icmpv4::Repr<'_>) -> Disposition {
        match self.icmp_out.enqueue(repr.buffer_len(), IcmpOut { dst }) {
            Ok(bytes) => {
                repr.emit(&mut icmpv4::Packet::new_unchecked(bytes));
                Consumed(Consumer::Icmp)
            }
            Err(_) => Dropped(DropReason::IcmpQueueFull),
        }
    }

    /// A destination unreachable quoting the offending datagram, unless RFC
    /// 1122 3.2.2 forbids one (broadcast, non-first fragment) or the rate
    /// limit says no. The frame is dropped either way.
    fn queue_unreachable(
        &mut self,
        now: Instant,
        d: &Delivery,
        payload: &[u8],
        reason: icmpv4::DstUnreachable,
    ) {
        if d.broadcast || d.header.frag_offset != 0 || d.header.src_addr.is_unspecified() {
            return;
        }
        if !self.error_limit.try_take(now) {
            return;
        }
        let mut quote = [0u8; ipv4::HEADER_LEN + 8];
        let quoted_payload = payload.get(..8).unwrap_or(payload);
        let quote_len = ipv4::HEADER_LEN + quoted_payload.len();
        let mut header = ipv4::Packet::new_unchecked(&mut quote[..]);
        d.header.emit(&mut header);
        quote[ipv4::HEADER_LEN..quote_len].copy_from_slice(quoted_payload);
        let repr = icmpv4::Repr::dst_unreachable(reason, &quote[..quote_len]);
        self.queue_icmp(d.header.src_addr, &repr);
    }
}
