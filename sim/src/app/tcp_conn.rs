//! TCP sockets an app drives, with their state changes traced
//! (`tcp state=ESTABLISHED remote=a.b.c.d:p`), and listeners kept up to a
//! backlog for servers.

use std::net::SocketAddrV4;

use seqs::socket::{Handle, Tcp};
use seqs::tcp::State;

use super::AppCx;
use crate::host::tcp_socket;

pub(crate) struct Conn {
    pub handle: Handle<Tcp>,
    /// The state last traced.
    state: State,
    /// The peer, remembered past the close (the socket forgets it).
    remote: Option<SocketAddrV4>,
}

impl Conn {
    pub fn new(handle: Handle<Tcp>, state: State) -> Self {
        Conn {
            handle,
            state,
            remote: None,
        }
    }

    /// The socket's state now, traced if it changed; `None` if the socket
    /// is gone.
    pub fn observe(&mut self, cx: &mut AppCx<'_, '_>) -> Option<State> {
        let socket = cx.stack.tcp(self.handle)?;
        let state = socket.state();
        let remote = socket.remote_endpoint();
        if remote.port() != 0 {
            self.remote = Some(remote);
        }
        if state != self.state {
            self.state = state;
            let remote = self.remote.unwrap_or(remote);
            cx.trace("tcp", format_args!("state={state} remote={remote}"));
        }
        Some(state)
    }
}

/// Sockets listening on one port, topped up to a backlog: each accepted
/// connection leaves the set and is replaced when a socket slot is free.
pub(crate) struct Listeners {
    port: u16,
    backlog: usize,
    sockets: Vec<Conn>,
}

impl Listeners {
    pub fn new(port: u16, backlog: usize) -> Self {
        Listeners {
            port,
            backlog: backlog.max(1),
            sockets: Vec::new(),
        }
    }

    /// Tops the set up to the backlog; `false` when none listens (no socket
    /// slot was free, or the port is taken).
    pub fn fill(&mut self, cx: &mut AppCx<'_, '_>) -> bool {
        while self.sockets.len() < self.backlog {
            let Some(h) = cx.stack.add_tcp_socket(tcp_socket(cx.caps, *cx.tcp)) else {
                break;
            };
            if cx.stack.tcp_listen(h, self.port).is_err() {
                cx.stack.remove_socket(h);
                break;
            }
            self.sockets.push(Conn::new(h, State::Listen));
        }
        !self.sockets.is_empty()
    }

    /// Takes the listeners that got a connection out of the set.
    pub fn accept(&mut self, cx: &mut AppCx<'_, '_>) -> Vec<Conn> {
        let mut accepted = Vec::new();
        let mut index = 0;
        while index < self.sockets.len() {
            match self.sockets[index].observe(cx) {
                Some(State::Listen) => index += 1,
                Some(_) => accepted.push(self.sockets.remove(index)),
                None => {
                    self.sockets.remove(index);
                }
            }
        }
        accepted
    }
}
