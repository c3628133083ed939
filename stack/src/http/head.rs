//! What request and response heads share: limits, the incremental driver,
//! the version, leading empty lines and the field block.

use super::error::Error;
use super::fields::{crlf, field_line, Line};
use super::framing::Framing;
use super::headers::Header;
use super::scan::find_lf;
use super::Version;

/// Caps on what a parser accepts. The cap on the number of fields is the
/// length of the header array the caller passes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The longest head accepted, start line to empty line inclusive; a head
    /// that is longer, or a partial head already this long, is
    /// [`Error::HeadTooLarge`].
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

/// Where the search for the end of a partial head resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resume {
    /// Start of the line that was incomplete.
    line_start: usize,
    /// Bytes already searched for LF.
    scanned: usize,
    /// Whether the start line is complete, so an empty line ends the head.
    started: bool,
}

impl Resume {
    pub(crate) fn start_line(line_start: usize) -> Self {
        Resume {
            line_start,
            scanned: line_start,
            started: false,
        }
    }

    pub(crate) fn field_line(line_start: usize) -> Self {
        Resume {
            line_start,
            scanned: line_start,
            started: true,
        }
    }

    /// Searches on for the empty line that ends the head. Returns `None`
    /// once it is in `buf`, or where to resume after more bytes arrive.
    fn find_end(mut self, buf: &[u8]) -> Result<Option<Resume>, Error> {
        while let Some(lf) = find_lf(buf, self.scanned) {
            if lf == self.line_start || buf.get(lf - 1) != Some(&b'\r') {
                return Err(Error::BareLf);
            }
            let empty = lf - 1 == self.line_start;
            if empty && self.started {
                return Ok(None);
            }
            self.started |= !empty;
            self.line_start = lf + 1;
            self.scanned = lf + 1;
        }
        self.scanned = buf.len().max(self.scanned);
        Ok(Some(self))
    }
}

/// One parse of a buffer: a complete value, or where to resume.
pub(crate) enum Pass<T> {
    Done(T),
    Partial(Resume),
}

/// The incremental driver shared by the request and response parsers.
///
/// The first call parses directly, which on a complete head (the common
/// case) is the only pass. After a partial head it only searches on for the
/// end of the head from where it stopped, and parses once the head is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeadReader {
    pub(crate) limits: Limits,
    resume: Option<Resume>,
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

    pub(crate) fn read<'b, T>(
        &mut self,
        buf: &'b [u8],
        parse: impl FnOnce(&'b [u8]) -> Result<Pass<T>, Error>,
    ) -> Result<Progress<T>, Error> {
        let view = buf.get(..self.limits.max_head).unwrap_or(buf);
        if let Some(resume) = self.resume.take() {
            if let Some(resume) = resume.find_end(view)? {
                return self.need_more(resume, buf.len());
            }
        }
        match parse(view)? {
            Pass::Done(value) => Ok(Progress::Done(value)),
            Pass::Partial(resume) => self.need_more(resume, buf.len()),
        }
    }

    fn need_more<T>(&mut self, resume: Resume, len: usize) -> Result<Progress<T>, Error> {
        if len >= self.limits.max_head {
            return Err(Error::HeadTooLarge);
        }
        self.resume = Some(resume);
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

/// The end of a field block.
pub(crate) enum Fields {
    /// `count` fields were stored; the head ends before `end`.
    Done { count: usize, end: usize },
    /// The buffer ends inside the line starting here.
    Partial(usize),
}

/// Parses field lines from `i` through the empty line, storing them in `out`
/// and feeding them to `framing`.
#[inline]
pub(crate) fn fields<'b>(
    buf: &'b [u8],
    mut i: usize,
    out: &mut [Header<'b>],
    framing: &mut Framing,
) -> Result<Fields, Error> {
    let mut count = 0;
    loop {
        if buf.get(i) == Some(&b'\r') {
            return Ok(match crlf(buf, i, Error::BareCr)? {
                Line::Done((), end) => Fields::Done { count, end },
                Line::Partial => Fields::Partial(i),
            });
        }
        match field_line(buf, i)? {
            Line::Done(header, next) => {
                framing.field(&header)?;
                *out.get_mut(count).ok_or(Error::TooManyHeaders)? = header;
                count += 1;
                i = next;
            }
            Line::Partial => return Ok(Fields::Partial(i)),
        }
    }
}
