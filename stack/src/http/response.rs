//! Response heads: `HTTP-version SP status-code SP [reason-phrase] CRLF` and
//! fields.

use super::error::Error;
use super::fields::{crlf, text_end, Line};
use super::framing::Body;
use super::head::{
    fields, skip_empty_lines, version, Block, HeadReader, Limits, Pass, Progress, Step,
};
use super::headers::{Header, Headers};
use super::scan::slice;
use super::Version;

/// A parsed response head, borrowing from the receive buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'h, 'b> {
    version: Version,
    status: u16,
    reason: &'b [u8],
    headers: Headers<'h, 'b>,
    head_len: usize,
    body: Body,
    persistent: bool,
}

impl<'h, 'b> Response<'h, 'b> {
    pub fn version(&self) -> Version {
        self.version
    }

    /// The status code, 100 to 999.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase as sent (possibly empty; may hold obs-text).
    pub fn reason(&self) -> &'b [u8] {
        self.reason
    }

    pub fn headers(&self) -> Headers<'h, 'b> {
        self.headers
    }

    /// Bytes the head took: the body starts here.
    pub fn head_len(&self) -> usize {
        self.head_len
    }

    /// How the body is framed, given the request method the parser was
    /// told about.
    pub fn body(&self) -> Body {
        self.body
    }

    /// Whether the connection may carry another request after this
    /// response: persistent per RFC 9112 §9.3 and not delimited by close.
    pub fn keep_alive(&self) -> bool {
        self.persistent
    }
}

/// Which request a response answers, as far as framing cares (§6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answers {
    /// A request whose response may have a body.
    Other,
    /// HEAD: no response has a body.
    Head,
    /// CONNECT: a 2xx response starts a tunnel, not a body.
    Connect,
}

/// An incremental response-head parser; one per connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseParser {
    head: HeadReader,
    answers: Answers,
}

impl Default for ResponseParser {
    fn default() -> Self {
        ResponseParser::new()
    }
}

impl ResponseParser {
    /// A parser for responses to requests other than HEAD and CONNECT.
    pub const fn new() -> Self {
        ResponseParser::with_limits(Limits::DEFAULT)
    }

    pub const fn with_limits(limits: Limits) -> Self {
        ResponseParser {
            head: HeadReader::new(limits),
            answers: Answers::Other,
        }
    }

    /// Tells the parser which method the request used, since responses to
    /// HEAD, and 2xx responses to CONNECT, have no body whatever they say.
    pub fn request_method(mut self, method: &str) -> Self {
        self.answers = match method {
            "HEAD" => Answers::Head,
            "CONNECT" => Answers::Connect,
            _ => Answers::Other,
        };
        self
    }

    /// Parses the response head at the start of `buf`; see
    /// [`RequestParser::parse`](super::RequestParser::parse) for the
    /// incremental contract.
    pub fn parse<'h, 'b>(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Progress<Response<'h, 'b>>, Error> {
        let answers = self.answers;
        self.head
            .read(buf, headers, |view, headers| parse(view, headers, answers))
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
    answers: Answers,
) -> Result<Pass<Response<'h, 'b>>, Error> {
    let Line::Done((), start) = skip_empty_lines(buf)? else {
        return Ok(Pass::Partial(None));
    };
    let partial = Ok(Pass::Partial(None));
    let Line::Done(version, version_end) = version(buf, start, Error::StatusLine)? else {
        return partial;
    };
    let Line::Done(status, code_end) = status_code(buf, version_end)? else {
        return partial;
    };
    let reason_start = match buf.get(code_end) {
        None => return partial,
        Some(b' ') => code_end + 1,
        Some(b'\r' | b'\n') => code_end,
        Some(_) => return Err(Error::StatusLine),
    };
    let reason_end = text_end(buf, reason_start, Error::StatusLine)?;
    let Line::Done((), fields_start) = crlf(buf, reason_end, Error::StatusLine)? else {
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
    framing.check_response(version)?;
    let no_body = match answers {
        Answers::Other => false,
        Answers::Head => true,
        Answers::Connect => (200..300).contains(&status),
    };
    let body = framing.response_body(status, no_body);
    let headers: &'h [Header<'b>] = headers;
    Ok(Pass::Done(Response {
        version,
        status,
        reason: slice(buf, reason_start, reason_end),
        headers: Headers {
            fields: headers.get(..count).unwrap_or_default(),
        },
        head_len: end,
        body,
        persistent: framing.persistent(version) && body != Body::UntilClose,
    }))
}

/// Reads ` 3DIGIT` at `i`: the space after the version and the status code,
/// which must be 100 or more (RFC 9110 §15).
fn status_code(buf: &[u8], i: usize) -> Result<Line<u16>, Error> {
    let mut code = 0u16;
    for k in 0..4 {
        let Some(&b) = buf.get(i + k) else {
            return Ok(Line::Partial);
        };
        match (k, b) {
            (0, b' ') => {}
            (1..=3, b'0'..=b'9') => code = code * 10 + u16::from(b - b'0'),
            _ => return Err(Error::StatusLine),
        }
    }
    if code < 100 {
        return Err(Error::StatusLine);
    }
    Ok(Line::Done(code, i + 4))
}
