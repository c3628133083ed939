//! Blocking std-style sockets over a running bridge's stack, the Rust
//! counterpart of Go's `net.Conn`: user threads write ordinary blocking code
//! while the bridge thread drives the stack.
//!
//! The stack lives behind a mutex shared by the bridge and its users. The
//! bridge holds the lock while it feeds frames and drains the stack, releases
//! it while it sleeps, and notifies a condition variable after each round;
//! a socket call locks, tries, and waits on that condition until it can
//! proceed, then wakes the bridge so what it queued goes out at once.
//! A TCP stream dropped by its user may still owe the peer data and a FIN;
//! its socket is left to the bridge, which removes it once closed.

mod tcp;
mod udp;

use std::io;
use std::net::Ipv4Addr;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use seqs::socket::{Handle, Tcp};
use seqs::tcp::State;

use crate::apps::{open_udp, AppError};
use crate::{Clock, TapStack};

pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;

/// Accept backlog of a [`TcpListener`].
const LISTEN_BACKLOG: usize = 4;

/// The state the bridge thread shares with its controllers and sockets.
#[derive(Debug)]
pub(crate) struct Shared {
    stack: Mutex<TapStack>,
    /// Notified after every round of the bridge and when it stops.
    changed: Condvar,
    closed: AtomicBool,
    /// Write end of the bridge's wake-up channel.
    wake: UnixStream,
    /// Sockets of dropped TCP streams, removed once they have closed.
    orphans: Mutex<Vec<Handle<Tcp>>>,
    /// The bridge's clock, for calls that tell the stack the time.
    clock: Clock,
}

impl Shared {
    pub(crate) fn new(stack: TapStack, wake: UnixStream, clock: Clock) -> Self {
        Shared {
            stack: Mutex::new(stack),
            changed: Condvar::new(),
            closed: AtomicBool::new(false),
            wake,
            orphans: Mutex::default(),
            clock,
        }
    }

    /// Leaves a socket its owner no longer uses to [`Shared::reap`].
    fn orphan(&self, handle: Handle<Tcp>) {
        self.orphans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handle);
        self.wake();
    }

    /// Called by the bridge each round: removes orphaned sockets that are
    /// done (closed, or lingering only in TIME-WAIT).
    pub(crate) fn reap(&self, stack: &mut TapStack) {
        let mut orphans = self.orphans.lock().unwrap_or_else(PoisonError::into_inner);
        orphans.retain(|&handle| {
            let done = stack
                .tcp(handle)
                .is_none_or(|s| matches!(s.state(), State::Closed | State::TimeWait));
            if done {
                stack.remove_socket(handle);
            }
            !done
        });
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

    /// Listens on TCP `port` with a small accept backlog.
    pub fn listen_tcp(&self, port: u16) -> io::Result<TcpListener> {
        TcpListener::bind(self.clone(), port, LISTEN_BACKLOG)
    }

    /// Opens a connection to `remote`, waiting at most `timeout` for the
    /// handshake (`None`: as long as the stack keeps retrying the SYN).
    pub fn connect_tcp(
        &self,
        remote: std::net::SocketAddrV4,
        timeout: Option<Duration>,
    ) -> io::Result<TcpStream> {
        TcpStream::connect(self.clone(), remote, timeout)
    }
}

/// std's blocking sockets report an expired read or write timeout as
/// `WouldBlock` on Unix; so do ours.
fn timed_out_would_block(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::TimedOut {
        io::Error::new(io::ErrorKind::WouldBlock, "timed out")
    } else {
        e
    }
}

pub(crate) fn app_error(e: AppError) -> io::Error {
    let kind = match e {
        AppError::NoSocketSlot => io::ErrorKind::OutOfMemory,
        AppError::Bind(seqs::iface::BindError::InUse) => io::ErrorKind::AddrInUse,
        AppError::Bind(_) => io::ErrorKind::AddrNotAvailable,
        AppError::Tcp(seqs::tcp::Error::Unaddressable) | AppError::NoAddress => {
            io::ErrorKind::AddrNotAvailable
        }
        AppError::Tcp(_) | AppError::EmptyRange | AppError::DhcpConfig(_) => {
            io::ErrorKind::InvalidInput
        }
    };
    io::Error::new(kind, e)
}
