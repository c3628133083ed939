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
    fn is_ready<R: RngCore>(self, stack: &Stack<'_, R>) -> bool {
        match self {
            Wait::Tcp(handle, event) => event.is_ready(stack, handle),
            Wait::Udp(handle, event) => stack
                .sockets()
                .udp_ref(handle)
                .is_none_or(|s| event.is_ready(s)),
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
    /// again). A full table evicts, and wakes, its slots in turn.
    pub(crate) fn register(&mut self, wait: Wait, waker: &Waker) {
        let mut entries = self.slots.iter_mut().flatten();
        if let Some((_, held)) = entries.find(|(w, _)| *w == wait) {
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
    pub(crate) fn wake_ready<R: RngCore>(&mut self, stack: &Stack<'_, R>) {
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

#[cfg(test)]
mod tests {
    extern crate std;

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;
    use std::vec;

    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use seqs::iface::Capacities;
    use seqs::storage::RingBuffer;
    use seqs::wire::EthernetAddress;
    use seqs::{Config, Storage};

    use super::*;

    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count::default());
        (count.clone(), Waker::from(count))
    }

    fn woken(count: &Count) -> usize {
        count.0.load(Ordering::SeqCst)
    }

    /// A stack with `n` idle TCP sockets, and their handles.
    fn stack(n: usize) -> (Stack<'static, ChaCha8Rng>, std::vec::Vec<Handle<Tcp>>) {
        let mac = EthernetAddress([2, 0, 0, 0, 0, 1]);
        let storage = Storage::with_capacity(Capacities::default());
        let mut stack = Stack::new(Config::new(mac), storage, ChaCha8Rng::seed_from_u64(1));
        let handles = (0..n)
            .map(|_| {
                let socket = seqs::tcp::Socket::new(
                    RingBuffer::new(vec![0; 64]),
                    RingBuffer::new(vec![0; 64]),
                );
                stack.add_tcp_socket(socket).unwrap()
            })
            .collect();
        (stack, handles)
    }

    #[test]
    fn a_second_task_on_the_same_wait_displaces_and_wakes_the_first() {
        let (_, h) = stack(1);
        let wait = Wait::Tcp(h[0], tcp::Event::Readable);
        let mut table = Waiters::<4>::new();
        let (first, first_waker) = waker();
        let (second, second_waker) = waker();
        table.register(wait, &first_waker);
        table.register(wait, &first_waker);
        assert_eq!((table.len(), woken(&first)), (1, 0), "same task: kept");
        table.register(wait, &second_waker);
        assert_eq!((table.len(), woken(&first), woken(&second)), (1, 1, 0));
    }

    #[test]
    fn a_full_table_evicts_in_turn_and_wakes_the_evicted() {
        let (_, h) = stack(3);
        let mut table = Waiters::<2>::new();
        let counts: std::vec::Vec<_> = h
            .iter()
            .map(|&handle| {
                let (count, w) = waker();
                table.register(Wait::Tcp(handle, tcp::Event::Writable), &w);
                count
            })
            .collect();
        assert_eq!(table.len(), 2);
        assert_eq!(
            counts
                .iter()
                .map(|c| woken(c))
                .collect::<std::vec::Vec<_>>(),
            [1, 0, 0]
        );
    }

    #[test]
    fn only_ready_waits_are_woken_and_forgotten_sockets_are_gone() {
        let (mut stack, h) = stack(2);
        let mut table = Waiters::<4>::new();
        let (read, read_waker) = waker();
        let (closed, closed_waker) = waker();
        // Idle sockets are closed: a connect waiting on one has failed and
        // a close is done; once listening, an accept still waits.
        table.register(Wait::Tcp(h[0], tcp::Event::Connected), &read_waker);
        table.register(Wait::Tcp(h[1], tcp::Event::Closed), &closed_waker);
        stack.tcp_listen(h[0], 80).unwrap();
        table.register(Wait::Tcp(h[0], tcp::Event::Accepted), &read_waker);
        table.wake_ready(&stack);
        assert_eq!(
            (woken(&read), woken(&closed)),
            (1, 1),
            "connect failed, close done"
        );
        assert_eq!(table.len(), 1, "the accept still waits");
        table.forget(SocketId::Tcp(h[0]));
        assert_eq!(table.len(), 0);
    }
}
