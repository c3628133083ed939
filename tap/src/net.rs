//! Blocking std-style sockets over a running bridge's stack, the Rust
//! counterpart of Go's `net.Conn`: user threads write ordinary blocking code
//! while the bridge thread drives the stack.
//!
//! The stack lives behind a mutex shared by the bridge and its users. The
//! bridge holds the lock while it feeds frames and drains the stack, releases
//! it while it sleeps, and notifies a condition variable after each round;
//! a socket call locks, tries, and waits on that condition until it can
//! proceed, then wakes the bridge so what it queued goes out at once.
//! `TcpListener`/`TcpStream` join [`UdpSocket`] here when the stack has TCP.

use std::io;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use seqs::socket::{Handle, Udp};
use seqs::udp::SendError;
use seqs::Endpoint;

use crate::apps::{open_udp, AppError};
use crate::TapStack;

/// The state the bridge thread shares with its controllers and sockets.
#[derive(Debug)]
pub(crate) struct Shared {
    stack: Mutex<TapStack>,
    /// Notified after every round of the bridge and when it stops.
    changed: Condvar,
    closed: AtomicBool,
    /// Write end of the bridge's wake-up channel.
    wake: UnixStream,
}

impl Shared {
    pub(crate) fn new(stack: TapStack, wake: UnixStream) -> Self {
        Shared {
            stack: Mutex::new(stack),
            changed: Condvar::new(),
            closed: AtomicBool::new(false),
            wake,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, TapStack> {
        self.stack.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Interrupts the bridge's sleep so it looks at the stack again.
    pub(crate) fn wake(&self) {
        use std::io::Write;
        // A full channel already holds a pending wake-up.
        let _ = (&self.wake).write(&[1]);
    }

    /// Called by the bridge after each round: socket state may have moved.
    pub(crate) fn notify(&self) {
        self.changed.notify_all();
    }

    /// Called by the bridge when it stops: blocked calls fail from now on.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let _guard = self.lock();
        self.changed.notify_all();
    }

    /// Runs `attempt` under the lock until it yields a value, waiting for
    /// the bridge between attempts, until `timeout` (`None`: forever).
    fn wait_for<T>(
        &self,
        timeout: Option<Duration>,
        mut attempt: impl FnMut(&mut TapStack) -> io::Result<Option<T>>,
    ) -> io::Result<T> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut stack = self.lock();
        loop {
            if let Some(value) = attempt(&mut stack)? {
                drop(stack);
                self.wake();
                return Ok(value);
            }
            if self.closed.load(Ordering::SeqCst) {
                return Err(io::Error::new(
                    io::ErrorKind::NotConnected,
                    "the bridge has stopped",
                ));
            }
            stack = match deadline {
                None => self
                    .changed
                    .wait(stack)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"));
                    }
                    self.changed
                        .wait_timeout(stack, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }
}

/// A handle on a running bridge's stack for blocking sockets; cheap to
/// clone and to send to other threads.
#[derive(Debug, Clone)]
pub struct Net {
    shared: Arc<Shared>,
}

impl Net {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Net { shared }
    }

    /// Our interface address, if configured.
    pub fn local_ip(&self) -> Option<Ipv4Addr> {
        self.shared.lock().ipv4_address().map(|c| c.address())
    }

    /// Runs `f` on the stack under the bridge's lock, then wakes the bridge:
    /// for anything the socket types do not cover (counters, neighbours).
    pub fn with_stack<T>(&self, f: impl FnOnce(&mut TapStack) -> T) -> T {
        let value = f(&mut self.shared.lock());
        self.shared.wake();
        value
    }

    /// A UDP socket bound to `port`; zero picks a free ephemeral port.
    pub fn bind_udp(&self, port: u16) -> io::Result<UdpSocket> {
        let (handle, port) = self
            .with_stack(|stack| open_udp(stack, port))
            .map_err(app_error)?;
        Ok(UdpSocket {
            net: self.clone(),
            handle,
            port,
            read_timeout: None,
            write_timeout: None,
        })
    }
}

fn app_error(e: AppError) -> io::Error {
    let kind = match e {
        AppError::NoSocketSlot => io::ErrorKind::OutOfMemory,
        AppError::Bind(seqs::iface::BindError::InUse) => io::ErrorKind::AddrInUse,
        AppError::Bind(_) => io::ErrorKind::AddrNotAvailable,
    };
    io::Error::new(kind, e)
}

/// A blocking UDP socket on the bridge's stack, shaped like
/// `std::net::UdpSocket`. Closed (unbound, removed) on drop.
#[derive(Debug)]
pub struct UdpSocket {
    net: Net,
    handle: Handle<Udp>,
    port: u16,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl UdpSocket {
    pub fn local_addr(&self) -> io::Result<SocketAddrV4> {
        let ip = self.net.local_ip().unwrap_or(Ipv4Addr::UNSPECIFIED);
        Ok(SocketAddrV4::new(ip, self.port))
    }

    /// `None` blocks until a datagram arrives; a timeout makes
    /// [`UdpSocket::recv_from`] fail with `TimedOut`.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.read_timeout = timeout;
    }

    /// Bounds how long [`UdpSocket::send_to`] waits for queue space.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) {
        self.write_timeout = timeout;
    }

    /// Queues `buf` for `to`, waiting while the transmit queue is full.
    pub fn send_to(&self, buf: &[u8], to: SocketAddrV4) -> io::Result<usize> {
        let to = Endpoint::new(*to.ip(), to.port());
        self.net.shared.wait_for(self.write_timeout, |stack| {
            match self.socket(stack)?.send_slice(buf, to) {
                Ok(()) => Ok(Some(buf.len())),
                Err(SendError::BufferFull) => Ok(None),
                Err(e) => Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("cannot send to {to}: {e:?}"),
                )),
            }
        })
    }

    /// Waits for a datagram and copies it into `buf`; like std, a datagram
    /// longer than `buf` is truncated and the rest discarded.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddrV4)> {
        self.net.shared.wait_for(self.read_timeout, |stack| {
            let Ok((data, meta)) = self.socket(stack)?.recv() else {
                return Ok(None);
            };
            let len = data.len().min(buf.len());
            buf[..len].copy_from_slice(&data[..len]);
            let from = SocketAddrV4::new(meta.remote.addr, meta.remote.port);
            Ok(Some((len, from)))
        })
    }

    fn socket<'s>(
        &self,
        stack: &'s mut TapStack,
    ) -> io::Result<&'s mut seqs::udp::Socket<'static>> {
        stack
            .udp(self.handle)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "socket removed"))
    }
}

impl Drop for UdpSocket {
    fn drop(&mut self) {
        let handle = self.handle;
        self.net.with_stack(|stack| {
            stack.remove_socket(handle);
        });
    }
}
