//! One field line (`name: value CRLF`), shared by heads and trailer sections.

use super::error::Error;
use super::headers::Header;
use super::scan::{is_ows, ows_end, slice, token_end, value_end};

/// The outcome of reading a line ending at CRLF.
pub(crate) enum Line<T> {
    /// The line is complete; the next line starts at the index.
    Done(T, usize),
    /// The buffer ends inside the line.
    Partial,
}

/// Reads the line terminator expected at `i`: CRLF, with a bare CR or LF
/// rejected and any other byte reported as `other`.
#[inline]
pub(crate) fn crlf(buf: &[u8], i: usize, other: Error) -> Result<Line<()>, Error> {
    match (buf.get(i), buf.get(i.wrapping_add(1))) {
        (Some(b'\r'), Some(b'\n')) => Ok(Line::Done((), i + 2)),
        (Some(b'\r'), None) | (None, _) => Ok(Line::Partial),
        (Some(b'\r'), Some(_)) => Err(Error::BareCr),
        (Some(b'\n'), _) => Err(Error::BareLf),
        (Some(_), _) => Err(other),
    }
}

/// The end of the text (field value or reason phrase: HTAB, SP, VCHAR,
/// obs-text) starting at `i`: the index of its CR or LF, or of the buffer's
/// end. Any other control byte is `invalid`.
#[inline]
pub(crate) fn text_end(buf: &[u8], i: usize, invalid: Error) -> Result<usize, Error> {
    let mut end = value_end(buf, i);
    loop {
        match buf.get(end) {
            Some(b'\t') => end = value_end(buf, end + 1),
            Some(b'\r' | b'\n') | None => return Ok(end),
            Some(_) => return Err(invalid),
        }
    }
}

/// Parses the field line starting at `i`, which is not an empty line.
#[inline]
pub(crate) fn field_line(buf: &[u8], i: usize) -> Result<Line<Header<'_>>, Error> {
    let colon = token_end(buf, i);
    match buf.get(colon) {
        None => return Ok(Line::Partial),
        Some(b':') if colon > i => {}
        Some(&b) if is_ows(b) => {
            return Err(if colon == i {
                Error::ObsFold
            } else {
                Error::WhitespaceBeforeColon
            })
        }
        Some(b'\n') => return Err(Error::BareLf),
        Some(b'\r') if colon == i => return Err(Error::BareCr),
        Some(_) => return Err(Error::HeaderName),
    }
    let start = ows_end(buf, colon + 1);
    let end = text_end(buf, start, Error::HeaderValue)?;
    let Line::Done((), next) = crlf(buf, end, Error::HeaderValue)? else {
        return Ok(Line::Partial);
    };
    let mut value = slice(buf, start, end);
    while let [rest @ .., last] = value {
        if !is_ows(*last) {
            break;
        }
        value = rest;
    }
    Ok(Line::Done(
        Header {
            name: slice(buf, i, colon),
            value,
        },
        next,
    ))
}
