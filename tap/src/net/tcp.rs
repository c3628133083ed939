//! Blocking TCP on the bridge's stack, shaped like `std::net::TcpListener`
//! and `std::net::TcpStream`: [`Read`] and [`Write`], timeouts, shutdown.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddrV4};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use seqs::socket::{Handle, Tcp};
use seqs::tcp::{Error, State};

use super::{app_error, timed_out_would_block, Net};
use crate::backlog::{add_tcp_socket, Backlog};
use crate::TapStack;

/// Listening sockets on a port; [`TcpListener::accept`] hands out each
/// connection as a [`TcpStream`]. Stops listening on drop.
#[derive(Debug)]
pub struct TcpListener {
    net: Net,
    backlog: Mutex<Backlog>,
}

impl TcpListener {
    pub(super) fn bind(net: Net, port: u16, depth: usize) -> io::Result<Self> {
        let backlog = net
            .with_stack(|stack| Backlog::open(stack, port, depth))
            .map_err(app_error)?;
        Ok(TcpListener {
            net,
            backlog: Mutex::new(backlog),
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddrV4> {
        let port = self.backlog().port();
        Ok(SocketAddrV4::new(self.net.ip_or_unspecified(), port))
    }

    /// Waits for a peer to complete a handshake.
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddrV4)> {
        let mut backlog = self.backlog();
        let handle = self
            .net
            .shared
            .wait_for(None, |stack| backlog.accept(stack).map_err(app_error))?;
        let stream = TcpStream::new(self.net.clone(), handle);
        let peer = stream.peer_addr()?;
        Ok((stream, peer))
    }

    /// An iterator over [`TcpListener::accept`]ed streams, like std's.
    pub fn incoming(&self) -> impl Iterator<Item = io::Result<TcpStream>> + '_ {
        std::iter::repeat_with(|| self.accept().map(|(stream, _)| stream))
    }

    fn backlog(&self) -> std::sync::MutexGuard<'_, Backlog> {
        self.backlog.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        let mut backlog = self.backlog();
        self.net.with_stack(|stack| backlog.close(stack));
    }
}

/// One connection. Clones made by [`TcpStream::try_clone`] share it (one
/// thread may read while another writes); when the last is dropped the
/// connection closes gracefully, and the bridge removes the socket once
/// the peer has closed too.
#[derive(Debug)]
pub struct TcpStream {
    conn: Arc<Connection>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

#[derive(Debug)]
struct Connection {
    net: Net,
    handle: Handle<Tcp>,
    /// `shutdown(Read)`: reads return end of stream from now on.
    read_shut: AtomicBool,
}

impl Drop for Connection {
    fn drop(&mut self) {
        let handle = self.handle;
        self.net.with_stack(|stack| {
            if let Some(socket) = stack.tcp(handle) {
                socket.close();
            }
        });
        self.net.shared.orphan(handle);
    }
}

impl TcpStream {
    fn new(net: Net, handle: Handle<Tcp>) -> Self {
        TcpStream {
            conn: Arc::new(Connection {
                net,
                handle,
                read_shut: AtomicBool::new(false),
            }),
            read_timeout: None,
            write_timeout: None,
        }
    }

    pub(super) fn connect(
        net: Net,
        remote: SocketAddrV4,
        timeout: Option<Duration>,
    ) -> io::Result<Self> {
        let now = net.shared.clock.now();
        let handle = net.with_stack(|stack| open_connection(stack, now, remote))?;
        let stream = TcpStream::new(net, handle);
        stream.wait_connected(timeout).inspect_err(|_| {
            stream.conn.net.with_stack(|stack| {
                if let Some(socket) = stack.tcp(handle) {
                    socket.abort();
                }
            });
        })?;
        Ok(stream)
    }

    /// Like std's `connect_timeout`, an expired timeout is `TimedOut`.
    fn wait_connected(&self, timeout: Option<Duration>) -> io::Result<()> {
        let handle = self.conn.handle;
        let shared = &self.conn.net.shared;
        shared.wait_for(timeout, |stack| match socket(stack, handle)?.state() {
            State::SynSent | State::SynReceived => Ok(None),
            State::Closed => Err(io::Error::new(
                io::ErrorKind::ConnectionRefused,
                "connection refused or timed out",
            )),
            _ => Ok(Some(())),
        })
    }

    /// Another handle on the same connection.
    pub fn try_clone(&self) -> io::Result<TcpStream> {
        Ok(TcpStream {
            conn: Arc::clone(&self.conn),
            read_timeout: self.read_timeout,
            write_timeout: self.write_timeout,
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddrV4> {
        self.with_socket(|s| s.local_endpoint())
    }

    pub fn peer_addr(&self) -> io::Result<SocketAddrV4> {
        self.with_socket(|s| s.remote_endpoint())
    }

    /// `None` blocks until data arrives; with a timeout, reads fail with
    /// `WouldBlock` like std's on Unix.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.read_timeout = check_timeout(timeout)?;
        Ok(())
    }

    /// Bounds how long a write waits for send-buffer space.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.write_timeout = check_timeout(timeout)?;
        Ok(())
    }

    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        Ok(self.read_timeout)
    }

    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        Ok(self.write_timeout)
    }

    /// `Write` sends a FIN after the queued data; `Read` makes further
    /// reads return end of stream; `Both` does both.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        if matches!(how, Shutdown::Read | Shutdown::Both) {
            self.conn.read_shut.store(true, Ordering::SeqCst);
        }
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            self.with_socket(|s| s.close())?;
        }
        Ok(())
    }

    /// The connection's state, for tests and diagnostics.
    pub fn state(&self) -> io::Result<State> {
        self.with_socket(|s| s.state())
    }

    fn with_socket<T>(
        &self,
        f: impl FnOnce(&mut seqs::tcp::Socket<'static>) -> T,
    ) -> io::Result<T> {
        let handle = self.conn.handle;
        self.conn
            .net
            .with_stack(|stack| socket(stack, handle).map(f))
    }

    /// Retries `attempt` on the socket, between rounds of the bridge.
    fn wait<T>(
        &self,
        timeout: Option<Duration>,
        mut attempt: impl FnMut(&mut seqs::tcp::Socket<'static>) -> io::Result<Option<T>>,
    ) -> io::Result<T> {
        let handle = self.conn.handle;
        self.conn
            .net
            .shared
            .wait_for(timeout, |stack| attempt(socket(stack, handle)?))
            .map_err(timed_out_would_block)
    }
}

impl Read for TcpStream {
    /// Waits for data; `Ok(0)` once the peer closed and everything was
    /// read (or after `shutdown(Read)`); `ConnectionReset` if it was reset.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.conn.read_shut.load(Ordering::SeqCst) {
            return Ok(0);
        }
        self.wait(self.read_timeout, |socket| match socket.recv_slice(buf) {
            Ok(0) => Ok(None),
            Ok(n) => Ok(Some(n)),
            Err(Error::Finished) => Ok(Some(0)),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset",
            )),
        })
    }
}

impl Write for TcpStream {
    /// Queues what fits in the send buffer, waiting while it is full.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.wait(self.write_timeout, |socket| match socket.send_slice(buf) {
            Ok(0) => Ok(None),
            Ok(n) => Ok(Some(n)),
            Err(_) if socket.state() == State::Closed => Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset",
            )),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the connection is closed for writing",
            )),
        })
    }

    /// Waits (up to the write timeout) until the peer acknowledged every
    /// queued byte: std's flush is a no-op, but a test that wants to know
    /// its data arrived can ask for it here.
    fn flush(&mut self) -> io::Result<()> {
        self.wait(self.write_timeout, |socket| {
            if socket.send_queue() == 0 {
                Ok(Some(()))
            } else if socket.state() == State::Closed {
                Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "connection reset with data unacknowledged",
                ))
            } else {
                Ok(None)
            }
        })
    }
}

fn open_connection(
    stack: &mut TapStack,
    now: seqs::time::Instant,
    remote: SocketAddrV4,
) -> io::Result<Handle<Tcp>> {
    let handle = add_tcp_socket(stack).map_err(app_error)?;
    match stack.tcp_connect(handle, now, remote) {
        Ok(_) => Ok(handle),
        Err(e) => {
            stack.remove_socket(handle);
            Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!("cannot connect to {remote}: {e:?}"),
            ))
        }
    }
}

fn socket(
    stack: &mut TapStack,
    handle: Handle<Tcp>,
) -> io::Result<&mut seqs::tcp::Socket<'static>> {
    stack
        .tcp(handle)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "socket removed"))
}

/// std rejects a zero timeout; so do we.
fn check_timeout(timeout: Option<Duration>) -> io::Result<Option<Duration>> {
    if timeout == Some(Duration::ZERO) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "cannot set a 0 duration timeout",
        ));
    }
    Ok(timeout)
}

impl Net {
    fn ip_or_unspecified(&self) -> Ipv4Addr {
        self.local_ip().unwrap_or(Ipv4Addr::UNSPECIFIED)
    }
}
