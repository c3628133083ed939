//! The engine calls a node at its `poll_at` deadline and only then: one live
//! wake-up per host, postponed and advanced deadlines handled without
//! spurious calls, past deadlines deferred to the next microsecond.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::{mac, stream};
use seqs_sim::{LinkConfig, Node, NodeCtx, SimDuration, SimTime, Simulation, TopologyBuilder};

/// Calls to `transmit` that were not right after a `receive`.
#[derive(Default)]
struct Calls {
    wakes: Vec<SimTime>,
    fired: Vec<SimTime>,
}

/// Fires once `timeout` after the last frame it received (a watchdog); the
/// deadline before any frame is `initial`.
struct Watchdog {
    deadline: Option<SimTime>,
    timeout: SimDuration,
    just_received: bool,
    calls: Rc<RefCell<Calls>>,
}

impl Node for Watchdog {
    fn receive(&mut self, cx: &mut NodeCtx<'_>, _frame: &[u8]) {
        self.deadline = Some(cx.now() + self.timeout);
        self.just_received = true;
    }

    fn transmit(&mut self, cx: &mut NodeCtx<'_>, _buf: &mut [u8]) -> Option<usize> {
        if std::mem::take(&mut self.just_received) {
            return None;
        }
        let mut calls = self.calls.borrow_mut();
        calls.wakes.push(cx.now());
        if self.deadline.is_some_and(|d| d <= cx.now()) {
            calls.fired.push(cx.now());
            self.deadline = None;
        }
        None
    }

    fn poll_at(&self) -> Option<SimTime> {
        self.deadline
    }
}

/// h1 sends 100 frames, one per ms, to h2 running a watchdog.
fn watchdog_run(initial: Option<SimTime>) -> (Simulation, Rc<RefCell<Calls>>) {
    let mut t = TopologyBuilder::new();
    t.host("h1", mac(1))
        .host("h2", mac(2))
        .link("wire", "h1", "h2", LinkConfig::default());
    let calls = Rc::new(RefCell::new(Calls::default()));
    let shared = calls.clone();
    let sender = stream(mac(2), 100, SimDuration::from_millis(1), 64);
    let sim = Simulation::new(
        &t.build().expect("valid"),
        1,
        move |spawn| -> Box<dyn Node> {
            if spawn.host == "h1" {
                return Box::new(common::TestNode::new(spawn, sender, Rc::default()));
            }
            Box::new(Watchdog {
                deadline: initial,
                timeout: SimDuration::from_millis(5),
                just_received: false,
                calls: shared.clone(),
            })
        },
    );
    (sim, calls)
}

#[test]
fn postponed_deadline_wakes_once_when_due() {
    let (mut sim, calls) = watchdog_run(None);
    assert!(sim.run_until_idle(SimTime::from_secs(5)));
    let calls = calls.borrow();
    // The boot drain, then exactly one wake-up: 5 ms after the last frame.
    let fire = SimTime::from_millis(104);
    assert_eq!(calls.wakes, vec![SimTime::ZERO, fire]);
    assert_eq!(calls.fired, vec![fire]);
    assert_eq!(sim.host_counters("h2").expect("host").wakeups, 1);
}

#[test]
fn advanced_deadline_supersedes_the_pending_one() {
    let (mut sim, calls) = watchdog_run(Some(SimTime::from_secs(1)));
    assert!(sim.run_until_idle(SimTime::from_secs(5)));
    let calls = calls.borrow();
    assert_eq!(
        calls.wakes,
        vec![SimTime::ZERO, SimTime::from_millis(104)],
        "the 1 s wake-up was cancelled"
    );
    assert_eq!(sim.host_counters("h2").expect("host").wakeups, 1);
}

/// Always claims to be due: must be woken once per microsecond, not spun.
struct AlwaysDue(Rc<RefCell<Vec<SimTime>>>);

impl Node for AlwaysDue {
    fn receive(&mut self, _: &mut NodeCtx<'_>, _: &[u8]) {}
    fn transmit(&mut self, cx: &mut NodeCtx<'_>, _: &mut [u8]) -> Option<usize> {
        self.0.borrow_mut().push(cx.now());
        None
    }
    fn poll_at(&self) -> Option<SimTime> {
        Some(SimTime::ZERO)
    }
}

#[test]
fn past_deadline_is_deferred_to_the_next_microsecond() {
    let mut t = TopologyBuilder::new();
    t.host("h1", mac(1))
        .host("h2", mac(2))
        .link("wire", "h1", "h2", LinkConfig::default());
    let times = Rc::new(RefCell::new(Vec::new()));
    let shared = times.clone();
    let mut sim = Simulation::new(&t.build().expect("valid"), 1, move |_| {
        Box::new(AlwaysDue(shared.clone()))
    });
    sim.run_until(SimTime::from_micros(10));
    let times = times.borrow();
    let h1: Vec<SimTime> = times.iter().copied().step_by(2).collect();
    assert_eq!(h1, (0..=10).map(SimTime::from_micros).collect::<Vec<_>>());
    assert_eq!(times.len(), 22);
}

/// Says "never" the way a stack adapter would: `Instant::MAX` converted.
struct Never;

impl Node for Never {
    fn receive(&mut self, _: &mut NodeCtx<'_>, _: &[u8]) {}
    fn transmit(&mut self, _: &mut NodeCtx<'_>, _: &mut [u8]) -> Option<usize> {
        None
    }
    fn poll_at(&self) -> Option<SimTime> {
        Some(SimTime::from_instant(seqs::time::Instant::MAX))
    }
}

#[test]
fn max_deadline_means_never() {
    let mut t = TopologyBuilder::new();
    t.host("h1", mac(1))
        .host("h2", mac(2))
        .link("wire", "h1", "h2", LinkConfig::default());
    let mut sim = Simulation::new(&t.build().expect("valid"), 1, |_| Box::new(Never));
    assert!(sim.run_until_idle(SimTime::MAX));
    assert_eq!(sim.events(), 2, "the two boots only");
}
