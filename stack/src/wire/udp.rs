//! UDP datagrams (RFC 768).
//!
//! The checksum covers the IPv4 pseudo-header, so verifying and filling it
//! takes the addresses. A zero checksum means "not computed" and is accepted;
//! a computed zero is sent as `0xffff`.

use core::fmt;
use core::net::Ipv4Addr;

use super::ipv4::Protocol;
use super::view::view;
use super::{checksum, Error, Result};

pub const HEADER_LEN: usize = 8;

mod field {
    use core::ops::Range;
    pub const SRC_PORT: Range<usize> = 0..2;
    pub const DST_PORT: Range<usize> = 2..4;
    pub const LENGTH: Range<usize> = 4..6;
    pub const CHECKSUM: Range<usize> = 6..8;
}

view! {
    /// A view of a UDP datagram.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Packet;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// `Truncated` when the header or the length field's bytes do not fit,
    /// `Malformed` when the length field is below the header size.
    pub fn check_len(&self) -> Result<()> {
        self.require_len(HEADER_LEN)?;
        let len = usize::from(self.len());
        if len < HEADER_LEN {
            return Err(Error::Malformed);
        }
        self.require_len(len)
    }

    pub fn src_port(&self) -> u16 {
        self.get(field::SRC_PORT)
    }

    pub fn dst_port(&self) -> u16 {
        self.get(field::DST_PORT)
    }

    /// The length field: header plus payload.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u16 {
        self.get(field::LENGTH)
    }

    pub fn checksum(&self) -> u16 {
        self.get(field::CHECKSUM)
    }

    /// The one's-complement sum of pseudo-header and datagram.
    fn sum(&self, src_addr: Ipv4Addr, dst_addr: Ipv4Addr) -> u16 {
        let len = self.len();
        checksum::combine(&[
            checksum::pseudo_header(src_addr, dst_addr, Protocol::Udp.into(), len),
            checksum::data(&self.bytes()[..usize::from(len)]),
        ])
    }

    /// True when the checksum matches, or is zero ("not computed").
    pub fn verify_checksum(&self, src_addr: Ipv4Addr, dst_addr: Ipv4Addr) -> bool {
        self.checksum() == 0 || self.sum(src_addr, dst_addr) == 0xffff
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// `[8..len]`: bytes past the length field are not payload.
    pub fn payload(&self) -> &'a [u8] {
        let end = usize::from(self.len());
        &self.buffer.as_ref()[HEADER_LEN..end]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    pub fn set_src_port(&mut self, port: u16) {
        self.set(field::SRC_PORT, port);
    }

    pub fn set_dst_port(&mut self, port: u16) {
        self.set(field::DST_PORT, port);
    }

    pub fn set_len(&mut self, len: u16) {
        self.set(field::LENGTH, len);
    }

    pub fn set_checksum(&mut self, value: u16) {
        self.set(field::CHECKSUM, value);
    }

    /// Computes the checksum over the first `len` bytes as they stand;
    /// a computed zero is written as `0xffff`, since zero means "none".
    pub fn fill_checksum(&mut self, src_addr: Ipv4Addr, dst_addr: Ipv4Addr) {
        self.set_checksum(0);
        let value = !self.sum(src_addr, dst_addr);
        self.set_checksum(if value == 0 { 0xffff } else { value });
    }

    /// `[8..len]`; set the length first.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = usize::from(self.len());
        &mut self.bytes_mut()[HEADER_LEN..end]
    }
}

/// A UDP header; the payload stays in the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    pub src_port: u16,
    pub dst_port: u16,
}

impl Repr {
    /// Decodes the ports after verifying the checksum against the
    /// pseudo-header of `src_addr` -> `dst_addr` (`Checksum` on mismatch).
    /// The payload is [`Packet::payload`].
    pub fn parse<T: AsRef<[u8]>>(
        packet: &Packet<T>,
        src_addr: Ipv4Addr,
        dst_addr: Ipv4Addr,
    ) -> Result<Repr> {
        packet.check_len()?;
        if !packet.verify_checksum(src_addr, dst_addr) {
            return Err(Error::Checksum);
        }
        Ok(Repr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
        })
    }

    /// Header plus `payload_len`.
    pub const fn buffer_len(&self, payload_len: usize) -> usize {
        HEADER_LEN + payload_len
    }

    /// Copies `payload` after the header, then [`Repr::emit_header`]s.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Packet<T>,
        src_addr: Ipv4Addr,
        dst_addr: Ipv4Addr,
        payload: &[u8],
    ) {
        let end = HEADER_LEN + payload.len();
        packet.bytes_mut()[HEADER_LEN..end].copy_from_slice(payload);
        self.emit_header(packet, src_addr, dst_addr, payload.len());
    }

    /// Writes the header and checksum for the `payload_len` bytes the caller
    /// has already put after the header, so a payload is written once, in
    /// place. The view must hold [`Repr::buffer_len`] bytes, at most 65535.
    ///
    /// ```
    /// use seqs::wire::{udp, Ipv4Addr};
    /// let (src, dst) = (Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2));
    /// let repr = udp::Repr { src_port: 5000, dst_port: 9 };
    /// let mut buf = [0u8; 64];
    /// let datagram = &mut buf[..repr.buffer_len(5)];
    /// datagram[udp::HEADER_LEN..].copy_from_slice(b"hello"); // e.g. a socket dequeue
    /// repr.emit_header(&mut udp::Packet::new_unchecked(&mut *datagram), src, dst, 5);
    /// let packet = udp::Packet::new_checked(&*datagram).unwrap();
    /// assert_eq!(udp::Repr::parse(&packet, src, dst), Ok(repr));
    /// assert_eq!(packet.payload(), b"hello");
    /// ```
    pub fn emit_header<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Packet<T>,
        src_addr: Ipv4Addr,
        dst_addr: Ipv4Addr,
        payload_len: usize,
    ) {
        packet.set_src_port(self.src_port);
        packet.set_dst_port(self.dst_port);
        packet.set_len(u16::try_from(self.buffer_len(payload_len)).unwrap_or(u16::MAX));
        packet.fill_checksum(src_addr, dst_addr);
    }
}

/// One line for traces: `UDP src_port > dst_port`.
impl fmt::Display for Repr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UDP {} > {}", self.src_port, self.dst_port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
    const DST: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

    /// A DNS query header from 192.0.2.1:53000 to 192.0.2.2:53, checksum
    /// computed by hand, followed by two bytes of padding.
    fn sample() -> [u8; 22] {
        let mut b = [0u8; 22];
        b[..20].copy_from_slice(&[
            0xcf, 0x08, 0x00, 0x35, 0x00, 0x14, 0x00, 0x00, // header, checksum below
            0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]);
        // Pseudo-header words: c000 0201 c000 0202 0011 0014; datagram words:
        // cf08 0035 0014 1234 0100 0001 (zero words omitted).
        let words: [u32; 12] = [
            0xc000, 0x0201, 0xc000, 0x0202, 0x0011, 0x0014, 0xcf08, 0x0035, 0x0014, 0x1234, 0x0100,
            0x0001,
        ];
        let mut sum: u32 = words.iter().sum();
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        b[6..8].copy_from_slice(&(!(sum as u16)).to_be_bytes());
        b
    }

    #[test]
    fn fields_and_payload() {
        let bytes = sample();
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!((p.src_port(), p.dst_port(), p.len()), (53000, 53, 20));
        assert!(p.verify_checksum(SRC, DST));
        assert_eq!(p.payload(), &bytes[8..20], "padding is not payload");
        assert_eq!(
            Repr::parse(&p, SRC, DST),
            Ok(Repr {
                src_port: 53000,
                dst_port: 53
            })
        );
    }

    #[test]
    fn checksum_depends_on_the_pseudo_header() {
        let bytes = sample();
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(
            Repr::parse(&p, SRC, Ipv4Addr::new(192, 0, 2, 3)),
            Err(Error::Checksum)
        );
        let mut bad = bytes;
        bad[12] ^= 0x40;
        let p = Packet::new_checked(&bad[..]).unwrap();
        assert_eq!(Repr::parse(&p, SRC, DST), Err(Error::Checksum));
    }

    #[test]
    fn zero_checksum_means_not_computed() {
        let mut bytes = sample();
        bytes[6..8].fill(0);
        bytes[12] ^= 0x40;
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert!(Repr::parse(&p, SRC, Ipv4Addr::BROADCAST).is_ok());
    }

    #[test]
    fn computed_zero_is_sent_as_all_ones() {
        // Find a source port that makes the checksum compute to zero.
        let repr_for = |src_port| Repr {
            src_port,
            dst_port: 9,
        };
        let mut buf = [0u8; HEADER_LEN];
        let port = (0..=u16::MAX)
            .find(|&port| {
                let mut p = Packet::new_unchecked(&mut buf[..]);
                repr_for(port).emit_header(&mut p, SRC, DST, 0);
                p.set_checksum(0);
                p.sum(SRC, DST) == 0xffff
            })
            .unwrap();
        let mut p = Packet::new_unchecked(&mut buf[..]);
        repr_for(port).emit_header(&mut p, SRC, DST, 0);
        assert_eq!(p.checksum(), 0xffff);
        assert_eq!(Repr::parse(&p, SRC, DST), Ok(repr_for(port)));
    }

    #[test]
    fn emit_reproduces_the_sample() {
        let bytes = sample();
        let repr = Repr::parse(&Packet::new_checked(&bytes[..]).unwrap(), SRC, DST).unwrap();
        let mut out = [0u8; 20];
        repr.emit(
            &mut Packet::new_unchecked(&mut out[..]),
            SRC,
            DST,
            &bytes[8..20],
        );
        assert_eq!(out[..], bytes[..20]);
    }

    #[test]
    fn payload_written_in_place() {
        let repr = Repr {
            src_port: 1,
            dst_port: 2,
        };
        let mut buf = [0u8; 13];
        buf[HEADER_LEN..].copy_from_slice(b"hello");
        let mut p = Packet::new_unchecked(&mut buf[..]);
        repr.emit_header(&mut p, SRC, DST, 5);
        let p = Packet::new_checked(&buf[..]).unwrap();
        assert_eq!(p.payload(), b"hello");
        assert!(p.verify_checksum(SRC, DST) && p.checksum() != 0);
    }

    #[test]
    fn lengths_are_checked() {
        let bytes = sample();
        for len in 0..20 {
            assert_eq!(
                Packet::new_checked(&bytes[..len]).err(),
                Some(Error::Truncated),
                "length {len}"
            );
        }
        for field in 0..HEADER_LEN as u16 {
            let mut bad = bytes;
            bad[4..6].copy_from_slice(&field.to_be_bytes());
            assert_eq!(Packet::new_checked(&bad[..]).err(), Some(Error::Malformed));
        }
        let mut bad = bytes;
        bad[4..6].copy_from_slice(&23u16.to_be_bytes());
        assert_eq!(Packet::new_checked(&bad[..]).err(), Some(Error::Truncated));
    }

    #[test]
    fn display_for_traces() {
        let repr = Repr {
            src_port: 53000,
            dst_port: 53,
        };
        assert_eq!(std::format!("{repr}"), "UDP 53000 > 53");
    }
}
