//! Carrier: a host is told when its own link goes down or comes up (and
//! only then), is drained right after, and the trace records it.

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use common::{frame, mac};
use seqs::wire::EthernetAddress;
use seqs_sim::{
    Fault, LinkConfig, Node, NodeCtx, SharedBuffer, SimTime, Simulation, SwitchConfig,
    TopologyBuilder, Trace, TraceFilter,
};

/// What one host's node heard, across its boots.
#[derive(Debug, Default)]
struct Heard {
    /// (time, up) of every carrier change.
    carrier: Vec<(SimTime, bool)>,
    /// Arrival times of frames.
    frames: Vec<SimTime>,
}

type Log = Rc<RefCell<Heard>>;

/// Logs carrier changes and frames; on carrier up, sends one frame to
/// `peer` (to see that the engine drains the node after telling it).
struct CarrierNode {
    mac: EthernetAddress,
    peer: EthernetAddress,
    owed: u32,
    log: Log,
}

impl Node for CarrierNode {
    fn receive(&mut self, cx: &mut NodeCtx<'_>, _frame: &[u8]) {
        self.log.borrow_mut().frames.push(cx.now());
    }

    fn transmit(&mut self, _cx: &mut NodeCtx<'_>, buf: &mut [u8]) -> Option<usize> {
        self.owed = self.owed.checked_sub(1)?;
        let f = frame(self.peer, self.mac, 0, 64);
        buf.get_mut(..f.len())?.copy_from_slice(&f);
        Some(f.len())
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }

    fn link_changed(&mut self, cx: &mut NodeCtx<'_>, up: bool) {
        self.log.borrow_mut().carrier.push((cx.now(), up));
        cx.trace(None, "heard", format_args!("up={up}"));
        self.owed += u32::from(up);
    }
}

/// h1 on s1 (link l1), h2 on s2 (l2), s1–s2 (trunk); h3–h4 directly (direct).
/// Each host's peer: h1↔h2, h3↔h4.
fn network() -> (Simulation, BTreeMap<&'static str, Log>, SharedBuffer) {
    let mut t = TopologyBuilder::new();
    t.switch("s1", SwitchConfig::default())
        .switch("s2", SwitchConfig::default());
    for n in 1..=4 {
        t.host(&format!("h{n}"), mac(n));
    }
    t.link("l1", "h1", "s1", LinkConfig::default())
        .link("l2", "h2", "s2", LinkConfig::default())
        .link("trunk", "s1", "s2", LinkConfig::default())
        .link("direct", "h3", "h4", LinkConfig::default());
    let logs: BTreeMap<&'static str, Log> = ["h1", "h2", "h3", "h4"]
        .into_iter()
        .map(|h| (h, Log::default()))
        .collect();
    let factory_logs = logs.clone();
    let mut sim = Simulation::new(&t.build().expect("valid"), 7, move |spawn| {
        let n: u16 = spawn.host[1..].parse().expect("hN");
        let peer = if n % 2 == 1 { n + 1 } else { n - 1 };
        Box::new(CarrierNode {
            mac: spawn.mac,
            peer: mac(peer),
            owed: 0,
            log: factory_logs[spawn.host].clone(),
        })
    });
    let trace = SharedBuffer::new();
    sim.set_trace(Trace::new(
        Box::new(trace.clone()),
        TraceFilter::all().kinds(["carrier", "heard", "fault"]),
    ));
    (sim, logs, trace)
}

fn ms(n: u64) -> SimTime {
    SimTime::from_millis(n)
}

fn run(sim: &mut Simulation, faults: &[(u64, Fault)], trace: &SharedBuffer) -> String {
    for (at, fault) in faults {
        sim.schedule(ms(*at), fault.clone()).expect("valid fault");
    }
    assert!(sim.run_until_idle(SimTime::from_secs(1)));
    sim.finish().expect("in memory");
    trace.text()
}

fn carrier(log: &Log) -> Vec<(SimTime, bool)> {
    log.borrow().carrier.clone()
}

#[test]
fn host_hears_its_link_go_down_and_up_then_is_drained() {
    let (mut sim, logs, trace) = network();
    let faults = [
        (10, Fault::LinkDown("l1".into())),
        (20, Fault::LinkUp("l1".into())),
    ];
    let trace = run(&mut sim, &faults, &trace);
    assert_eq!(carrier(&logs["h1"]), [(ms(10), false), (ms(20), true)]);
    assert!(carrier(&logs["h2"]).is_empty(), "l2 did not change");
    assert_eq!(
        logs["h2"].borrow().frames,
        [ms(20)],
        "h1's frame sent on carrier up went out at once"
    );
    assert_eq!(
        trace,
        "0.010000000 l1 fault down\n\
         0.010000000 h1 carrier down link=l1\n\
         0.010000000 h1 heard up=false\n\
         0.020000000 l1 fault up\n\
         0.020000000 h1 carrier up link=l1\n\
         0.020000000 h1 heard up=true\n"
    );
}

#[test]
fn links_between_switches_tell_no_host() {
    let (mut sim, logs, trace) = network();
    let faults = [
        (10, Fault::Partition(vec!["trunk".into()])),
        (20, Fault::Heal),
    ];
    let trace = run(&mut sim, &faults, &trace);
    assert!(logs.values().all(|log| log.borrow().carrier.is_empty()));
    assert_eq!(
        trace,
        "0.010000000 trunk fault down\n0.020000000 trunk fault up\n"
    );
}

#[test]
fn no_notification_without_a_change() {
    let (mut sim, logs, trace) = network();
    let faults = [
        (5, Fault::LinkUp("l1".into())),
        (10, Fault::LinkDown("l2".into())),
        (15, Fault::LinkDown("l2".into())),
        (16, Fault::Partition(vec!["l2".into(), "trunk".into()])),
        (20, Fault::Heal),
        (25, Fault::Heal),
    ];
    let trace = run(&mut sim, &faults, &trace);
    assert!(carrier(&logs["h1"]).is_empty(), "l1 was up all along");
    assert_eq!(carrier(&logs["h2"]), [(ms(10), false), (ms(20), true)]);
    assert_eq!(trace.matches(" carrier ").count(), 2);
}

#[test]
fn both_hosts_of_a_host_to_host_link_hear_in_side_order() {
    let (mut sim, logs, trace) = network();
    let faults = [
        (10, Fault::LinkDown("direct".into())),
        (20, Fault::LinkUp("direct".into())),
    ];
    let trace = run(&mut sim, &faults, &trace);
    for host in ["h3", "h4"] {
        assert_eq!(carrier(&logs[host]), [(ms(10), false), (ms(20), true)]);
        assert_eq!(logs[host].borrow().frames, [ms(20)], "{host}'s peer sent");
    }
    let carrier_lines: Vec<&str> = trace.lines().filter(|l| l.contains(" carrier ")).collect();
    assert_eq!(
        carrier_lines,
        [
            "0.010000000 h3 carrier down link=direct",
            "0.010000000 h4 carrier down link=direct",
            "0.020000000 h3 carrier up link=direct",
            "0.020000000 h4 carrier up link=direct",
        ]
    );
}

#[test]
fn a_crashed_host_is_not_told_and_hears_only_what_follows_its_restart() {
    let (mut sim, logs, trace) = network();
    let faults = [
        (5, Fault::Crash("h1".into())),
        (10, Fault::LinkDown("l1".into())),
        (15, Fault::Restart("h1".into())),
        (20, Fault::LinkUp("l1".into())),
    ];
    let trace = run(&mut sim, &faults, &trace);
    assert_eq!(carrier(&logs["h1"]), [(ms(20), true)]);
    assert_eq!(trace.matches("h1 carrier").count(), 1);
}

#[test]
fn carrier_traces_are_deterministic() {
    let once = || {
        let (mut sim, _, trace) = network();
        let faults = [
            (
                10,
                Fault::Partition(vec!["l1".into(), "direct".into(), "l2".into()]),
            ),
            (12, Fault::LinkUp("l2".into())),
            (20, Fault::Heal),
        ];
        run(&mut sim, &faults, &trace)
    };
    let first = once();
    assert_eq!(first.matches(" carrier ").count(), 8);
    assert_eq!(first, once());
}
