//! A TCP socket an app drives, with its state changes traced
//! (`tcp state=ESTABLISHED remote=a.b.c.d:p`).

use std::net::SocketAddrV4;

use seqs::socket::{Handle, Tcp};
use seqs::tcp::State;

use super::AppCx;

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
