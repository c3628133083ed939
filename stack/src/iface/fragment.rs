//! IPv4 fragmentation on egress (RFC 791 section 3.2, RFC 1122 3.3.3).
//!
//! `transmit` writes one frame per call and the stack owns no heap, so a
//! datagram over the MTU leaves as consecutive calls. Its bytes stay at the
//! head of their queue (a UDP socket, a ping socket, the ICMP out queue)
//! until the last fragment is out; an [`Outgoing`] in the interface
//! remembers where the next fragment starts, and the transport header whose
//! checksum was computed once over the whole datagram.

use core::net::Ipv4Addr;

use super::egress::{emit_ip, Datagram, Sent};
use super::{IcmpOut, Interface, Stack};
use crate::icmp;
use crate::socket::Socket;
use crate::stats::DropReason;
use crate::storage::PacketBuffer;
use crate::time::Instant;
use crate::udp;
use crate::wire::{checksum, icmpv4, ipv4, udp as udp_wire};

/// Largest IPv4 payload: the total length field is 16 bits.
const MAX_PAYLOAD: usize = 0xffff - ipv4::HEADER_LEN;

/// Fragment offsets count 8-byte blocks.
const BLOCK: usize = 8;

/// The span of a datagram's payload that one frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Piece {
    pub offset: usize,
    pub len: usize,
    /// More fragments follow (the MF flag).
    pub more: bool,
}

impl Piece {
    /// The whole payload in one unfragmented datagram.
    pub fn whole(len: usize) -> Piece {
        Piece {
            offset: 0,
            len,
            more: false,
        }
    }

    fn end(&self) -> usize {
        self.offset + self.len
    }
}

/// The piece of a `total`-byte payload that starts at `offset` and fits in
/// one `mtu`-sized datagram: all that is left if it fits, else as many whole
/// 8-byte blocks as fit. `None` when the datagram cannot be sent: over the
/// IPv4 size limit, or over the MTU with `dont_frag`, or an MTU too small
/// to carry a block.
pub(super) fn piece(mtu: usize, total: usize, offset: usize, dont_frag: bool) -> Option<Piece> {
    if total > MAX_PAYLOAD {
        return None;
    }
    let left = total.checked_sub(offset)?;
    let room = mtu.saturating_sub(ipv4::HEADER_LEN);
    if left <= room {
        return Some(Piece {
            offset,
            len: left,
            more: false,
        });
    }
    let blocks = room - room % BLOCK;
    (!dont_frag && blocks > 0).then_some(Piece {
        offset,
        len: blocks,
        more: true,
    })
}

/// A transport header built once over the whole datagram (its checksum
/// covers every fragment's data), sent in front of the queued bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Head {
    bytes: [u8; 8],
    len: u8,
}

impl Head {
    /// The queued bytes are the whole transport payload (ICMP out queue).
    pub const NONE: Head = Head {
        bytes: [0; 8],
        len: 0,
    };

    /// A UDP header for `data` sent from `src` to `dst` (RFC 768).
    pub fn udp(repr: &udp_wire::Repr, src: Ipv4Addr, dst: Ipv4Addr, data: &[u8]) -> Head {
        let mut bytes = [0u8; udp_wire::HEADER_LEN];
        let len = u16::try_from(udp_wire::HEADER_LEN + data.len()).unwrap_or(u16::MAX);
        let mut packet = udp_wire::Packet::new_unchecked(&mut bytes[..]);
        packet.set_src_port(repr.src_port);
        packet.set_dst_port(repr.dst_port);
        packet.set_len(len);
        packet.set_checksum(0);
        let pseudo = checksum::pseudo_header(src, dst, ipv4::Protocol::Udp.into(), len);
        let value = !checksum::combine(&[pseudo, checksum::data(&bytes), checksum::data(data)]);
        // Zero means "no checksum" in UDP; a computed zero is sent as ones.
        let value = if value == 0 { 0xffff } else { value };
        udp_wire::Packet::new_unchecked(&mut bytes[..]).set_checksum(value);
        Head { bytes, len: 8 }
    }

    /// An echo request header for `data`.
    pub fn echo_request(ident: u16, seq_no: u16, data: &[u8]) -> Head {
        let mut bytes = [0u8; icmpv4::HEADER_LEN];
        let mut packet = icmpv4::Packet::new_unchecked(&mut bytes[..]);
        let repr = icmpv4::Repr::EchoRequest {
            ident,
            seq_no,
            data: &[],
        };
        repr.emit(&mut packet);
        packet.set_checksum(0);
        let value = !checksum::combine(&[checksum::data(&bytes), checksum::data(data)]);
        icmpv4::Packet::new_unchecked(&mut bytes[..]).set_checksum(value);
        Head { bytes, len: 8 }
    }

    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// Copies `out.len()` bytes of `head` followed by `body`, from `offset`.
fn copy_span(head: &[u8], body: &[u8], offset: usize, out: &mut [u8]) {
    let from_head = head.get(offset..).unwrap_or(&[]);
    let n = from_head.len().min(out.len());
    let (first, rest) = out.split_at_mut(n);
    first.copy_from_slice(&from_head[..n]);
    let from_body = body.get(offset.saturating_sub(head.len())..).unwrap_or(&[]);
    let m = from_body.len().min(rest.len());
    rest[..m].copy_from_slice(&from_body[..m]);
}

/// Where a datagram waits while it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    IcmpOut,
    /// The socket in this slot of the set.
    Socket(usize),
}

/// A queued datagram being sent: what every fragment repeats, and where the
/// next one starts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Outgoing {
    source: Source,
    /// Tells the datagram this started with from a later one at the same
    /// queue head (the socket was closed or replaced meanwhile).
    tag: u32,
    datagram: Datagram,
    head: Head,
    ident: u16,
    /// Where the next fragment starts in the payload (header included).
    offset: usize,
}

impl Outgoing {
    /// A datagram at the head of `source`, none of it sent yet.
    pub fn new(source: Source, tag: u32, datagram: Datagram, head: Head, ident: u16) -> Self {
        Outgoing {
            source,
            tag,
            datagram,
            head,
            ident,
            offset: 0,
        }
    }

    fn header(&self, ttl: u8, piece: Piece) -> ipv4::Repr {
        self.datagram.header(ttl, self.ident, piece)
    }

    /// Whether `queue` still holds the datagram this started with.
    fn matches(&self, queue: &Queue<'_, '_>, icmp_out: &PacketBuffer<'_, IcmpOut>) -> bool {
        queue.peek(icmp_out).is_some_and(|(tag, body)| {
            tag == self.tag && self.head.as_slice().len() + body.len() == self.datagram.payload_len
        })
    }
}

/// The queue a datagram is sent from.
pub(super) enum Queue<'s, 'a> {
    IcmpOut,
    Udp(&'s mut udp::Socket<'a>),
    Echo(&'s mut icmp::Socket<'a>),
}

impl<'s, 'a> Queue<'s, 'a> {
    /// The queue of a socket that sends datagrams (not TCP).
    pub fn of(socket: &'s mut Socket<'a>) -> Option<Queue<'s, 'a>> {
        match socket {
            Socket::Icmp(ping) => Some(Queue::Echo(ping)),
            Socket::Tcp(_) => None,
            other => other.udp_mut().map(Queue::Udp),
        }
    }

    /// The head datagram's tag and queued bytes.
    pub fn peek<'q>(&'q self, icmp_out: &'q PacketBuffer<'_, IcmpOut>) -> Option<(u32, &'q [u8])> {
        match self {
            Queue::IcmpOut => icmp_out.peek().map(|(_, body)| (0, body)),
            Queue::Udp(socket) => socket.peek_tx().map(|(_, body)| (socket.tx_seq(), body)),
            Queue::Echo(ping) => {
                let ident = u32::from(ping.ident().unwrap_or(0));
                ping.peek_tx()
                    .map(|(meta, body)| (ident << 16 | u32::from(meta.seq_no), body))
            }
        }
    }

    /// Takes the head datagram off the queue once it is out (`sent`) or
    /// dropped, and counts it.
    fn complete(self, iface: &mut Interface<'_>, now: Instant, sent: bool) {
        if sent {
            let counter = match self {
                Queue::Udp(_) => &mut iface.counters.udp_out,
                Queue::IcmpOut | Queue::Echo(_) => &mut iface.counters.icmp_out,
            };
            *counter += 1;
        }
        match self {
            Queue::IcmpOut => {
                iface.icmp_out.dequeue();
            }
            Queue::Udp(socket) => socket.complete_tx(sent),
            Queue::Echo(ping) => ping.complete_tx(now, sent),
        }
    }
}

impl Interface<'_> {
    /// One transmit opportunity for the datagram `job` describes, at the
    /// head of `queue`: the whole datagram, or its next fragment. The queue
    /// keeps it until the last fragment is out or it is dropped (a drop
    /// mid-datagram discards the rest and counts once); in between, the
    /// interface remembers `job`.
    pub(super) fn send_queued(
        &mut self,
        now: Instant,
        buf: &mut [u8],
        queue: Queue<'_, '_>,
        mut job: Outgoing,
    ) -> Sent {
        let sent = match self.emit_piece(now, buf, &queue, &job) {
            Ok((len, piece)) => {
                if piece.offset == 0 {
                    self.next_ident = self.next_ident.wrapping_add(1);
                }
                if piece.more {
                    job.offset = piece.end();
                    self.fragmenting = Some(job);
                    return Sent::Fragment(len);
                }
                Sent::Frame(len)
            }
            Err(Sent::Wait) => {
                if job.offset > 0 {
                    self.fragmenting = Some(job);
                }
                return Sent::Wait;
            }
            Err(sent) => sent,
        };
        queue.complete(self, now, matches!(sent, Sent::Frame(_)));
        sent
    }

    /// Routes and writes the next piece of `job`: the frame length and
    /// piece, or why nothing was written.
    fn emit_piece(
        &mut self,
        now: Instant,
        buf: &mut [u8],
        queue: &Queue<'_, '_>,
        job: &Outgoing,
    ) -> Result<(usize, Piece), Sent> {
        let d = &job.datagram;
        let exceeds = Sent::Dropped(DropReason::ExceedsMtu);
        let piece =
            piece(self.config.mtu, d.payload_len, job.offset, d.dont_frag).ok_or(exceeds)?;
        let mac = self.route(now, d)?;
        let (_, body) = queue.peek(&self.icmp_out).ok_or(exceeds)?;
        let header = job.header(self.config.ttl, piece);
        match emit_ip(&self.config, buf, mac, &header, |payload| {
            copy_span(job.head.as_slice(), body, piece.offset, payload);
        }) {
            Sent::Frame(len) => Ok((len, piece)),
            other => Err(other),
        }
    }
}

impl<R> Stack<'_, R> {
    /// Forgets a datagram part-way out whose socket was just removed, so
    /// that a socket added in its slot starts afresh.
    pub(super) fn forget_vacated(&mut self) {
        if let Some(Outgoing {
            source: Source::Socket(index),
            ..
        }) = self.iface.fragmenting
        {
            if self.sockets.at_mut(index).is_none() {
                self.iface.fragmenting = None;
            }
        }
    }

    /// The next fragment of a datagram part-way out, offered the link
    /// before any other packet but ARP so that fragments leave back to
    /// back. A datagram its queue no longer holds (the socket was closed or
    /// removed) is forgotten.
    pub(super) fn next_fragment(&mut self, now: Instant, buf: &mut [u8]) -> Option<Sent> {
        // Checked before `take`, which would write the slot back on every
        // `transmit` though a datagram is rarely part-way out.
        self.iface.fragmenting.as_ref()?;
        let job = self.iface.fragmenting.take()?;
        let queue = match job.source {
            Source::IcmpOut => Queue::IcmpOut,
            Source::Socket(index) => Queue::of(self.sockets.at_mut(index)?)?,
        };
        let iface = &mut self.iface;
        job.matches(&queue, &iface.icmp_out)
            .then(|| iface.send_queued(now, buf, queue, job))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::vec::Vec;

    const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
    const DST: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

    /// Every piece of a `total`-byte payload, in order.
    fn pieces(mtu: usize, total: usize) -> Option<Vec<Piece>> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let p = piece(mtu, total, offset, false)?;
            out.push(p);
            if !p.more {
                return Some(out);
            }
            offset = p.end();
        }
    }

    fn p(offset: usize, len: usize, more: bool) -> Piece {
        Piece { offset, len, more }
    }

    #[test]
    fn udp_4000_at_ethernet_and_576_mtus() {
        // 8-byte UDP header + 4000 bytes of data.
        assert_eq!(
            pieces(1500, 4008).unwrap(),
            [p(0, 1480, true), p(1480, 1480, true), p(2960, 1048, false)]
        );
        let small = pieces(576, 4008).unwrap();
        assert_eq!(small.len(), 8);
        assert!(small[..7].iter().all(|x| x.len == 552 && x.more));
        assert_eq!(small[7], p(7 * 552, 4008 - 7 * 552, false));
    }

    #[test]
    fn a_payload_that_fits_goes_whole() {
        assert_eq!(piece(1500, 1480, 0, true), Some(Piece::whole(1480)));
        assert_eq!(piece(1500, 0, 0, false), Some(Piece::whole(0)));
        // The last piece may be any length that fits, not only blocks.
        assert_eq!(piece(1501, 1481, 0, false), Some(Piece::whole(1481)));
    }

    #[test]
    fn refusals() {
        assert_eq!(piece(1500, 1481, 0, true), None, "DF over the MTU");
        assert_eq!(piece(1500, MAX_PAYLOAD + 1, 0, false), None, "over 65535");
        assert_eq!(piece(27, 100, 0, false), None, "no room for a block");
        assert_eq!(piece(1500, 100, 101, false), None, "offset past the end");
        assert_eq!(piece(28, 9, 0, false), Some(p(0, 8, true)));
    }

    #[test]
    fn largest_datagram_offsets_fit_the_header_field() {
        let all = pieces(1500, MAX_PAYLOAD).unwrap();
        let last = all.last().unwrap();
        assert_eq!(last.end(), MAX_PAYLOAD);
        assert!(last.offset <= 0x1fff * 8);
    }

    #[test]
    fn udp_head_checksum_matches_the_wire_emitter() {
        let data: Vec<u8> = (0..3001u32).map(|i| (i * 7) as u8).collect();
        let repr = udp_wire::Repr {
            src_port: 1000,
            dst_port: 2000,
        };
        let mut whole = std::vec![0u8; repr.buffer_len(data.len())];
        repr.emit(
            &mut udp_wire::Packet::new_unchecked(&mut whole[..]),
            SRC,
            DST,
            &data,
        );
        let head = Head::udp(&repr, SRC, DST, &data);
        assert_eq!(head.as_slice(), &whole[..8]);
    }

    #[test]
    fn echo_head_checksum_covers_the_data() {
        let data = [0xa5u8; 3001];
        let repr = icmpv4::Repr::EchoRequest {
            ident: 7,
            seq_no: 9,
            data: &data,
        };
        let mut whole = std::vec![0u8; repr.buffer_len()];
        repr.emit(&mut icmpv4::Packet::new_unchecked(&mut whole[..]));
        assert_eq!(Head::echo_request(7, 9, &data).as_slice(), &whole[..8]);
    }

    #[test]
    fn copy_span_crosses_from_head_to_body() {
        let mut out = [0u8; 4];
        copy_span(b"hdr", b"body", 1, &mut out);
        assert_eq!(&out, b"drbo");
        copy_span(b"hdr", b"body", 5, &mut out[..2]);
        assert_eq!(&out[..2], b"dy");
        copy_span(&[], b"body", 9, &mut out);
        assert_eq!(&out[..2], b"dy", "past the end writes nothing");
    }

    proptest! {
        /// Pieces tile the payload in order; all but the last are whole
        /// blocks; each fits the MTU.
        #[test]
        fn pieces_tile_the_payload(mtu in 28usize..9000, total in 0usize..=MAX_PAYLOAD) {
            let all = pieces(mtu, total).unwrap();
            let mut next = 0;
            for (i, x) in all.iter().enumerate() {
                prop_assert_eq!(x.offset, next);
                prop_assert!(ipv4::HEADER_LEN + x.len <= mtu);
                prop_assert_eq!(x.more, i + 1 < all.len());
                if x.more {
                    prop_assert!(x.len > 0 && x.len % BLOCK == 0);
                }
                next = x.end();
            }
            prop_assert_eq!(next, total);
        }
    }
}
