//! Request heads: `method SP request-target SP HTTP-version CRLF` and fields.

use super::error::Error;
use super::fields::{crlf, Line};
use super::framing::Body;
use super::head::{
    fields, skip_empty_lines, version, Block, HeadReader, Limits, Pass, Progress, Step,
};
use super::headers::{ascii, Header, Headers};
use super::scan::{slice, target_end, token_end};
use super::Version;

/// A parsed request head, borrowing from the receive buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'h, 'b> {
    method: &'b [u8],
    target: &'b [u8],
    version: Version,
    headers: Headers<'h, 'b>,
    head_len: usize,
    body: Body,
    persistent: bool,
}

impl<'h, 'b> Request<'h, 'b> {
    /// The method token, case-sensitive (`GET`, `POST`, ...).
    pub fn method(&self) -> &'b str {
        ascii(self.method)
    }

    /// The request target as sent (`/index.html?q=1`, `*`, an absolute URI).
    pub fn target(&self) -> &'b str {
        ascii(self.target)
    }

    /// The target's path: everything before `?`.
    pub fn path(&self) -> &'b str {
        let end = self
            .target
            .iter()
            .position(|&b| b == b'?')
            .unwrap_or(self.target.len());
        ascii(slice(self.target, 0, end))
    }

    pub fn version(&self) -> Version {
        self.version
    }

    pub fn headers(&self) -> Headers<'h, 'b> {
        self.headers
    }

    /// Bytes the head took, leading empty lines included: the body, or the
    /// next pipelined request, starts here.
    pub fn head_len(&self) -> usize {
        self.head_len
    }

    /// How the body is framed.
    pub fn body(&self) -> Body {
        self.body
    }

    /// Whether the connection may carry another request after this one
    /// (RFC 9112 §9.3).
    pub fn keep_alive(&self) -> bool {
        self.persistent
    }
}

/// An incremental request-head parser; one per connection, reused across
/// keep-alive requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestParser {
    head: HeadReader,
}

impl Default for RequestParser {
    fn default() -> Self {
        RequestParser::new()
    }
}

impl RequestParser {
    pub const fn new() -> Self {
        RequestParser::with_limits(Limits::DEFAULT)
    }

    pub const fn with_limits(limits: Limits) -> Self {
        RequestParser {
            head: HeadReader::new(limits),
        }
    }

    /// Parses the request head at the start of `buf`, storing fields in
    /// `headers` (its length caps the field count). The fields borrow `buf`,
    /// so the array is made afresh for each call, on the stack: two slices
    /// per field, no allocation.
    ///
    /// After [`Progress::NeedMore`], call again with the same bytes followed
    /// by more. After `Done` or an error the parser is ready for the next
    /// request, which starts at [`Request::head_len`] plus the body length.
    pub fn parse<'h, 'b>(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Progress<Request<'h, 'b>>, Error> {
        self.head.read(buf, headers, parse)
    }

    /// Forgets a partial head, for a buffer that starts afresh.
    pub fn reset(&mut self) {
        self.head.reset();
    }
}

#[inline]
fn parse<'h, 'b>(
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Result<Pass<Request<'h, 'b>>, Error> {
    let Line::Done((), start) = skip_empty_lines(buf)? else {
        return Ok(Pass::Partial(None));
    };
    let partial = Ok(Pass::Partial(None));
    let method_end = token_end(buf, start);
    match buf.get(method_end) {
        None => return partial,
        Some(b' ') if method_end > start => {}
        Some(_) => return Err(Error::RequestLine),
    }
    let target_start = method_end + 1;
    let target_stop = target_end(buf, target_start);
    match buf.get(target_stop) {
        None => return partial,
        Some(b' ') if target_stop > target_start => {}
        Some(_) => return Err(Error::RequestLine),
    }
    let Line::Done(version, version_end) = version(buf, target_stop + 1, Error::RequestLine)?
    else {
        return partial;
    };
    let Line::Done((), fields_start) = crlf(buf, version_end, Error::RequestLine)? else {
        return partial;
    };
    let (count, end, framing) = match fields(buf, Block::at(fields_start), headers)? {
        Step::Complete {
            count,
            end,
            framing,
        } => (count, end, framing),
        Step::Partial(block) => return Ok(Pass::Partial(Some(block))),
    };
    let body = framing.request_body(version)?;
    let headers: &'h [Header<'b>] = headers;
    Ok(Pass::Done(Request {
        method: slice(buf, start, method_end),
        target: slice(buf, target_start, target_stop),
        version,
        headers: Headers {
            fields: headers.get(..count).unwrap_or_default(),
        },
        head_len: end,
        body,
        persistent: framing.persistent(version),
    }))
}
