//! The one error type of the async sockets.

use embedded_io_async::ErrorKind;

/// Why a socket operation failed. Waiting is never an error: where the
/// non-blocking stack would say "try again", the operation awaits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Every socket slot of the stack is taken.
    NoSocketSlot,
    /// The call does not fit the socket's state (accept or connect on a
    /// socket that is in use, bind of a bound socket).
    InvalidState,
    /// No interface address yet, no free port, a zero port or an
    /// unspecified remote address.
    Unaddressable,
    /// Another socket holds the port.
    AddressInUse,
    /// The peer refused the connection (RST), or the handshake timed out.
    ConnectionRefused,
    /// There is no connection (never opened, reset or aborted).
    NotConnected,
    /// This end closed its write side; nothing more can be sent.
    WriteClosed,
    /// The datagram can never be sent: larger than the transmit buffer or
    /// than IPv4 allows.
    TooLarge,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Error::NoSocketSlot => "no free socket slot",
            Error::InvalidState => "not possible in the socket's state",
            Error::Unaddressable => "no usable address or port",
            Error::AddressInUse => "port in use",
            Error::ConnectionRefused => "connection refused or timed out",
            Error::NotConnected => "not connected",
            Error::WriteClosed => "write side closed",
            Error::TooLarge => "datagram too large",
        })
    }
}

impl core::error::Error for Error {}

impl embedded_io_async::Error for Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::NoSocketSlot => ErrorKind::OutOfMemory,
            Error::InvalidState | Error::TooLarge => ErrorKind::InvalidInput,
            Error::Unaddressable => ErrorKind::AddrNotAvailable,
            Error::AddressInUse => ErrorKind::AddrInUse,
            Error::ConnectionRefused => ErrorKind::ConnectionRefused,
            Error::NotConnected => ErrorKind::NotConnected,
            Error::WriteClosed => ErrorKind::BrokenPipe,
        }
    }
}

impl From<seqs::iface::BindError> for Error {
    fn from(e: seqs::iface::BindError) -> Self {
        match e {
            seqs::iface::BindError::Invalid => Error::InvalidState,
            seqs::iface::BindError::InUse => Error::AddressInUse,
            seqs::iface::BindError::Exhausted => Error::Unaddressable,
        }
    }
}

impl From<seqs::tcp::Error> for Error {
    fn from(e: seqs::tcp::Error) -> Self {
        match e {
            seqs::tcp::Error::Unaddressable => Error::Unaddressable,
            seqs::tcp::Error::InvalidState | seqs::tcp::Error::Finished => Error::InvalidState,
        }
    }
}
