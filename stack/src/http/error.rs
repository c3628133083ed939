//! Why a message was rejected, and why a message could not be written.

use core::fmt;

/// Why bytes could not be read as an HTTP message.
///
/// Each variant maps to the status code a server answers with
/// ([`Error::status`]); after any of them the connection's framing is no
/// longer trustworthy and it should be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// The head is longer than [`Limits::max_head`](super::Limits).
    HeadTooLarge,
    /// The start line alone is longer than `Limits::max_head`: for a
    /// request, a target too long to serve (414).
    StartLineTooLong,
    /// More header fields than the caller's array holds.
    TooManyHeaders,
    /// A trailer section longer than the decoder's limit.
    TrailersTooLarge,
    /// A well-formed version this implementation does not speak (`HTTP/2.0`).
    Version,
    /// A malformed request line: bad method token, target or version syntax.
    RequestLine,
    /// A malformed status line.
    StatusLine,
    /// A field name that is empty or holds a non-token byte.
    HeaderName,
    /// Whitespace between a field name and its colon (RFC 9112 §5.1).
    WhitespaceBeforeColon,
    /// A control character in a field value.
    HeaderValue,
    /// A line starting with whitespace: obsolete line folding (§5.2), or
    /// whitespace between the start line and the first field (§2.2).
    ObsFold,
    /// A CR not followed by LF (§2.2).
    BareCr,
    /// A LF not preceded by CR; this parser accepts CRLF line endings only.
    BareLf,
    /// A `Content-Length` that is not a decimal number that fits in a `u64`.
    ContentLength,
    /// Several `Content-Length` values that differ (§6.3).
    ConflictingContentLength,
    /// Both `Content-Length` and `Transfer-Encoding` (§6.3: a smuggling sign).
    ContentLengthWithTransferEncoding,
    /// A `Transfer-Encoding` that does not frame the message: chunked not
    /// final in a request, chunked twice, a malformed list, or any transfer
    /// coding in an HTTP/1.0 message (§6.1).
    TransferEncoding,
    /// A request transfer coding other than chunked, which we cannot decode.
    UnsupportedTransferCoding,
    /// An HTTP/1.1 request without exactly one `Host` field, or a `Host`
    /// value that is not a host and port (§3.2).
    Host,
    /// A chunk size that is not hexadecimal or does not fit in a `u64`.
    ChunkSize,
    /// A malformed chunk extension.
    ChunkExtension,
    /// Chunk data not followed by CRLF, or a chunk line not ended by CRLF.
    ChunkDelimiter,
    /// A chunk-size line longer than the decoder's limit.
    ChunkLineTooLong,
}

impl Error {
    /// The status code a server answers this error with.
    pub const fn status(self) -> u16 {
        match self {
            Error::HeadTooLarge | Error::TooManyHeaders | Error::TrailersTooLarge => 431,
            Error::StartLineTooLong => 414,
            Error::Version => 505,
            Error::UnsupportedTransferCoding => 501,
            _ => 400,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::HeadTooLarge => "message head too large",
            Error::StartLineTooLong => "start line too long",
            Error::TooManyHeaders => "too many header fields",
            Error::TrailersTooLarge => "trailer section too large",
            Error::Version => "unsupported HTTP version",
            Error::RequestLine => "malformed request line",
            Error::StatusLine => "malformed status line",
            Error::HeaderName => "invalid field name",
            Error::WhitespaceBeforeColon => "whitespace before colon",
            Error::HeaderValue => "invalid field value",
            Error::ObsFold => "obsolete line folding",
            Error::BareCr => "CR without LF",
            Error::BareLf => "LF without CR",
            Error::ContentLength => "invalid Content-Length",
            Error::ConflictingContentLength => "conflicting Content-Length values",
            Error::ContentLengthWithTransferEncoding => "both Content-Length and Transfer-Encoding",
            Error::TransferEncoding => "invalid Transfer-Encoding",
            Error::UnsupportedTransferCoding => "unsupported transfer coding",
            Error::Host => "missing, repeated or invalid Host",
            Error::ChunkSize => "invalid chunk size",
            Error::ChunkExtension => "invalid chunk extension",
            Error::ChunkDelimiter => "missing CRLF in chunked body",
            Error::ChunkLineTooLong => "chunk-size line too long",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// Why a message could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteError {
    /// The output buffer is too small; nothing of the failed part was written.
    BufferFull,
    /// A method, field name or chunk extension that is not a token, or a
    /// target, reason or value holding a byte that would break the framing.
    Invalid,
    /// `Content-Length` or `Transfer-Encoding` passed as a plain header: the
    /// writer's body methods own the framing so it cannot contradict itself.
    FramingHeader,
    /// A body for a status that has none (1xx, 204, 304).
    BodyNotAllowed,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WriteError::BufferFull => "output buffer too small",
            WriteError::Invalid => "invalid byte in message element",
            WriteError::FramingHeader => "framing header set by hand",
            WriteError::BodyNotAllowed => "body on a status without one",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for WriteError {}
