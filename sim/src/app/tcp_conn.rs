//! A TCP socket an app drives, with its state changes traced
//! (`tcp state=ESTABLISHED remote=a.b.c.d:p`).

use seqs::socket::{Handle, Tcp};
use seqs::tcp::State;

use super::AppCx;

pub(crate) struct Conn {
    pub handle: Handle<Tcp>,
    /// The state last traced.
    state: State,
}

impl Conn {
    pub fn new(handle: Handle<Tcp>, state: State) -> Self {
        Conn { handle, state }
    }

    /// The socket's state now, traced if it changed; `None` if the socket
    /// is gone.
    pub fn observe(&mut self, cx: &mut AppCx<'_, '_>) -> Option<State> {
        let socket = cx.stack.tcp(self.handle)?;
        let (state, remote) = (socket.state(), socket.remote_endpoint());
        if state != self.state {
            self.state = state;
            cx.trace("tcp", format_args!("state={state} remote={remote}"));
        }
        Some(state)
    }
}
