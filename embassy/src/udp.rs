//! Async UDP: [`UdpSocket`] with `send_to` and `recv_from`.

use core::future::poll_fn;
use core::net::SocketAddrV4;
use core::task::Poll;

use embassy_sync::blocking_mutex::raw::RawMutex;
use seqs::socket::{Handle, Udp};
use seqs::udp::{self, RecvError, SendError};

use crate::error::Error;
use crate::net::Net;
use crate::node::Node;
use crate::waiters::{SocketId, Wait};

/// What a task waits for on a UDP socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    Datagram,
    /// Room for a datagram of this many bytes: a free slot alone would
    /// wake a large one every round while the queued bytes leave no room.
    Room(usize),
}

impl Event {
    pub(crate) fn is_ready(self, socket: &udp::Socket<'_>) -> bool {
        match self {
            Event::Datagram => socket.can_recv(),
            Event::Room(len) => socket.can_send_len(len),
        }
    }
}

/// A UDP socket in a [`Net`]'s stack. Dropping it removes it from the
/// stack, with any datagram the runner has not sent yet.
pub struct UdpSocket<'n, 'a, M: RawMutex, N: Node<'a>, const W: usize> {
    net: &'n Net<'a, M, N, W>,
    handle: Handle<Udp>,
}

impl<'n, 'a, M: RawMutex, N: Node<'a>, const W: usize> UdpSocket<'n, 'a, M, N, W> {
    /// Adds `socket` to the stack and binds it to `port` (zero: a free
    /// ephemeral port); [`local_port`](Self::local_port) tells which.
    pub fn bind(
        net: &'n Net<'a, M, N, W>,
        socket: udp::Socket<'a>,
        port: u16,
    ) -> Result<Self, Error> {
        let handle = net
            .with_stack(|stack| stack.add_udp_socket(socket))
            .ok_or(Error::NoSocketSlot)?;
        let this = UdpSocket { net, handle };
        net.with_stack(|stack| match port {
            0 => stack.bind_udp_ephemeral(handle).map(drop),
            port => stack.bind_udp(handle, port),
        })?;
        Ok(this)
    }

    pub fn handle(&self) -> Handle<Udp> {
        self.handle
    }

    pub fn local_port(&self) -> u16 {
        let handle = self.handle;
        self.net
            .with(|inner| {
                inner
                    .node
                    .stack()
                    .sockets()
                    .udp_ref(handle)
                    .map(|s| s.local_port())
            })
            .unwrap_or(0)
    }

    /// Queues `buf` as one datagram for `to`, waiting while the transmit
    /// queue is full.
    pub async fn send_to(&self, buf: &[u8], to: SocketAddrV4) -> Result<(), Error> {
        self.wait(Event::Room(buf.len()), |socket| {
            match socket.send_slice(buf, to) {
                Ok(()) => Poll::Ready(Ok(())),
                Err(SendError::BufferFull) => Poll::Pending,
                Err(SendError::TooLarge) => Poll::Ready(Err(Error::TooLarge)),
                Err(SendError::Unbound | SendError::Unaddressable) => {
                    Poll::Ready(Err(Error::Unaddressable))
                }
            }
        })
        .await
    }

    /// Waits for a datagram and copies it into `buf`; a datagram longer
    /// than `buf` is truncated, the rest discarded.
    pub async fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, SocketAddrV4), Error> {
        self.wait(Event::Datagram, |socket| match socket.recv() {
            Ok((data, meta)) => {
                let len = data.len().min(buf.len());
                if let (Some(dst), Some(src)) = (buf.get_mut(..len), data.get(..len)) {
                    dst.copy_from_slice(src);
                }
                Poll::Ready(Ok((len, meta.remote)))
            }
            Err(RecvError::Exhausted | RecvError::Truncated) => Poll::Pending,
        })
        .await
    }

    async fn wait<T>(
        &self,
        event: Event,
        mut attempt: impl FnMut(&mut udp::Socket<'a>) -> Poll<Result<T, Error>>,
    ) -> Result<T, Error> {
        let handle = self.handle;
        poll_fn(|cx| {
            self.net.attempt(cx, Wait::Udp(handle, event), |stack| {
                match stack.udp(handle) {
                    Some(socket) => attempt(socket),
                    None => Poll::Ready(Err(Error::NotConnected)),
                }
            })
        })
        .await
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> Drop for UdpSocket<'_, 'a, M, N, W> {
    fn drop(&mut self) {
        self.net.drop_socket(SocketId::Udp(self.handle));
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> core::fmt::Debug for UdpSocket<'_, 'a, M, N, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UdpSocket")
            .field("handle", &self.handle)
            .finish()
    }
}
