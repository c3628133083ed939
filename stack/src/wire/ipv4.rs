//! IPv4 headers (RFC 791), with fragment fields and options length.
//!
//! The view validates lengths once (`IHL >= 5`, header within the total
//! length, total length within the buffer), so the payload is always
//! `[header_len..total_len]` and trailing Ethernet padding is never mistaken
//! for data. Options are accepted and skipped; we never emit them.

use core::fmt;
use core::net::Ipv4Addr;

use super::view::view;
use super::{checksum, Error, Result};

/// An interface address with its prefix length, e.g. `192.0.2.10/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    address: Ipv4Addr,
    prefix_len: u8,
}

impl Cidr {
    /// `None` when `prefix_len > 32`.
    pub const fn new(address: Ipv4Addr, prefix_len: u8) -> Option<Cidr> {
        if prefix_len > 32 {
            None
        } else {
            Some(Cidr {
                address,
                prefix_len,
            })
        }
    }
    /// From an address and a dotted netmask such as DHCP's option 1; `None`
    /// when the mask's ones are not contiguous.
    pub fn from_netmask(address: Ipv4Addr, netmask: Ipv4Addr) -> Option<Cidr> {
        let bits = u32::from(netmask);
        let prefix_len = bits.leading_ones();
        (bits.checked_shl(prefix_len).unwrap_or(0) == 0).then_some(Cidr {
            address,
            prefix_len: prefix_len as u8,
        })
    }
    pub const fn address(&self) -> Ipv4Addr {
        self.address
    }
    pub const fn prefix_len(&self) -> u8 {
        self.prefix_len
    }
    pub fn netmask(&self) -> Ipv4Addr {
        Ipv4Addr::from(
            u32::MAX
                .checked_shl(32 - u32::from(self.prefix_len))
                .unwrap_or(0),
        )
    }
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.address) & u32::from(self.netmask()))
    }
    /// The subnet's directed broadcast; `None` for /31 and /32, which have none.
    pub fn broadcast(&self) -> Option<Ipv4Addr> {
        (self.prefix_len < 31)
            .then(|| Ipv4Addr::from(u32::from(self.address) | !u32::from(self.netmask())))
    }
    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        let mask = u32::from(self.netmask());
        u32::from(addr) & mask == u32::from(self.address) & mask
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix_len)
    }
}

/// Length of a header without options.
pub const HEADER_LEN: usize = 20;

/// Largest datagram the 16-bit total length allows.
const MAX_TOTAL_LEN: usize = 0xffff;

/// The protocol of an IPv4 payload (IANA "Assigned Internet Protocol Numbers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Icmp,
    Tcp,
    Udp,
    /// Any other number. Never holds a named variant's value when produced
    /// by `From<u8>`.
    Unknown(u8),
}

impl From<u8> for Protocol {
    fn from(value: u8) -> Protocol {
        match value {
            1 => Protocol::Icmp,
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            other => Protocol::Unknown(other),
        }
    }
}

impl From<Protocol> for u8 {
    fn from(value: Protocol) -> u8 {
        match value {
            Protocol::Icmp => 1,
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Unknown(other) => other,
        }
    }
}

mod field {
    use core::ops::Range;
    pub const VER_IHL: usize = 0;
    pub const DSCP_ECN: usize = 1;
    pub const LENGTH: Range<usize> = 2..4;
    pub const IDENT: Range<usize> = 4..6;
    pub const FLAGS_FRAG: Range<usize> = 6..8;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: Range<usize> = 10..12;
    pub const SRC_ADDR: Range<usize> = 12..16;
    pub const DST_ADDR: Range<usize> = 16..20;
}

/// Bits of the flags + fragment offset word.
const FLAG_RESERVED: u16 = 0x8000;
const FLAG_DONT_FRAG: u16 = 0x4000;
const FLAG_MORE_FRAGS: u16 = 0x2000;
const FRAG_OFFSET_MASK: u16 = 0x1fff;

view! {
    /// A view of an IPv4 packet.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Packet;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks `20 <= header_len <= total_len <= buffer length`, and version 4
    /// (without it the length nibble means nothing): `Truncated` when the
    /// buffer is short, `Unsupported` for another version, `Malformed` when
    /// the length fields contradict each other.
    pub fn check_len(&self) -> Result<()> {
        self.require_len(HEADER_LEN)?;
        if self.version() != 4 {
            return Err(Error::Unsupported);
        }
        let total_len = usize::from(self.total_len());
        if self.header_len() < HEADER_LEN || total_len < self.header_len() {
            return Err(Error::Malformed);
        }
        self.require_len(total_len)
    }

    pub fn version(&self) -> u8 {
        self.bytes()[field::VER_IHL] >> 4
    }

    /// Header length in bytes, options included.
    pub fn header_len(&self) -> usize {
        usize::from(self.bytes()[field::VER_IHL] & 0x0f) * 4
    }

    /// The whole former type-of-service byte: DSCP (6 bits) and ECN (2 bits).
    pub fn dscp_ecn(&self) -> u8 {
        self.bytes()[field::DSCP_ECN]
    }

    pub fn dscp(&self) -> u8 {
        self.dscp_ecn() >> 2
    }

    pub fn ecn(&self) -> u8 {
        self.dscp_ecn() & 0x03
    }

    /// Header plus payload, in bytes.
    pub fn total_len(&self) -> u16 {
        self.get(field::LENGTH)
    }

    pub fn ident(&self) -> u16 {
        self.get(field::IDENT)
    }

    fn flags_frag(&self) -> u16 {
        self.get(field::FLAGS_FRAG)
    }

    /// The flag RFC 791 reserves (must be zero).
    pub fn reserved_flag(&self) -> bool {
        self.flags_frag() & FLAG_RESERVED != 0
    }

    pub fn dont_frag(&self) -> bool {
        self.flags_frag() & FLAG_DONT_FRAG != 0
    }

    pub fn more_frags(&self) -> bool {
        self.flags_frag() & FLAG_MORE_FRAGS != 0
    }

    /// Where this fragment's payload starts in the original datagram, in
    /// bytes (the field counts 8-byte units).
    pub fn frag_offset(&self) -> u16 {
        (self.flags_frag() & FRAG_OFFSET_MASK) << 3
    }

    pub fn ttl(&self) -> u8 {
        self.bytes()[field::TTL]
    }

    pub fn protocol(&self) -> Protocol {
        Protocol::from(self.bytes()[field::PROTOCOL])
    }

    pub fn checksum(&self) -> u16 {
        self.get(field::CHECKSUM)
    }

    pub fn src_addr(&self) -> Ipv4Addr {
        self.get(field::SRC_ADDR)
    }

    pub fn dst_addr(&self) -> Ipv4Addr {
        self.get(field::DST_ADDR)
    }

    /// Options bytes, between the fixed header and the payload.
    pub fn options(&self) -> &[u8] {
        &self.bytes()[HEADER_LEN..self.header_len()]
    }

    /// True when the header (options included) sums to all ones.
    pub fn verify_checksum(&self) -> bool {
        checksum::data(&self.bytes()[..self.header_len()]) == 0xffff
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// `[header_len..total_len]`: link-layer padding after the datagram is
    /// left out.
    pub fn payload(&self) -> &'a [u8] {
        let range = self.header_len()..usize::from(self.total_len());
        &self.buffer.as_ref()[range]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Writes version 4 and the header length (a multiple of 4, 20..=60).
    pub fn set_header_len(&mut self, len: usize) {
        let ihl = ((len / 4) & 0x0f) as u8;
        self.bytes_mut()[field::VER_IHL] = 0x40 | ihl;
    }

    pub fn set_dscp_ecn(&mut self, value: u8) {
        self.bytes_mut()[field::DSCP_ECN] = value;
    }

    pub fn set_total_len(&mut self, len: u16) {
        self.set(field::LENGTH, len);
    }

    pub fn set_ident(&mut self, ident: u16) {
        self.set(field::IDENT, ident);
    }

    /// Writes the flags and fragment offset word (reserved flag cleared);
    /// `frag_offset` is in bytes and its low three bits are dropped.
    pub fn set_fragment(&mut self, dont_frag: bool, more_frags: bool, frag_offset: u16) {
        self.set(
            field::FLAGS_FRAG,
            fragment_word(dont_frag, more_frags, frag_offset),
        );
    }

    pub fn set_ttl(&mut self, ttl: u8) {
        self.bytes_mut()[field::TTL] = ttl;
    }

    pub fn set_protocol(&mut self, protocol: Protocol) {
        self.bytes_mut()[field::PROTOCOL] = protocol.into();
    }

    pub fn set_checksum(&mut self, value: u16) {
        self.set(field::CHECKSUM, value);
    }

    pub fn set_src_addr(&mut self, addr: Ipv4Addr) {
        self.set(field::SRC_ADDR, addr);
    }

    pub fn set_dst_addr(&mut self, addr: Ipv4Addr) {
        self.set(field::DST_ADDR, addr);
    }

    /// Computes the header checksum over the header as it stands.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let sum = checksum::data(&self.bytes()[..self.header_len()]);
        self.set_checksum(!sum);
    }

    /// `[header_len..total_len]`, to be filled after [`Repr::emit`].
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let range = self.header_len()..usize::from(self.total_len());
        &mut self.bytes_mut()[range]
    }
}

/// The decoded header of an IPv4 packet: one whole datagram or one fragment
/// of it. A datagram sent whole has `more_frags == false` and
/// `frag_offset == 0`; reassembly keys fragments on
/// `(src_addr, dst_addr, protocol, ident)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    pub src_addr: Ipv4Addr,
    pub dst_addr: Ipv4Addr,
    pub protocol: Protocol,
    /// Length of this packet's payload (of this fragment, if it is one).
    pub payload_len: usize,
    pub ttl: u8,
    /// DSCP (high 6 bits) and ECN (low 2 bits).
    pub dscp_ecn: u8,
    pub ident: u16,
    pub dont_frag: bool,
    pub more_frags: bool,
    /// Offset of this payload in the original datagram, in bytes; a multiple
    /// of 8 (emit drops the low three bits).
    pub frag_offset: u16,
}

impl Repr {
    /// Decodes a header: `Unsupported` unless version 4, `Checksum` on a bad
    /// header checksum, `Malformed` when the reserved flag is set or the
    /// fragment would end past the largest possible datagram. Options are
    /// skipped.
    #[inline]
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        packet.check_len()?;
        if !packet.verify_checksum() {
            return Err(Error::Checksum);
        }
        let payload_len = usize::from(packet.total_len()) - packet.header_len();
        let frag_end = usize::from(packet.frag_offset()) + payload_len;
        if packet.reserved_flag() || frag_end > MAX_TOTAL_LEN - HEADER_LEN {
            return Err(Error::Malformed);
        }
        Ok(Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            protocol: packet.protocol(),
            payload_len,
            ttl: packet.ttl(),
            dscp_ecn: packet.dscp_ecn(),
            ident: packet.ident(),
            dont_frag: packet.dont_frag(),
            more_frags: packet.more_frags(),
            frag_offset: packet.frag_offset(),
        })
    }

    /// Whether this is one fragment of a larger datagram.
    pub const fn is_fragment(&self) -> bool {
        self.more_frags || self.frag_offset != 0
    }

    /// Header (20 bytes, we emit no options) plus payload.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload_len
    }

    /// Writes the 20-byte header with its checksum; the caller writes the
    /// payload through [`Packet::payload_mut`]. The view must hold
    /// [`Repr::buffer_len`] bytes, and `payload_len` must leave the total
    /// within 65535.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        let total_len = u16::try_from(self.buffer_len()).unwrap_or(u16::MAX);
        packet.set_header_len(HEADER_LEN);
        packet.set_dscp_ecn(self.dscp_ecn);
        packet.set_total_len(total_len);
        packet.set_ident(self.ident);
        packet.set_fragment(self.dont_frag, self.more_frags, self.frag_offset);
        packet.set_ttl(self.ttl);
        packet.set_protocol(self.protocol);
        packet.set_src_addr(self.src_addr);
        packet.set_dst_addr(self.dst_addr);
        packet.set_checksum(!self.header_sum(total_len));
    }

    /// The folded sum of the header `emit` writes, from the fields rather
    /// than read back from the buffer: it is computed for every datagram.
    fn header_sum(&self, total_len: u16) -> u16 {
        let [src_hi, src_lo] = halves(self.src_addr);
        let [dst_hi, dst_lo] = halves(self.dst_addr);
        checksum::combine(&[
            u16::from_be_bytes([0x40 | (HEADER_LEN / 4) as u8, self.dscp_ecn]),
            total_len,
            self.ident,
            fragment_word(self.dont_frag, self.more_frags, self.frag_offset),
            u16::from_be_bytes([self.ttl, self.protocol.into()]),
            src_hi,
            src_lo,
            dst_hi,
            dst_lo,
        ])
    }
}

/// The flags and fragment offset word (reserved flag cleared);
/// `frag_offset` is in bytes and its low three bits are dropped.
fn fragment_word(dont_frag: bool, more_frags: bool, frag_offset: u16) -> u16 {
    let mut word = frag_offset >> 3;
    if dont_frag {
        word |= FLAG_DONT_FRAG;
    }
    if more_frags {
        word |= FLAG_MORE_FRAGS;
    }
    word
}

/// An address as its two big-endian 16-bit words.
fn halves(addr: Ipv4Addr) -> [u16; 2] {
    let bits = addr.to_bits();
    [(bits >> 16) as u16, bits as u16]
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::Icmp => f.write_str("ICMP"),
            Protocol::Tcp => f.write_str("TCP"),
            Protocol::Udp => f.write_str("UDP"),
            Protocol::Unknown(value) => write!(f, "proto {value}"),
        }
    }
}

/// One line for traces: addresses, protocol, payload length, TTL, ident,
/// then `DF` and `frag OFFSET[+]` (`+` = more fragments) when they apply.
impl fmt::Display for Repr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IPv4 {} > {} {} len {} ttl {} id {}",
            self.src_addr, self.dst_addr, self.protocol, self.payload_len, self.ttl, self.ident
        )?;
        if self.dont_frag {
            f.write_str(" DF")?;
        }
        if self.is_fragment() {
            let more = if self.more_frags { "+" } else { "" };
            write!(f, " frag {}{more}", self.frag_offset)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real UDP datagram header (checksum 0xb861 in place), total length
    /// 115, followed by its 95-byte payload and 5 bytes of link padding.
    fn sample() -> std::vec::Vec<u8> {
        let mut bytes = std::vec![
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        bytes.extend((0..95).map(|i| i as u8));
        bytes.extend([0xee; 5]);
        bytes
    }

    fn refill(bytes: &mut [u8]) {
        Packet::new_unchecked(bytes).fill_checksum();
    }

    #[test]
    fn fields_of_a_real_header() {
        let bytes = sample();
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(p.version(), 4);
        assert_eq!(p.header_len(), 20);
        assert_eq!(p.total_len(), 115);
        assert!(p.dont_frag() && !p.more_frags() && !p.reserved_flag());
        assert_eq!(p.frag_offset(), 0);
        assert_eq!(p.ttl(), 64);
        assert_eq!(p.protocol(), Protocol::Udp);
        assert_eq!(p.src_addr(), Ipv4Addr::new(192, 168, 0, 1));
        assert_eq!(p.dst_addr(), Ipv4Addr::new(192, 168, 0, 199));
        assert!(p.verify_checksum());
        assert_eq!(p.payload().len(), 95, "padding is not payload");
        assert_eq!(p.payload()[94], 94);
        let repr = Repr::parse(&p).unwrap();
        assert_eq!(repr.payload_len, 95);
        assert!(!repr.is_fragment());
    }

    #[test]
    fn emit_reproduces_header() {
        let bytes = sample();
        let repr = Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap();
        let mut out = std::vec![0u8; repr.buffer_len()];
        let mut packet = Packet::new_unchecked(&mut out[..]);
        repr.emit(&mut packet);
        packet.payload_mut().copy_from_slice(&bytes[20..115]);
        assert_eq!(out, bytes[..115]);
    }

    #[test]
    fn emitted_checksum_is_the_one_the_bytes_give() {
        let mut seed = 0x9e37_79b9_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for _ in 0..500 {
            let repr = Repr {
                src_addr: Ipv4Addr::from_bits(next()),
                dst_addr: Ipv4Addr::from_bits(next()),
                protocol: Protocol::from(next() as u8),
                payload_len: (next() % 1480) as usize,
                ttl: next() as u8,
                dscp_ecn: next() as u8,
                ident: next() as u16,
                dont_frag: next() % 2 == 0,
                more_frags: next() % 2 == 0,
                frag_offset: (next() as u16) & !7 & 0x1fff,
            };
            let mut out = std::vec![0u8; repr.buffer_len()];
            let mut packet = Packet::new_unchecked(&mut out[..]);
            repr.emit(&mut packet);
            let emitted = packet.checksum();
            packet.fill_checksum();
            assert_eq!(packet.checksum(), emitted, "{repr:?}");
            assert!(packet.verify_checksum());
        }
    }

    #[test]
    fn truncated_at_every_length() {
        let bytes = sample();
        for len in 0..115 {
            assert_eq!(
                Packet::new_checked(&bytes[..len]).err(),
                Some(Error::Truncated),
                "length {len}"
            );
        }
    }

    #[test]
    fn inconsistent_lengths_are_malformed() {
        for ihl in 0..5u8 {
            let mut bytes = sample();
            bytes[0] = 0x40 | ihl;
            assert_eq!(
                Packet::new_checked(&bytes[..]).err(),
                Some(Error::Malformed)
            );
        }
        let mut bytes = sample();
        bytes[2..4].copy_from_slice(&19u16.to_be_bytes());
        assert_eq!(
            Packet::new_checked(&bytes[..]).err(),
            Some(Error::Malformed)
        );
        // IHL 15 (60 bytes) with a total length of 40.
        let mut bytes = sample();
        bytes[0] = 0x4f;
        bytes[2..4].copy_from_slice(&40u16.to_be_bytes());
        assert_eq!(
            Packet::new_checked(&bytes[..]).err(),
            Some(Error::Malformed)
        );
    }

    #[test]
    fn other_versions_are_unsupported() {
        for version in [0u8, 5, 6, 15] {
            let mut bytes = sample();
            bytes[0] = (version << 4) | 5;
            assert_eq!(
                Packet::new_checked(&bytes[..]).err(),
                Some(Error::Unsupported)
            );
            assert_eq!(
                Repr::parse(&Packet::new_unchecked(&bytes[..])),
                Err(Error::Unsupported)
            );
        }
    }

    #[test]
    fn every_single_bit_flip_in_header_is_caught() {
        let bytes = sample();
        for bit in 0..HEADER_LEN * 8 {
            let mut bad = bytes.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let result = Packet::new_checked(&bad[..]).and_then(|p| Repr::parse(&p));
            assert!(result.is_err(), "bit {bit} accepted");
        }
    }

    #[test]
    fn checksum_mismatch() {
        let mut bytes = sample();
        bytes[10] ^= 0x01;
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert!(!p.verify_checksum());
        assert_eq!(Repr::parse(&p), Err(Error::Checksum));
    }

    #[test]
    fn options_are_skipped() {
        let mut bytes = sample();
        // IHL 6: a 4-byte option (NOP, NOP, NOP, EOL) inside the same total.
        bytes[0] = 0x46;
        bytes[20..24].copy_from_slice(&[1, 1, 1, 0]);
        refill(&mut bytes);
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(p.options(), &[1, 1, 1, 0]);
        assert_eq!(p.payload(), &bytes[24..115]);
        assert_eq!(Repr::parse(&p).unwrap().payload_len, 91);
    }

    #[test]
    fn fragment_fields() {
        let mut bytes = sample();
        // MF set, offset 185 units = 1480 bytes, DF clear.
        bytes[6..8].copy_from_slice(&(0x2000u16 | 185).to_be_bytes());
        refill(&mut bytes);
        let repr = Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap();
        assert!(repr.more_frags && !repr.dont_frag && repr.is_fragment());
        assert_eq!(repr.frag_offset, 1480);
        let mut out = std::vec![0u8; repr.buffer_len()];
        repr.emit(&mut Packet::new_unchecked(&mut out[..]));
        assert_eq!(out[..20], bytes[..20]);
    }

    #[test]
    fn reserved_flag_and_oversized_fragments_are_malformed() {
        let mut bytes = sample();
        bytes[6] |= 0x80;
        refill(&mut bytes);
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&p), Err(Error::Malformed));
        // Offset 65528 plus 95 payload bytes would end past 65535.
        let mut bytes = sample();
        bytes[6..8].copy_from_slice(&0x1fffu16.to_be_bytes());
        refill(&mut bytes);
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&p), Err(Error::Malformed));
    }

    #[test]
    fn dscp_and_ecn_split() {
        let mut bytes = sample();
        bytes[1] = 0xb9; // DSCP 46 (EF), ECN 1
        refill(&mut bytes);
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!((p.dscp(), p.ecn()), (46, 1));
        assert_eq!(Repr::parse(&p).unwrap().dscp_ecn, 0xb9);
    }

    #[test]
    fn protocol_numbers_round_trip() {
        for value in 0..=255u8 {
            assert_eq!(u8::from(Protocol::from(value)), value);
        }
    }

    #[test]
    fn cidr_subnet_arithmetic() {
        let c = Cidr::new(Ipv4Addr::new(192, 0, 2, 10), 24).unwrap();
        assert_eq!(c.netmask(), Ipv4Addr::new(255, 255, 255, 0));
        assert_eq!(c.network(), Ipv4Addr::new(192, 0, 2, 0));
        assert_eq!(c.broadcast(), Some(Ipv4Addr::new(192, 0, 2, 255)));
        assert!(c.contains(Ipv4Addr::new(192, 0, 2, 200)));
        assert!(!c.contains(Ipv4Addr::new(198, 51, 100, 1)));
        assert_eq!(
            Cidr::new(Ipv4Addr::new(192, 0, 2, 1), 32)
                .unwrap()
                .broadcast(),
            None
        );
        assert!(Cidr::new(Ipv4Addr::UNSPECIFIED, 0)
            .unwrap()
            .contains(Ipv4Addr::new(203, 0, 113, 9)));
        assert_eq!(Cidr::new(Ipv4Addr::UNSPECIFIED, 33), None);
    }

    #[test]
    fn cidr_from_netmask_rejects_holes() {
        let a = Ipv4Addr::new(192, 0, 2, 1);
        assert_eq!(
            Cidr::from_netmask(a, Ipv4Addr::new(255, 255, 254, 0))
                .unwrap()
                .prefix_len(),
            23
        );
        assert_eq!(Cidr::from_netmask(a, Ipv4Addr::new(255, 0, 255, 0)), None);
        assert_eq!(
            Cidr::from_netmask(a, Ipv4Addr::new(255, 255, 255, 255))
                .unwrap()
                .prefix_len(),
            32
        );
        assert_eq!(
            Cidr::from_netmask(a, Ipv4Addr::UNSPECIFIED)
                .unwrap()
                .prefix_len(),
            0
        );
    }

    #[test]
    fn display_for_traces() {
        let bytes = sample();
        let mut repr = Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap();
        assert_eq!(
            std::format!("{repr}"),
            "IPv4 192.168.0.1 > 192.168.0.199 UDP len 95 ttl 64 id 0 DF"
        );
        repr.dont_frag = false;
        repr.more_frags = true;
        repr.frag_offset = 1480;
        repr.protocol = Protocol::Unknown(89);
        assert_eq!(
            std::format!("{repr}"),
            "IPv4 192.168.0.1 > 192.168.0.199 proto 89 len 95 ttl 64 id 0 frag 1480+"
        );
    }
}
