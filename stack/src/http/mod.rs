//! HTTP/1.1 (RFC 9112): zero-allocation parsing and writing over caller buffers.
//!
//! Parsers borrow from the caller's receive buffer and fill a caller-sized
//! array of [`Header`]s, so one buffer and one array serve every request of a
//! keep-alive connection. Parsing is incremental: [`RequestParser`] and
//! [`ResponseParser`] return [`Progress::NeedMore`] on a partial head and, on
//! the next call with the same bytes plus more, resume at the line where the
//! previous call stopped (so malformed input is refused as soon as it
//! arrives), parsing the whole head once more only when it is complete.
//!
//! The parsers are strict where leniency enables request smuggling: CRLF line
//! endings only, no obsolete line folding, no whitespace before a colon, no
//! message with both `Content-Length` and `Transfer-Encoding`. Every rejection
//! is an [`Error`] that names the status code to answer with
//! ([`Error::status`]).
//!
//! Bodies: [`Body`] tells how the body is framed; [`ChunkedDecoder`] decodes
//! chunked bodies incrementally (trailers included). [`HeadWriter`] and
//! [`write_chunk`]/[`write_last_chunk`] write messages into caller buffers.

mod chunked;
pub mod client;
mod error;
mod fields;
mod framing;
mod head;
mod headers;
mod request;
mod response;
mod scan;
pub mod server;
mod writer;

pub use chunked::{Chunk, ChunkedDecoder};
pub use error::{Error, WriteError};
pub use framing::Body;
pub use head::{Limits, Progress};
pub use headers::{Header, Headers};
pub use request::{Request, RequestParser};
pub use response::{Response, ResponseParser};
pub use writer::{write_chunk, write_last_chunk, HeadWriter};

/// The protocol version of a message.
///
/// `HTTP/1.2` and later 1.x minors are read as 1.1, as RFC 9110 §2.5 asks of
/// a recipient that implements a lower minor version of the same major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// HTTP/1.0: connections close after each message unless asked otherwise.
    Http10,
    /// HTTP/1.1: persistent connections by default.
    Http11,
}

impl Version {
    /// The minor version number (0 or 1).
    pub const fn minor(self) -> u8 {
        match self {
            Version::Http10 => 0,
            Version::Http11 => 1,
        }
    }
}
