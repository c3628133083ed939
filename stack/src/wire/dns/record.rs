//! Questions and resource records, zero-copy over the message they came from.

use core::net::{Ipv4Addr, Ipv6Addr};

use super::header::{Class, Type};
use super::name::Name;
use crate::wire::{Error, Result};

/// One entry of the question section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question<'a> {
    pub name: Name<'a>,
    pub qtype: Type,
    pub qclass: Class,
}

/// Record data: decoded for the types the stack uses, raw otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RData<'a> {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(Name<'a>),
    /// The rdata bytes of any other type, uninterpreted.
    Other(&'a [u8]),
}

/// One resource record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    pub name: Name<'a>,
    pub rtype: Type,
    pub class: Class,
    /// Seconds, as sent; RFC 2181 §8 says to treat values with the top bit
    /// set as zero, which is the consumer's call.
    pub ttl: u32,
    pub data: RData<'a>,
}

/// Fixed fields after a question's name: type, class.
pub(super) const QUESTION_FIXED_LEN: usize = 4;
/// Fixed fields after a record's name: type, class, TTL, rdata length.
pub(super) const RECORD_FIXED_LEN: usize = 10;

fn u16_at(message: &[u8], at: usize) -> Result<u16> {
    let b = message.get(at..at + 2).ok_or(Error::Truncated)?;
    Ok(u16::from_be_bytes([b[0], b[1]]))
}

fn u32_at(message: &[u8], at: usize) -> Result<u32> {
    let b = message.get(at..at + 4).ok_or(Error::Truncated)?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

impl<'a> Question<'a> {
    /// Reads the question at `offset` of `message`; returns it and the offset
    /// after it.
    pub fn parse(message: &'a [u8], offset: usize) -> Result<(Question<'a>, usize)> {
        let (name, at) = Name::parse(message, offset)?;
        let question = Question {
            name,
            qtype: Type(u16_at(message, at)?),
            qclass: Class(u16_at(message, at + 2)?),
        };
        Ok((question, at + QUESTION_FIXED_LEN))
    }

    /// Whether `other` asks the same thing, names compared case-insensitively.
    pub fn matches(&self, other: &Question<'_>) -> bool {
        self.qtype == other.qtype && self.qclass == other.qclass && self.name == other.name
    }
}

impl<'a> Record<'a> {
    /// Reads the record at `offset` of `message`; returns it and the offset
    /// after it.
    pub fn parse(message: &'a [u8], offset: usize) -> Result<(Record<'a>, usize)> {
        let (name, at) = Name::parse(message, offset)?;
        let rtype = Type(u16_at(message, at)?);
        let class = Class(u16_at(message, at + 2)?);
        let ttl = u32_at(message, at + 4)?;
        let rdlen = usize::from(u16_at(message, at + 8)?);
        let start = at + RECORD_FIXED_LEN;
        let end = start + rdlen;
        let raw = message.get(start..end).ok_or(Error::Truncated)?;
        let data = RData::parse(message, rtype, start, raw)?;
        let record = Record {
            name,
            rtype,
            class,
            ttl,
            data,
        };
        Ok((record, end))
    }
}

impl<'a> RData<'a> {
    /// Decodes `raw`, the rdata found at `start` of `message`.
    fn parse(message: &'a [u8], rtype: Type, start: usize, raw: &'a [u8]) -> Result<RData<'a>> {
        match rtype {
            Type::A => <[u8; 4]>::try_from(raw)
                .map(|b| RData::A(Ipv4Addr::from(b)))
                .map_err(|_| Error::Malformed),
            Type::AAAA => <[u8; 16]>::try_from(raw)
                .map(|b| RData::Aaaa(Ipv6Addr::from(b)))
                .map_err(|_| Error::Malformed),
            Type::CNAME => {
                // The name may point anywhere earlier in the message, but its
                // own bytes must fill the rdata exactly.
                let (name, end) = Name::parse(message, start)?;
                if end != start + raw.len() {
                    return Err(Error::Malformed);
                }
                Ok(RData::Cname(name))
            }
            _ => Ok(RData::Other(raw)),
        }
    }

    /// The record type this data belongs to, or `None` for raw data.
    pub fn record_type(&self) -> Option<Type> {
        match self {
            RData::A(_) => Some(Type::A),
            RData::Aaaa(_) => Some(Type::AAAA),
            RData::Cname(_) => Some(Type::CNAME),
            RData::Other(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn parses_a_aaaa_cname_and_raw() {
        // 0: a question "a.b" A IN; then records pointing at it.
        let mut msg = std::vec::Vec::new();
        msg.extend_from_slice(b"\x01a\x01b\x00\x00\x01\x00\x01");
        let a_at = msg.len();
        msg.extend_from_slice(b"\xc0\x00\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\xc0\x00\x02\x01");
        let cname_at = msg.len();
        msg.extend_from_slice(b"\xc0\x00\x00\x05\x00\x01\x00\x00\x00\x05\x00\x04\x01c\xc0\x02");
        let txt_at = msg.len();
        msg.extend_from_slice(b"\xc0\x00\x00\x10\x00\x01\x00\x00\x00\x05\x00\x02\x01z");

        let (q, end) = Question::parse(&msg, 0).unwrap();
        assert_eq!(end, a_at);
        assert_eq!(q.qtype, Type::A);
        let (a, end) = Record::parse(&msg, a_at).unwrap();
        assert_eq!(end, cname_at);
        assert_eq!(a.ttl, 3600);
        assert_eq!(a.data, RData::A(Ipv4Addr::new(192, 0, 2, 1)));
        let (c, end) = Record::parse(&msg, cname_at).unwrap();
        assert_eq!(end, txt_at);
        assert_eq!(c.data, RData::Cname(Name::from_dotted("c.b").unwrap()));
        let (t, end) = Record::parse(&msg, txt_at).unwrap();
        assert_eq!(end, msg.len());
        assert_eq!(t.data, RData::Other(b"\x01z"));
    }

    #[test]
    fn rejects_bad_rdata_lengths() {
        let short_a = b"\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x03\x01\x02\x03";
        assert_eq!(Record::parse(short_a, 0).unwrap_err(), Error::Malformed);
        let overrun = b"\x00\x00\x10\x00\x01\x00\x00\x00\x00\x00\x05\x01\x02";
        assert_eq!(Record::parse(overrun, 0).unwrap_err(), Error::Truncated);
        // CNAME whose name ends before its rdata does.
        let slack = b"\x00\x00\x05\x00\x01\x00\x00\x00\x00\x00\x03\x01x\x00";
        assert!(Record::parse(slack, 0).is_ok());
        let slack = b"\x00\x00\x05\x00\x01\x00\x00\x00\x00\x00\x04\x01x\x00\x00";
        assert_eq!(Record::parse(slack, 0).unwrap_err(), Error::Malformed);
    }
}
