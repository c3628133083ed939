//! The fixed DNS header and the small codes it carries.

use crate::wire::view::view;

pub const HEADER_LEN: usize = 12;

mod field {
    use core::ops::Range;
    pub const ID: Range<usize> = 0..2;
    pub const FLAGS: Range<usize> = 2..4;
    pub const QDCOUNT: Range<usize> = 4..6;
    pub const ANCOUNT: Range<usize> = 6..8;
    pub const NSCOUNT: Range<usize> = 8..10;
    pub const ARCOUNT: Range<usize> = 10..12;
}

/// A 4-bit operation code (RFC 1035 §4.1.1, RFC 6895).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Opcode(u8);

impl Opcode {
    pub const QUERY: Opcode = Opcode(0);
    pub const IQUERY: Opcode = Opcode(1);
    pub const STATUS: Opcode = Opcode(2);
    pub const NOTIFY: Opcode = Opcode(4);
    pub const UPDATE: Opcode = Opcode(5);

    /// Keeps the low four bits, all a header can hold.
    pub const fn from_bits(bits: u8) -> Opcode {
        Opcode(bits & 0x0f)
    }
    pub const fn bits(self) -> u8 {
        self.0
    }
}

/// A 4-bit response code (RFC 1035 §4.1.1); extended codes need EDNS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rcode(u8);

impl Rcode {
    pub const NO_ERROR: Rcode = Rcode(0);
    pub const FORM_ERR: Rcode = Rcode(1);
    pub const SERV_FAIL: Rcode = Rcode(2);
    pub const NX_DOMAIN: Rcode = Rcode(3);
    pub const NOT_IMP: Rcode = Rcode(4);
    pub const REFUSED: Rcode = Rcode(5);

    /// Keeps the low four bits, all a header can hold.
    pub const fn from_bits(bits: u8) -> Rcode {
        Rcode(bits & 0x0f)
    }
    pub const fn bits(self) -> u8 {
        self.0
    }
}

/// A record type. Every 16-bit value is valid on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Type(pub u16);

impl Type {
    pub const A: Type = Type(1);
    pub const NS: Type = Type(2);
    pub const CNAME: Type = Type(5);
    pub const SOA: Type = Type(6);
    pub const PTR: Type = Type(12);
    pub const MX: Type = Type(15);
    pub const TXT: Type = Type(16);
    pub const AAAA: Type = Type(28);
    pub const SRV: Type = Type(33);
    pub const OPT: Type = Type(41);
    pub const ANY: Type = Type(255);
}

/// A record class. Every 16-bit value is valid on the wire (OPT records use
/// it for the UDP payload size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Class(pub u16);

impl Class {
    pub const IN: Class = Class(1);
    pub const CH: Class = Class(3);
    pub const ANY: Class = Class(255);
}

/// The header's second word: QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode.
///
/// Kept as the raw word so every bit (including Z, AD and CD, which this
/// stack does not interpret) survives a parse/emit round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u16);

const QR: u16 = 0x8000;
const AA: u16 = 0x0400;
const TC: u16 = 0x0200;
const RD: u16 = 0x0100;
const RA: u16 = 0x0080;
const OPCODE_SHIFT: u16 = 11;

impl Flags {
    /// A standard query asking for recursion.
    pub const fn query() -> Flags {
        Flags(RD)
    }
    /// A response to a query with `request` flags: QR set, opcode and RD
    /// copied (RFC 1035 §4.1.1), everything else clear.
    pub const fn response_to(request: Flags) -> Flags {
        Flags(QR | (request.0 & (0x7800 | RD)))
    }

    pub const fn is_response(self) -> bool {
        self.0 & QR != 0
    }
    pub const fn opcode(self) -> Opcode {
        Opcode::from_bits((self.0 >> OPCODE_SHIFT) as u8)
    }
    pub const fn authoritative(self) -> bool {
        self.0 & AA != 0
    }
    pub const fn truncated(self) -> bool {
        self.0 & TC != 0
    }
    pub const fn recursion_desired(self) -> bool {
        self.0 & RD != 0
    }
    pub const fn recursion_available(self) -> bool {
        self.0 & RA != 0
    }
    pub const fn rcode(self) -> Rcode {
        Rcode::from_bits(self.0 as u8)
    }

    pub const fn with_response(self, on: bool) -> Flags {
        self.with_bit(QR, on)
    }
    pub const fn with_opcode(self, op: Opcode) -> Flags {
        Flags((self.0 & !0x7800) | ((op.bits() as u16) << OPCODE_SHIFT))
    }
    pub const fn with_authoritative(self, on: bool) -> Flags {
        self.with_bit(AA, on)
    }
    pub const fn with_truncated(self, on: bool) -> Flags {
        self.with_bit(TC, on)
    }
    pub const fn with_recursion_desired(self, on: bool) -> Flags {
        self.with_bit(RD, on)
    }
    pub const fn with_recursion_available(self, on: bool) -> Flags {
        self.with_bit(RA, on)
    }
    pub const fn with_rcode(self, rcode: Rcode) -> Flags {
        Flags((self.0 & !0x000f) | rcode.bits() as u16)
    }

    const fn with_bit(self, bit: u16, on: bool) -> Flags {
        Flags(if on { self.0 | bit } else { self.0 & !bit })
    }
}

/// The decoded fixed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Header {
    pub id: u16,
    pub flags: Flags,
    pub question_count: u16,
    pub answer_count: u16,
    pub authority_count: u16,
    pub additional_count: u16,
}

view! {
    /// A checked view of a DNS message's fixed header.
    #[derive(Debug, Clone)]
    pub struct Packet;
    min_len = HEADER_LEN;
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub fn id(&self) -> u16 {
        self.get(field::ID)
    }
    pub fn flags(&self) -> Flags {
        Flags(self.get(field::FLAGS))
    }
    pub fn question_count(&self) -> u16 {
        self.get(field::QDCOUNT)
    }
    pub fn answer_count(&self) -> u16 {
        self.get(field::ANCOUNT)
    }
    pub fn authority_count(&self) -> u16 {
        self.get(field::NSCOUNT)
    }
    pub fn additional_count(&self) -> u16 {
        self.get(field::ARCOUNT)
    }
    pub fn header(&self) -> Header {
        Header {
            id: self.id(),
            flags: self.flags(),
            question_count: self.question_count(),
            answer_count: self.answer_count(),
            authority_count: self.authority_count(),
            additional_count: self.additional_count(),
        }
    }
    /// Everything after the fixed header.
    pub fn payload(&self) -> &[u8] {
        &self.bytes()[HEADER_LEN..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    pub fn set_id(&mut self, value: u16) {
        self.set(field::ID, value)
    }
    pub fn set_flags(&mut self, value: Flags) {
        self.set(field::FLAGS, value.0)
    }
    pub fn set_question_count(&mut self, value: u16) {
        self.set(field::QDCOUNT, value)
    }
    pub fn set_answer_count(&mut self, value: u16) {
        self.set(field::ANCOUNT, value)
    }
    pub fn set_authority_count(&mut self, value: u16) {
        self.set(field::NSCOUNT, value)
    }
    pub fn set_additional_count(&mut self, value: u16) {
        self.set(field::ARCOUNT, value)
    }
    pub fn set_header(&mut self, header: &Header) {
        self.set_id(header.id);
        self.set_flags(header.flags);
        self.set_question_count(header.question_count);
        self.set_answer_count(header.answer_count);
        self.set_authority_count(header.authority_count);
        self.set_additional_count(header.additional_count);
    }
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.bytes_mut()[HEADER_LEN..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Error;

    #[test]
    fn header_fields_round_trip() {
        let bytes = [0x12, 0x34, 0x81, 0x83, 0, 1, 0, 2, 0, 3, 0, 4];
        let p = Packet::new_checked(&bytes[..]).unwrap();
        let h = p.header();
        assert_eq!(h.id, 0x1234);
        assert!(h.flags.is_response());
        assert!(h.flags.recursion_desired());
        assert!(h.flags.recursion_available());
        assert!(!h.flags.truncated());
        assert!(!h.flags.authoritative());
        assert_eq!(h.flags.rcode(), Rcode::NX_DOMAIN);
        assert_eq!(h.flags.opcode(), Opcode::QUERY);
        assert_eq!(
            (
                h.question_count,
                h.answer_count,
                h.authority_count,
                h.additional_count
            ),
            (1, 2, 3, 4)
        );
        let mut out = [0u8; 12];
        Packet::new_unchecked(&mut out[..]).set_header(&h);
        assert_eq!(out, bytes);
        assert_eq!(
            Packet::new_checked(&bytes[..11]).unwrap_err(),
            Error::Truncated
        );
    }

    #[test]
    fn flag_builders_touch_only_their_bits() {
        let f = Flags::query()
            .with_opcode(Opcode::from_bits(0xff))
            .with_rcode(Rcode::REFUSED)
            .with_truncated(true)
            .with_authoritative(true);
        assert_eq!(f.opcode().bits(), 0x0f);
        assert_eq!(f.rcode(), Rcode::REFUSED);
        assert!(f.truncated() && f.authoritative() && f.recursion_desired());
        assert!(!f.is_response());
        let r = Flags::response_to(f);
        assert!(r.is_response() && r.recursion_desired());
        assert_eq!(r.opcode().bits(), 0x0f);
        assert!(!r.truncated() && !r.authoritative());
        assert_eq!(r.rcode(), Rcode::NO_ERROR);
    }
}
