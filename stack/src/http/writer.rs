//! Writing heads and chunked framing into caller buffers.
//!
//! Every element is validated before it is written, so a caller cannot emit
//! a message that splits into two (CRLF in a value) or whose framing
//! contradicts itself: framing fields are written only by the body methods.

use super::error::WriteError;
use super::scan::{is_ctl, is_ows, is_token, is_vchar};

/// Writes one message head, then its body framing, into a buffer.
///
/// ```
/// # use seqs::http::HeadWriter;
/// let mut buf = [0u8; 128];
/// let mut w = HeadWriter::response(&mut buf, 200, "OK")?;
/// w.header("Content-Type", b"text/plain")?;
/// let n = w.body(b"hi")?;
/// assert_eq!(&buf[..n], b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi");
/// # Ok::<(), seqs::http::WriteError>(())
/// ```
#[derive(Debug)]
pub struct HeadWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
    /// The response status; `None` for a request.
    status: Option<u16>,
}

impl<'a> HeadWriter<'a> {
    /// Starts a request: `method target HTTP/1.1`.
    pub fn request(buf: &'a mut [u8], method: &str, target: &str) -> Result<Self, WriteError> {
        if !is_token(method.as_bytes()) || target.is_empty() || !target.bytes().all(is_vchar) {
            return Err(WriteError::Invalid);
        }
        let mut w = HeadWriter {
            buf,
            len: 0,
            status: None,
        };
        w.put(&[method.as_bytes(), b" ", target.as_bytes(), b" HTTP/1.1\r\n"])?;
        Ok(w)
    }

    /// Starts a response: `HTTP/1.1 status reason`.
    pub fn response(buf: &'a mut [u8], status: u16, reason: &str) -> Result<Self, WriteError> {
        if !(100..=999).contains(&status) || !is_text(reason.as_bytes()) {
            return Err(WriteError::Invalid);
        }
        let mut digits = [0u8; 20];
        let code = decimal(u64::from(status), &mut digits);
        let mut w = HeadWriter {
            buf,
            len: 0,
            status: Some(status),
        };
        w.put(&[b"HTTP/1.1 ", code, b" ", reason.as_bytes(), b"\r\n"])?;
        Ok(w)
    }

    /// Adds a field. `Content-Length` and `Transfer-Encoding` are refused:
    /// [`body`](Self::body), [`content_length`](Self::content_length) and
    /// [`chunked`](Self::chunked) write them.
    pub fn header(&mut self, name: &str, value: &[u8]) -> Result<&mut Self, WriteError> {
        check_field(name, value)?;
        self.put(&[name.as_bytes(), b": ", value, b"\r\n"])?;
        Ok(self)
    }

    /// Ends a head that frames no body: a request without one, or a 1xx,
    /// 204 or 304 response. Returns the bytes written.
    pub fn finish(mut self) -> Result<usize, WriteError> {
        self.put(&[b"\r\n"])?;
        Ok(self.len)
    }

    /// Ends the head with `Content-Length: len`; the body is sent separately
    /// (or not at all, answering HEAD). Returns the head's length.
    pub fn content_length(mut self, len: u64) -> Result<usize, WriteError> {
        if self.status.is_some_and(|s| s < 200 || s == 204) {
            return Err(WriteError::BodyNotAllowed);
        }
        let mut digits = [0u8; 20];
        let len = decimal(len, &mut digits);
        self.put(&[b"Content-Length: ", len, b"\r\n\r\n"])?;
        Ok(self.len)
    }

    /// Ends the head with a `Content-Length` and copies `body` after it.
    /// Returns the length of the whole message.
    pub fn body(mut self, body: &[u8]) -> Result<usize, WriteError> {
        self.check_body()?;
        let mut digits = [0u8; 20];
        let len = decimal(body.len() as u64, &mut digits);
        self.put(&[b"Content-Length: ", len, b"\r\n\r\n", body])?;
        Ok(self.len)
    }

    /// Ends the head with `Transfer-Encoding: chunked`; follow it with
    /// [`write_chunk`] calls and one [`write_last_chunk`]. Returns the head's
    /// length.
    pub fn chunked(mut self) -> Result<usize, WriteError> {
        self.check_body()?;
        self.put(&[b"Transfer-Encoding: chunked\r\n\r\n"])?;
        Ok(self.len)
    }

    fn check_body(&self) -> Result<(), WriteError> {
        match self.status {
            Some(s) if s < 200 || s == 204 || s == 304 => Err(WriteError::BodyNotAllowed),
            _ => Ok(()),
        }
    }

    /// Appends `parts` whole, or nothing when they do not fit.
    fn put(&mut self, parts: &[&[u8]]) -> Result<(), WriteError> {
        self.len = put(self.buf, self.len, parts)?;
        Ok(())
    }
}

/// Writes one chunk (`size CRLF data CRLF`) into `out`; returns its length.
/// Empty `data` writes nothing, since a zero-size chunk would end the body.
pub fn write_chunk(out: &mut [u8], data: &[u8]) -> Result<usize, WriteError> {
    if data.is_empty() {
        return Ok(0);
    }
    let mut digits = [0u8; 16];
    let size = hex(data.len() as u64, &mut digits);
    put(out, 0, &[size, b"\r\n", data, b"\r\n"])
}

/// Writes the last chunk, `trailers` and the final CRLF into `out`;
/// returns the length written.
pub fn write_last_chunk(out: &mut [u8], trailers: &[(&str, &[u8])]) -> Result<usize, WriteError> {
    let mut len = put(out, 0, &[b"0\r\n"])?;
    for &(name, value) in trailers {
        check_field(name, value)?;
        len = put(out, len, &[name.as_bytes(), b": ", value, b"\r\n"])?;
    }
    put(out, len, &[b"\r\n"])
}

/// Refuses names that are not tokens, framing fields, and values holding
/// control bytes (CR or LF would end the field early).
fn check_field(name: &str, value: &[u8]) -> Result<(), WriteError> {
    if !is_token(name.as_bytes()) || !is_text(value) {
        return Err(WriteError::Invalid);
    }
    if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("transfer-encoding")
    {
        return Err(WriteError::FramingHeader);
    }
    Ok(())
}

/// HTAB, SP, VCHAR and obs-text: what a value or reason phrase may hold.
fn is_text(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| !is_ctl(b) || is_ows(b))
}

/// Copies `parts` into `out` at `at` if they all fit; returns the new end.
fn put(out: &mut [u8], at: usize, parts: &[&[u8]]) -> Result<usize, WriteError> {
    let total = parts
        .iter()
        .try_fold(at, |n, p| n.checked_add(p.len()))
        .ok_or(WriteError::BufferFull)?;
    if total > out.len() {
        return Err(WriteError::BufferFull);
    }
    let mut end = at;
    for part in parts {
        if let Some(dst) = out.get_mut(end..end + part.len()) {
            dst.copy_from_slice(part);
        }
        end += part.len();
    }
    Ok(end)
}

/// `n` in decimal, written at the end of `digits`.
fn decimal(n: u64, digits: &mut [u8; 20]) -> &[u8] {
    digits_in(n, 10, digits)
}

/// `n` in upper-case hexadecimal, written at the end of `digits`.
fn hex(n: u64, digits: &mut [u8; 16]) -> &[u8] {
    digits_in(n, 16, digits)
}

fn digits_in(mut n: u64, radix: u64, digits: &mut [u8]) -> &[u8] {
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            *d = b"0123456789ABCDEF"[(n % radix) as usize];
        }
        n /= radix;
        if n == 0 || start == 0 {
            return digits.get(start..).unwrap_or_default();
        }
    }
}
