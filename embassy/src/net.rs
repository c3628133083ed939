//! The handle shared by the runner and the sockets: the node (and its
//! stack), the waiter table and the runner's wake-up, behind one lock.

use core::cell::RefCell;
use core::future::poll_fn;
use core::marker::PhantomData;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::waitqueue::WakerRegistration;
use seqs::Stack;

use crate::node::Node;
use crate::waiters::{SocketId, Wait, Waiters};

/// A `seqs` node shared between its [`Runner`](crate::Runner) and async
/// sockets ([`TcpSocket`](crate::TcpSocket), [`UdpSocket`](crate::UdpSocket)).
///
/// Every access takes the blocking mutex `M` for a short, synchronous
/// section and never across an `.await`. On a single executor
/// `NoopRawMutex` costs nothing; `CriticalSectionRawMutex` lets other
/// executors or interrupts share it, at the price of masking interrupts
/// while a frame is processed. `W` bounds how many socket operations can
/// wait at once (see [`Net::waiting`]).
pub struct Net<'a, M: RawMutex, N: Node<'a>, const W: usize> {
    inner: Mutex<M, RefCell<Inner<N, W>>>,
    stack: PhantomData<&'a ()>,
}

pub(crate) struct Inner<N, const W: usize> {
    pub(crate) node: N,
    pub(crate) waiters: Waiters<W>,
    /// The runner's task, woken when the application queued work.
    runner: WakerRegistration,
    poked: bool,
    link_up: bool,
    /// The task watching the link, woken when it goes up or down.
    link_watch: WakerRegistration,
}

impl<N, const W: usize> Inner<N, W> {
    /// Asks the runner for a round: something the application did may have
    /// queued a segment or changed what other tasks wait for.
    pub(crate) fn poke(&mut self) {
        self.poked = true;
        self.runner.wake();
    }

    /// Consumes a pending poke, or registers the runner to be woken by the
    /// next one.
    pub(crate) fn take_poke(&mut self, cx: &mut Context<'_>) -> bool {
        if self.poked {
            self.poked = false;
            return true;
        }
        self.runner.register(cx.waker());
        false
    }

    pub(crate) fn clear_poke(&mut self) {
        self.poked = false;
    }

    pub(crate) fn set_link(&mut self, up: bool) {
        if self.link_up != up {
            self.link_up = up;
            self.link_watch.wake();
        }
    }

    pub(crate) fn link_up(&self) -> bool {
        self.link_up
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> Net<'a, M, N, W> {
    /// Shares `node`; nothing moves until a [`Runner`](crate::Runner) runs.
    pub const fn new(node: N) -> Self {
        Net {
            inner: Mutex::new(RefCell::new(Inner {
                node,
                waiters: Waiters::new(),
                runner: WakerRegistration::new(),
                poked: false,
                link_up: false,
                link_watch: WakerRegistration::new(),
            })),
            stack: PhantomData,
        }
    }

    /// Runs `f` under the lock. `f` never awaits and never re-enters.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Inner<N, W>) -> T) -> T {
        self.inner.lock(|cell| f(&mut cell.borrow_mut()))
    }

    /// Runs `f` on the node (status, counters, configuration), then has
    /// the runner look at the stack again. `f` must not use this `Net`.
    pub fn with_node<T>(&self, f: impl FnOnce(&mut N) -> T) -> T {
        self.with(|inner| {
            let value = f(&mut inner.node);
            inner.poke();
            value
        })
    }

    /// Runs `f` on the stack, then has the runner look at it again.
    pub fn with_stack<T>(&self, f: impl FnOnce(&mut Stack<'a, N::Rng>) -> T) -> T {
        self.with_node(|node| f(node.stack()))
    }

    /// One attempt of a socket operation: `attempt` runs on the stack;
    /// `Pending` registers the task for `wait`, anything else has the
    /// runner send what the operation queued.
    pub(crate) fn attempt<T>(
        &self,
        cx: &mut Context<'_>,
        wait: Wait,
        attempt: impl FnOnce(&mut Stack<'a, N::Rng>) -> Poll<T>,
    ) -> Poll<T> {
        self.with(|inner| {
            let outcome = attempt(inner.node.stack());
            match outcome {
                Poll::Ready(_) => inner.poke(),
                Poll::Pending => inner.waiters.register(wait, cx.waker()),
            }
            outcome
        })
    }

    /// Removes a socket and whatever still waits on it.
    pub(crate) fn drop_socket(&self, socket: SocketId) {
        self.with(|inner| {
            inner.waiters.forget(socket);
            let stack = inner.node.stack();
            match socket {
                SocketId::Tcp(handle) => stack.remove_socket(handle),
                SocketId::Udp(handle) => stack.remove_socket(handle),
            };
            inner.poke();
        });
    }

    /// Whether the driver last reported its link up (for Wi-Fi: associated
    /// with an access point).
    pub fn is_link_up(&self) -> bool {
        self.with(|inner| inner.link_up())
    }

    /// Waits until the link is `up` (returns at once if it is). One task
    /// at a time may watch the link.
    pub async fn wait_link(&self, up: bool) {
        poll_fn(|cx| {
            self.with(|inner| {
                if inner.link_up == up {
                    Poll::Ready(())
                } else {
                    inner.link_watch.register(cx.waker());
                    Poll::Pending
                }
            })
        })
        .await
    }

    /// Socket operations waiting right now; at most `W`.
    pub fn waiting(&self) -> usize {
        self.with(|inner| inner.waiters.len())
    }
}

impl<'a, M: RawMutex, N: Node<'a>, const W: usize> core::fmt::Debug for Net<'a, M, N, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Locking here could re-enter a section that is printing.
        f.debug_struct("Net").finish_non_exhaustive()
    }
}
