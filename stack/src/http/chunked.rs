//! The chunked transfer coding (RFC 9112 §7.1), decoded incrementally.
//!
//! Sans-IO: [`ChunkedDecoder::decode`] takes whatever bytes have arrived,
//! reports how many it consumed and at most one [`Chunk`]. Chunk-size lines
//! and CRLFs are consumed byte by byte as they arrive, so they never need to
//! be presented twice; body data is handed out as slices of the input
//! (zero-copy). Only a trailer field, which is returned borrowed, must be
//! whole in the input: an incomplete one is left unconsumed.

use super::error::Error;
use super::fields::{crlf, field_line, Line};
use super::headers::Header;
use super::scan::{find_lf, is_ows, is_tchar, is_vchar};

/// One piece of a chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunk<'a> {
    /// Body bytes, borrowed from the input.
    Data(&'a [u8]),
    /// A trailer field.
    Trailer(Header<'a>),
    /// The last chunk and the trailer section are complete; bytes after it
    /// belong to the next message.
    End,
}

/// Where the decoder is in the chunked grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first hex digit of a chunk size.
    SizeStart,
    /// Inside the chunk size.
    Size,
    /// Whitespace after the size, which only `;` may follow.
    SizeWs,
    /// After `;` (and whitespace): an extension name must start.
    ExtNameStart,
    ExtName,
    /// Whitespace after a name, which only `=` or `;` may follow.
    ExtNameWs,
    /// After `=` (and whitespace): a token or quoted string must start.
    ExtValueStart,
    ExtToken,
    ExtQuoted,
    /// After a backslash inside a quoted string.
    ExtEscape,
    /// Right after a closing quote.
    ExtValueEnd,
    /// Whitespace after a value, which only `;` may follow.
    ExtValueWs,
    /// The CR ending the size line has been read.
    SizeLf,
    /// Inside chunk data.
    Data,
    /// Chunk data done; CRLF expected.
    DataCr,
    DataLf,
    /// After the last chunk: trailer fields until an empty line.
    Trailers,
    Done,
}

/// An incremental decoder for one chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkedDecoder {
    state: State,
    /// The size being read, then the data bytes still to come.
    remaining: u64,
    /// Bytes of the current size line so far.
    line_len: usize,
    /// Bytes of the current partial trailer line already searched for LF.
    trailer_scanned: usize,
    /// Bytes of trailer section consumed so far.
    trailer_len: usize,
    max_line: usize,
    max_trailers: usize,
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        ChunkedDecoder::new()
    }
}

impl ChunkedDecoder {
    /// A decoder allowing 1 KiB size lines (extensions included) and a
    /// 4 KiB trailer section.
    pub const fn new() -> Self {
        ChunkedDecoder::with_limits(1024, 4096)
    }

    /// A decoder with caps on one chunk-size line and on the trailer
    /// section, so a peer cannot keep it reading metadata forever.
    pub const fn with_limits(max_line: usize, max_trailers: usize) -> Self {
        ChunkedDecoder {
            state: State::SizeStart,
            remaining: 0,
            line_len: 0,
            trailer_scanned: 0,
            trailer_len: 0,
            max_line,
            max_trailers,
        }
    }

    /// Whether the whole body, trailers included, has been decoded.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Decodes from the start of `input`: returns the bytes consumed and
    /// the next piece, or `None` when `input` ran out first. The caller
    /// drops the consumed bytes and calls again with what is left plus any
    /// new bytes. After [`Chunk::End`] it keeps returning `End`.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Option<Chunk<'a>>), Error> {
        let mut i = 0;
        loop {
            match self.state {
                State::Data => return Ok(self.data(input, i)),
                State::Trailers => return self.trailer(input, i),
                State::Done => return Ok((i, Some(Chunk::End))),
                _ => {}
            }
            let Some(&b) = input.get(i) else {
                return Ok((i, None));
            };
            self.framing_byte(b)?;
            i += 1;
        }
    }

    fn data<'a>(&mut self, input: &'a [u8], i: usize) -> (usize, Option<Chunk<'a>>) {
        let rest = input.get(i..).unwrap_or_default();
        if rest.is_empty() {
            return (i, None);
        }
        let n = usize::try_from(self.remaining).map_or(rest.len(), |r| r.min(rest.len()));
        self.remaining -= n as u64;
        if self.remaining == 0 {
            self.state = State::DataCr;
        }
        (i + n, Some(Chunk::Data(rest.get(..n).unwrap_or_default())))
    }

    fn trailer<'a>(
        &mut self,
        input: &'a [u8],
        i: usize,
    ) -> Result<(usize, Option<Chunk<'a>>), Error> {
        let rest = input.get(i..).unwrap_or_default();
        if find_lf(rest, self.trailer_scanned).is_none() {
            self.trailer_scanned = rest.len();
            if self.trailer_len.saturating_add(rest.len()) > self.max_trailers {
                return Err(Error::TrailersTooLarge);
            }
            return Ok((i, None));
        }
        let (len, chunk) = if rest.first() == Some(&b'\r') {
            match crlf(rest, 0, Error::BareCr)? {
                Line::Done((), len) => (len, Chunk::End),
                Line::Partial => return Ok((i, None)),
            }
        } else {
            match field_line(rest, 0)? {
                Line::Done(header, len) => (len, Chunk::Trailer(header)),
                Line::Partial => return Ok((i, None)),
            }
        };
        self.trailer_len = self.trailer_len.saturating_add(len);
        if self.trailer_len > self.max_trailers {
            return Err(Error::TrailersTooLarge);
        }
        self.trailer_scanned = 0;
        if chunk == Chunk::End {
            self.state = State::Done;
        }
        Ok((i + len, Some(chunk)))
    }

    /// Steps over one byte of a size line or of the CRLF after data.
    fn framing_byte(&mut self, b: u8) -> Result<(), Error> {
        if self.state != State::DataCr && self.state != State::DataLf {
            self.line_len += 1;
            if self.line_len > self.max_line {
                return Err(Error::ChunkLineTooLong);
            }
        }
        self.state = match (self.state, b) {
            (State::SizeStart | State::Size, _) if b.is_ascii_hexdigit() => self.size_digit(b)?,
            (State::SizeStart, _) => return Err(Error::ChunkSize),
            (State::Size, b';') => State::ExtNameStart,
            (State::Size, b'\r') => State::SizeLf,
            (State::Size, _) if is_ows(b) => State::SizeWs,
            (State::Size, b'\n') => return Err(Error::BareLf),
            (State::Size, _) => return Err(Error::ChunkSize),
            (State::SizeLf, b'\n') => self.line_done(),
            (State::SizeLf, _) => return Err(Error::BareCr),
            (State::DataCr, b'\r') => State::DataLf,
            (State::DataLf, b'\n') => State::SizeStart,
            (State::DataCr | State::DataLf, _) => return Err(Error::ChunkDelimiter),
            (extension, _) => extension_step(extension, b)?,
        };
        Ok(())
    }

    fn size_digit(&mut self, b: u8) -> Result<State, Error> {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => b.wrapping_sub(b'A').wrapping_add(10),
        };
        self.remaining = self
            .remaining
            .checked_mul(16)
            .and_then(|r| r.checked_add(u64::from(digit)))
            .ok_or(Error::ChunkSize)?;
        Ok(State::Size)
    }

    /// The size line is complete: data follows, or trailers after size 0.
    fn line_done(&mut self) -> State {
        self.line_len = 0;
        if self.remaining == 0 {
            State::Trailers
        } else {
            State::Data
        }
    }
}

/// One byte of a chunk extension:
/// `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`.
fn extension_step(state: State, b: u8) -> Result<State, Error> {
    let next = match state {
        State::SizeWs | State::ExtValueWs if is_ows(b) => state,
        State::SizeWs | State::ExtValueWs if b == b';' => State::ExtNameStart,
        State::ExtNameStart if is_ows(b) => state,
        State::ExtNameStart | State::ExtName if is_tchar(b) => State::ExtName,
        State::ExtName | State::ExtNameWs if is_ows(b) => State::ExtNameWs,
        State::ExtName | State::ExtNameWs if b == b'=' => State::ExtValueStart,
        State::ExtName | State::ExtNameWs if b == b';' => State::ExtNameStart,
        State::ExtName if b == b'\r' => State::SizeLf,
        State::ExtValueStart if is_ows(b) => state,
        State::ExtValueStart if b == b'"' => State::ExtQuoted,
        State::ExtValueStart | State::ExtToken if is_tchar(b) => State::ExtToken,
        State::ExtQuoted if b == b'"' => State::ExtValueEnd,
        State::ExtQuoted if b == b'\\' => State::ExtEscape,
        State::ExtQuoted if is_qdtext(b) => state,
        State::ExtEscape if is_ows(b) || is_vchar(b) || b >= 0x80 => State::ExtQuoted,
        State::ExtToken | State::ExtValueEnd if is_ows(b) => State::ExtValueWs,
        State::ExtToken | State::ExtValueEnd if b == b';' => State::ExtNameStart,
        State::ExtToken | State::ExtValueEnd if b == b'\r' => State::SizeLf,
        _ if b == b'\n' => return Err(Error::BareLf),
        _ => return Err(Error::ChunkExtension),
    };
    Ok(next)
}

/// Bytes allowed unescaped inside a quoted string (RFC 9110 §5.6.4).
fn is_qdtext(b: u8) -> bool {
    is_ows(b) || b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b) || b >= 0x80
}
