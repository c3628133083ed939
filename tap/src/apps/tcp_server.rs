//! The accept-and-serve loop the TCP server apps share: connections from
//! a [`Backlog`], each with the app's own state, done once closed (or in
//! TIME-WAIT, where the socket lingers until the stack closes it).

use seqs::socket::{Handle, Tcp};
use seqs::tcp::{Socket, State};

use super::AppError;
use crate::backlog::Backlog;
use crate::TapStack;

/// Listening sockets per server app: connections the peer may open
/// before the app has seen the previous ones.
const BACKLOG: usize = 4;

#[derive(Debug)]
pub(super) struct TcpServer<C> {
    backlog: Backlog,
    connections: Vec<(Handle<Tcp>, C)>,
    /// Sockets in TIME-WAIT after we closed first, removed once closed.
    lingering: Vec<Handle<Tcp>>,
}

impl<C> TcpServer<C> {
    pub(super) fn open(stack: &mut TapStack, port: u16) -> Result<Self, AppError> {
        Ok(TcpServer {
            backlog: Backlog::open(stack, port, BACKLOG)?,
            connections: Vec::new(),
            lingering: Vec::new(),
        })
    }

    pub(super) fn port(&self) -> u16 {
        self.backlog.port()
    }

    /// Accepts new connections (`accept` makes their state), runs `serve`
    /// on each, and returns the state of those that closed since.
    pub(super) fn poll(
        &mut self,
        stack: &mut TapStack,
        mut accept: impl FnMut(&Socket<'static>) -> C,
        mut serve: impl FnMut(&mut C, &mut Socket<'static>),
    ) -> Vec<C> {
        while let Ok(Some(handle)) = self.backlog.accept(stack) {
            if let Some(socket) = stack.tcp(handle) {
                self.connections.push((handle, accept(socket)));
            }
        }
        let mut finished = Vec::new();
        let mut i = 0;
        while i < self.connections.len() {
            let (handle, state) = &mut self.connections[i];
            let after = stack.tcp(*handle).map(|socket| {
                serve(state, socket);
                socket.state()
            });
            match after {
                Some(State::TimeWait) => self.lingering.push(*handle),
                Some(State::Closed) | None => {
                    stack.remove_socket(*handle);
                }
                Some(_) => {
                    i += 1;
                    continue;
                }
            }
            finished.push(self.connections.swap_remove(i).1);
        }
        self.lingering.retain(|&handle| {
            let closed = stack.tcp(handle).is_none_or(|s| s.state() == State::Closed);
            if closed {
                stack.remove_socket(handle);
            }
            !closed
        });
        finished
    }
}
