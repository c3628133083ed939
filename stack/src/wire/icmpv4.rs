//! ICMPv4 (RFC 792): echo, destination unreachable, time exceeded.
//!
//! ICMP has no length field: a packet is the whole IPv4 payload. Error
//! messages quote the start of the datagram they are about; [`Quote`] reads
//! that quote back so the stack can find the socket it concerns, and
//! [`Repr::dst_unreachable`] builds one capped so the reply fits in 576
//! bytes (RFC 1812 section 4.3.2.3).

use core::fmt;
use core::net::Ipv4Addr;

use super::ipv4::{self, Protocol};
use super::view::view;
use super::{checksum, Error, Result};

pub const HEADER_LEN: usize = 8;

/// Most bytes of an offending datagram an error quotes: the reply (IPv4
/// header, ICMP header, quote) then stays within 576 bytes.
pub const MAX_QUOTE_LEN: usize = 576 - ipv4::HEADER_LEN - HEADER_LEN;

/// ICMP message types this stack names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Message {
    EchoReply,
    DstUnreachable,
    EchoRequest,
    TimeExceeded,
    /// Any other type. Never holds a named variant's value when produced by
    /// `From<u8>`.
    Unknown(u8),
}

impl From<u8> for Message {
    fn from(value: u8) -> Message {
        match value {
            0 => Message::EchoReply,
            3 => Message::DstUnreachable,
            8 => Message::EchoRequest,
            11 => Message::TimeExceeded,
            other => Message::Unknown(other),
        }
    }
}

impl From<Message> for u8 {
    fn from(value: Message) -> u8 {
        match value {
            Message::EchoReply => 0,
            Message::DstUnreachable => 3,
            Message::EchoRequest => 8,
            Message::TimeExceeded => 11,
            Message::Unknown(other) => other,
        }
    }
}

impl Message {
    /// Error messages (unreachable, source quench, redirect, time exceeded,
    /// parameter problem), which must never be answered with another error
    /// (RFC 1122 section 3.2.2).
    pub const fn is_error(self) -> bool {
        matches!(
            self,
            Message::DstUnreachable | Message::TimeExceeded | Message::Unknown(4 | 5 | 12)
        )
    }
}

/// Destination unreachable codes (RFC 792, RFC 1122, RFC 1812).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DstUnreachable {
    NetUnreachable,
    HostUnreachable,
    ProtoUnreachable,
    PortUnreachable,
    /// Fragmentation needed but DF set; `mtu` is the next hop's (RFC 1191),
    /// 0 from routers that predate it.
    FragRequired {
        mtu: u16,
    },
    SourceRouteFailed,
    DstNetUnknown,
    DstHostUnknown,
    SrcHostIsolated,
    NetProhibited,
    HostProhibited,
    NetUnreachableForTos,
    HostUnreachableForTos,
    CommProhibited,
    HostPrecedenceViolation,
    PrecedenceCutoff,
}

impl DstUnreachable {
    /// Codes in numeric order; `FragRequired` (code 4) is built apart
    /// because it carries the MTU.
    const BY_CODE: [DstUnreachable; 16] = [
        DstUnreachable::NetUnreachable,
        DstUnreachable::HostUnreachable,
        DstUnreachable::ProtoUnreachable,
        DstUnreachable::PortUnreachable,
        DstUnreachable::FragRequired { mtu: 0 },
        DstUnreachable::SourceRouteFailed,
        DstUnreachable::DstNetUnknown,
        DstUnreachable::DstHostUnknown,
        DstUnreachable::SrcHostIsolated,
        DstUnreachable::NetProhibited,
        DstUnreachable::HostProhibited,
        DstUnreachable::NetUnreachableForTos,
        DstUnreachable::HostUnreachableForTos,
        DstUnreachable::CommProhibited,
        DstUnreachable::HostPrecedenceViolation,
        DstUnreachable::PrecedenceCutoff,
    ];

    /// The reason for `code`; `mtu` is used only by code 4.
    pub fn from_code(code: u8, mtu: u16) -> Option<DstUnreachable> {
        match Self::BY_CODE.get(usize::from(code))? {
            DstUnreachable::FragRequired { .. } => Some(DstUnreachable::FragRequired { mtu }),
            &other => Some(other),
        }
    }

    pub fn code(self) -> u8 {
        let same_kind =
            |r: &DstUnreachable| core::mem::discriminant(r) == core::mem::discriminant(&self);
        Self::BY_CODE
            .iter()
            .position(same_kind)
            .map_or(0, |i| i as u8)
    }

    /// The next-hop MTU field: non-zero only for `FragRequired`.
    pub fn mtu(self) -> u16 {
        match self {
            DstUnreachable::FragRequired { mtu } => mtu,
            _ => 0,
        }
    }
}

/// Time exceeded codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeExceeded {
    /// TTL reached zero in transit.
    TtlExpired,
    /// Fragments did not all arrive before the reassembly timer ran out.
    FragReassembly,
}

impl TimeExceeded {
    pub fn from_code(code: u8) -> Option<TimeExceeded> {
        match code {
            0 => Some(TimeExceeded::TtlExpired),
            1 => Some(TimeExceeded::FragReassembly),
            _ => None,
        }
    }

    pub fn code(self) -> u8 {
        match self {
            TimeExceeded::TtlExpired => 0,
            TimeExceeded::FragReassembly => 1,
        }
    }
}

mod field {
    use core::ops::Range;
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Range<usize> = 2..4;
    /// Echo identifier; unused (zero) in errors.
    pub const IDENT: Range<usize> = 4..6;
    /// Echo sequence number; next-hop MTU in "fragmentation needed".
    pub const SEQ_NO_OR_MTU: Range<usize> = 6..8;
}

view! {
    /// A view of an ICMPv4 message.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Packet;
    min_len = HEADER_LEN;
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub fn msg_type(&self) -> Message {
        Message::from(self.bytes()[field::TYPE])
    }

    pub fn msg_code(&self) -> u8 {
        self.bytes()[field::CODE]
    }

    pub fn checksum(&self) -> u16 {
        self.get(field::CHECKSUM)
    }

    pub fn echo_ident(&self) -> u16 {
        self.get(field::IDENT)
    }

    pub fn echo_seq_no(&self) -> u16 {
        self.get(field::SEQ_NO_OR_MTU)
    }

    /// The MTU in a "fragmentation needed" message.
    pub fn next_hop_mtu(&self) -> u16 {
        self.get(field::SEQ_NO_OR_MTU)
    }

    /// True when the whole message sums to all ones.
    pub fn verify_checksum(&self) -> bool {
        checksum::data(self.bytes()) == 0xffff
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// Everything after the 8-byte header: echo data, or an error's quote.
    pub fn data(&self) -> &'a [u8] {
        &self.buffer.as_ref()[HEADER_LEN..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    pub fn set_msg_type(&mut self, value: Message) {
        self.bytes_mut()[field::TYPE] = value.into();
    }

    pub fn set_msg_code(&mut self, value: u8) {
        self.bytes_mut()[field::CODE] = value;
    }

    pub fn set_checksum(&mut self, value: u16) {
        self.set(field::CHECKSUM, value);
    }

    pub fn set_echo_ident(&mut self, value: u16) {
        self.set(field::IDENT, value);
    }

    pub fn set_echo_seq_no(&mut self, value: u16) {
        self.set(field::SEQ_NO_OR_MTU, value);
    }

    /// Also clears the unused half-word before it, as errors require.
    pub fn set_next_hop_mtu(&mut self, value: u16) {
        self.set(field::IDENT, 0u16);
        self.set(field::SEQ_NO_OR_MTU, value);
    }

    /// Computes the checksum over the whole buffer as it stands.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let sum = checksum::data(self.bytes());
        self.set_checksum(!sum);
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.bytes_mut()[HEADER_LEN..]
    }
}

/// A decoded ICMPv4 message, borrowing its data from the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repr<'a> {
    EchoRequest {
        ident: u16,
        seq_no: u16,
        data: &'a [u8],
    },
    EchoReply {
        ident: u16,
        seq_no: u16,
        data: &'a [u8],
    },
    /// `data` quotes the offending datagram: its IPv4 header and at least
    /// the first 8 payload bytes; read it with [`Quote::parse`].
    DstUnreachable {
        reason: DstUnreachable,
        data: &'a [u8],
    },
    /// `data` quotes the offending datagram, as for `DstUnreachable`.
    TimeExceeded {
        reason: TimeExceeded,
        data: &'a [u8],
    },
}

impl<'a> Repr<'a> {
    /// Decodes a message after verifying its checksum (`Checksum`). Types
    /// and codes without a variant are `Unsupported`; echo with a non-zero
    /// code is `Malformed`. The unused word of error messages is ignored.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &Packet<&'a T>) -> Result<Repr<'a>> {
        packet.check_len()?;
        if !packet.verify_checksum() {
            return Err(Error::Checksum);
        }
        let data = packet.data();
        let code = packet.msg_code();
        let (ident, seq_no) = (packet.echo_ident(), packet.echo_seq_no());
        match packet.msg_type() {
            Message::EchoRequest | Message::EchoReply if code != 0 => Err(Error::Malformed),
            Message::EchoRequest => Ok(Repr::EchoRequest {
                ident,
                seq_no,
                data,
            }),
            Message::EchoReply => Ok(Repr::EchoReply {
                ident,
                seq_no,
                data,
            }),
            Message::DstUnreachable => DstUnreachable::from_code(code, packet.next_hop_mtu())
                .map(|reason| Repr::DstUnreachable { reason, data })
                .ok_or(Error::Unsupported),
            Message::TimeExceeded => TimeExceeded::from_code(code)
                .map(|reason| Repr::TimeExceeded { reason, data })
                .ok_or(Error::Unsupported),
            Message::Unknown(_) => Err(Error::Unsupported),
        }
    }

    /// An unreachable error about `datagram` (the offending IPv4 packet, from
    /// its header on), quoting at most [`MAX_QUOTE_LEN`] bytes of it.
    ///
    /// ```
    /// use seqs::wire::{icmpv4, ipv4};
    /// # let mut offending = [0u8; 1000];
    /// # ipv4::Repr { src_addr: [192, 0, 2, 1].into(), dst_addr: [192, 0, 2, 2].into(),
    /// #     protocol: ipv4::Protocol::Udp, payload_len: 980, ttl: 64, dscp_ecn: 0, ident: 1,
    /// #     dont_frag: false, more_frags: false, frag_offset: 0 }
    /// #     .emit(&mut ipv4::Packet::new_unchecked(&mut offending[..]));
    /// // `offending`: a received datagram for a port nobody listens on.
    /// let received = ipv4::Packet::new_checked(&offending[..]).unwrap();
    /// let request = ipv4::Repr::parse(&received).unwrap();
    /// let icmp = icmpv4::Repr::dst_unreachable(icmpv4::DstUnreachable::PortUnreachable, &offending);
    /// let reply = ipv4::Repr {
    ///     src_addr: request.dst_addr,
    ///     dst_addr: request.src_addr,
    ///     protocol: ipv4::Protocol::Icmp,
    ///     payload_len: icmp.buffer_len(),
    ///     ttl: 64,
    ///     dscp_ecn: 0,
    ///     ident: 7,
    ///     dont_frag: false,
    ///     more_frags: false,
    ///     frag_offset: 0,
    /// };
    /// let mut buf = [0u8; 1500];
    /// let mut packet = ipv4::Packet::new_unchecked(&mut buf[..reply.buffer_len()]);
    /// reply.emit(&mut packet);
    /// icmp.emit(&mut icmpv4::Packet::new_unchecked(packet.payload_mut()));
    /// assert_eq!(reply.buffer_len(), 576);
    /// ```
    pub fn dst_unreachable(reason: DstUnreachable, datagram: &'a [u8]) -> Repr<'a> {
        Repr::DstUnreachable {
            reason,
            data: quote(datagram),
        }
    }

    /// A time-exceeded error about `datagram`, quoted as by
    /// [`Repr::dst_unreachable`].
    pub fn time_exceeded(reason: TimeExceeded, datagram: &'a [u8]) -> Repr<'a> {
        Repr::TimeExceeded {
            reason,
            data: quote(datagram),
        }
    }

    pub const fn message(&self) -> Message {
        match self {
            Repr::EchoRequest { .. } => Message::EchoRequest,
            Repr::EchoReply { .. } => Message::EchoReply,
            Repr::DstUnreachable { .. } => Message::DstUnreachable,
            Repr::TimeExceeded { .. } => Message::TimeExceeded,
        }
    }

    /// The bytes after the header: echo data or the quote.
    pub const fn data(&self) -> &'a [u8] {
        match *self {
            Repr::EchoRequest { data, .. }
            | Repr::EchoReply { data, .. }
            | Repr::DstUnreachable { data, .. }
            | Repr::TimeExceeded { data, .. } => data,
        }
    }

    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN + self.data().len()
    }

    /// Writes the whole message and its checksum into a view of exactly
    /// [`Repr::buffer_len`] bytes (the checksum covers the whole view).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        packet.set_msg_type(self.message());
        match *self {
            Repr::EchoRequest { ident, seq_no, .. } | Repr::EchoReply { ident, seq_no, .. } => {
                packet.set_msg_code(0);
                packet.set_echo_ident(ident);
                packet.set_echo_seq_no(seq_no);
            }
            Repr::DstUnreachable { reason, .. } => {
                packet.set_msg_code(reason.code());
                packet.set_next_hop_mtu(reason.mtu());
            }
            Repr::TimeExceeded { reason, .. } => {
                packet.set_msg_code(reason.code());
                packet.set_next_hop_mtu(0);
            }
        }
        let data = self.data();
        packet.data_mut()[..data.len()].copy_from_slice(data);
        packet.fill_checksum();
    }
}

fn quote(datagram: &[u8]) -> &[u8] {
    datagram.get(..MAX_QUOTE_LEN).unwrap_or(datagram)
}

/// What an ICMP error says about the datagram it quotes: enough to find the
/// socket it concerns (addresses, protocol, and the transport header's
/// first bytes, which hold the ports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quote<'a> {
    pub src_addr: Ipv4Addr,
    pub dst_addr: Ipv4Addr,
    pub protocol: Protocol,
    pub ident: u16,
    /// The quoted payload bytes: usually 8, at most the original payload.
    pub payload: &'a [u8],
}

impl<'a> Quote<'a> {
    /// Reads a quote. Unlike [`ipv4::Packet::new_checked`] it accepts a
    /// datagram cut short after its header, and it does not verify the
    /// header checksum (routers may have rewritten fields). `Truncated` when
    /// the header itself is cut, `Unsupported` for IP versions other than 4,
    /// `Malformed` for contradictory length fields.
    pub fn parse(data: &'a [u8]) -> Result<Quote<'a>> {
        if data.len() < ipv4::HEADER_LEN {
            return Err(Error::Truncated);
        }
        let header = ipv4::Packet::new_unchecked(data);
        if header.version() != 4 {
            return Err(Error::Unsupported);
        }
        let header_len = header.header_len();
        let total_len = usize::from(header.total_len());
        if header_len < ipv4::HEADER_LEN || total_len < header_len {
            return Err(Error::Malformed);
        }
        let end = total_len.min(data.len());
        let payload = data.get(header_len..end).ok_or(Error::Truncated)?;
        Ok(Quote {
            src_addr: header.src_addr(),
            dst_addr: header.dst_addr(),
            protocol: header.protocol(),
            ident: header.ident(),
            payload,
        })
    }
}

/// One line for traces: the message, its identifiers and its data length.
impl fmt::Display for Repr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.data().len();
        match self {
            Repr::EchoRequest { ident, seq_no, .. } => {
                write!(f, "ICMP echo request id {ident} seq {seq_no} len {len}")
            }
            Repr::EchoReply { ident, seq_no, .. } => {
                write!(f, "ICMP echo reply id {ident} seq {seq_no} len {len}")
            }
            Repr::DstUnreachable { reason, .. } => {
                write!(f, "ICMP unreachable {reason:?} len {len}")
            }
            Repr::TimeExceeded { reason, .. } => {
                write!(f, "ICMP time exceeded {reason:?} len {len}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// A Windows `ping` echo request: ident 1, seq 1, 32 letters of data.
    fn echo_request() -> Vec<u8> {
        let mut b = std::vec![0x08, 0x00, 0x4d, 0x5a, 0x00, 0x01, 0x00, 0x01];
        b.extend_from_slice(b"abcdefghijklmnopqrstuvwabcdefghi");
        b
    }

    /// An IPv4/UDP datagram from 192.0.2.1:5000 to 192.0.2.2:9 with 100
    /// payload bytes (the header checksum does not matter to a quote).
    fn datagram() -> Vec<u8> {
        let mut b =
            std::vec![0x45, 0, 0, 128, 0x12, 0x34, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,];
        b.extend_from_slice(&[0x13, 0x88, 0x00, 0x09, 0x00, 108, 0, 0]);
        b.extend((0..100).map(|i| i as u8));
        b
    }

    fn emitted(repr: &Repr) -> Vec<u8> {
        let mut out = std::vec![0xa5; repr.buffer_len()];
        repr.emit(&mut Packet::new_unchecked(&mut out[..]));
        out
    }

    #[test]
    fn parses_a_real_echo_request() {
        let bytes = echo_request();
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert!(packet.verify_checksum());
        assert_eq!(
            Repr::parse(&packet),
            Ok(Repr::EchoRequest {
                ident: 1,
                seq_no: 1,
                data: b"abcdefghijklmnopqrstuvwabcdefghi",
            })
        );
        let repr = Repr::parse(&packet).unwrap();
        assert_eq!(emitted(&repr), bytes);
    }

    #[test]
    fn truncated_header() {
        let bytes = echo_request();
        for len in 0..HEADER_LEN {
            assert_eq!(
                Packet::new_checked(&bytes[..len]).err(),
                Some(Error::Truncated)
            );
        }
        // Shortening the data is not truncation (ICMP has no length field)
        // but it breaks the checksum.
        let packet = Packet::new_checked(&bytes[..20]).unwrap();
        assert_eq!(Repr::parse(&packet), Err(Error::Checksum));
    }

    #[test]
    fn every_single_bit_flip_is_caught() {
        let bytes = echo_request();
        for bit in 0..bytes.len() * 8 {
            let mut bad = bytes.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let packet = Packet::new_checked(&bad[..]).unwrap();
            assert!(Repr::parse(&packet).is_err(), "bit {bit}");
        }
    }

    /// Rewrites type and code of the echo request and fixes its checksum.
    fn retyped(msg_type: u8, code: u8) -> Vec<u8> {
        let mut bytes = echo_request();
        bytes[0] = msg_type;
        bytes[1] = code;
        Packet::new_unchecked(&mut bytes[..]).fill_checksum();
        bytes
    }

    #[test]
    fn unknown_types_and_codes() {
        let parse = |bytes: &[u8]| Repr::parse(&Packet::new_checked(bytes).unwrap()).map(|_| ());
        for msg_type in [4u8, 5, 12, 13, 255] {
            assert_eq!(parse(&retyped(msg_type, 0)), Err(Error::Unsupported));
        }
        assert_eq!(parse(&retyped(3, 16)), Err(Error::Unsupported));
        assert_eq!(parse(&retyped(11, 2)), Err(Error::Unsupported));
        assert_eq!(parse(&retyped(8, 1)), Err(Error::Malformed));
        assert_eq!(parse(&retyped(0, 9)), Err(Error::Malformed));
    }

    #[test]
    fn every_unreachable_code_round_trips() {
        let quoted = datagram();
        for code in 0..16u8 {
            let reason = DstUnreachable::from_code(code, 1400).unwrap();
            assert_eq!(reason.code(), code);
            let repr = Repr::dst_unreachable(reason, &quoted[..28]);
            let bytes = emitted(&repr);
            assert_eq!(bytes[1], code);
            let expected_mtu = if code == 4 { 1400 } else { 0 };
            assert_eq!(
                bytes[4..8],
                [0, 0, (expected_mtu >> 8) as u8, expected_mtu as u8]
            );
            assert_eq!(
                Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()),
                Ok(repr)
            );
        }
    }

    #[test]
    fn time_exceeded_round_trips() {
        let quoted = datagram();
        for reason in [TimeExceeded::TtlExpired, TimeExceeded::FragReassembly] {
            let repr = Repr::time_exceeded(reason, &quoted);
            let bytes = emitted(&repr);
            assert_eq!(bytes[0], 11);
            assert_eq!(
                Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()),
                Ok(repr)
            );
        }
    }

    #[test]
    fn port_unreachable_quote_fits_576_bytes() {
        let mut big = datagram();
        big.resize(1500, 0x77);
        let repr = Repr::dst_unreachable(DstUnreachable::PortUnreachable, &big);
        assert_eq!(repr.data().len(), MAX_QUOTE_LEN);
        assert_eq!(ipv4::HEADER_LEN + repr.buffer_len(), 576);
        let small = datagram();
        let repr = Repr::dst_unreachable(DstUnreachable::PortUnreachable, &small);
        assert_eq!(repr.data(), &small[..]);
    }

    #[test]
    fn quote_reads_the_offending_datagram() {
        let bytes = datagram();
        let quote = Quote::parse(&bytes[..28]).unwrap();
        assert_eq!(quote.src_addr, Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(quote.dst_addr, Ipv4Addr::new(192, 0, 2, 2));
        assert_eq!(quote.protocol, Protocol::Udp);
        assert_eq!(quote.ident, 0x1234);
        assert_eq!(quote.payload, &[0x13, 0x88, 0x00, 0x09, 0x00, 108, 0, 0]);
        // The whole datagram plus padding: payload stops at the total length.
        let mut padded = bytes.clone();
        padded.extend([0; 6]);
        assert_eq!(Quote::parse(&padded).unwrap().payload, &bytes[20..]);
    }

    #[test]
    fn bad_quotes_are_rejected() {
        let bytes = datagram();
        for len in 0..ipv4::HEADER_LEN {
            assert_eq!(Quote::parse(&bytes[..len]), Err(Error::Truncated));
        }
        let mut v6 = bytes.clone();
        v6[0] = 0x65;
        assert_eq!(Quote::parse(&v6), Err(Error::Unsupported));
        let mut short_ihl = bytes.clone();
        short_ihl[0] = 0x44;
        assert_eq!(Quote::parse(&short_ihl), Err(Error::Malformed));
        let mut short_total = bytes.clone();
        short_total[2..4].copy_from_slice(&10u16.to_be_bytes());
        assert_eq!(Quote::parse(&short_total), Err(Error::Malformed));
        // IHL 15 promises 60 bytes of header; only 28 are quoted.
        let mut long_ihl = bytes.clone();
        long_ihl[0] = 0x4f;
        assert_eq!(Quote::parse(&long_ihl[..28]), Err(Error::Truncated));
    }

    #[test]
    fn errors_are_recognised_as_errors() {
        assert!(Message::DstUnreachable.is_error());
        assert!(Message::from(12).is_error());
        assert!(!Message::EchoRequest.is_error());
        assert!(!Message::from(13).is_error());
        for value in 0..=255u8 {
            assert_eq!(u8::from(Message::from(value)), value);
        }
    }

    #[test]
    fn display_for_traces() {
        let bytes = echo_request();
        let repr = Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap();
        assert_eq!(
            std::format!("{repr}"),
            "ICMP echo request id 1 seq 1 len 32"
        );
        let quoted = datagram();
        let error = Repr::dst_unreachable(DstUnreachable::PortUnreachable, &quoted[..28]);
        assert_eq!(
            std::format!("{error}"),
            "ICMP unreachable PortUnreachable len 28"
        );
    }
}
