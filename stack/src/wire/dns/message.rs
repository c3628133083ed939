//! A whole received message, validated once and then iterated without copies.

use super::header::{Header, Packet, HEADER_LEN};
use super::record::{Question, Record};
use crate::wire::Result;

/// A parsed DNS message borrowing the received bytes.
///
/// [`Repr::parse`] reads every question and record the header counts
/// announce, so counts larger than the message, bad names and bad rdata are
/// rejected up front; the section iterators then cannot fail. Bytes after the
/// last record are ignored (some servers pad).
#[derive(Debug, Clone, Copy)]
pub struct Repr<'a> {
    message: &'a [u8],
    header: Header,
    answers_at: usize,
    authorities_at: usize,
    additionals_at: usize,
    end: usize,
}

impl<'a> Repr<'a> {
    pub fn parse(packet: &Packet<&'a [u8]>) -> Result<Repr<'a>> {
        packet.check_len()?;
        let message = packet.clone().into_inner();
        let header = packet.header();
        let answers_at = skip(header.question_count, HEADER_LEN, |at| {
            Question::parse(message, at).map(|(_, next)| next)
        })?;
        let record_end = |at| Record::parse(message, at).map(|(_, next)| next);
        let authorities_at = skip(header.answer_count, answers_at, record_end)?;
        let additionals_at = skip(header.authority_count, authorities_at, record_end)?;
        let end = skip(header.additional_count, additionals_at, record_end)?;
        Ok(Repr {
            message,
            header,
            answers_at,
            authorities_at,
            additionals_at,
            end,
        })
    }

    pub fn header(&self) -> Header {
        self.header
    }
    /// The whole message the names and data borrow from.
    pub fn message(&self) -> &'a [u8] {
        self.message
    }
    /// Bytes taken by the header and all sections.
    pub fn wire_len(&self) -> usize {
        self.end
    }
    pub fn questions(&self) -> Questions<'a> {
        Questions {
            message: self.message,
            at: HEADER_LEN,
            remaining: self.header.question_count,
        }
    }
    pub fn answers(&self) -> Records<'a> {
        self.records(self.answers_at, self.header.answer_count)
    }
    pub fn authorities(&self) -> Records<'a> {
        self.records(self.authorities_at, self.header.authority_count)
    }
    pub fn additionals(&self) -> Records<'a> {
        self.records(self.additionals_at, self.header.additional_count)
    }

    fn records(&self, at: usize, remaining: u16) -> Records<'a> {
        Records {
            message: self.message,
            at,
            remaining,
        }
    }
}

/// Applies `step` `count` times from `at`, returning the final offset.
fn skip(count: u16, mut at: usize, step: impl Fn(usize) -> Result<usize>) -> Result<usize> {
    for _ in 0..count {
        at = step(at)?;
    }
    Ok(at)
}

/// The question section of a [`Repr`].
#[derive(Debug, Clone)]
pub struct Questions<'a> {
    message: &'a [u8],
    at: usize,
    remaining: u16,
}

impl<'a> Iterator for Questions<'a> {
    type Item = Question<'a>;

    fn next(&mut self) -> Option<Question<'a>> {
        self.remaining = self.remaining.checked_sub(1)?;
        // Validated by `Repr::parse`; a failure would end the iteration.
        let (question, next) = Question::parse(self.message, self.at).ok()?;
        self.at = next;
        Some(question)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(usize::from(self.remaining)))
    }
}

/// One record section of a [`Repr`].
#[derive(Debug, Clone)]
pub struct Records<'a> {
    message: &'a [u8],
    at: usize,
    remaining: u16,
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        self.remaining = self.remaining.checked_sub(1)?;
        // Validated by `Repr::parse`; a failure would end the iteration.
        let (record, next) = Record::parse(self.message, self.at).ok()?;
        self.at = next;
        Some(record)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(usize::from(self.remaining)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Error;

    fn parse(bytes: &[u8]) -> Result<Repr<'_>> {
        Repr::parse(&Packet::new_checked(bytes)?)
    }

    #[test]
    fn counts_beyond_the_message_are_truncation() {
        // One question announced, none present.
        let msg = b"\x00\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00";
        assert_eq!(parse(msg).unwrap_err(), Error::Truncated);
        // 65535 answers announced after one valid question.
        let msg = b"\x00\x01\x81\x80\x00\x01\xff\xff\x00\x00\x00\x00\x00\x00\x01\x00\x01";
        assert_eq!(parse(msg).unwrap_err(), Error::Truncated);
    }

    #[test]
    fn empty_message_and_padding() {
        let msg = b"\x00\x01\x81\x80\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff";
        let repr = parse(msg).unwrap();
        assert_eq!(repr.wire_len(), 12);
        assert_eq!(repr.questions().count(), 0);
        assert_eq!(repr.answers().count(), 0);
        assert_eq!(repr.message().len(), 14);
    }

    #[test]
    fn a_loop_in_an_answer_rejects_the_message() {
        let msg = b"\x00\x01\x81\x80\x00\x00\x00\x01\x00\x00\x00\x00\
            \xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\x01\x02\x03\x04";
        assert_eq!(parse(msg).unwrap_err(), Error::Malformed);
    }
}
