//! What request and response heads share: limits, the incremental driver,
//! the version, leading empty lines and the field block.

use super::error::Error;
use super::fields::{crlf, field_line, Line};
use super::framing::Framing;
use super::headers::Header;
use super::Version;

/// Caps on what a parser accepts. The cap on the number of fields is the
/// length of the header array the caller passes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The longest head accepted, start line to empty line inclusive; a head
    /// that is longer, or a partial head already this long, is
    /// [`Error::HeadTooLarge`] ([`Error::StartLineTooLong`] if the start line
    /// has not even ended).
    pub max_head: usize,
}

impl Limits {
    /// 8 KiB: room for browser requests, small enough for a microcontroller.
    pub const DEFAULT: Limits = Limits { max_head: 8192 };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The result of feeding bytes to an incremental parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<T> {
    /// A complete item.
    Done(T),
    /// The bytes so far are a valid prefix; call again with more appended.
    NeedMore,
}

/// Progress through a field block, kept across calls so that a resumed
/// parse validates only lines it has not seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block {
    /// Start of the next line to read.
    line: usize,
    /// Fields read so far.
    count: usize,
    framing: Framing,
}

impl Block {
    pub(crate) fn at(line: usize) -> Self {
        Block {
            line,
            count: 0,
            framing: Framing::default(),
        }
    }
}

/// Where a field block stands after reading what the buffer holds.
pub(crate) enum Step {
    /// Through the empty line: `count` fields; the head ends before `end`.
    Complete {
        count: usize,
        end: usize,
        framing: Framing,
    },
    /// The buffer ends inside a line; resume there.
    Partial(Block),
}

/// One parse of a buffer: a complete value, or the field block to resume
/// (`None` while the start line is incomplete).
pub(crate) enum Pass<T> {
    Done(T),
    Partial(Option<Block>),
}

/// The incremental driver shared by the request and response parsers.
///
/// The first call parses directly, which on a complete head (the common
/// case) is the only pass. After a partial head, later calls validate only
/// lines not yet seen (and the partial last line), carrying the field count
/// and framing state along, so malformed input is refused as soon as it
/// arrives. Once the head is whole it is parsed once more to hand out slices:
/// slices from earlier calls cannot outlive the caller's next append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeadReader {
    limits: Limits,
    resume: Option<Block>,
}

impl HeadReader {
    pub(crate) const fn new(limits: Limits) -> Self {
        HeadReader {
            limits,
            resume: None,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.resume = None;
    }

    #[inline]
    pub(crate) fn read<'h, 'b, T>(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
        parse: impl FnOnce(&'b [u8], &'h mut [Header<'b>]) -> Result<Pass<T>, Error>,
    ) -> Result<Progress<T>, Error> {
        let view = buf.get(..self.limits.max_head).unwrap_or(buf);
        if let Some(block) = self.resume.take() {
            if let Step::Partial(block) = fields(view, block, headers)? {
                return self.need_more(Some(block), buf.len());
            }
        }
        match parse(view, headers)? {
            Pass::Done(value) => Ok(Progress::Done(value)),
            Pass::Partial(block) => self.need_more(block, buf.len()),
        }
    }

    fn need_more<T>(&mut self, resume: Option<Block>, len: usize) -> Result<Progress<T>, Error> {
        if len >= self.limits.max_head {
            return Err(match resume {
                Some(_) => Error::HeadTooLarge,
                None => Error::StartLineTooLong,
            });
        }
        self.resume = resume;
        Ok(Progress::NeedMore)
    }
}

/// Skips the empty lines a recipient ignores before a start line
/// (RFC 9112 §2.2); returns where the start line begins.
#[inline]
pub(crate) fn skip_empty_lines(buf: &[u8]) -> Result<Line<()>, Error> {
    let mut i = 0;
    loop {
        match buf.get(i) {
            Some(b'\r') => match crlf(buf, i, Error::BareCr)? {
                Line::Done((), next) => i = next,
                Line::Partial => return Ok(Line::Partial),
            },
            Some(b'\n') => return Err(Error::BareLf),
            _ => return Ok(Line::Done((), i)),
        }
    }
}

/// Reads `HTTP-version` at `i`; a malformed one is `malformed`, a
/// well-formed one with a major version other than 1 is [`Error::Version`].
#[inline]
pub(crate) fn version(buf: &[u8], i: usize, malformed: Error) -> Result<Line<Version>, Error> {
    match buf.get(i..i.wrapping_add(8)) {
        Some(b"HTTP/1.1") => return Ok(Line::Done(Version::Http11, i + 8)),
        Some(b"HTTP/1.0") => return Ok(Line::Done(Version::Http10, i + 8)),
        _ => {}
    }
    for (k, &expected) in b"HTTP/0.0".iter().enumerate() {
        let Some(&b) = buf.get(i + k) else {
            return Ok(Line::Partial);
        };
        let fits = if expected == b'0' {
            b.is_ascii_digit()
        } else {
            b == expected
        };
        if !fits {
            return Err(malformed);
        }
    }
    match (buf.get(i + 5), buf.get(i + 7)) {
        (Some(b'1'), Some(b'0')) => Ok(Line::Done(Version::Http10, i + 8)),
        (Some(b'1'), Some(_)) => Ok(Line::Done(Version::Http11, i + 8)),
        _ => Err(Error::Version),
    }
}

/// Reads field lines from `block` through the empty line, storing them in
/// `out` and feeding them to the block's framing state.
#[inline]
pub(crate) fn fields<'b>(
    buf: &'b [u8],
    mut block: Block,
    out: &mut [Header<'b>],
) -> Result<Step, Error> {
    loop {
        let i = block.line;
        if buf.get(i) == Some(&b'\r') {
            return Ok(match crlf(buf, i, Error::BareCr)? {
                Line::Done((), end) => Step::Complete {
                    count: block.count,
                    end,
                    framing: block.framing,
                },
                Line::Partial => Step::Partial(block),
            });
        }
        match field_line(buf, i)? {
            Line::Done(header, next) => {
                block.framing.field(&header)?;
                *out.get_mut(block.count).ok_or(Error::TooManyHeaders)? = header;
                block.count += 1;
                block.line = next;
            }
            Line::Partial => return Ok(Step::Partial(block)),
        }
    }
}
