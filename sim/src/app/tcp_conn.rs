//! TCP sockets an app drives, with their state changes traced
//! (`tcp state=ESTABLISHED remote=a.b.c.d:p`), and the listener of a
//! server.

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
    /// Opens a connection to `to` on a new socket.
    pub fn connect(cx: &mut AppCx<'_, '_>, to: SocketAddrV4) -> Result<Conn, String> {
        let h = cx
            .stack
            .add_tcp_socket(tcp_socket(cx.caps, *cx.tcp))
            .ok_or("no socket for tcp")?;
        let now = cx.instant();
        if let Err(e) = cx.stack.tcp_connect(h, now, to) {
            cx.stack.remove_socket(h);
            return Err(format!("connect refused locally: {e:?}"));
        }
        Ok(Conn::new(h, State::Closed))
    }

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

/// A socket listening on a port for a server. The host polls its apps
/// after every frame, so a listener that took a connection is replaced
/// before the next SYN can arrive: one is always enough, and what bounds
/// concurrent connections is the host's socket slots (a SYN that finds no
/// listener is refused with a RST).
pub(crate) struct Listener {
    port: u16,
    socket: Option<Conn>,
}

impl Listener {
    pub fn new(port: u16) -> Self {
        Listener { port, socket: None }
    }

    /// Makes sure a socket listens; `false` when none does (no socket slot
    /// was free, or the port is taken).
    pub fn fill(&mut self, cx: &mut AppCx<'_, '_>) -> bool {
        if self.socket.is_none() {
            let Some(h) = cx.stack.add_tcp_socket(tcp_socket(cx.caps, *cx.tcp)) else {
                return false;
            };
            if cx.stack.tcp_listen(h, self.port).is_err() {
                cx.stack.remove_socket(h);
                return false;
            }
            self.socket = Some(Conn::new(h, State::Listen));
        }
        true
    }

    /// The connection the listener took, if it did; a new listener is put
    /// in its place when a socket slot is free.
    pub fn accept(&mut self, cx: &mut AppCx<'_, '_>) -> Option<Conn> {
        let mut socket = self.socket.take()?;
        match socket.observe(cx) {
            Some(State::Listen) => {
                self.socket = Some(socket);
                None
            }
            Some(_) => {
                self.fill(cx);
                Some(socket)
            }
            None => None,
        }
    }
}
