//! The per-slot state machine: accept, read, serve, send, close, listen.

use super::connection::{Connection, Phase, Span};
use super::dispatch::{dispatch, error, Outcome};
use super::route::Route;
use super::writer::Stage;
use super::Config;
use crate::socket::{Handle, Tcp};
use crate::tcp::{self, State};
use crate::time::{Duration, Instant};
use crate::Stack;
use rand_core::RngCore;

/// Steps one slot may take in one poll: enough for a burst of pipelined
/// requests, bounded so one connection cannot starve the others.
const MAX_STEPS: usize = 16;

/// How long to wait before retrying a refused listen: by then the driver
/// has transmitted the pending RST.
const RELISTEN_DELAY: Duration = Duration::from_millis(1);

/// What every slot's poll shares.
pub(crate) struct Env<'e, C> {
    pub now: Instant,
    pub ctx: &'e mut C,
    pub routes: &'e [Route<C>],
    pub config: &'e Config,
}

/// Serves one slot as far as it can go now.
pub(crate) fn poll_slot<C, R: RngCore>(
    slot: &mut Connection<'_>,
    stack: &mut Stack<'_, R>,
    env: &mut Env<'_, C>,
) {
    let (now, config) = (env.now, env.config);
    let handle: Handle<Tcp> = slot.handle;
    let Some(socket) = stack.tcp(handle) else {
        return;
    };
    if let Phase::Idle = slot.phase {
        match socket.state() {
            State::Listen | State::SynReceived => return,
            State::Closed => {
                listen(slot, stack, now, config.port);
                return;
            }
            _ => slot.accept(now, config),
        }
    }
    for _ in 0..MAX_STEPS {
        if !step(slot, socket, env) {
            break;
        }
    }
    if let Phase::Idle = slot.phase {
        listen(slot, stack, now, config.port);
    }
}

/// Puts the slot's socket back in LISTEN, or schedules another try.
fn listen<R: RngCore>(
    slot: &mut Connection<'_>,
    stack: &mut Stack<'_, R>,
    now: Instant,
    port: u16,
) {
    slot.relisten = match stack.tcp_listen(slot.handle, port) {
        Ok(()) => None,
        Err(_) => Some(now + RELISTEN_DELAY),
    };
}

/// One step of a slot's state machine; returns whether it made progress.
fn step<C>(slot: &mut Connection<'_>, socket: &mut tcp::Socket<'_>, env: &mut Env<'_, C>) -> bool {
    let (now, config) = (env.now, env.config);
    if socket.state() == State::Closed || !slot.flush(now, socket) {
        socket.abort();
        slot.phase = Phase::Idle;
        return false;
    }
    let timed_out = now >= slot.last + config.idle_timeout;
    match slot.phase {
        Phase::Idle => false,
        Phase::Closing { since: None } if timed_out => {
            // The peer does not read the last response.
            socket.abort();
            slot.phase = Phase::Idle;
            false
        }
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
        Phase::Stream {
            span,
            part,
            close,
            stage,
        } => {
            serve(slot, socket, env, span, part, stage, close);
            true
        }
        Phase::Head => {
            let got = slot.receive(now, socket);
            let read = slot.read_head();
            let got = got || !matches!(slot.phase, Phase::Head);
            advance(slot, socket, env, read, got, timed_out)
        }
        Phase::Body { head_len, body } => {
            let got = slot.receive(now, socket);
            let read = slot.read_body(head_len, body);
            advance(slot, socket, env, read, got, timed_out)
        }
    }
}

/// Acts on an attempt to read a request: serve it, answer an error, wait
/// for more, or give up on a silent or departed peer.
fn advance<C>(
    slot: &mut Connection<'_>,
    socket: &mut tcp::Socket<'_>,
    env: &mut Env<'_, C>,
    read: Result<Option<Span>, u16>,
    progressed: bool,
    timed_out: bool,
) -> bool {
    match read {
        Ok(Some(span)) => {
            serve(slot, socket, env, span, 0, Stage::Empty, false);
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

/// Runs the handler for the request at `span` (part `part`, the head
/// already written unless `stage` is `Empty`) and moves on.
fn serve<C>(
    slot: &mut Connection<'_>,
    socket: &mut tcp::Socket<'_>,
    env: &mut Env<'_, C>,
    span: Span,
    part: u32,
    stage: Stage,
    close: bool,
) {
    let outcome = dispatch(slot, span, part, stage, close, env.routes, env.ctx);
    slot.last = env.now;
    slot.phase = match outcome {
        Outcome::Done { close } => {
            slot.inbox.consume(span.end);
            if close {
                Phase::Closing { since: None }
            } else {
                Phase::Head
            }
        }
        Outcome::Again { close, stage } => Phase::Stream {
            span,
            part: part.saturating_add(1),
            close,
            stage,
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
