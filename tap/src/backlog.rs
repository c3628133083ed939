//! A TCP port that keeps accepting: the stack takes one connection per
//! listening socket, so a server keeps `depth` sockets in LISTEN on its
//! port and hands out each one as soon as a peer opened it, replacing it
//! with a fresh listener.

use seqs::socket::{Handle, Tcp};
use seqs::storage::RingBuffer;
use seqs::tcp::State;

use crate::apps::AppError;
use crate::TapStack;

/// Receive and send buffer of every TCP socket the bridge's users open: a
/// 64 KiB window (scaled) keeps a LAN path busy.
pub const TCP_BUFFER: usize = 64 * 1024;

/// A fresh TCP socket with [`TCP_BUFFER`]-byte buffers, added to `stack`.
pub fn add_tcp_socket(stack: &mut TapStack) -> Result<Handle<Tcp>, AppError> {
    let socket = seqs::tcp::Socket::new(
        RingBuffer::new(vec![0u8; TCP_BUFFER]),
        RingBuffer::new(vec![0u8; TCP_BUFFER]),
    );
    stack.add_tcp_socket(socket).ok_or(AppError::NoSocketSlot)
}

/// Listening sockets on one port, replenished as connections arrive.
#[derive(Debug)]
pub struct Backlog {
    port: u16,
    depth: usize,
    listening: Vec<Handle<Tcp>>,
}

impl Backlog {
    /// Puts `depth` (at least one) sockets in LISTEN on `port`.
    pub fn open(stack: &mut TapStack, port: u16, depth: usize) -> Result<Self, AppError> {
        let mut backlog = Backlog {
            port,
            depth: depth.max(1),
            listening: Vec::new(),
        };
        if let Err(e) = backlog.refill(stack) {
            backlog.close(stack);
            return Err(e);
        }
        Ok(backlog)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The next connection a peer completed (ESTABLISHED or beyond), if
    /// any; its listener is replaced. A listener reset during its handshake
    /// listens again.
    pub fn accept(&mut self, stack: &mut TapStack) -> Result<Option<Handle<Tcp>>, AppError> {
        let mut accepted = None;
        for i in 0..self.listening.len() {
            let handle = self.listening[i];
            match stack.tcp(handle).map(|s| s.state()) {
                Some(State::Listen | State::SynReceived) => {}
                Some(State::Closed) => listen(stack, handle, self.port)?,
                Some(_) if accepted.is_none() => {
                    accepted = Some(handle);
                    self.listening.remove(i);
                    break;
                }
                _ => {}
            }
        }
        self.refill(stack)?;
        Ok(accepted)
    }

    /// Removes the sockets still listening (or half-open) from the stack.
    pub fn close(&mut self, stack: &mut TapStack) {
        for handle in self.listening.drain(..) {
            if let Some(socket) = stack.tcp(handle) {
                socket.abort();
            }
            stack.remove_socket(handle);
        }
    }

    fn refill(&mut self, stack: &mut TapStack) -> Result<(), AppError> {
        while self.listening.len() < self.depth {
            let handle = add_tcp_socket(stack)?;
            if let Err(e) = listen(stack, handle, self.port) {
                stack.remove_socket(handle);
                return Err(e);
            }
            self.listening.push(handle);
        }
        Ok(())
    }
}

fn listen(stack: &mut TapStack, handle: Handle<Tcp>, port: u16) -> Result<(), AppError> {
    stack.tcp_listen(handle, port).map_err(AppError::Tcp)
}
