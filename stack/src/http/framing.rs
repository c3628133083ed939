//! Message framing and connection semantics from the head's fields
//! (RFC 9112 §6 and §9.3).
//!
//! Collected while the fields are parsed, so the head is read once.

use super::error::Error;
use super::headers::Header;
use super::scan::{is_authority, token_end, token_is, trim_ows};
use super::Version;

/// How the body that follows a head is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// No body: a request without framing fields, or a response that has
    /// none by its status (1xx, 204, 304) or by the request (HEAD, CONNECT).
    None,
    /// Exactly this many bytes follow the head.
    Length(u64),
    /// The chunked transfer coding: read it with a
    /// [`ChunkedDecoder`](super::ChunkedDecoder).
    Chunked,
    /// Responses only: the body runs until the server closes the connection.
    UntilClose,
}

/// What the framing fields said, accumulated field by field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Framing {
    content_length: Option<u64>,
    /// Whether any `Transfer-Encoding` field was present, even an empty one.
    transfer_encoding: bool,
    chunked_last: bool,
    chunked_seen: bool,
    other_coding: bool,
    close: bool,
    keep_alive: bool,
    hosts: u8,
}

impl Framing {
    /// Takes one field into account; most names cost one length compare.
    #[inline]
    pub(crate) fn field(&mut self, header: &Header<'_>) -> Result<(), Error> {
        let name = header.name;
        match name.len() {
            4 if token_is(name, b"host") => self.host(header.value)?,
            10 if token_is(name, b"connection") => self.connection(header.value),
            14 if token_is(name, b"content-length") => self.content_length(header.value)?,
            17 if token_is(name, b"transfer-encoding") => self.transfer_encoding(header.value)?,
            _ => {}
        }
        Ok(())
    }

    /// Counts `Host` fields and checks the value is an authority's host and
    /// port (RFC 3986 §3.2.2 characters), so no whitespace, path or userinfo.
    fn host(&mut self, value: &[u8]) -> Result<(), Error> {
        if !value.iter().all(|&b| is_authority(b)) {
            return Err(Error::Host);
        }
        self.hosts = self.hosts.saturating_add(1);
        Ok(())
    }

    fn connection(&mut self, value: &[u8]) {
        for option in list(value) {
            self.close |= option.eq_ignore_ascii_case(b"close");
            self.keep_alive |= option.eq_ignore_ascii_case(b"keep-alive");
        }
    }

    fn content_length(&mut self, value: &[u8]) -> Result<(), Error> {
        if let Some(length) = decimal(value) {
            return self.set_content_length(length);
        }
        let mut any = false;
        for element in value.split(|&b| b == b',') {
            self.set_content_length(decimal(trim_ows(element)).ok_or(Error::ContentLength)?)?;
            any = true;
        }
        if any {
            Ok(())
        } else {
            Err(Error::ContentLength)
        }
    }

    fn set_content_length(&mut self, length: u64) -> Result<(), Error> {
        match self.content_length {
            Some(previous) if previous != length => Err(Error::ConflictingContentLength),
            _ => {
                self.content_length = Some(length);
                Ok(())
            }
        }
    }

    fn transfer_encoding(&mut self, value: &[u8]) -> Result<(), Error> {
        self.transfer_encoding = true;
        for coding in list(value) {
            let name_end = token_end(coding, 0);
            if coding.eq_ignore_ascii_case(b"chunked") {
                if self.chunked_seen {
                    return Err(Error::TransferEncoding);
                }
                self.chunked_seen = true;
                self.chunked_last = true;
                continue;
            }
            let params = trim_ows(coding.get(name_end..).unwrap_or_default());
            if name_end == 0 || !(params.is_empty() || params.starts_with(b";")) {
                return Err(Error::TransferEncoding);
            }
            self.other_coding = true;
            self.chunked_last = false;
        }
        Ok(())
    }

    /// How a request's body is framed, or why the request is refused.
    pub(crate) fn request_body(&self, version: Version) -> Result<Body, Error> {
        let hosts_ok = match version {
            Version::Http10 => self.hosts <= 1,
            Version::Http11 => self.hosts == 1,
        };
        if !hosts_ok {
            return Err(Error::Host);
        }
        if !self.transfer_encoding {
            return Ok(self.content_length.map_or(Body::None, Body::Length));
        }
        self.check_transfer_encoding(version)?;
        if !self.chunked_last {
            Err(Error::TransferEncoding)
        } else if self.other_coding {
            Err(Error::UnsupportedTransferCoding)
        } else {
            Ok(Body::Chunked)
        }
    }

    /// The checks a response head must pass whatever its status.
    pub(crate) fn check_response(&self, version: Version) -> Result<(), Error> {
        if self.transfer_encoding {
            self.check_transfer_encoding(version)?;
        }
        Ok(())
    }

    /// How a checked response's body is framed, given its status and whether
    /// the request rules a body out (HEAD, or a successful CONNECT).
    pub(crate) fn response_body(&self, status: u16, no_body: bool) -> Body {
        if no_body || status < 200 || status == 204 || status == 304 {
            Body::None
        } else if self.transfer_encoding {
            if self.chunked_last {
                Body::Chunked
            } else {
                Body::UntilClose
            }
        } else {
            self.content_length.map_or(Body::UntilClose, Body::Length)
        }
    }

    /// The checks every message with `Transfer-Encoding` must pass.
    fn check_transfer_encoding(&self, version: Version) -> Result<(), Error> {
        if self.content_length.is_some() {
            Err(Error::ContentLengthWithTransferEncoding)
        } else if version == Version::Http10 {
            Err(Error::TransferEncoding)
        } else {
            Ok(())
        }
    }

    /// Whether the connection stays open after this message (§9.3).
    pub(crate) fn persistent(&self, version: Version) -> bool {
        !self.close && (version == Version::Http11 || self.keep_alive)
    }
}

/// The non-empty elements of a comma-separated list, trimmed (RFC 9110 §5.6.1).
fn list(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(trim_ows)
        .filter(|e| !e.is_empty())
}

/// `1*DIGIT` as a `u64`, or `None` when empty, not decimal or too large.
fn decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        let digit = d.checked_sub(b'0').filter(|&d| d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}
