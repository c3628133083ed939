//! An Ethernet cable in memory: two [`Driver`] ends, each delivering what
//! the other sends. Two runners on its ends connect two stacks without
//! hardware, so code written against the async sockets (a service, a
//! client) runs in host tests exactly as it will on a board. No heap: each
//! direction holds up to `F` frames in place.

use core::cell::RefCell;
use core::task::Context;

use embassy_net_driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::waitqueue::WakerRegistration;
use seqs::wire::EthernetAddress;

use crate::runner::MAX_FRAME;

/// Frames travelling one way, oldest first.
struct Queue<const F: usize> {
    frames: [[u8; MAX_FRAME]; F],
    lens: [usize; F],
    head: usize,
    len: usize,
}

impl<const F: usize> Queue<F> {
    const fn new() -> Self {
        Queue {
            frames: [[0; MAX_FRAME]; F],
            lens: [0; F],
            head: 0,
            len: 0,
        }
    }

    fn has_room(&self) -> bool {
        self.len < F
    }

    /// Appends `frame`; a full queue drops it, as a full NIC queue does.
    fn push(&mut self, frame: &[u8]) {
        let at = (self.head + self.len) % F.max(1);
        if let (true, Some(slot), Some(len)) = (
            self.has_room(),
            self.frames.get_mut(at),
            self.lens.get_mut(at),
        ) {
            let n = frame.len().min(MAX_FRAME);
            slot[..n].copy_from_slice(&frame[..n]);
            *len = n;
            self.len += 1;
        }
    }

    /// Copies the oldest frame into `buf`, removes it and returns its length.
    fn pop(&mut self, buf: &mut [u8; MAX_FRAME]) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let (frame, len) = (self.frames.get(self.head)?, *self.lens.get(self.head)?);
        buf[..len].copy_from_slice(&frame[..len]);
        self.head = (self.head + 1) % F.max(1);
        self.len -= 1;
        Some(len)
    }
}

struct Wires<const F: usize> {
    /// `towards[i]`: frames on their way to end `i`.
    towards: [Queue<F>; 2],
    /// Each end's runner, woken when a frame arrives or room frees.
    wakers: [WakerRegistration; 2],
}

/// The cable; [`Cable::ends`] gives out its two drivers.
pub struct Cable<M: RawMutex, const F: usize> {
    wires: Mutex<M, RefCell<Wires<F>>>,
}

impl<M: RawMutex, const F: usize> Cable<M, F> {
    pub const fn new() -> Self {
        Cable {
            wires: Mutex::new(RefCell::new(Wires {
                towards: [Queue::new(), Queue::new()],
                wakers: [WakerRegistration::new(), WakerRegistration::new()],
            })),
        }
    }

    /// The two ends, with the hardware addresses their drivers report.
    pub fn ends(&self, macs: [EthernetAddress; 2]) -> (CableEnd<'_, M, F>, CableEnd<'_, M, F>) {
        let end = |me: usize| CableEnd {
            cable: self,
            me,
            mac: macs[me],
        };
        (end(0), end(1))
    }

    fn with<T>(&self, f: impl FnOnce(&mut Wires<F>) -> T) -> T {
        self.wires.lock(|cell| f(&mut cell.borrow_mut()))
    }

    /// Sends `frame` from end `from` to the other end.
    fn send(&self, from: usize, frame: &[u8]) {
        let to = 1 - from;
        self.with(|wires| {
            wires.towards[to].push(frame);
            wires.wakers[to].wake();
        });
    }

    /// Takes the oldest frame waiting for end `at`.
    fn take(&self, at: usize, buf: &mut [u8; MAX_FRAME]) -> usize {
        self.with(|wires| {
            let len = wires.towards[at].pop(buf).unwrap_or(0);
            // Room freed on the way the other end sends.
            wires.wakers[1 - at].wake();
            len
        })
    }
}

impl<M: RawMutex, const F: usize> Default for Cable<M, F> {
    fn default() -> Self {
        Cable::new()
    }
}

impl<M: RawMutex, const F: usize> core::fmt::Debug for Cable<M, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Cable").finish_non_exhaustive()
    }
}

/// One end of a [`Cable`]: a driver whose link is always up.
#[derive(Debug)]
pub struct CableEnd<'c, M: RawMutex, const F: usize> {
    cable: &'c Cable<M, F>,
    me: usize,
    mac: EthernetAddress,
}

impl<M: RawMutex, const F: usize> CableEnd<'_, M, F> {
    /// Registers the runner's waker, then reports (frame waiting, room to
    /// send).
    fn state(&self, cx: &Context<'_>) -> (bool, bool) {
        self.cable.with(|wires| {
            wires.wakers[self.me].register(cx.waker());
            let inbound = wires.towards[self.me].len > 0;
            (inbound, wires.towards[1 - self.me].has_room())
        })
    }
}

/// A received frame, taken off the cable when consumed.
#[derive(Debug)]
pub struct CableRx<'c, M: RawMutex, const F: usize>(&'c Cable<M, F>, usize);

/// Room to send one frame.
#[derive(Debug)]
pub struct CableTx<'c, M: RawMutex, const F: usize>(&'c Cable<M, F>, usize);

impl<M: RawMutex, const F: usize> RxToken for CableRx<'_, M, F> {
    fn consume<R, G: FnOnce(&mut [u8]) -> R>(self, f: G) -> R {
        let mut buf = [0; MAX_FRAME];
        let len = self.0.take(self.1, &mut buf);
        f(&mut buf[..len])
    }
}

impl<M: RawMutex, const F: usize> TxToken for CableTx<'_, M, F> {
    fn consume<R, G: FnOnce(&mut [u8]) -> R>(self, len: usize, f: G) -> R {
        let mut buf = [0; MAX_FRAME];
        let frame = &mut buf[..len.min(MAX_FRAME)];
        let r = f(frame);
        self.0.send(self.1, frame);
        r
    }
}

impl<'c, M: RawMutex, const F: usize> Driver for CableEnd<'c, M, F> {
    type RxToken<'a>
        = CableRx<'c, M, F>
    where
        Self: 'a;
    type TxToken<'a>
        = CableTx<'c, M, F>
    where
        Self: 'a;

    /// A waiting frame is handed over whether or not the way back has room:
    /// a reply into a full queue is dropped (as by a NIC), where waiting for
    /// room would let two ends that both filled up wait on each other.
    fn receive(&mut self, cx: &mut Context) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let (inbound, _) = self.state(cx);
        let tokens = (CableRx(self.cable, self.me), CableTx(self.cable, self.me));
        inbound.then_some(tokens)
    }

    fn transmit(&mut self, cx: &mut Context) -> Option<Self::TxToken<'_>> {
        let (_, room) = self.state(cx);
        room.then_some(CableTx(self.cable, self.me))
    }

    fn link_state(&mut self, _cx: &mut Context) -> LinkState {
        LinkState::Up
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = MAX_FRAME;
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet(self.mac.0)
    }
}

#[cfg(test)]
mod tests {
    use core::task::Waker;

    use embassy_sync::blocking_mutex::raw::NoopRawMutex;

    use super::*;

    const MACS: [EthernetAddress; 2] = [
        EthernetAddress([2, 0, 0, 0, 0, 1]),
        EthernetAddress([2, 0, 0, 0, 0, 2]),
    ];

    fn send(end: &mut CableEnd<'_, NoopRawMutex, 2>, frame: &[u8]) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        let Some(tx) = end.transmit(&mut cx) else {
            return false;
        };
        tx.consume(frame.len(), |buf| buf.copy_from_slice(frame));
        true
    }

    fn receive(end: &mut CableEnd<'_, NoopRawMutex, 2>) -> Option<([u8; 8], usize)> {
        let mut cx = Context::from_waker(Waker::noop());
        let (rx, _) = end.receive(&mut cx)?;
        Some(rx.consume(|frame| {
            let mut copy = [0; 8];
            copy[..frame.len()].copy_from_slice(frame);
            (copy, frame.len())
        }))
    }

    #[test]
    fn frames_cross_in_order_and_a_full_direction_refuses_more() {
        let cable = Cable::<NoopRawMutex, 2>::new();
        let macs = MACS;
        let (mut a, mut b) = cable.ends(macs);
        assert_eq!(b.hardware_address(), HardwareAddress::Ethernet(macs[1].0));
        for round in 0..3u8 {
            assert!(send(&mut a, &[round, 1]) && send(&mut a, &[round, 2, 2]));
            assert!(!send(&mut a, b"full"), "two frames fill a direction");
            assert!(receive(&mut a).is_none(), "nothing came the other way");
            let (first, n) = receive(&mut b).unwrap();
            assert_eq!(&first[..n], [round, 1]);
            let (second, n) = receive(&mut b).unwrap();
            assert_eq!(&second[..n], [round, 2, 2]);
            assert!(receive(&mut b).is_none());
        }
    }

    #[test]
    fn ends_whose_ways_are_both_full_still_receive() {
        let cable = Cable::<NoopRawMutex, 2>::new();
        let macs = MACS;
        let (mut a, mut b) = cable.ends(macs);
        for i in 0..2u8 {
            assert!(send(&mut a, &[i]) && send(&mut b, &[i, i]));
        }
        assert!(!send(&mut a, b"x") && !send(&mut b, b"x"), "both ways full");
        let (frame, n) = receive(&mut a).expect("a frame for a, though b's way is full");
        assert_eq!(&frame[..n], [0, 0]);
        let (frame, n) = receive(&mut b).expect("and one for b");
        assert_eq!(&frame[..n], [0]);
    }
}
