//! Why a client request failed.

use core::fmt;

use crate::http::{self, WriteError};
use crate::tcp;

/// Why a request could not be made or its response not be read. After any
/// error but [`Busy`](Error::Busy) the connection is dropped, and the client
/// is ready for a new request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// A request is already in progress.
    Busy,
    /// The request could not be written into the client's buffer: too
    /// large, or an invalid method, target or field.
    Request(WriteError),
    /// The connection could not be opened (no address, no socket).
    Connect(tcp::Error),
    /// The connection was reset or refused.
    Reset,
    /// The server closed the connection before the response was complete.
    Closed,
    /// No complete response within the configured timeout.
    Timeout,
    /// The response is malformed or its head exceeds the buffer.
    Response(http::Error),
    /// The body does not fit the caller's buffer.
    BodyTooLarge,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Busy => f.write_str("a request is in progress"),
            Error::Request(e) => write!(f, "request not written: {e}"),
            Error::Connect(e) => write!(f, "cannot connect: {e:?}"),
            Error::Reset => f.write_str("connection reset"),
            Error::Closed => f.write_str("connection closed before the response ended"),
            Error::Timeout => f.write_str("timed out"),
            Error::Response(e) => write!(f, "bad response: {e}"),
            Error::BodyTooLarge => f.write_str("response body larger than the buffer"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
