//! Moves frames between a Wi-Fi driver and a [`FrameStack`].
//!
//! The pump sleeps until the driver has a frame for the stack, the driver
//! can take a frame the stack could not send earlier, or the stack's own
//! deadline passes; it never wakes on a fixed period. Each wake-up runs one
//! round: deliver the received frames, then send what the stack has while
//! the driver has room.

use core::future::poll_fn;
use core::task::{Context, Poll};

use embassy_futures::select::select;
use embassy_futures::yield_now;
use embassy_net_driver::{Driver, RxToken, TxToken};
use embassy_time::Timer;
use seqs::time::Instant;

use crate::clock;
use crate::frame::FrameStack;

/// Largest Ethernet II frame without FCS: 14 bytes of header and a 1500-byte
/// payload, the CYW43439's limit too.
pub const MAX_FRAME: usize = 1514;

/// Frames delivered per round before the pump turns to sending, so a flood
/// of inbound traffic cannot starve the stack's replies.
const RX_BURST: usize = 4;

/// Outcome of a round: whether the driver refused more frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backlog {
    /// The stack has nothing more to send.
    Drained,
    /// The driver's transmit queue is full; the stack may have more.
    TransmitFull,
}

/// The driver-side loop of the sans-IO contract.
pub struct Pump<D, S> {
    driver: D,
    stack: S,
    /// The stack writes outbound frames here: the driver's transmit token
    /// needs the length before it hands out its buffer.
    scratch: [u8; MAX_FRAME],
    mtu: usize,
}

impl<D: Driver, S: FrameStack> Pump<D, S> {
    pub fn new(driver: D, stack: S) -> Self {
        let mtu = driver.capabilities().max_transmission_unit.min(MAX_FRAME);
        Pump {
            driver,
            stack,
            scratch: [0; MAX_FRAME],
            mtu,
        }
    }

    /// Runs the pump forever.
    pub async fn run(mut self) -> ! {
        loop {
            let backlog = poll_fn(|cx| Poll::Ready(self.round(cx))).await;
            self.sleep(backlog).await;
        }
    }

    fn round(&mut self, cx: &mut Context<'_>) -> Backlog {
        let now = clock::now();
        self.deliver(cx, now);
        self.send(cx, now)
    }

    fn deliver(&mut self, cx: &mut Context<'_>, now: Instant) {
        for _ in 0..RX_BURST {
            let Some((frame, _)) = self.driver.receive(cx) else {
                return;
            };
            frame.consume(|frame| self.stack.receive(now, frame));
        }
    }

    /// Asks the stack for a frame only while the driver holds a transmit
    /// slot for it, so no frame is produced that would have to be dropped.
    fn send(&mut self, cx: &mut Context<'_>, now: Instant) -> Backlog {
        loop {
            let Some(slot) = self.driver.transmit(cx) else {
                return Backlog::TransmitFull;
            };
            let Some(len) = self.stack.transmit(now, &mut self.scratch[..self.mtu]) else {
                return Backlog::Drained;
            };
            if let Some(frame) = self.scratch[..self.mtu]
                .get(..len)
                .filter(|f| !f.is_empty())
            {
                slot.consume(len, |buf| buf.copy_from_slice(frame));
            }
        }
    }

    async fn sleep(&mut self, backlog: Backlog) {
        let driver = &mut self.driver;
        let ready = poll_fn(|cx| {
            let inbound = driver.receive(cx).is_some();
            let outbound = backlog == Backlog::TransmitFull && driver.transmit(cx).is_some();
            if inbound || outbound {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        });
        // While the transmit queue is full the deadline waits too: whatever
        // a timer makes the stack do is a frame to send, and the stack gets
        // its turn as soon as a slot frees.
        let deadline = match backlog {
            Backlog::Drained => self.stack.poll_at(),
            Backlog::TransmitFull => None,
        };
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

#[cfg(test)]
mod tests;
