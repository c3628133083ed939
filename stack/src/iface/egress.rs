//! The transmit path: one frame per call, highest priority first.

use core::net::Ipv4Addr;

use rand_core::RngCore;

use super::{Config, Interface, Stack};
use crate::arp::Lookup;
use crate::icmp;
use crate::service::Context;
use crate::socket::Socket;
use crate::stats::DropReason;
use crate::tcp;
use crate::time::Instant;
use crate::udp;
use crate::wire::{self, arp, ethernet, icmpv4, ipv4, EthernetAddress};

/// Where an IPv4 datagram goes on the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NextHop {
    Broadcast,
    Neighbor(Ipv4Addr),
}

/// Outcome of trying to send one queued packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sent {
    /// A frame of this length is in the buffer.
    Frame(usize),
    /// The next hop is being resolved; the packet stays queued.
    Wait,
    /// The packet was discarded.
    Dropped(DropReason),
}

/// Header fields of an outbound datagram; the rest comes from the config.
#[derive(Debug, Clone, Copy)]
pub(super) struct Datagram {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub protocol: ipv4::Protocol,
    pub payload_len: usize,
    pub dont_frag: bool,
    /// Link-layer destination chosen by the sender, bypassing ARP.
    pub link_dst: Option<EthernetAddress>,
}

impl<R: RngCore> Stack<'_, R> {
    /// Writes the next outbound frame into `buf` and returns its length, or
    /// `None` when nothing is ready. Also runs due timers.
    pub fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        self.iface.now = self.iface.now.max(now);
        self.expire(now);
        self.pump_services(now);
        loop {
            match self.next_frame(now, buf)? {
                Sent::Frame(len) => {
                    self.iface.counters.frames_out += 1;
                    self.iface.counters.bytes_out += len as u64;
                    return Some(len);
                }
                Sent::Dropped(reason) => {
                    self.iface.counters.egress_drops += 1;
                    self.record_drop(reason);
                }
                Sent::Wait => return None,
            }
        }
    }

    fn expire(&mut self, now: Instant) {
        for _ in 0..self.reassembler.expire(now) {
            self.record_drop(DropReason::FragmentTimeout);
        }
    }

    /// Lets protocol engines run their timers and queue messages, and
    /// applies the configuration changes they report.
    fn pump_services(&mut self, now: Instant) {
        let Stack {
            iface,
            sockets,
            rng,
            ..
        } = self;
        for socket in sockets.iter_mut() {
            let Some((udp, engine)) = socket.service() else {
                continue;
            };
            let cx = Context {
                conflict: iface.conflict.map(|c| c.addr),
                dns_servers: iface.ipv4.dns_servers,
            };
            if let Some(event) = engine.pump(now, rng, udp, &cx) {
                iface.apply(now, event);
            }
        }
    }

    fn next_frame(&mut self, now: Instant, buf: &mut [u8]) -> Option<Sent> {
        if let Some(sent) = self.iface.arp_frame(now, buf) {
            return Some(sent);
        }
        if let Some(sent) = self.iface.tcp_reply_frame(now, buf) {
            return Some(sent);
        }
        if let Some(sent) = self.iface.icmp_frame(now, buf) {
            return Some(sent);
        }
        self.socket_frame(now, buf)
    }

    /// Offers each socket a turn, starting after the last one that sent.
    fn socket_frame(&mut self, now: Instant, buf: &mut [u8]) -> Option<Sent> {
        let n = self.sockets.capacity();
        for i in 0..n {
            let index = (self.next_dispatch + i) % n;
            let Some(socket) = self.sockets.at_mut(index) else {
                continue;
            };
            if let Some(sent @ (Sent::Frame(_) | Sent::Dropped(_))) =
                self.iface.dispatch(now, socket, buf)
            {
                self.next_dispatch = index + 1;
                return Some(sent);
            }
        }
        None
    }
}

impl Interface<'_> {
    /// ARP replies owed, then announcements, then requests.
    fn arp_frame(&mut self, now: Instant, buf: &mut [u8]) -> Option<Sent> {
        let our_ip = self.ipv4.address.map(|c| c.address());
        let (operation, dst_mac, target_mac, target_ip) =
            if let Some((ip, mac)) = self.arp_replies.pop() {
                (arp::Operation::Reply, mac, mac, ip)
            } else if let Some(ip) = self.due_announcement(now) {
                (
                    arp::Operation::Request,
                    EthernetAddress::BROADCAST,
                    EthernetAddress([0; 6]),
                    ip,
                )
            } else {
                let ip = self.neighbors.poll_request(now)?;
                (
                    arp::Operation::Request,
                    EthernetAddress::BROADCAST,
                    EthernetAddress([0; 6]),
                    ip,
                )
            };
        let repr = arp::Repr {
            operation,
            source_hardware_addr: self.config.mac,
            source_protocol_addr: our_ip.unwrap_or(Ipv4Addr::UNSPECIFIED),
            target_hardware_addr: target_mac,
            target_protocol_addr: target_ip,
        };
        let sent = emit_frame(
            self.config.mac,
            buf,
            dst_mac,
            ethernet::EtherType::Arp,
            repr.buffer_len(),
            |payload| {
                repr.emit(&mut arp::Packet::new_unchecked(payload));
            },
        );
        if matches!(sent, Sent::Frame(_)) {
            self.counters.arp_out += 1;
        }
        Some(sent)
    }

    /// A gratuitous ARP for our address if one is due (RFC 5227 2.3).
    fn due_announcement(&mut self, now: Instant) -> Option<Ipv4Addr> {
        let addr = self.ipv4.address?.address();
        if self.announcements_left == 0 || self.next_announcement > now {
            return None;
        }
        self.announcements_left -= 1;
        self.next_announcement = now + self.config.announce_interval;
        Some(addr)
    }

    fn icmp_frame(&mut self, now: Instant, buf: &mut [u8]) -> Option<Sent> {
        let (meta, message) = self.icmp_out.peek()?;
        let datagram = Datagram {
            src: self.source_addr(Ipv4Addr::UNSPECIFIED),
            dst: meta.dst,
            protocol: ipv4::Protocol::Icmp,
            payload_len: message.len(),
            dont_frag: false,
            link_dst: None,
        };
        let sent = match self.route(now, &datagram) {
            Ok(mac) => {
                let (_, message) = self.icmp_out.peek()?;
                emit_ip(
                    &self.config,
                    &mut self.next_ident,
                    buf,
                    mac,
                    &datagram,
                    |payload, _| payload.copy_from_slice(message),
                )
            }
            Err(sent) => sent,
        };
        if sent != Sent::Wait {
            self.icmp_out.dequeue();
        }
        if matches!(sent, Sent::Frame(_)) {
            self.counters.icmp_out += 1;
        }
        Some(sent)
    }

    /// A RST or challenge ACK owed outside any socket's flow. One whose
    /// next hop is still unresolved is dropped: the peer retransmits.
    fn tcp_reply_frame(&mut self, now: Instant, buf: &mut [u8]) -> Option<Sent> {
        let reply = self.tcp_replies.pop()?;
        let sent = self.send_segment(now, buf, reply.src, reply.dst, &reply.repr);
        Some(match sent {
            Sent::Wait => Sent::Dropped(DropReason::NeighborUnreachable),
            other => other,
        })
    }

    fn send_segment(
        &mut self,
        now: Instant,
        buf: &mut [u8],
        src: Ipv4Addr,
        dst: Ipv4Addr,
        repr: &wire::tcp::Repr<'_>,
    ) -> Sent {
        let datagram = Datagram {
            src,
            dst,
            protocol: ipv4::Protocol::Tcp,
            payload_len: repr.buffer_len(),
            dont_frag: true,
            link_dst: None,
        };
        let sent = send_ip(self, now, buf, datagram, |payload, d| {
            repr.emit(&mut wire::tcp::Packet::new_unchecked(payload), d.src, d.dst);
        });
        if matches!(sent, Sent::Frame(_)) {
            self.counters.tcp_out += 1;
        }
        sent
    }

    /// Lets a TCP socket emit its next segment. A segment the interface
    /// drops (no route, neighbour unreachable) counts as sent and lost, so
    /// the socket's retransmission deals with it; one waiting for ARP is
    /// not taken from the socket.
    fn dispatch_tcp(
        &mut self,
        now: Instant,
        socket: &mut tcp::Socket<'_>,
        buf: &mut [u8],
    ) -> Option<Sent> {
        let mut outcome = None;
        let _ = socket.dispatch(now, |src, dst, repr| {
            let sent = self.send_segment(now, buf, src, dst, &repr);
            outcome = Some(sent);
            if sent == Sent::Wait {
                Err(())
            } else {
                Ok(())
            }
        });
        outcome
    }

    /// When a TCP socket needs the stack next, unless its peer's next hop
    /// is still being resolved (then ARP's timers wake the stack).
    pub(super) fn tcp_poll_at(&self, socket: &Socket<'_>) -> Option<Instant> {
        let Socket::Tcp(t) = socket else {
            return None;
        };
        let remote = *t.remote_endpoint().ip();
        if !remote.is_unspecified() && !self.can_send_to(remote) {
            return None;
        }
        t.poll_at(self.now)
    }

    /// Lets `socket` emit its next packet, if it has one.
    fn dispatch(&mut self, now: Instant, socket: &mut Socket<'_>, buf: &mut [u8]) -> Option<Sent> {
        match socket {
            Socket::Icmp(ping) => self.dispatch_echo(now, ping, buf),
            Socket::Tcp(tcp) => self.dispatch_tcp(now, tcp, buf),
            other => self.dispatch_udp(now, other.udp_mut()?, buf),
        }
    }

    fn dispatch_udp(
        &mut self,
        now: Instant,
        socket: &mut udp::Socket<'_>,
        buf: &mut [u8],
    ) -> Option<Sent> {
        let (meta, data) = socket.peek_tx()?;
        let repr = wire::udp::Repr {
            src_port: socket.local_port(),
            dst_port: meta.remote.port,
        };
        let datagram = Datagram {
            src: self.source_addr(meta.local_addr),
            dst: meta.remote.addr,
            protocol: ipv4::Protocol::Udp,
            payload_len: wire::udp::HEADER_LEN + data.len(),
            dont_frag: false,
            link_dst: meta.link_dst,
        };
        let sent = send_ip(self, now, buf, datagram, |payload, d| {
            repr.emit(
                &mut wire::udp::Packet::new_unchecked(payload),
                d.src,
                d.dst,
                data,
            );
        });
        if sent != Sent::Wait {
            socket.complete_tx(matches!(sent, Sent::Frame(_)));
        }
        if matches!(sent, Sent::Frame(_)) {
            self.counters.udp_out += 1;
        }
        Some(sent)
    }

    fn dispatch_echo(
        &mut self,
        now: Instant,
        ping: &mut icmp::Socket<'_>,
        buf: &mut [u8],
    ) -> Option<Sent> {
        let ident = ping.ident()?;
        let (meta, data) = ping.peek_tx()?;
        let repr = icmpv4::Repr::EchoRequest {
            ident,
            seq_no: meta.seq_no,
            data,
        };
        let datagram = Datagram {
            src: self.source_addr(Ipv4Addr::UNSPECIFIED),
            dst: meta.addr,
            protocol: ipv4::Protocol::Icmp,
            payload_len: repr.buffer_len(),
            dont_frag: false,
            link_dst: None,
        };
        let sent = send_ip(self, now, buf, datagram, |payload, _| {
            repr.emit(&mut icmpv4::Packet::new_unchecked(payload));
        });
        if sent != Sent::Wait {
            ping.complete_tx(now, matches!(sent, Sent::Frame(_)));
        }
        if matches!(sent, Sent::Frame(_)) {
            self.counters.icmp_out += 1;
        }
        Some(sent)
    }

    /// Whether `socket` has a packet that could leave now (its next hop is
    /// not still being resolved).
    pub(super) fn socket_ready(&self, socket: &Socket<'_>) -> bool {
        match socket {
            Socket::Icmp(s) => s
                .peek_tx()
                .is_some_and(|(meta, _)| self.can_send_to(meta.addr)),
            other => other
                .udp()
                .and_then(udp::Socket::peek_tx)
                .is_some_and(|(meta, _)| {
                    meta.link_dst.is_some() || self.can_send_to(meta.remote.addr)
                }),
        }
    }

    pub(super) fn has_ready_icmp(&self) -> bool {
        self.icmp_out
            .peek()
            .is_some_and(|(meta, _)| self.can_send_to(meta.dst))
    }

    /// False only while the next hop's ARP resolution is in flight: then the
    /// ARP timers, not the packet, decide when to wake up.
    fn can_send_to(&self, dst: Ipv4Addr) -> bool {
        match self.next_hop(dst) {
            Ok(NextHop::Neighbor(hop)) => !self.neighbors.is_resolving(hop),
            _ => true,
        }
    }

    /// The source address for a datagram: the requested one, else ours, else
    /// 0.0.0.0 (DHCP before configuration).
    fn source_addr(&self, requested: Ipv4Addr) -> Ipv4Addr {
        if !requested.is_unspecified() {
            return requested;
        }
        self.ipv4
            .address
            .map_or(Ipv4Addr::UNSPECIFIED, |c| c.address())
    }

    fn next_hop(&self, dst: Ipv4Addr) -> Result<NextHop, DropReason> {
        if dst.is_broadcast() {
            return Ok(NextHop::Broadcast);
        }
        // Unconfigured (e.g. a DHCP client releasing its lease): every
        // destination is taken to be on the link.
        let Some(cidr) = self.ipv4.address else {
            return Ok(NextHop::Neighbor(dst));
        };
        if cidr.broadcast() == Some(dst) {
            Ok(NextHop::Broadcast)
        } else if cidr.contains(dst) {
            Ok(NextHop::Neighbor(dst))
        } else {
            self.ipv4
                .gateway
                .map(NextHop::Neighbor)
                .ok_or(DropReason::NoRoute)
        }
    }

    /// The link-layer destination of a datagram, once it is known.
    fn route(&mut self, now: Instant, d: &Datagram) -> Result<EthernetAddress, Sent> {
        if ipv4::HEADER_LEN + d.payload_len > self.config.mtu {
            return Err(Sent::Dropped(DropReason::ExceedsMtu));
        }
        if let Some(mac) = d.link_dst {
            return Ok(mac);
        }
        match self.next_hop(d.dst).map_err(Sent::Dropped)? {
            NextHop::Broadcast => Ok(EthernetAddress::BROADCAST),
            NextHop::Neighbor(hop) => match self.neighbors.resolve(now, hop) {
                Lookup::Found(mac) => Ok(mac),
                Lookup::Pending => Err(Sent::Wait),
                Lookup::Unreachable => Err(Sent::Dropped(DropReason::NeighborUnreachable)),
            },
        }
    }
}

/// Routes, resolves and writes one IPv4 datagram; `fill` writes its payload.
fn send_ip(
    iface: &mut Interface<'_>,
    now: Instant,
    buf: &mut [u8],
    d: Datagram,
    fill: impl FnOnce(&mut [u8], &Datagram),
) -> Sent {
    match iface.route(now, &d) {
        Ok(mac) => emit_ip(&iface.config, &mut iface.next_ident, buf, mac, &d, fill),
        Err(sent) => sent,
    }
}

/// Writes Ethernet and IPv4 headers; `fill` writes the payload.
fn emit_ip(
    config: &Config,
    next_ident: &mut u16,
    buf: &mut [u8],
    mac: EthernetAddress,
    d: &Datagram,
    fill: impl FnOnce(&mut [u8], &Datagram),
) -> Sent {
    let repr = ipv4::Repr {
        src_addr: d.src,
        dst_addr: d.dst,
        protocol: d.protocol,
        payload_len: d.payload_len,
        ttl: config.ttl,
        dscp_ecn: 0,
        ident: *next_ident,
        dont_frag: d.dont_frag,
        more_frags: false,
        frag_offset: 0,
    };
    let sent = emit_frame(
        config.mac,
        buf,
        mac,
        ethernet::EtherType::Ipv4,
        repr.buffer_len(),
        |bytes| {
            let mut packet = ipv4::Packet::new_unchecked(bytes);
            repr.emit(&mut packet);
            fill(packet.payload_mut(), d);
        },
    );
    if matches!(sent, Sent::Frame(_)) {
        *next_ident = next_ident.wrapping_add(1);
    }
    sent
}

/// Writes the Ethernet header and lets `fill` write the payload.
fn emit_frame(
    src: EthernetAddress,
    buf: &mut [u8],
    dst: EthernetAddress,
    ethertype: ethernet::EtherType,
    payload_len: usize,
    fill: impl FnOnce(&mut [u8]),
) -> Sent {
    let repr = ethernet::Repr {
        src_addr: src,
        dst_addr: dst,
        ethertype,
        vlan: None,
    };
    let len = repr.buffer_len(payload_len);
    let Some(frame_buf) = buf.get_mut(..len) else {
        return Sent::Dropped(DropReason::TxBufferTooSmall);
    };
    let mut frame = ethernet::Frame::new_unchecked(frame_buf);
    repr.emit(&mut frame);
    fill(frame.payload_mut());
    Sent::Frame(len)
}
