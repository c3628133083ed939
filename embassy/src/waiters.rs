//! The table of tasks waiting on a socket, kept beside the stack.
//!
//! A socket future that would block registers what it waits for (a
//! [`Wait`]) with its task's waker. After each round of the runner, every
//! entry whose condition now holds is woken and removed, and no other: a
//! task waiting on a quiet socket is never polled in vain.

use core::task::Waker;

use seqs::rand_core::RngCore;
use seqs::socket::{Handle, Tcp, Udp};
use seqs::Stack;

use crate::{tcp, udp};

/// What a task waits for on one socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    Tcp(Handle<Tcp>, tcp::Event),
    Udp(Handle<Udp>, udp::Event),
}

impl Wait {
    /// Whether retrying the operation would no longer block. A socket that
    /// is gone counts as ready: the retry reports the error.
    fn is_ready<R: RngCore>(self, stack: &mut Stack<'_, R>) -> bool {
        match self {
            Wait::Tcp(handle, event) => event.is_ready(stack, handle),
            Wait::Udp(handle, event) => stack.udp(handle).is_none_or(|s| event.is_ready(s)),
        }
    }

    fn is_on(self, socket: SocketId) -> bool {
        match (self, socket) {
            (Wait::Tcp(a, _), SocketId::Tcp(b)) => a == b,
            (Wait::Udp(a, _), SocketId::Udp(b)) => a == b,
            _ => false,
        }
    }
}

/// A socket whose entries are forgotten when it is dropped.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SocketId {
    Tcp(Handle<Tcp>),
    Udp(Handle<Udp>),
}

/// At most `W` waits at a time, no heap. Size it for the operations that
/// can be pending together (a task reading while another writes the same
/// socket counts two).
#[derive(Debug)]
pub(crate) struct Waiters<const W: usize> {
    slots: [Option<(Wait, Waker)>; W],
    /// Where the next eviction happens when the table is full.
    evict: usize,
}

impl<const W: usize> Waiters<W> {
    pub(crate) const fn new() -> Self {
        Waiters {
            slots: [const { None }; W],
            evict: 0,
        }
    }

    /// Records that `waker`'s task waits for `wait`. One task per wait:
    /// another task registering the same wait takes its place, and the one
    /// displaced is woken so it is never lost (it retries and registers
    /// again). A full table evicts, and wakes, the oldest slot in turn.
    pub(crate) fn register(&mut self, wait: Wait, waker: &Waker) {
        let entries = self.slots.iter_mut().flatten();
        if let Some((_, held)) = entries.into_iter().find(|(w, _)| *w == wait) {
            if !held.will_wake(waker) {
                core::mem::replace(held, waker.clone()).wake();
            }
            return;
        }
        let index = match self.slots.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                let index = self.evict % W.max(1);
                self.evict = self.evict.wrapping_add(1);
                index
            }
        };
        match self.slots.get_mut(index) {
            Some(slot) => {
                if let Some((_, evicted)) = slot.replace((wait, waker.clone())) {
                    evicted.wake();
                }
            }
            // A table of size zero: the task polls again at once.
            None => waker.wake_by_ref(),
        }
    }

    /// Wakes and removes every entry whose wait is over.
    pub(crate) fn wake_ready<R: RngCore>(&mut self, stack: &mut Stack<'_, R>) {
        for slot in &mut self.slots {
            if slot.as_ref().is_some_and(|(wait, _)| wait.is_ready(stack)) {
                if let Some((_, waker)) = slot.take() {
                    waker.wake();
                }
            }
        }
    }

    /// Drops the entries of a socket that is going away.
    pub(crate) fn forget(&mut self, socket: SocketId) {
        for slot in &mut self.slots {
            if slot.as_ref().is_some_and(|(wait, _)| wait.is_on(socket)) {
                *slot = None;
            }
        }
    }

    /// Waits currently registered (for tests and diagnostics).
    pub(crate) fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }
}
