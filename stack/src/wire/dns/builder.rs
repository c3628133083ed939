//! Writing DNS messages into caller buffers, with name compression.

use super::header::{Flags, Header, Packet, HEADER_LEN};
use super::name::{labels_eq, write_label, Labels, Name};
use super::record::{Question, RData, Record};
use crate::wire::{Error, Result};

/// The sections of a message, in the order they must be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Question,
    Answer,
    Authority,
    Additional,
}

/// How many earlier name suffixes the builder remembers as compression
/// targets; later names simply compress less once it is full.
const MAX_TARGETS: usize = 32;
/// Pointers carry 14-bit offsets.
const MAX_POINTER_TARGET: usize = 0x3fff;

/// Writes a message section by section.
///
/// Each `question`/`record` call either appends a whole entry and bumps the
/// header count, or fails and leaves the message exactly as it was, so a
/// server can fill a buffer until it is full and then set TC.
#[derive(Debug)]
pub struct Builder<'b> {
    buf: &'b mut [u8],
    len: usize,
    section: Section,
    header: Header,
    targets: [u16; MAX_TARGETS],
    target_count: usize,
}

impl<'b> Builder<'b> {
    /// Starts a message with no entries; fails if `buf` cannot hold a header.
    pub fn new(buf: &'b mut [u8], id: u16, flags: Flags) -> Result<Builder<'b>> {
        if buf.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let header = Header {
            id,
            flags,
            ..Header::default()
        };
        Packet::new_unchecked(&mut buf[..]).set_header(&header);
        Ok(Builder {
            buf,
            len: HEADER_LEN,
            section: Section::Question,
            header,
            targets: [0; MAX_TARGETS],
            target_count: 0,
        })
    }

    /// Bytes written so far: the message is `&buf[..len()]`.
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == HEADER_LEN
    }
    pub fn header(&self) -> Header {
        self.header
    }
    /// Overwrites the flags (e.g. to set TC after running out of room).
    pub fn set_flags(&mut self, flags: Flags) {
        self.header.flags = flags;
        Packet::new_unchecked(&mut self.buf[..]).set_flags(flags);
    }

    pub fn question(&mut self, question: &Question<'_>) -> Result<()> {
        self.transaction(Section::Question, |b| {
            b.name(&question.name)?;
            b.put(&question.qtype.0.to_be_bytes())?;
            b.put(&question.qclass.0.to_be_bytes())
        })
    }

    pub fn answer(&mut self, record: &Record<'_>) -> Result<()> {
        self.record(Section::Answer, record)
    }
    pub fn authority(&mut self, record: &Record<'_>) -> Result<()> {
        self.record(Section::Authority, record)
    }
    pub fn additional(&mut self, record: &Record<'_>) -> Result<()> {
        self.record(Section::Additional, record)
    }

    /// Appends a record to `section`. Sections must be written in order;
    /// going back is `Malformed`, as is data whose type contradicts
    /// `record.rtype`.
    pub fn record(&mut self, section: Section, record: &Record<'_>) -> Result<()> {
        if section == Section::Question
            || record.data.record_type().is_some_and(|t| t != record.rtype)
        {
            return Err(Error::Malformed);
        }
        self.transaction(section, |b| {
            b.name(&record.name)?;
            b.put(&record.rtype.0.to_be_bytes())?;
            b.put(&record.class.0.to_be_bytes())?;
            b.put(&record.ttl.to_be_bytes())?;
            let rdlen_at = b.len;
            b.put(&[0, 0])?;
            b.rdata(&record.data)?;
            let rdlen = u16::try_from(b.len - rdlen_at - 2).map_err(|_| Error::Malformed)?;
            b.buf[rdlen_at..rdlen_at + 2].copy_from_slice(&rdlen.to_be_bytes());
            Ok(())
        })
    }

    /// The finished message's length.
    pub fn finish(self) -> usize {
        self.len
    }

    /// Runs `write` as one entry of `section`: on failure everything it did
    /// is undone; on success the section's count goes up by one.
    fn transaction(
        &mut self,
        section: Section,
        write: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        if section < self.section {
            return Err(Error::Malformed);
        }
        let count = self.count_mut(section);
        *count = count.checked_add(1).ok_or(Error::Malformed)?;
        let (len, targets) = (self.len, self.target_count);
        let result = write(self);
        if result.is_err() {
            self.len = len;
            self.target_count = targets;
            let count = self.count_mut(section);
            *count -= 1;
            return result;
        }
        self.section = section;
        let header = self.header;
        Packet::new_unchecked(&mut self.buf[..]).set_header(&header);
        Ok(())
    }

    fn count_mut(&mut self, section: Section) -> &mut u16 {
        match section {
            Section::Question => &mut self.header.question_count,
            Section::Answer => &mut self.header.answer_count,
            Section::Authority => &mut self.header.authority_count,
            Section::Additional => &mut self.header.additional_count,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        let end = self.len + bytes.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(Error::Truncated)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    fn rdata(&mut self, data: &RData<'_>) -> Result<()> {
        match data {
            RData::A(addr) => self.put(&addr.octets()),
            RData::Aaaa(addr) => self.put(&addr.octets()),
            RData::Cname(name) => self.name(name),
            RData::Other(raw) => self.put(raw),
        }
    }

    /// Writes `name`, replacing its longest suffix already in the message
    /// with a pointer (RFC 1035 §4.1.4).
    fn name(&mut self, name: &Name<'_>) -> Result<()> {
        let mut suffix = name.labels();
        let mut prefix_len = 0;
        let pointer = loop {
            if suffix.clone().next().is_none() {
                break None;
            }
            if let Some(target) = self.find_target(suffix.clone()) {
                break Some(target);
            }
            suffix.next();
            prefix_len += 1;
        };
        for label in name.labels().take(prefix_len) {
            self.remember(self.len);
            write_label(self.buf, &mut self.len, label)?;
        }
        match pointer {
            Some(target) => self.put(&(0xc000 | target).to_be_bytes()),
            None => self.put(&[0]),
        }
    }

    fn find_target(&self, suffix: Labels<'_>) -> Option<u16> {
        let written = &self.buf[..self.len];
        self.targets[..self.target_count]
            .iter()
            .copied()
            .find(|&at| {
                Name::parse(written, usize::from(at)).is_ok_and(|(earlier, _)| {
                    labels_eq(earlier.labels(), suffix.clone(), |a, b| a == b)
                })
            })
    }

    fn remember(&mut self, at: usize) {
        if let (Some(slot), Ok(at)) = (self.targets.get_mut(self.target_count), u16::try_from(at)) {
            if usize::from(at) <= MAX_POINTER_TARGET {
                *slot = at;
                self.target_count += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::wire::dns::{Class, Repr, Type};
    use core::net::Ipv4Addr;

    fn name(text: &str) -> Name<'_> {
        Name::from_dotted(text).unwrap()
    }

    fn a_record<'a>(owner: &'a str, addr: [u8; 4]) -> Record<'a> {
        Record {
            name: name(owner),
            rtype: Type::A,
            class: Class::IN,
            ttl: 60,
            data: RData::A(Ipv4Addr::from(addr)),
        }
    }

    #[test]
    fn compresses_repeated_suffixes() {
        let mut buf = [0u8; 512];
        let mut b = Builder::new(&mut buf, 0xbeef, Flags::query()).unwrap();
        let q = Question {
            name: name("www.example.com"),
            qtype: Type::A,
            qclass: Class::IN,
        };
        b.question(&q).unwrap();
        let cname = Record {
            name: name("www.example.com"),
            rtype: Type::CNAME,
            class: Class::IN,
            ttl: 300,
            data: RData::Cname(name("web.example.com")),
        };
        b.answer(&cname).unwrap();
        b.answer(&a_record("web.example.com", [192, 0, 2, 7]))
            .unwrap();
        let len = b.finish();
        let expected: &[u8] = b"\xbe\xef\x01\x00\x00\x01\x00\x02\x00\x00\x00\x00\
            \x03www\x07example\x03com\x00\x00\x01\x00\x01\
            \xc0\x0c\x00\x05\x00\x01\x00\x00\x01\x2c\x00\x06\x03web\xc0\x10\
            \xc0\x2d\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x07";
        assert_eq!(&buf[..len], expected);

        let repr = Repr::parse(&Packet::new_checked(&buf[..len]).unwrap()).unwrap();
        assert!(repr.questions().next().unwrap().matches(&q));
        let answers: std::vec::Vec<_> = repr.answers().collect();
        assert_eq!(
            answers,
            [cname, a_record("web.example.com", [192, 0, 2, 7])]
        );
    }

    #[test]
    fn failed_entries_leave_the_message_unchanged() {
        let mut buf = [0u8; 40];
        let mut b = Builder::new(&mut buf, 1, Flags::query()).unwrap();
        b.answer(&a_record("a.example", [192, 0, 2, 1])).unwrap();
        let len = b.len();
        assert_eq!(
            b.answer(&a_record("b.example", [192, 0, 2, 2])),
            Err(Error::Truncated)
        );
        assert_eq!(b.len(), len);
        assert_eq!(b.header().answer_count, 1);
        // A question after an answer is out of order.
        let q = Question {
            name: name("a"),
            qtype: Type::A,
            qclass: Class::IN,
        };
        assert_eq!(b.question(&q), Err(Error::Malformed));
        // Data that contradicts the type.
        let mut bad = a_record("a", [1, 2, 3, 4]);
        bad.rtype = Type::AAAA;
        assert_eq!(b.additional(&bad), Err(Error::Malformed));
        b.set_flags(Flags::query().with_truncated(true));
        let len = b.finish();
        let repr = Repr::parse(&Packet::new_checked(&buf[..len]).unwrap()).unwrap();
        assert!(repr.header().flags.truncated());
        assert_eq!(repr.answers().count(), 1);
        assert_eq!(
            Builder::new(&mut [0u8; 11], 0, Flags::query()).unwrap_err(),
            Error::Truncated
        );
    }
}
