//! The transmit path: one frame per call, highest priority first. A
//! datagram over the MTU leaves in fragments over consecutive calls (see
//! `fragment`).

use core::net::Ipv4Addr;

use rand_core::RngCore;

use super::fragment::{self, Head, Outgoing, Piece, Queue, Source};
use super::{Config, Interface, Stack};
use crate::arp::Lookup;
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
    /// A fragment of this length is in the buffer; the datagram goes on.
    Fragment(usize),
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

impl Datagram {
    /// The IPv4 header of the frame carrying `piece` of the payload.
    pub fn header(&self, ttl: u8, ident: u16, piece: Piece) -> ipv4::Repr {
        ipv4::Repr {
            src_addr: self.src,
            dst_addr: self.dst,
            protocol: self.protocol,
            payload_len: piece.len,
            ttl,
            dscp_ecn: 0,
            ident,
            dont_frag: self.dont_frag,
            more_frags: piece.more,
            // `fragment::piece` keeps offsets within the 16-bit total length.
            frag_offset: u16::try_from(piece.offset).unwrap_or(u16::MAX),
        }
    }
}

impl<R: RngCore> Stack<'_, R> {
    /// Writes the next outbound frame into `buf` and returns its length, or
    /// `None` when nothing is ready. Also runs due timers.
    pub fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        self.iface.now = self.iface.now.max(now);
        self.expire(now);
        self.pump_services(now);
        loop {
            let sent = match self.next_frame(now, buf) {
                // A packet waiting for its next hop may have just started
                // resolving it, so an ARP request may be due now.
                Some(Sent::Wait) => self.iface.arp_frame(now, buf),
                other => other,
            }?;
            match sent {
                Sent::Frame(len) | Sent::Fragment(len) => {
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
        if !self.sockets.has_services() {
            return;
        }
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
        if self.iface.may_owe_frames(now) {
            if let Some(sent) = self.owed_frame(now, buf) {
                return Some(sent);
            }
        }
        self.socket_frame(now, buf)
    }

    /// Frames owed before any socket's: ARP, the rest of a fragmented
    /// datagram, TCP replies outside a connection, ICMP.
    fn owed_frame(&mut self, now: Instant, buf: &mut [u8]) -> Option<Sent> {
        if let Some(sent) = self.iface.arp_frame(now, buf) {
            return Some(sent);
        }
        if let Some(sent) = self.next_fragment(now, buf) {
            return Some(sent);
        }
        if let Some(sent) = self.iface.tcp_reply_frame(now, buf) {
            return Some(sent);
        }
        self.iface.icmp_frame(now, buf)
    }

    /// Offers each socket a turn, starting after the last one that sent.
    /// `Some(Sent::Wait)` when none sent and one waits for its next hop.
    fn socket_frame(&mut self, now: Instant, buf: &mut [u8]) -> Option<Sent> {
        let mut waiting = false;
        let n = self.sockets.capacity();
        let start = self.next_dispatch.min(n);
        // Two ranges rather than a modulo per slot: this runs on every
        // `transmit`, over every slot, most of them empty.
        for index in (start..n).chain(0..start) {
            let Some(socket) = self.sockets.dispatchable(index, now) else {
                continue;
            };
            match self.iface.dispatch(now, index, socket, buf) {
                Some(Sent::Wait) => waiting = true,
                Some(sent) => {
                    self.next_dispatch = index + 1;
                    return Some(sent);
                }
                None => {
                    if let Socket::Tcp(tcp) = socket {
                        let until = tcp.next_timer().unwrap_or(Instant::MAX);
                        self.sockets.set_quiet(index, until);
                    }
                }
            }
        }
        waiting.then_some(Sent::Wait)
    }
}

impl Interface<'_> {
    /// False only when none of ARP, fragmentation, TCP replies or ICMP has
    /// a frame due:
    /// a few comparisons that spare every `transmit` the calls that would
    /// each find nothing (the usual case).
    #[inline]
    fn may_owe_frames(&self, now: Instant) -> bool {
        !self.arp_replies.is_empty()
            || self.announcements_left > 0
            || self.neighbors.request_may_be_due(now)
            || self.fragmenting.is_some()
            || !self.tcp_replies.is_empty()
            || !self.icmp_out.is_empty()
    }

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
        let job = Outgoing::new(Source::IcmpOut, 0, datagram, Head::NONE, self.next_ident);
        Some(self.send_queued(now, buf, Queue::IcmpOut, job))
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

    #[inline]
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
        let sent = send_ip(self, now, buf, datagram, |payload| {
            repr.emit(&mut wire::tcp::Packet::new_unchecked(payload), src, dst);
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
            let sent = self.send_segment(now, buf, src, dst, repr);
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

    /// Lets `socket` (in slot `index`) emit its next packet, if it has one.
    #[inline]
    fn dispatch(
        &mut self,
        now: Instant,
        index: usize,
        socket: &mut Socket<'_>,
        buf: &mut [u8],
    ) -> Option<Sent> {
        if let Socket::Tcp(tcp) = socket {
            return self.dispatch_tcp(now, tcp, buf);
        }
        let queue = Queue::of(socket)?;
        let job = self.queued_datagram(Source::Socket(index), &queue)?;
        Some(self.send_queued(now, buf, queue, job))
    }

    /// The datagram at the head of a socket's queue, with its transport
    /// header computed over all of its data.
    fn queued_datagram(&self, source: Source, queue: &Queue<'_, '_>) -> Option<Outgoing> {
        let (tag, _) = queue.peek(&self.icmp_out)?;
        let (datagram, head) = match queue {
            Queue::Udp(socket) => {
                let (meta, data) = socket.peek_tx()?;
                let repr = wire::udp::Repr {
                    src_port: socket.local_port(),
                    dst_port: meta.remote.port(),
                };
                let d = Datagram {
                    src: self.source_addr(meta.local_addr),
                    dst: *meta.remote.ip(),
                    protocol: ipv4::Protocol::Udp,
                    payload_len: wire::udp::HEADER_LEN + data.len(),
                    dont_frag: false,
                    link_dst: meta.link_dst,
                };
                (d, Head::udp(&repr, d.src, d.dst, data))
            }
            Queue::Echo(ping) => {
                let ident = ping.ident()?;
                let (meta, data) = ping.peek_tx()?;
                let d = Datagram {
                    src: self.source_addr(Ipv4Addr::UNSPECIFIED),
                    dst: meta.addr,
                    protocol: ipv4::Protocol::Icmp,
                    payload_len: icmpv4::HEADER_LEN + data.len(),
                    dont_frag: false,
                    link_dst: None,
                };
                (d, Head::echo_request(ident, meta.seq_no, data))
            }
            Queue::IcmpOut => return None,
        };
        Some(Outgoing::new(source, tag, datagram, head, self.next_ident))
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
                    meta.link_dst.is_some() || self.can_send_to(*meta.remote.ip())
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
    pub(super) fn route(&mut self, now: Instant, d: &Datagram) -> Result<EthernetAddress, Sent> {
        if let Some(mac) = d.link_dst {
            return Ok(mac);
        }
        match self.next_hop(d.dst).map_err(Sent::Dropped)? {
            NextHop::Broadcast => Ok(EthernetAddress::BROADCAST),
            NextHop::Neighbor(hop) => match self.neighbors.resolve(now, hop) {
                Lookup::Found(mac) => Ok(mac),
                Lookup::Pending => Err(Sent::Wait),
                Lookup::Unreachable => Err(Sent::Dropped(DropReason::NeighborUnreachable)),
                Lookup::Full => Err(Sent::Dropped(DropReason::NeighborCacheFull)),
            },
        }
    }
}

/// Routes, resolves and writes one IPv4 datagram that is never fragmented
/// (TCP: it sets DF and sizes segments by MSS); `fill` writes its payload.
fn send_ip(
    iface: &mut Interface<'_>,
    now: Instant,
    buf: &mut [u8],
    d: Datagram,
    fill: impl FnOnce(&mut [u8]),
) -> Sent {
    let whole = Piece::whole(d.payload_len);
    if fragment::piece(iface.config.mtu, d.payload_len, 0, true) != Some(whole) {
        return Sent::Dropped(DropReason::ExceedsMtu);
    }
    let mac = match iface.route(now, &d) {
        Ok(mac) => mac,
        Err(sent) => return sent,
    };
    let header = d.header(iface.config.ttl, iface.next_ident, whole);
    let sent = emit_ip(&iface.config, buf, mac, &header, fill);
    if matches!(sent, Sent::Frame(_)) {
        iface.next_ident = iface.next_ident.wrapping_add(1);
    }
    sent
}

/// Writes Ethernet and IPv4 headers; `fill` writes the payload.
pub(super) fn emit_ip(
    config: &Config,
    buf: &mut [u8],
    mac: EthernetAddress,
    header: &ipv4::Repr,
    fill: impl FnOnce(&mut [u8]),
) -> Sent {
    emit_frame(
        config.mac,
        buf,
        mac,
        ethernet::EtherType::Ipv4,
        header.buffer_len(),
        |bytes| {
            let mut packet = ipv4::Packet::new_unchecked(bytes);
            header.emit(&mut packet);
            fill(packet.payload_mut());
        },
    )
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
