//! The driver side of the sans-IO contract: moves frames between an
//! [`embassy_net_driver::Driver`] and a [`Net`]'s node, and wakes the
//! socket tasks whose wait is over.
//!
//! The runner sleeps until the driver has a frame for the stack, the driver
//! can take a frame the stack could not send earlier, the link goes up or
//! down, the application queued work (a socket operation pokes it), or the
//! stack's own deadline passes; it never wakes on a fixed period. Each
//! wake-up runs one round: deliver the received frames, send what the
//! stack has while the driver has room, then wake exactly the waiting
//! socket operations that can now proceed.

use core::future::poll_fn;
use core::task::{Context, Poll};

use embassy_futures::select::select;
use embassy_futures::yield_now;
use embassy_net_driver::{Driver, LinkState, RxToken, TxToken};
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::Timer;
use seqs::time::Instant;

use crate::clock;
use crate::net::Net;
use crate::node::Node;

/// Largest Ethernet II frame without FCS: 14 bytes of header and a 1500-byte
/// payload.
pub const MAX_FRAME: usize = 1514;

/// Frames delivered per round before the runner turns to sending, so a
/// flood of inbound traffic cannot starve the stack's replies.
const RX_BURST: usize = 4;

/// Outcome of a round: whether the driver refused more frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backlog {
    /// The stack has nothing more to send.
    Drained,
    /// The driver's transmit queue is full; the stack may have more.
    TransmitFull,
}

/// Runs a [`Net`] on a driver; spawn [`Runner::run`] as its own task.
pub struct Runner<'n, 'a, D, M: RawMutex, N: Node<'a>, const W: usize> {
    net: &'n Net<'a, M, N, W>,
    driver: D,
    /// The stack writes outbound frames here: the driver's transmit token
    /// needs the length before it hands out its buffer.
    scratch: [u8; MAX_FRAME],
    mtu: usize,
}

impl<'n, 'a, D: Driver, M: RawMutex, N: Node<'a>, const W: usize> Runner<'n, 'a, D, M, N, W> {
    pub fn new(net: &'n Net<'a, M, N, W>, driver: D) -> Self {
        let mtu = driver.capabilities().max_transmission_unit.min(MAX_FRAME);
        Runner {
            net,
            driver,
            scratch: [0; MAX_FRAME],
            mtu,
        }
    }

    /// Runs the node forever.
    pub async fn run(mut self) -> ! {
        loop {
            let (backlog, deadline) = poll_fn(|cx| Poll::Ready(self.round(cx))).await;
            self.sleep(backlog, deadline).await;
        }
    }

    /// One round under the lock; returns what the runner waits for next.
    fn round(&mut self, cx: &mut Context<'_>) -> (Backlog, Option<Instant>) {
        let now = clock::now();
        let Runner {
            net,
            driver,
            scratch,
            mtu,
        } = self;
        net.with(|inner| {
            inner.clear_poke();
            inner.set_link(driver.link_state(cx) == LinkState::Up);
            deliver(driver, cx, &mut inner.node, now);
            let backlog = send(driver, cx, &mut inner.node, &mut scratch[..*mtu], now);
            inner.waiters.wake_ready(inner.node.stack());
            // While the transmit queue is full the deadline waits too:
            // whatever a timer makes the stack do is a frame to send, and
            // the stack gets its turn as soon as a slot frees.
            let deadline = match backlog {
                Backlog::Drained => inner.node.poll_at(),
                Backlog::TransmitFull => None,
            };
            (backlog, deadline)
        })
    }

    async fn sleep(&mut self, backlog: Backlog, deadline: Option<Instant>) {
        let (net, driver) = (self.net, &mut self.driver);
        let ready = poll_fn(|cx| {
            let inbound = driver.receive(cx).is_some();
            let outbound = backlog == Backlog::TransmitFull && driver.transmit(cx).is_some();
            let link = driver.link_state(cx) == LinkState::Up;
            let woken = net.with(|inner| inner.take_poke(cx) || inner.link_up() != link);
            if inbound || outbound || woken {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        });
        match deadline {
            None => ready.await,
            // Overdue: let the other tasks (the Wi-Fi runner above all) run
            // before the next round, so a stack that keeps asking for "now"
            // slows down instead of hanging the executor.
            Some(deadline) if deadline <= clock::now() => yield_now().await,
            Some(deadline) => {
                select(ready, Timer::at(clock::to_embassy(deadline))).await;
            }
        }
    }
}

fn deliver<'a, D: Driver, N: Node<'a>>(
    driver: &mut D,
    cx: &mut Context<'_>,
    node: &mut N,
    now: Instant,
) {
    for _ in 0..RX_BURST {
        let Some((frame, _)) = driver.receive(cx) else {
            return;
        };
        frame.consume(|frame| node.receive(now, frame));
    }
}

/// Asks the node for a frame only while the driver holds a transmit slot
/// for it, so no frame is produced that would have to be dropped.
fn send<'a, D: Driver, N: Node<'a>>(
    driver: &mut D,
    cx: &mut Context<'_>,
    node: &mut N,
    scratch: &mut [u8],
    now: Instant,
) -> Backlog {
    loop {
        let Some(slot) = driver.transmit(cx) else {
            return Backlog::TransmitFull;
        };
        let Some(len) = node.transmit(now, scratch) else {
            return Backlog::Drained;
        };
        if let Some(frame) = scratch.get(..len).filter(|f| !f.is_empty()) {
            slot.consume(len, |buf| buf.copy_from_slice(frame));
        }
    }
}

impl<'a, D, M: RawMutex, N: Node<'a>, const W: usize> core::fmt::Debug
    for Runner<'_, 'a, D, M, N, W>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Runner").field("mtu", &self.mtu).finish()
    }
}
