//! A blocking UDP socket on the bridge's stack.

use std::io;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use seqs::socket::{Handle, Udp};
use seqs::udp::SendError;

use super::{timed_out_would_block, Net};
use crate::TapStack;

/// A blocking UDP socket on the bridge's stack, shaped like
/// `std::net::UdpSocket`. Closed (unbound, removed) on drop.
#[derive(Debug)]
pub struct UdpSocket {
    pub(super) net: Net,
    pub(super) handle: Handle<Udp>,
    pub(super) port: u16,
    pub(super) read_timeout: Option<Duration>,
    pub(super) write_timeout: Option<Duration>,
}

impl UdpSocket {
    pub fn local_addr(&self) -> io::Result<SocketAddrV4> {
        let ip = self.net.local_ip().unwrap_or(Ipv4Addr::UNSPECIFIED);
        Ok(SocketAddrV4::new(ip, self.port))
    }

    /// `None` blocks until a datagram arrives; a timeout makes
    /// [`UdpSocket::recv_from`] fail with `WouldBlock`, as std's does on Unix.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.read_timeout = timeout;
    }

    /// Bounds how long [`UdpSocket::send_to`] waits for queue space.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) {
        self.write_timeout = timeout;
    }

    /// Queues `buf` for `to`, waiting while the transmit queue is full.
    pub fn send_to(&self, buf: &[u8], to: SocketAddrV4) -> io::Result<usize> {
        self.net
            .shared
            .wait_for(self.write_timeout, |stack| {
                match self.socket(stack)?.send_slice(buf, to) {
                    Ok(()) => Ok(Some(buf.len())),
                    Err(SendError::BufferFull) => Ok(None),
                    Err(e) => Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("cannot send to {to}: {e:?}"),
                    )),
                }
            })
            .map_err(timed_out_would_block)
    }

    /// Waits for a datagram and copies it into `buf`; like std, a datagram
    /// longer than `buf` is truncated and the rest discarded.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddrV4)> {
        self.net
            .shared
            .wait_for(self.read_timeout, |stack| {
                let Ok((data, meta)) = self.socket(stack)?.recv() else {
                    return Ok(None);
                };
                let len = data.len().min(buf.len());
                buf[..len].copy_from_slice(&data[..len]);
                Ok(Some((len, meta.remote)))
            })
            .map_err(timed_out_would_block)
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
