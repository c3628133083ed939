//! TCP options (RFC 9293 section 3.2; MSS RFC 6691, window scale and
//! timestamps RFC 7323, SACK RFC 2018): a kind byte, then for every kind but
//! EOL and NOP a length byte that counts the kind and length bytes too.

use super::SeqNumber;
use crate::wire::{Error, Result};

mod kind {
    pub const END: u8 = 0;
    pub const NOP: u8 = 1;
    pub const MSS: u8 = 2;
    pub const WINDOW_SCALE: u8 = 3;
    pub const SACK_PERMITTED: u8 = 4;
    pub const SACK: u8 = 5;
    pub const TIMESTAMP: u8 = 8;
}

/// Most SACK blocks one option can carry (40 option bytes, 2 + 8 per block).
pub const MAX_SACK_BLOCKS: usize = 4;

/// One SACK block: `[left, right)` of data the receiver holds.
pub type SackBlock = (SeqNumber, SeqNumber);

/// The RFC 7323 timestamps option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Timestamp {
    /// The sender's clock when it sent the segment.
    pub tsval: u32,
    /// The most recent `tsval` the sender received (0 when not yet known).
    pub tsecr: u32,
}

/// A decoded option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpOption<'a> {
    EndOfList,
    NoOperation,
    MaxSegmentSize(u16),
    WindowScale(u8),
    SackPermitted,
    SackRange([Option<SackBlock>; MAX_SACK_BLOCKS]),
    Timestamp(Timestamp),
    /// A kind this stack does not interpret, skipped by its length.
    Unknown {
        kind: u8,
        data: &'a [u8],
    },
}

impl<'a> TcpOption<'a> {
    /// Decodes the option at the start of `bytes` (which must be non-empty)
    /// and returns it with the bytes that follow it.
    pub fn parse(bytes: &'a [u8]) -> Result<(&'a [u8], TcpOption<'a>)> {
        let (&kind, rest) = bytes.split_first().ok_or(Error::Truncated)?;
        match kind {
            kind::END => return Ok((rest, TcpOption::EndOfList)),
            kind::NOP => return Ok((rest, TcpOption::NoOperation)),
            _ => {}
        }
        let (&len, rest) = rest.split_first().ok_or(Error::Malformed)?;
        let data_len = usize::from(len).checked_sub(2).ok_or(Error::Malformed)?;
        if rest.len() < data_len {
            return Err(Error::Malformed);
        }
        let (data, rest) = rest.split_at(data_len);
        let option = match (kind, data) {
            (kind::MSS, &[a, b]) => TcpOption::MaxSegmentSize(u16::from_be_bytes([a, b])),
            (kind::WINDOW_SCALE, &[shift]) => TcpOption::WindowScale(shift),
            (kind::SACK_PERMITTED, &[]) => TcpOption::SackPermitted,
            (kind::SACK, _) => TcpOption::SackRange(parse_sack_blocks(data)?),
            (kind::TIMESTAMP, &[a, b, c, d, e, f, g, h]) => TcpOption::Timestamp(Timestamp {
                tsval: u32::from_be_bytes([a, b, c, d]),
                tsecr: u32::from_be_bytes([e, f, g, h]),
            }),
            (kind::MSS | kind::WINDOW_SCALE | kind::SACK_PERMITTED | kind::TIMESTAMP, _) => {
                return Err(Error::Malformed)
            }
            _ => TcpOption::Unknown { kind, data },
        };
        Ok((rest, option))
    }

    /// Bytes this option occupies on the wire.
    #[inline(always)]
    pub fn buffer_len(&self) -> usize {
        match self {
            TcpOption::EndOfList | TcpOption::NoOperation => 1,
            TcpOption::MaxSegmentSize(_) => 4,
            TcpOption::WindowScale(_) => 3,
            TcpOption::SackPermitted => 2,
            TcpOption::SackRange(blocks) => 2 + 8 * blocks.iter().flatten().count(),
            TcpOption::Timestamp(_) => 10,
            TcpOption::Unknown { data, .. } => 2 + data.len(),
        }
    }

    /// Writes the option at the start of `buf` and returns the rest of `buf`.
    /// `buf` must hold [`buffer_len`](Self::buffer_len) bytes, and an unknown
    /// option's data at most 253; an option that does not fit is not written.
    // Always inlined: where the variant is known (as when a `Repr` lays out
    // its options) the branches on it fold away.
    #[inline(always)]
    pub fn emit<'b>(&self, buf: &'b mut [u8]) -> &'b mut [u8] {
        let len = self.buffer_len();
        if buf.len() < len || len > usize::from(u8::MAX) {
            return buf;
        }
        let (head, rest) = buf.split_at_mut(len);
        let (kind, body) = match self {
            TcpOption::EndOfList => (kind::END, None),
            TcpOption::NoOperation => (kind::NOP, None),
            TcpOption::MaxSegmentSize(_) => (kind::MSS, Some(len)),
            TcpOption::WindowScale(_) => (kind::WINDOW_SCALE, Some(len)),
            TcpOption::SackPermitted => (kind::SACK_PERMITTED, Some(len)),
            TcpOption::SackRange(_) => (kind::SACK, Some(len)),
            TcpOption::Timestamp(_) => (kind::TIMESTAMP, Some(len)),
            TcpOption::Unknown { kind, .. } => (*kind, Some(len)),
        };
        head[0] = kind;
        if let Some(len) = body {
            head[1] = len as u8;
            self.emit_data(&mut head[2..]);
        }
        rest
    }

    #[inline(always)]
    fn emit_data(&self, data: &mut [u8]) {
        match self {
            TcpOption::MaxSegmentSize(mss) => data.copy_from_slice(&mss.to_be_bytes()),
            TcpOption::WindowScale(shift) => data[0] = *shift,
            TcpOption::SackRange(blocks) => {
                for (chunk, (left, right)) in data.chunks_exact_mut(8).zip(blocks.iter().flatten())
                {
                    chunk[..4].copy_from_slice(&left.0.to_be_bytes());
                    chunk[4..].copy_from_slice(&right.0.to_be_bytes());
                }
            }
            TcpOption::Timestamp(ts) => {
                data[..4].copy_from_slice(&ts.tsval.to_be_bytes());
                data[4..].copy_from_slice(&ts.tsecr.to_be_bytes());
            }
            TcpOption::Unknown { data: bytes, .. } => data.copy_from_slice(bytes),
            TcpOption::EndOfList | TcpOption::NoOperation | TcpOption::SackPermitted => {}
        }
    }
}

pub(super) fn parse_sack_blocks(data: &[u8]) -> Result<[Option<SackBlock>; MAX_SACK_BLOCKS]> {
    let count = data.len() / 8;
    if data.len() % 8 != 0 || count == 0 || count > MAX_SACK_BLOCKS {
        return Err(Error::Malformed);
    }
    let mut blocks = [None; MAX_SACK_BLOCKS];
    for (slot, chunk) in blocks.iter_mut().zip(data.chunks_exact(8)) {
        let word = |at: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&chunk[at..at + 4]);
            SeqNumber(u32::from_be_bytes(w))
        };
        *slot = Some((word(0), word(4)));
    }
    Ok(blocks)
}

/// Iterates over the options in a header's option bytes, stopping after
/// End-of-List or at the first malformed option (yielded as an error).
#[derive(Debug, Clone)]
pub struct Options<'a> {
    rest: &'a [u8],
}

impl<'a> Options<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Options { rest: bytes }
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<TcpOption<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match TcpOption::parse(self.rest) {
            Ok((rest, option)) => {
                self.rest = if option == TcpOption::EndOfList {
                    &[]
                } else {
                    rest
                };
                Some(Ok(option))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(bytes: &[u8]) -> Result<usize> {
        Options::new(bytes).try_fold(0, |n, o| o.map(|_| n + 1))
    }

    #[test]
    fn decodes_each_kind() {
        let (rest, o) = TcpOption::parse(&[2, 4, 0x05, 0xb4, 9]).unwrap();
        assert_eq!((rest, o), (&[9u8][..], TcpOption::MaxSegmentSize(1460)));
        assert_eq!(
            TcpOption::parse(&[3, 3, 7]).unwrap().1,
            TcpOption::WindowScale(7)
        );
        assert_eq!(
            TcpOption::parse(&[4, 2]).unwrap().1,
            TcpOption::SackPermitted
        );
        assert_eq!(
            TcpOption::parse(&[8, 10, 0, 0, 0, 1, 0, 0, 0, 2])
                .unwrap()
                .1,
            TcpOption::Timestamp(Timestamp { tsval: 1, tsecr: 2 })
        );
        assert_eq!(
            TcpOption::parse(&[5, 10, 0, 0, 0, 1, 0, 0, 0, 9])
                .unwrap()
                .1,
            TcpOption::SackRange([Some((SeqNumber(1), SeqNumber(9))), None, None, None])
        );
        assert_eq!(
            TcpOption::parse(&[30, 4, 0xaa, 0xbb]).unwrap().1,
            TcpOption::Unknown {
                kind: 30,
                data: &[0xaa, 0xbb]
            }
        );
    }

    #[test]
    fn malformed_lengths_are_errors() {
        for bad in [
            &[2u8][..],
            &[2, 0],
            &[2, 1],
            &[2, 5, 0, 0],
            &[2, 3, 0],
            &[3, 4, 0, 0],
            &[4, 3, 0],
            &[8, 9, 0, 0, 0, 0, 0, 0, 0],
            &[5, 2],
            &[5, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            &[30, 0],
            &[30, 1],
            &[30, 9, 0],
        ] {
            assert_eq!(parse_all(bad), Err(Error::Malformed), "{bad:?}");
        }
        let mut five_blocks = [0u8; 42];
        five_blocks[0] = 5;
        five_blocks[1] = 42;
        assert_eq!(parse_all(&five_blocks), Err(Error::Malformed));
    }

    #[test]
    fn end_of_list_stops_iteration() {
        assert_eq!(parse_all(&[1, 1, 0, 2, 0, 0xff]), Ok(3));
        assert_eq!(parse_all(&[]), Ok(0));
    }

    #[test]
    fn emit_then_parse_round_trips() {
        let blocks = [
            Some((SeqNumber(1), SeqNumber(2))),
            Some((SeqNumber(u32::MAX), SeqNumber(7))),
            None,
            None,
        ];
        for option in [
            TcpOption::EndOfList,
            TcpOption::NoOperation,
            TcpOption::MaxSegmentSize(536),
            TcpOption::WindowScale(14),
            TcpOption::SackPermitted,
            TcpOption::SackRange(blocks),
            TcpOption::Timestamp(Timestamp {
                tsval: 0xdead_beef,
                tsecr: 3,
            }),
            TcpOption::Unknown {
                kind: 254,
                data: &[1, 2, 3],
            },
        ] {
            let mut buf = [0xeeu8; 40];
            let rest_len = option.emit(&mut buf).len();
            assert_eq!(rest_len, 40 - option.buffer_len());
            let (rest, parsed) = TcpOption::parse(&buf).unwrap();
            assert_eq!(parsed, option);
            assert_eq!(rest.len(), rest_len);
        }
    }

    #[test]
    fn emit_into_short_buffer_writes_nothing() {
        let mut buf = [0u8; 3];
        assert_eq!(TcpOption::MaxSegmentSize(1).emit(&mut buf).len(), 3);
        assert_eq!(buf, [0; 3]);
    }
}
