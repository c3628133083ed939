//! Reading a response body out of the client's buffer, whatever its
//! framing: it yields ranges of the buffer, so data is never copied.

use core::ops::Range;

use crate::http::{Body, Chunk, ChunkedDecoder, Error};

/// The framing of the body being read and how far it got.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reader {
    /// This many bytes still to come.
    Length(u64),
    Chunked(ChunkedDecoder),
    /// Everything until the server closes.
    UntilClose,
}

/// One step of body reading.
pub(crate) enum Piece {
    /// Body bytes at this range of the input's buffer.
    Data(Range<usize>),
    /// The body ended.
    End,
    /// More input needed.
    More,
}

impl Reader {
    /// A reader for `body`, or `None` when there is no body at all.
    pub(crate) fn new(body: Body) -> Option<Self> {
        match body {
            Body::None | Body::Length(0) => None,
            Body::Length(n) => Some(Reader::Length(n)),
            Body::Chunked => Some(Reader::Chunked(ChunkedDecoder::new())),
            Body::UntilClose => Some(Reader::UntilClose),
        }
    }

    /// Reads from `input`, which starts at offset `at` of the buffer;
    /// returns the bytes consumed and the piece found.
    pub(crate) fn read(&mut self, input: &[u8], at: usize) -> Result<(usize, Piece), Error> {
        match self {
            Reader::Length(left) => {
                let n = usize::try_from(*left).map_or(input.len(), |l| l.min(input.len()));
                *left -= n as u64;
                Ok(match (n, *left) {
                    (_, 0) if n == 0 => (0, Piece::End),
                    (0, _) => (0, Piece::More),
                    _ => (n, Piece::Data(at..at + n)),
                })
            }
            Reader::Chunked(decoder) => {
                let (used, chunk) = decoder.decode(input)?;
                let piece = match chunk {
                    Some(Chunk::Data(d)) => Piece::Data(at + used - d.len()..at + used),
                    Some(Chunk::End) => Piece::End,
                    Some(Chunk::Trailer(_)) => Piece::Data(at..at),
                    None => Piece::More,
                };
                Ok((used, piece))
            }
            Reader::UntilClose if input.is_empty() => Ok((0, Piece::More)),
            Reader::UntilClose => Ok((input.len(), Piece::Data(at..at + input.len()))),
        }
    }
}
