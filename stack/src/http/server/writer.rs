//! The response writer handed to handlers.
//!
//! It writes into the connection's staging buffer, which the server drains
//! into the TCP send buffer as the peer acknowledges data. A response that
//! does not fit the staging buffer can be streamed: write a chunked head and
//! some chunks, call [`ResponseWriter::call_again`], and the handler runs
//! again (with [`ResponseWriter::part`] counting up) once the buffer drained.

use crate::http::{write_chunk, write_last_chunk, HeadWriter, WriteError};

/// How far the response has been written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Nothing yet.
    Empty,
    /// A chunked head is out; chunks may follow.
    Chunked,
    /// A head without framing is out, for an HTTP/1.0 client that cannot
    /// read chunks: the body runs until the connection closes.
    UntilClose,
    /// The response is whole.
    Complete,
}

/// Writes one response into the connection's staging buffer.
#[derive(Debug)]
pub struct ResponseWriter<'w> {
    out: &'w mut [u8],
    len: usize,
    pub(crate) stage: Stage,
    /// Answering HEAD: heads are written, bodies are not.
    head_only: bool,
    /// Whether the connection closes after this response.
    pub(crate) close: bool,
    /// The request was HTTP/1.0: no chunked bodies.
    http10: bool,
    part: u32,
    pub(crate) again: bool,
}

/// What a server knows about the request when it hands out a writer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    pub head_only: bool,
    pub close: bool,
    pub http10: bool,
    pub part: u32,
    pub stage: Stage,
}

impl<'w> ResponseWriter<'w> {
    pub(crate) fn new(out: &'w mut [u8], cx: Context) -> Self {
        ResponseWriter {
            out,
            len: 0,
            stage: cx.stage,
            head_only: cx.head_only,
            close: cx.close,
            http10: cx.http10,
            part: cx.part,
            again: false,
        }
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Sends a whole response with a `Content-Length` body (no body for
    /// 1xx, 204 and 304 when `body` is empty). Extra `headers` must not
    /// be framing fields.
    pub fn send(
        &mut self,
        status: u16,
        reason: &str,
        headers: &[(&str, &[u8])],
        body: &[u8],
    ) -> Result<(), WriteError> {
        let head_only = self.head_only;
        let bodiless = status < 200 || status == 204 || status == 304;
        let w = self.head(status, reason, headers)?;
        let len = if bodiless && body.is_empty() {
            w.finish()?
        } else if head_only {
            w.content_length(body.len() as u64)?
        } else {
            w.body(body)?
        };
        self.len = len;
        self.stage = Stage::Complete;
        Ok(())
    }

    /// Starts a response with a chunked body; follow with
    /// [`chunk`](Self::chunk) and [`finish`](Self::finish) (the server
    /// finishes a body the handler left open). An HTTP/1.0 client gets the
    /// same bytes unframed, and the connection closes after them.
    pub fn send_chunked(
        &mut self,
        status: u16,
        reason: &str,
        headers: &[(&str, &[u8])],
    ) -> Result<(), WriteError> {
        if self.http10 {
            self.close = true;
            self.len = self.head(status, reason, headers)?.finish()?;
            self.stage = Stage::UntilClose;
        } else {
            self.len = self.head(status, reason, headers)?.chunked()?;
            self.stage = Stage::Chunked;
        }
        Ok(())
    }

    /// Appends one chunk of a chunked body.
    pub fn chunk(&mut self, data: &[u8]) -> Result<(), WriteError> {
        let unframed = self.stage == Stage::UntilClose;
        self.body_put(|out| match unframed {
            true => copy(out, data),
            false => write_chunk(out, data),
        })
    }

    /// Ends a chunked body.
    pub fn finish(&mut self) -> Result<(), WriteError> {
        if self.stage == Stage::Chunked {
            self.body_put(|out| write_last_chunk(out, &[]))?;
        } else if self.stage != Stage::UntilClose {
            return Err(WriteError::Invalid);
        }
        self.stage = Stage::Complete;
        Ok(())
    }

    /// Free bytes left in the staging buffer for this call.
    pub fn space(&self) -> usize {
        self.out.len().saturating_sub(self.len)
    }

    /// How many times the handler already ran for this request: 0 first,
    /// then 1, 2, ... after [`call_again`](Self::call_again).
    pub fn part(&self) -> u32 {
        self.part
    }

    /// Asks to be called again for the same request once what was written
    /// has gone to the socket: for chunked bodies larger than the buffer.
    pub fn call_again(&mut self) {
        self.again = true;
    }

    /// Closes the connection after this response (`Connection: close`);
    /// call before writing the head.
    pub fn close_connection(&mut self) {
        self.close = true;
    }

    /// Writes the status line and fields, adding `Connection` unless the
    /// handler set it.
    fn head(
        &mut self,
        status: u16,
        reason: &str,
        headers: &[(&str, &[u8])],
    ) -> Result<HeadWriter<'_>, WriteError> {
        if self.stage != Stage::Empty {
            return Err(WriteError::Invalid);
        }
        let own = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("connection"));
        if let Some((_, value)) = own {
            self.close |= value.eq_ignore_ascii_case(b"close");
        }
        let mut w = HeadWriter::response(&mut *self.out, status, reason)?;
        match (own, self.close, self.http10) {
            (Some(_), _, _) => {}
            (None, true, _) => {
                w.header("Connection", b"close")?;
            }
            (None, false, true) => {
                w.header("Connection", b"keep-alive")?;
            }
            (None, false, false) => {}
        }
        for &(name, value) in headers {
            w.header(name, value)?;
        }
        Ok(w)
    }

    /// Writes body bytes after a streaming head (nothing answering HEAD).
    fn body_put(
        &mut self,
        write: impl FnOnce(&mut [u8]) -> Result<usize, WriteError>,
    ) -> Result<(), WriteError> {
        if !matches!(self.stage, Stage::Chunked | Stage::UntilClose) {
            return Err(WriteError::Invalid);
        }
        if self.head_only {
            return Ok(());
        }
        let rest = self.out.get_mut(self.len..).unwrap_or_default();
        self.len += write(rest)?;
        Ok(())
    }
}

/// Copies `data` to the start of `out` if it fits.
fn copy(out: &mut [u8], data: &[u8]) -> Result<usize, WriteError> {
    let dst = out.get_mut(..data.len()).ok_or(WriteError::BufferFull)?;
    dst.copy_from_slice(data);
    Ok(data.len())
}

/// The reason phrase the server uses for statuses it sends itself.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}
