//! An HTTP/1.1 server over `seqs` TCP sockets: sans-IO, no heap.
//!
//! The server owns `N` accept slots ([`Connection`]), each a TCP socket
//! listening on one port (together they are the accept backlog) plus two
//! caller buffers: the request buffer, reused for every request of a
//! keep-alive connection (pipelined requests wait in it), and the response
//! staging buffer, drained into the TCP send buffer as the peer acknowledges,
//! so a full send buffer delays a response and never truncates it.
//!
//! ```text
//! server.poll(now, &mut stack, &mut app);        // after receive, before transmit
//! while let Some(n) = stack.transmit(now, &mut frame) { nic.send(&frame[..n]) }
//! wake at min(stack.poll_at(), server.poll_at())
//! ```
//!
//! Requests are routed by method and exact path to [`Handler`]s; parse
//! errors and limits are answered with their status (400, 413, 414, 431,
//! 501, 505) and the connection is closed, unknown paths get 404 and known
//! paths with another method 405 with `Allow`.

mod connection;
mod dispatch;
mod inbox;
mod outbox;
mod route;
mod writer;

pub use connection::Connection;
pub use route::{Handler, Route};
pub use writer::ResponseWriter;

use connection::{Phase, Span};
use dispatch::{dispatch, error, Outcome};
use writer::Stage;

use crate::socket::{Handle, Tcp};
use crate::tcp::{self, State};
use crate::time::{Duration, Instant};
use crate::Stack;
use rand_core::RngCore;

/// The most header fields a request may carry (431 beyond).
pub const MAX_HEADERS: usize = 32;

/// Steps one slot may take in one poll: enough for a burst of pipelined
/// requests, bounded so one connection cannot starve the others.
const MAX_STEPS: usize = 16;

/// Server tunables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The TCP port every slot listens on.
    pub port: u16,
    /// A connection with no progress for this long is closed (a partial
    /// request gets 408).
    pub idle_timeout: Duration,
    /// How long a closing connection may take to finish before it is reset.
    pub linger: Duration,
    /// Cap on a request head; the request buffer's size also caps it.
    pub max_head: usize,
}

impl Config {
    /// Port `port`, 10 s keep-alive, 5 s linger, 8 KiB heads.
    pub const fn new(port: u16) -> Self {
        Config {
            port,
            idle_timeout: Duration::from_secs(10),
            linger: Duration::from_secs(5),
            max_head: 8192,
        }
    }
}

/// An HTTP/1.1 server: `N` connection slots and a route table over the
/// application state `C`.
#[derive(Debug)]
pub struct Server<'a, C, const N: usize> {
    config: Config,
    routes: &'a [Route<C>],
    slots: [Connection<'a>; N],
}

impl<'a, C, const N: usize> Server<'a, C, N> {
    /// Sockets start listening on the first [`poll`](Self::poll).
    pub fn new(config: Config, routes: &'a [Route<C>], slots: [Connection<'a>; N]) -> Self {
        Server {
            config,
            routes,
            slots,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The slots, for status pages (how many are busy).
    pub fn connections(&self) -> &[Connection<'a>] {
        &self.slots
    }

    /// Serves every slot: accepts, reads, runs handlers, sends, closes and
    /// re-listens. Call after feeding frames and before transmitting.
    pub fn poll<R: RngCore>(&mut self, now: Instant, stack: &mut Stack<'_, R>, ctx: &mut C) {
        for slot in &mut self.slots {
            poll_slot(slot, now, stack, ctx, self.routes, &self.config);
        }
    }

    /// The earliest instant a slot needs a poll without new frames
    /// (timeouts); `None` when only frames can make progress.
    pub fn poll_at(&self) -> Option<Instant> {
        self.slots
            .iter()
            .filter_map(|s| s.poll_at(&self.config))
            .min()
    }
}

fn poll_slot<C, R: RngCore>(
    slot: &mut Connection<'_>,
    now: Instant,
    stack: &mut Stack<'_, R>,
    ctx: &mut C,
    routes: &[Route<C>],
    config: &Config,
) {
    let handle: Handle<Tcp> = slot.handle;
    let Some(socket) = stack.tcp(handle) else {
        return;
    };
    if let Phase::Idle = slot.phase {
        match socket.state() {
            State::Listen | State::SynReceived => return,
            State::Closed => {
                let _ = stack.tcp_listen(handle, config.port);
                return;
            }
            _ => slot.accept(now, config),
        }
    }
    for _ in 0..MAX_STEPS {
        if !step(slot, now, socket, ctx, routes, config) {
            break;
        }
    }
    if let Phase::Idle = slot.phase {
        let _ = stack.tcp_listen(handle, config.port);
    }
}

/// One step of a slot's state machine; returns whether it made progress.
fn step<C>(
    slot: &mut Connection<'_>,
    now: Instant,
    socket: &mut tcp::Socket<'_>,
    ctx: &mut C,
    routes: &[Route<C>],
    config: &Config,
) -> bool {
    if socket.state() == State::Closed || !slot.flush(now, socket) {
        socket.abort();
        slot.phase = Phase::Idle;
        return false;
    }
    let timed_out = now >= slot.last + config.idle_timeout;
    match slot.phase {
        Phase::Idle => false,
        Phase::Closing { .. } => {
            if slot.close(now, socket, config) {
                slot.phase = Phase::Idle;
            }
            false
        }
        _ if !slot.outbox.is_empty() => {
            if timed_out {
                socket.abort();
                slot.phase = Phase::Idle;
            }
            false
        }
        Phase::Stream { span, part, close } => {
            let outcome = dispatch(slot, span, part, Stage::Chunked, close, routes, ctx);
            finish(slot, now, socket, span, part, outcome);
            true
        }
        Phase::Head => {
            let got = slot.receive(now, socket);
            let read = slot.read_head();
            let got = got || !matches!(slot.phase, Phase::Head);
            advance(slot, now, socket, ctx, routes, read, got, timed_out)
        }
        Phase::Body { head_len, body } => {
            let got = slot.receive(now, socket);
            let read = slot.read_body(head_len, body);
            advance(slot, now, socket, ctx, routes, read, got, timed_out)
        }
    }
}

/// Acts on an attempt to read a request: serve it, answer an error, wait
/// for more, or give up on a silent or departed peer.
#[allow(clippy::too_many_arguments)]
fn advance<C>(
    slot: &mut Connection<'_>,
    now: Instant,
    socket: &mut tcp::Socket<'_>,
    ctx: &mut C,
    routes: &[Route<C>],
    read: Result<Option<Span>, u16>,
    progressed: bool,
    timed_out: bool,
) -> bool {
    match read {
        Ok(Some(span)) => {
            let outcome = dispatch(slot, span, 0, Stage::Empty, false, routes, ctx);
            finish(slot, now, socket, span, 0, outcome);
            true
        }
        Err(status) => {
            fail(slot, status);
            true
        }
        Ok(None) if progressed => true,
        Ok(None) if slot.peer_closed || timed_out => {
            let partial = slot.inbox.len() > 0 || matches!(slot.phase, Phase::Body { .. });
            if partial && !slot.peer_closed {
                fail(slot, 408);
            } else {
                slot.phase = Phase::Closing { since: None };
            }
            true
        }
        Ok(None) => false,
    }
}

/// Moves on after a handler ran.
fn finish(
    slot: &mut Connection<'_>,
    now: Instant,
    socket: &mut tcp::Socket<'_>,
    span: Span,
    part: u32,
    outcome: Outcome,
) {
    slot.last = now;
    slot.phase = match outcome {
        Outcome::Done { close } => {
            slot.inbox.consume(span.end);
            if close {
                Phase::Closing { since: None }
            } else {
                Phase::Head
            }
        }
        Outcome::Again { close } => Phase::Stream {
            span,
            part: part.saturating_add(1),
            close,
        },
        Outcome::Broken => {
            socket.abort();
            Phase::Idle
        }
    };
}

/// Answers a request that cannot be served with `status`, then closes.
fn fail(slot: &mut Connection<'_>, status: u16) {
    error(slot, status);
    slot.inbox.clear();
    slot.phase = Phase::Closing { since: None };
}
