//! [`embedded-io`](embedded_io) `Read`/`Write` on a TCP connection, so
//! no_std code written against the usual traits can talk over the stack.
//!
//! # Non-blocking semantics
//!
//! `embedded-io` traits are specified as blocking, but a sans-IO stack
//! cannot block: only the driver loop (`receive`/`transmit`/`poll_at`)
//! moves data, and it is not running while the application holds the
//! stack. So a [`TcpConnection`] never waits. Where a blocking reader or
//! writer would wait, it returns [`IoError::WouldBlock`] at once; drive the
//! stack and try again. Use [`ReadReady`]/[`WriteReady`] (the
//! non-blocking interface `embedded-io` provides) to call only when the
//! call will not return `WouldBlock`.
//!
//! - `read` returns `Ok(n > 0)` with data, `Ok(0)` only at end of stream
//!   (the peer closed and every byte was read) or for an empty `buf`, and
//!   `WouldBlock` while the connection is open (or still opening) and
//!   nothing has arrived.
//! - `write` returns `Ok(n > 0)` when anything fit in the send buffer,
//!   `Ok(0)` only for an empty `buf`, `WouldBlock` when the buffer is full,
//!   and [`IoError::WriteClosed`] after [`close`](super::Socket::close).
//! - `flush` succeeds once the peer acknowledged every byte written, and
//!   returns `WouldBlock` until then.
//!
//! `embedded-io` has no `WouldBlock` error kind, so it reports as
//! [`ErrorKind::Other`]; match on [`IoError`] itself to tell it apart.
//! No kind that generic code retries on its own (such as `Interrupted`) is
//! used, because retrying without driving the stack would spin forever.

use super::{Error, Socket, State};
use crate::socket::{Handle, Tcp};
use crate::Stack;
use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write, WriteReady};
use rand_core::RngCore;

/// Why a read or write on a [`TcpConnection`] did not move data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoError {
    /// Nothing to read yet, or no room to write (or, for `flush`, data
    /// not yet acknowledged): drive the stack, then retry.
    WouldBlock,
    /// The socket has no connection: never opened, reset or aborted.
    NotConnected,
    /// The write side was closed by this end; nothing more can be sent.
    WriteClosed,
    /// The handle does not name a TCP socket of this stack.
    InvalidHandle,
}

impl core::fmt::Display for IoError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            IoError::WouldBlock => "operation would block",
            IoError::NotConnected => "not connected",
            IoError::WriteClosed => "write side closed",
            IoError::InvalidHandle => "not a TCP socket of this stack",
        })
    }
}

impl core::error::Error for IoError {}

impl embedded_io::Error for IoError {
    fn kind(&self) -> ErrorKind {
        match self {
            IoError::WouldBlock => ErrorKind::Other,
            IoError::NotConnected => ErrorKind::NotConnected,
            IoError::WriteClosed => ErrorKind::BrokenPipe,
            IoError::InvalidHandle => ErrorKind::InvalidInput,
        }
    }
}

/// A TCP connection as an `embedded-io` stream: the stack, borrowed for as
/// long as the application reads or writes, and the socket's handle. See
/// the [module documentation](self) for the non-blocking semantics.
#[derive(Debug)]
pub struct TcpConnection<'s, 'a, R> {
    stack: &'s mut Stack<'a, R>,
    handle: Handle<Tcp>,
}

impl<'s, 'a, R: RngCore> TcpConnection<'s, 'a, R> {
    pub fn new(stack: &'s mut Stack<'a, R>, handle: Handle<Tcp>) -> Self {
        TcpConnection { stack, handle }
    }

    /// The underlying socket, for state, counters, `close` and `abort`.
    pub fn socket(&mut self) -> Result<&mut Socket<'a>, IoError> {
        self.stack.tcp(self.handle).ok_or(IoError::InvalidHandle)
    }
}

/// Why `send_slice` refused, told apart by state.
fn write_refused(state: State) -> IoError {
    match state {
        State::Closed | State::Listen => IoError::NotConnected,
        _ => IoError::WriteClosed,
    }
}

impl<R> ErrorType for TcpConnection<'_, '_, R> {
    type Error = IoError;
}

impl<R: RngCore> Read for TcpConnection<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
        match self.socket()?.recv_slice(buf) {
            Ok(0) if !buf.is_empty() => Err(IoError::WouldBlock),
            Ok(n) => Ok(n),
            Err(Error::Finished) => Ok(0),
            Err(_) => Err(IoError::NotConnected),
        }
    }
}

impl<R: RngCore> ReadReady for TcpConnection<'_, '_, R> {
    fn read_ready(&mut self) -> Result<bool, IoError> {
        Ok(self.socket()?.read_ready())
    }
}

/// The readiness the connection's `embedded-io` traits report, on the
/// socket itself: a caller that only looks (an async runtime deciding whom
/// to wake) needs no mutable access.
impl Socket<'_> {
    /// True when `read` returns data or end of stream (or a connection
    /// error) rather than `WouldBlock`.
    pub fn read_ready(&self) -> bool {
        !matches!(self.peek(&mut [0u8]), Ok(0))
    }

    /// True when `write` of a non-empty buffer accepts data or fails for
    /// good rather than returning `WouldBlock`.
    pub fn write_ready(&self) -> bool {
        self.send_capacity() > 0 || !self.state().may_send()
    }

    /// What `flush` returns: done once the peer acknowledged every byte
    /// written.
    pub fn flushed(&self) -> Result<(), IoError> {
        if self.send_queue() == 0 {
            Ok(())
        } else if self.state() == State::Closed {
            Err(IoError::NotConnected)
        } else {
            Err(IoError::WouldBlock)
        }
    }
}

impl<R: RngCore> Write for TcpConnection<'_, '_, R> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
        let socket = self.socket()?;
        match socket.send_slice(buf) {
            Ok(0) if !buf.is_empty() => Err(IoError::WouldBlock),
            Ok(n) => Ok(n),
            Err(_) => Err(write_refused(socket.state())),
        }
    }

    fn flush(&mut self) -> Result<(), IoError> {
        self.socket()?.flushed()
    }
}

impl<R: RngCore> WriteReady for TcpConnection<'_, '_, R> {
    fn write_ready(&mut self) -> Result<bool, IoError> {
        Ok(self.socket()?.write_ready())
    }
}
