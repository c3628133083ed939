//! The runner against a scripted driver and a scripted node: when it
//! wakes, what it delivers and sends, and in which order.

mod common;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::{Context, Waker};

use common::{Executor, TaskId, TestStack, TimeGuard};
use embassy_net_driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use seqs::time::Instant;
use seqs_embassy::{Net, Node, MAX_FRAME};

/// The radio side: frames queued for the runner, frames it sent, free
/// transmit slots and the link state.
struct Air {
    inbound: VecDeque<Vec<u8>>,
    sent: Vec<Vec<u8>>,
    free_slots: usize,
    link_up: bool,
    waker: Option<Waker>,
}

#[derive(Clone)]
struct MockDriver(Rc<RefCell<Air>>);

impl MockDriver {
    fn with_slots(free_slots: usize) -> Self {
        MockDriver(Rc::new(RefCell::new(Air {
            inbound: VecDeque::new(),
            sent: Vec::new(),
            free_slots,
            link_up: true,
            waker: None,
        })))
    }

    fn change(&self, f: impl FnOnce(&mut Air)) {
        let mut air = self.0.borrow_mut();
        f(&mut air);
        if let Some(w) = air.waker.take() {
            w.wake();
        }
    }

    fn arrive(&self, frame: &[u8]) {
        self.change(|air| air.inbound.push_back(frame.to_vec()));
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

    fn link_state(&mut self, cx: &mut Context) -> LinkState {
        match self.listen(cx).link_up {
            true => LinkState::Up,
            false => LinkState::Down,
        }
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

/// The node side: replies to every frame with `b"re:" + frame`, and sends
/// queued frames once they are due. Its stack (idle, no sockets) is there
/// only because a node has one.
#[derive(Default)]
struct Host {
    events: Vec<Event>,
    outbox: VecDeque<(Instant, Vec<u8>)>,
    /// A node that reports a deadline it never acts on.
    stuck_deadline: Option<Instant>,
}

struct MockNode {
    host: Rc<RefCell<Host>>,
    stack: TestStack,
}

impl MockNode {
    fn queue(&mut self, due_millis: u64, frame: &[u8]) {
        let due = Instant::from_millis(due_millis);
        self.host
            .borrow_mut()
            .outbox
            .push_back((due, frame.to_vec()));
    }
}

impl Node<'static> for MockNode {
    type Rng = <TestStack as Node<'static>>::Rng;

    fn stack(&mut self) -> &mut TestStack {
        &mut self.stack
    }

    fn receive(&mut self, now: Instant, frame: &[u8]) {
        let mut host = self.host.borrow_mut();
        host.events
            .push(Event::Received(now.total_millis(), frame.to_vec()));
        host.outbox.push_back((now, [b"re:", frame].concat()));
    }

    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        let mut host = self.host.borrow_mut();
        if host.outbox.front()?.0 > now {
            return None;
        }
        let (_, frame) = host.outbox.pop_front()?;
        host.events
            .push(Event::Sent(now.total_millis(), frame.clone()));
        // Oversized frames are claimed without being written: a broken node.
        if let Some(dst) = buf.get_mut(..frame.len()) {
            dst.copy_from_slice(&frame);
        }
        Some(frame.len())
    }

    fn poll_at(&mut self) -> Option<Instant> {
        let host = self.host.borrow();
        let due = host.outbox.iter().map(|(due, _)| *due).min();
        due.or(host.stuck_deadline)
    }
}

type MockNet = Net<'static, NoopRawMutex, MockNode, 8>;

struct Bench {
    exec: Executor<'static>,
    runner: TaskId,
    driver: MockDriver,
    net: &'static MockNet,
    host: Rc<RefCell<Host>>,
}

impl Bench {
    fn new(free_slots: usize, setup: impl FnOnce(&mut MockNode)) -> Self {
        let host = Rc::new(RefCell::new(Host::default()));
        let mut node = MockNode {
            host: host.clone(),
            stack: common::stack(9),
        };
        setup(&mut node);
        let net: &'static MockNet = Box::leak(Box::new(Net::new(node)));
        let driver = MockDriver::with_slots(free_slots);
        let mut exec = Executor::default();
        let runner = common::spawn_runner(&mut exec, net, driver.clone());
        Bench {
            exec,
            runner,
            driver,
            net,
            host,
        }
    }

    fn events(&self) -> Vec<Event> {
        self.host.borrow().events.clone()
    }

    fn woken(&self) -> bool {
        self.exec.is_woken(self.runner)
    }
}

#[test]
fn a_received_frame_reaches_the_node_and_its_reply_goes_out() {
    let time = TimeGuard::new();
    let mut bench = Bench::new(4, |_| ());
    bench.exec.run_ready();
    time.advance_millis(7);
    bench.driver.arrive(b"ping");
    assert!(bench.woken());
    bench.exec.run_ready();
    assert_eq!(
        bench.events(),
        [
            Event::Received(7, b"ping".to_vec()),
            Event::Sent(7, b"re:ping".to_vec())
        ]
    );
    assert_eq!(bench.driver.sent(), [b"re:ping".to_vec()]);
}

#[test]
fn an_idle_runner_never_wakes_on_its_own() {
    let time = TimeGuard::new();
    let mut bench = Bench::new(4, |_| ());
    bench.exec.run_ready();
    time.advance_millis(3_600_000);
    assert!(!bench.woken(), "no periodic tick");
    bench.driver.arrive(b"x");
    assert!(bench.woken());
}

#[test]
fn the_node_deadline_wakes_the_runner_exactly_on_time() {
    let time = TimeGuard::new();
    let mut bench = Bench::new(4, |node| node.queue(100, b"retransmission"));
    bench.exec.run_ready();
    assert!(bench.driver.sent().is_empty());
    time.advance_millis(99);
    assert!(!bench.woken());
    time.advance_millis(1);
    assert!(bench.woken());
    bench.exec.run_ready();
    let sent = Event::Sent(100, b"retransmission".to_vec());
    assert_eq!(bench.events(), [sent]);
    assert_eq!(bench.driver.sent(), [b"retransmission".to_vec()]);
}

#[test]
fn work_queued_by_the_application_goes_out_without_a_timer() {
    let _time = TimeGuard::new();
    let mut bench = Bench::new(4, |_| ());
    bench.exec.run_ready();
    bench.net.with_node(|node| node.queue(0, b"now"));
    assert!(bench.woken(), "the application pokes the runner");
    bench.exec.run_ready();
    assert_eq!(bench.driver.sent(), [b"now".to_vec()]);
}

#[test]
fn a_full_transmit_queue_delays_frames_but_loses_none() {
    let _time = TimeGuard::new();
    let frames = [&b"one"[..], b"two", b"six"];
    let mut bench = Bench::new(1, |node| frames.iter().for_each(|f| node.queue(0, f)));
    bench.exec.run_ready();
    assert_eq!(bench.driver.sent(), [b"one".to_vec()]);
    assert!(!bench.woken(), "a full queue is waited on, not polled");
    bench.driver.change(|air| air.free_slots += 2);
    assert!(bench.woken());
    bench.exec.run_ready();
    assert_eq!(bench.driver.sent(), frames.map(<[u8]>::to_vec));
}

#[test]
fn frames_that_break_the_length_contract_are_dropped() {
    let _time = TimeGuard::new();
    let mut bench = Bench::new(4, |node| {
        node.queue(0, &[0xaa; MAX_FRAME + 1]);
        node.queue(0, &[]);
        node.queue(0, b"fine");
    });
    bench.exec.run_ready();
    assert_eq!(bench.driver.sent(), [b"fine".to_vec()]);
}

#[test]
fn an_overdue_deadline_yields_instead_of_spinning() {
    let _time = TimeGuard::new();
    let mut bench = Bench::new(4, |node| {
        node.host.borrow_mut().stuck_deadline = Some(Instant::ZERO);
    });
    // One round, then a yield that asks to run again: each `run_ready`
    // pass polls the runner once more instead of looping inside it.
    let first = bench.exec.polls(bench.runner);
    bench.exec.run_ready_once();
    assert_eq!(bench.exec.polls(bench.runner), first + 1);
    assert!(bench.woken(), "yielded, and asked to run again");
}

#[test]
fn a_burst_of_frames_alternates_delivery_and_replies() {
    let _time = TimeGuard::new();
    let mut bench = Bench::new(64, |_| ());
    let frames: Vec<Vec<u8>> = (0..6u8).map(|i| vec![i]).collect();
    frames.iter().for_each(|f| bench.driver.arrive(f));
    bench.exec.run_ready();
    let kinds: String = bench
        .events()
        .iter()
        .map(|e| match e {
            Event::Received(..) => 'r',
            Event::Sent(..) => 's',
        })
        .collect();
    assert_eq!(kinds, "rrrrssssrrss");
    assert_eq!(bench.driver.sent().len(), frames.len());
}

#[test]
fn the_link_state_is_followed_and_watched() {
    let _time = TimeGuard::new();
    let mut bench = Bench::new(4, |_| ());
    bench.exec.run_ready();
    assert!(bench.net.is_link_up());
    let net = bench.net;
    let watcher = bench.exec.spawn(async move { net.wait_link(false).await });
    bench.exec.run_ready();
    assert!(!bench.exec.is_done(watcher));
    bench.driver.change(|air| air.link_up = false);
    bench.exec.run_ready();
    assert!(bench.exec.is_done(watcher), "woken by the link going down");
    assert!(!bench.net.is_link_up());
}
