//! Async TCP: [`TcpSocket`] with `accept`, `connect` and
//! `embedded-io-async` [`Read`]/[`Write`].
//!
//! Reads, writes and flushes are the stack's own non-blocking
//! [`TcpConnection`] (`seqs::tcp::io`) retried on wake-ups: where it says
//! `WouldBlock`, the future registers its task and returns `Pending`, and
//! the runner wakes it when the same connection's `ReadReady`/`WriteReady`
//! say the retry will not block. One definition of "ready", no twin.

use core::future::poll_fn;
use core::net::SocketAddrV4;
use core::task::Poll;

use embassy_sync::blocking_mutex::raw::RawMutex;
use embedded_io_async::{ErrorType, Read, Write};
use seqs::rand_core::RngCore;
use seqs::socket::{Handle, Tcp};
use seqs::tcp::{self, IoError, State, TcpConnection};
use seqs::Stack;

use crate::error::Error;
use crate::net::Net;
use crate::node::Node;
use crate::waiters::{SocketId, Wait};

/// What a task waits for on a TCP socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    Readable,
    Writable,
    Flushed,
    Accepted,
    Connected,
    Closed,
}

impl Event {
    /// Whether the operation waiting for this event would no longer block.
    /// Only looks at the socket, so an idle one stays marked quiet in the
    /// stack. A socket that is gone counts as ready: the retry reports it.
    pub(crate) fn is_ready<R: RngCore>(self, stack: &Stack<'_, R>, handle: Handle<Tcp>) -> bool {
        let Some(socket) = stack.sockets().tcp_ref(handle) else {
            return true;
        };
        match self {
            Event::Readable => socket.read_ready(),
            Event::Writable => socket.write_ready(),
            Event::Flushed => socket.flushed() != Err(IoError::WouldBlock),
            Event::Accepted | Event::Connected | Event::Closed => {
                self.state_reached(socket.state())
            }
        }
    }

    /// For the events that are states: whether `state` ends the wait.
    fn state_reached(self, state: State) -> bool {
        match self {
            Event::Accepted => !matches!(state, State::Listen | State::SynReceived),
            Event::Connected => !matches!(state, State::SynSent | State::SynReceived),
            Event::Closed => matches!(state, State::Closed | State::TimeWait),
            Event::Readable | Event::Writable | Event::Flushed => true,
        }
    }
}

impl From<IoError> for Error {
    fn from(e: IoError) -> Self {
        match e {
            IoError::WriteClosed => Error::WriteClosed,
            IoError::WouldBlock | IoError::NotConnected | IoError::InvalidHandle => {
                Error::NotConnected
            }
        }
    }
}

/// A non-blocking result as a poll: `WouldBlock` is `Pending`.
fn poll_io<T>(result: Result<T, IoError>) -> Poll<Result<T, Error>> {
    match result {
        Err(IoError::WouldBlock) => Poll::Pending,
        other => Poll::Ready(other.map_err(Error::from)),
    }
}

/// A TCP socket in a [`Net`]'s stack: a server `accept`s on it, a client
/// `connect`s with it; either way it then reads and writes the connection
/// with `embedded-io-async`. It can be reused for one connection after
/// another once closed. Dropping it removes the socket from the stack at
/// once (a live peer then gets a RST): [`close`](Self::close) and
/// [`wait_closed`](Self::wait_closed) first for a graceful end.
///
/// To read and write at the same time, [`split`](Self::split) it.
pub struct TcpSocket<'n, 'a, M: RawMutex, N: Node<'a>, const W: usize> {
    net: &'n Net<'a, M, N, W>,
    handle: Handle<Tcp>,
}

impl<'n, 'a, M: RawMutex, N: Node<'a>, const W: usize> TcpSocket<'n, 'a, M, N, W> {
    /// Adds `socket` (with its buffers and configuration) to the stack.
    pub fn new(net: &'n Net<'a, M, N, W>, socket: tcp::Socket<'a>) -> Result<Self, Error> {
        let handle = net
            .with_stack(|stack| stack.add_tcp_socket(socket))
            .ok_or(Error::NoSocketSlot)?;
        Ok(TcpSocket { net, handle })
    }

    /// The socket's handle in the stack, for its counters and metrics
    /// through [`Net::with_stack`].
    pub fn handle(&self) -> Handle<Tcp> {
        self.handle
    }

    pub fn state(&self) -> State {
        self.with(|s| s.state()).unwrap_or(State::Closed)
    }

    pub fn local_endpoint(&self) -> Option<SocketAddrV4> {
        self.with(|s| s.local_endpoint())
    }

    pub fn remote_endpoint(&self) -> Option<SocketAddrV4> {
        self.with(|s| s.remote_endpoint())
    }

    /// Listens on `port` and waits for a peer to complete the handshake;
    /// returns the peer. Several sockets accepting on one port form its
    /// backlog: each takes one connection. The socket must be closed (or
    /// still listening on `port`, after an accept that was cancelled).
    pub async fn accept(&mut self, port: u16) -> Result<SocketAddrV4, Error> {
        let handle = self.handle;
        self.net.with_stack(|stack| {
            let socket = stack.tcp(handle).ok_or(Error::NotConnected)?;
            let listening = socket.state() == State::Listen;
            if listening && socket.local_endpoint().port() == port {
                return Ok(());
            }
            stack.tcp_listen(handle, port).map_err(Error::from)
        })?;
        self.wait(Event::Accepted, |conn| match conn.socket() {
            Ok(s) if s.state() == State::Closed => Poll::Ready(Err(Error::NotConnected)),
            Ok(s) if Event::Accepted.state_reached(s.state()) => {
                Poll::Ready(Ok(s.remote_endpoint()))
            }
            Ok(_) => Poll::Pending,
            Err(e) => Poll::Ready(Err(e.into())),
        })
        .await
    }

    /// Opens a connection to `remote` from the interface address and a
    /// free ephemeral port, and waits for the handshake. A RST, or the
    /// stack giving up on its SYNs, is [`Error::ConnectionRefused`].
    pub async fn connect(&mut self, remote: SocketAddrV4) -> Result<(), Error> {
        let (handle, now) = (self.handle, crate::clock::now());
        self.net
            .with_stack(|stack| stack.tcp_connect(handle, now, remote))?;
        self.wait(Event::Connected, |conn| match conn.socket() {
            Ok(s) if s.state() == State::Closed => Poll::Ready(Err(Error::ConnectionRefused)),
            Ok(s) if Event::Connected.state_reached(s.state()) => Poll::Ready(Ok(())),
            Ok(_) => Poll::Pending,
            Err(e) => Poll::Ready(Err(e.into())),
        })
        .await
    }

    /// Closes the write side: a FIN follows the queued data. Reading goes
    /// on until the peer closes too.
    pub fn close(&mut self) {
        self.with_poke(tcp::Socket::close);
    }

    /// Drops the connection at once; a connected peer gets a RST.
    pub fn abort(&mut self) {
        self.with_poke(tcp::Socket::abort);
    }

    /// Waits until the connection is over: closed, or in TIME-WAIT (which
    /// [`abort`](Self::abort) ends early if the socket is to be reused).
    pub async fn wait_closed(&mut self) {
        let _ = self
            .wait(Event::Closed, |conn| match conn.socket() {
                Ok(s) if !Event::Closed.state_reached(s.state()) => Poll::Pending,
                _ => Poll::Ready(Ok(())),
            })
            .await;
    }

    /// Looks at the socket without marking it as changed in the stack.
    fn with<T>(&self, f: impl FnOnce(&tcp::Socket<'a>) -> T) -> Option<T> {
        let handle = self.handle;
        self.net
            .with(|inner| inner.node.stack().sockets().tcp_ref(handle).map(f))
    }

    fn with_poke(&self, f: impl FnOnce(&mut tcp::Socket<'a>)) {
        let handle = self.handle;
        self.net.with_stack(|stack| stack.tcp(handle).map(f));
    }

    /// Retries `attempt` on the connection until it is ready.
    async fn wait<T>(
        &self,
        event: Event,
        mut attempt: impl FnMut(&mut TcpConnection<'_, 'a, N::Rng>) -> Poll<Result<T, Error>>,
    ) -> Result<T, Error> {
        let handle = self.handle;
        poll_fn(|cx| {
            self.net.attempt(cx, Wait::Tcp(handle, event), |stack| {
                attempt(&mut TcpConnection::new(stack, handle))
            })
        })
        .await
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> Drop for TcpSocket<'_, 'a, M, N, W> {
    fn drop(&mut self) {
        self.net.drop_socket(SocketId::Tcp(self.handle));
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> core::fmt::Debug for TcpSocket<'_, 'a, M, N, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TcpSocket")
            .field("handle", &self.handle)
            .finish()
    }
}

/// The read half of a [`TcpSocket`] ([`TcpSocket::split`]).
pub struct TcpReader<'s, 'n, 'a, M: RawMutex, N: Node<'a>, const W: usize>(
    &'s TcpSocket<'n, 'a, M, N, W>,
);

/// The write half of a [`TcpSocket`] ([`TcpSocket::split`]).
pub struct TcpWriter<'s, 'n, 'a, M: RawMutex, N: Node<'a>, const W: usize>(
    &'s TcpSocket<'n, 'a, M, N, W>,
);

impl<'n, 'a, M: RawMutex, N: Node<'a>, const W: usize> TcpSocket<'n, 'a, M, N, W> {
    /// Halves that read and write at the same time (from two tasks, or
    /// joined in one), such as a client sending a large request while the
    /// reply already streams back.
    pub fn split(
        &mut self,
    ) -> (
        TcpReader<'_, 'n, 'a, M, N, W>,
        TcpWriter<'_, 'n, 'a, M, N, W>,
    ) {
        (TcpReader(self), TcpWriter(self))
    }

    async fn read_into(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.wait(Event::Readable, |conn| {
            poll_io(embedded_io::Read::read(conn, buf))
        })
        .await
    }

    async fn write_from(&self, buf: &[u8]) -> Result<usize, Error> {
        self.wait(Event::Writable, |conn| {
            poll_io(embedded_io::Write::write(conn, buf))
        })
        .await
    }

    async fn flush_sent(&self) -> Result<(), Error> {
        self.wait(Event::Flushed, |conn| {
            poll_io(embedded_io::Write::flush(conn))
        })
        .await
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> ErrorType for TcpSocket<'_, 'a, M, N, W> {
    type Error = Error;
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> ErrorType for TcpReader<'_, '_, 'a, M, N, W> {
    type Error = Error;
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> ErrorType for TcpWriter<'_, '_, 'a, M, N, W> {
    type Error = Error;
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> Read for TcpSocket<'_, 'a, M, N, W> {
    /// Waits for data; `Ok(0)` once the peer closed and every byte was read.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.read_into(buf).await
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> Read for TcpReader<'_, '_, 'a, M, N, W> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.0.read_into(buf).await
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> Write for TcpSocket<'_, 'a, M, N, W> {
    /// Queues what fits in the send buffer, waiting while it is full; the
    /// runner is woken to send it at once.
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.write_from(buf).await
    }

    /// Waits until the peer acknowledged every byte written.
    async fn flush(&mut self) -> Result<(), Error> {
        self.flush_sent().await
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> Write for TcpWriter<'_, '_, 'a, M, N, W> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.0.write_from(buf).await
    }

    async fn flush(&mut self) -> Result<(), Error> {
        self.0.flush_sent().await
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> core::fmt::Debug
    for TcpReader<'_, '_, 'a, M, N, W>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("TcpReader").field(&self.0.handle).finish()
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> core::fmt::Debug
    for TcpWriter<'_, '_, 'a, M, N, W>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("TcpWriter").field(&self.0.handle).finish()
    }
}
