use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;
use std::task::{Context, Waker};
use std::vec::Vec;

use embassy_net_driver::{Capabilities, HardwareAddress, LinkState};

use super::*;
use crate::testing::{Poller, TimeGuard};

/// The radio side: frames queued for the pump, frames it sent, and how many
/// transmit slots the driver has free.
#[derive(Default)]
struct Air {
    inbound: VecDeque<Vec<u8>>,
    sent: Vec<Vec<u8>>,
    free_slots: usize,
    waker: Option<Waker>,
}

#[derive(Clone, Default)]
struct MockDriver(Rc<RefCell<Air>>);

impl MockDriver {
    fn with_slots(free_slots: usize) -> Self {
        let driver = MockDriver::default();
        driver.0.borrow_mut().free_slots = free_slots;
        driver
    }

    fn arrive(&self, frame: &[u8]) {
        let mut air = self.0.borrow_mut();
        air.inbound.push_back(frame.to_vec());
        if let Some(w) = air.waker.take() {
            w.wake();
        }
    }

    fn free(&self, slots: usize) {
        let mut air = self.0.borrow_mut();
        air.free_slots += slots;
        if let Some(w) = air.waker.take() {
            w.wake();
        }
    }

    fn sent(&self) -> Vec<Vec<u8>> {
        self.0.borrow().sent.clone()
    }

    fn listen(&self, cx: &Context<'_>) -> std::cell::RefMut<'_, Air> {
        let mut air = self.0.borrow_mut();
        air.waker = Some(cx.waker().clone());
        air
    }
}

struct Rx(Rc<RefCell<Air>>);
struct Tx(Rc<RefCell<Air>>);

impl RxToken for Rx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        let mut frame = self.0.borrow_mut().inbound.pop_front().unwrap();
        f(&mut frame)
    }
}

impl TxToken for Tx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = vec![0; len];
        let r = f(&mut frame);
        let mut air = self.0.borrow_mut();
        air.free_slots -= 1;
        air.sent.push(frame);
        r
    }
}

impl Driver for MockDriver {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx;

    fn receive(&mut self, cx: &mut Context) -> Option<(Rx, Tx)> {
        let air = self.listen(cx);
        let ready = !air.inbound.is_empty() && air.free_slots > 0;
        drop(air);
        ready.then(|| (Rx(self.0.clone()), Tx(self.0.clone())))
    }

    fn transmit(&mut self, cx: &mut Context) -> Option<Tx> {
        let ready = self.listen(cx).free_slots > 0;
        ready.then(|| Tx(self.0.clone()))
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
        HardwareAddress::Ethernet([2, 0, 0, 0, 0, 1])
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Received(u64, Vec<u8>),
    Sent(u64, Vec<u8>),
}

/// The stack side: replies to every frame with `b"re:" + frame`, and sends
/// queued frames once they are due.
#[derive(Default)]
struct Host {
    events: Vec<Event>,
    outbox: VecDeque<(Instant, Vec<u8>)>,
    /// A stack that reports a deadline it never acts on.
    stuck_deadline: Option<Instant>,
}

#[derive(Clone, Default)]
struct MockStack(Rc<RefCell<Host>>);

impl MockStack {
    fn queue(&self, due_millis: u64, frame: Vec<u8>) {
        let due = Instant::from_millis(due_millis);
        self.0.borrow_mut().outbox.push_back((due, frame));
    }

    fn events(&self) -> Vec<Event> {
        self.0.borrow().events.clone()
    }

    fn sent(&self) -> Vec<(u64, Vec<u8>)> {
        let sent = self.events().into_iter().filter_map(|e| match e {
            Event::Sent(at, frame) => Some((at, frame)),
            Event::Received(..) => None,
        });
        sent.collect()
    }
}

impl FrameStack for MockStack {
    fn receive(&mut self, now: Instant, frame: &[u8]) {
        let mut host = self.0.borrow_mut();
        let at = now.total_millis();
        host.events.push(Event::Received(at, frame.to_vec()));
        host.outbox.push_back((now, [b"re:", frame].concat()));
    }

    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        let mut host = self.0.borrow_mut();
        if host.outbox.front()?.0 > now {
            return None;
        }
        let (_, frame) = host.outbox.pop_front()?;
        host.events
            .push(Event::Sent(now.total_millis(), frame.clone()));
        // Oversized frames are claimed without being written: a broken stack.
        if let Some(dst) = buf.get_mut(..frame.len()) {
            dst.copy_from_slice(&frame);
        }
        Some(frame.len())
    }

    fn poll_at(&self) -> Option<Instant> {
        let host = self.0.borrow();
        let due = host.outbox.iter().map(|(due, _)| *due).min();
        due.or(host.stuck_deadline)
    }
}

fn pump(driver: &MockDriver, stack: &MockStack) -> Poller<impl Future<Output = ()>> {
    let pump = Pump::new(driver.clone(), stack.clone());
    Poller::new(async move {
        pump.run().await;
    })
}

#[test]
fn a_received_frame_reaches_the_stack_and_its_reply_goes_out() {
    let time = TimeGuard::new();
    let (driver, stack) = (MockDriver::with_slots(4), MockStack::default());
    let mut run = pump(&driver, &stack);
    assert!(run.poll().is_pending());
    time.advance_millis(7);
    driver.arrive(b"ping");
    assert_eq!(run.wakes(), 1);
    assert!(run.poll().is_pending());
    assert_eq!(
        stack.events(),
        [
            Event::Received(7, b"ping".to_vec()),
            Event::Sent(7, b"re:ping".to_vec())
        ]
    );
    assert_eq!(driver.sent(), [b"re:ping".to_vec()]);
}

#[test]
fn an_idle_pump_never_wakes_on_its_own() {
    let time = TimeGuard::new();
    let (driver, stack) = (MockDriver::with_slots(4), MockStack::default());
    let mut run = pump(&driver, &stack);
    assert!(run.poll().is_pending());
    time.advance_millis(3_600_000);
    assert_eq!(run.wakes(), 0, "no periodic tick");
    driver.arrive(b"x");
    assert_eq!(run.wakes(), 1);
}

#[test]
fn the_stack_deadline_wakes_the_pump_exactly_on_time() {
    let time = TimeGuard::new();
    let (driver, stack) = (MockDriver::with_slots(4), MockStack::default());
    stack.queue(100, b"retransmission".to_vec());
    let mut run = pump(&driver, &stack);
    assert!(run.poll().is_pending());
    assert!(driver.sent().is_empty());
    time.advance_millis(99);
    assert_eq!(run.wakes(), 0);
    time.advance_millis(1);
    assert_eq!(run.wakes(), 1);
    assert!(run.poll().is_pending());
    assert_eq!(stack.sent(), [(100, b"retransmission".to_vec())]);
    assert_eq!(driver.sent(), [b"retransmission".to_vec()]);
}

#[test]
fn a_full_transmit_queue_delays_frames_but_loses_none() {
    let _time = TimeGuard::new();
    let (driver, stack) = (MockDriver::with_slots(1), MockStack::default());
    for frame in [b"one", b"two", b"six"] {
        stack.queue(0, frame.to_vec());
    }
    let mut run = pump(&driver, &stack);
    assert!(run.poll().is_pending());
    assert_eq!(driver.sent(), [b"one".to_vec()]);
    assert_eq!(run.wakes(), 0, "a full queue is waited on, not polled");
    driver.free(2);
    assert_eq!(run.wakes(), 1);
    assert!(run.poll().is_pending());
    let all: Vec<Vec<u8>> = [b"one", b"two", b"six"].map(|f| f.to_vec()).into();
    assert_eq!(driver.sent(), all);
}

#[test]
fn frames_that_break_the_length_contract_are_dropped() {
    let _time = TimeGuard::new();
    let (driver, stack) = (MockDriver::with_slots(4), MockStack::default());
    stack.queue(0, vec![0xaa; MAX_FRAME + 1]);
    stack.queue(0, Vec::new());
    stack.queue(0, b"fine".to_vec());
    let mut run = pump(&driver, &stack);
    assert!(run.poll().is_pending());
    assert_eq!(driver.sent(), [b"fine".to_vec()]);
}

#[test]
fn an_overdue_deadline_yields_instead_of_spinning() {
    let _time = TimeGuard::new();
    let (driver, stack) = (MockDriver::with_slots(4), MockStack::default());
    stack.0.borrow_mut().stuck_deadline = Some(Instant::ZERO);
    let mut run = pump(&driver, &stack);
    assert!(run.poll().is_pending());
    assert_eq!(run.wakes(), 1, "yielded, and asked to run again");
}

#[test]
fn a_burst_of_frames_alternates_delivery_and_replies() {
    let _time = TimeGuard::new();
    let (driver, stack) = (MockDriver::with_slots(64), MockStack::default());
    let frames: Vec<Vec<u8>> = (0..6u8).map(|i| vec![i]).collect();
    for frame in &frames {
        driver.arrive(frame);
    }
    let mut run = pump(&driver, &stack);
    assert!(run.poll().is_pending());
    let kinds: String = stack
        .events()
        .iter()
        .map(|e| match e {
            Event::Received(..) => 'r',
            Event::Sent(..) => 's',
        })
        .collect();
    assert_eq!(kinds, "rrrrssssrrss");
    assert_eq!(driver.sent().len(), frames.len());
}
