//! Scheduled faults: partitions and healing, in-flight loss, loss changes,
//! host crash and restart; fault scheduling errors.

mod common;

use common::{echo, mac, simulation, stream, Logs};
use seqs_sim::{
    DirectionConfig, Fault, Lanes, LinkConfig, Loss, Probability, SharedBuffer, SimDuration,
    SimError, SimTime, Simulation, SwitchConfig, TopologyBuilder, Trace, TraceFilter,
};

const MS: SimDuration = SimDuration::from_millis(1);

/// h1, h2, h3 on s1; l2 (to h2) has 1.5 ms latency. h1 sends 100 frames to
/// h2, one per millisecond from t = 0.
fn network(h2_role: common::Role) -> (Simulation, Logs, SharedBuffer) {
    let mut t = TopologyBuilder::new();
    t.switch("s1", SwitchConfig::default());
    t.host("h1", mac(1)).host("h2", mac(2)).host("h3", mac(3));
    let slow = LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_micros(1500),
        ..Default::default()
    });
    t.link("l1", "h1", "s1", LinkConfig::default())
        .link("l2", "h2", "s1", slow)
        .link("l3", "h3", "s1", LinkConfig::default());
    let roles = [("h1", stream(mac(2), 100, MS, 64)), ("h2", h2_role)];
    let (mut sim, logs) = simulation(&t.build().expect("valid"), 1, &roles);
    let trace = SharedBuffer::new();
    sim.set_trace(Trace::new(
        Box::new(trace.clone()),
        TraceFilter::all().kinds(["fault", "drop", "boot"]),
    ));
    (sim, logs, trace)
}

fn at(ms: u64) -> SimTime {
    SimTime::from_millis(ms)
}

fn finish(sim: &mut Simulation, trace: &SharedBuffer) -> String {
    assert!(sim.run_until_idle(SimTime::from_secs(10)));
    sim.finish().expect("in memory");
    trace.text()
}

#[test]
fn partition_drops_in_flight_and_new_frames_until_healed() {
    let (mut sim, logs, trace) = network(common::Role::default());
    sim.schedule(at(20), Fault::Partition(vec!["l2".into()]))
        .expect("valid");
    sim.schedule(at(50), Fault::Heal).expect("valid");
    let trace = finish(&mut sim, &trace);
    let expected: Vec<u32> = (0..19).chain(50..100).collect();
    assert_eq!(
        logs["h2"].borrow().seqs(),
        expected,
        "frame 19 was in flight at 20 ms"
    );
    assert_eq!(logs["h3"].borrow().not_mine, 100, "l3 was not partitioned");
    let l2 = sim.link_counters("l2", "s1").expect("link");
    assert_eq!(l2.dropped.down, 31);
    assert_eq!(trace.matches("l2 drop dir=s1>h2 reason=down").count(), 31);
    assert!(trace.contains("0.020000000 l2 fault down\n"));
    assert!(trace.contains("0.050000000 l2 fault up\n"));
    assert!(
        !trace.contains("l1 fault"),
        "heal only reports links that changed"
    );
}

#[test]
fn loss_change_at_a_time() {
    let (mut sim, logs, trace) = network(common::Role::default());
    let lossy = Loss::Bernoulli {
        p: Probability::ONE,
    };
    sim.schedule(
        at(30),
        Fault::SetLoss {
            link: "l1".into(),
            lanes: Lanes::AToB,
            loss: lossy,
        },
    )
    .expect("valid");
    sim.schedule(
        at(40),
        Fault::SetLoss {
            link: "l1".into(),
            lanes: Lanes::AToB,
            loss: Loss::None,
        },
    )
    .expect("valid");
    let trace = finish(&mut sim, &trace);
    let expected: Vec<u32> = (0..30).chain(40..100).collect();
    assert_eq!(logs["h2"].borrow().seqs(), expected);
    assert_eq!(
        sim.link_counters("l1", "h1").expect("link").dropped.loss,
        10
    );
    assert!(trace.contains("0.030000000 l1 fault loss bernoulli p=1 dir=h1>s1\n"));
    assert!(trace.contains("0.040000000 l1 fault loss none dir=h1>s1\n"));
}

#[test]
fn link_down_and_up() {
    let (mut sim, logs, trace) = network(common::Role::default());
    sim.schedule(at(10), Fault::LinkDown("l1".into()))
        .expect("valid");
    sim.schedule(at(15), Fault::LinkUp("l1".into()))
        .expect("valid");
    let trace = finish(&mut sim, &trace);
    let expected: Vec<u32> = (0..10).chain(15..100).collect();
    assert_eq!(logs["h2"].borrow().seqs(), expected);
    assert_eq!(
        trace
            .matches("l1 drop dir=h1>s1 reason=down len=64")
            .count(),
        5
    );
}

#[test]
fn crashed_receiver_loses_frames_and_restarts_with_fresh_state() {
    let (mut sim, logs, trace) = network(echo());
    sim.schedule(at(30), Fault::Crash("h2".into()))
        .expect("valid");
    sim.run_until(at(40));
    assert_eq!(sim.host_is_up("h2"), Some(false));
    sim.schedule(at(60), Fault::Restart("h2".into()))
        .expect("valid");
    let trace = finish(&mut sim, &trace);
    let log = logs["h2"].borrow();
    assert_eq!(log.boots, vec![0, 1]);
    let expected: Vec<u32> = (0..29).chain(59..100).collect();
    assert_eq!(
        log.seqs(),
        expected,
        "frames arrive 1.5 ms after they are sent"
    );
    let counters = sim.host_counters("h2").expect("host");
    assert_eq!(
        (counters.rx_while_down, counters.crashes, counters.boots),
        (30, 1, 2)
    );
    assert_eq!(
        logs["h1"].borrow().received.len(),
        expected.len(),
        "echoes resume with the same MAC"
    );
    assert!(trace.contains("0.030000000 h2 fault crash\n"));
    assert!(trace.contains("0.060000000 h2 fault restart boot=1\n0.060000000 h2 boot n=1\n"));
    assert_eq!(trace.matches("h2 drop reason=host-down").count(), 30);
}

#[test]
fn crashed_sender_goes_silent_and_restarts_from_scratch() {
    let (mut sim, logs, _) = network(common::Role::default());
    sim.schedule(at(10), Fault::Crash("h1".into()))
        .expect("valid");
    sim.schedule(at(20), Fault::Restart("h1".into()))
        .expect("valid");
    assert!(sim.run_until_idle(SimTime::from_secs(10)));
    let seqs = logs["h2"].borrow().seqs();
    let expected: Vec<u32> = (0..10).chain(0..100).collect();
    assert_eq!(seqs, expected, "the rebuilt node starts its sequence again");
    assert!(logs["h2"].borrow().received.iter().all(|r| r.0 == mac(1)));
    let first_after = logs["h2"].borrow().received[10].2;
    assert_eq!(first_after, at(20) + SimDuration::from_micros(1500));
}

#[test]
fn restart_of_a_running_host_reboots_it() {
    let (mut sim, logs, _) = network(common::Role::default());
    sim.schedule(at(5), Fault::Restart("h1".into()))
        .expect("valid");
    assert!(sim.run_until_idle(SimTime::from_secs(10)));
    assert_eq!(logs["h1"].borrow().boots, vec![0, 1]);
    assert_eq!(sim.host_counters("h1").expect("host").crashes, 1);
    assert_eq!(logs["h2"].borrow().received.len(), 105);
}

#[test]
fn invalid_faults_are_rejected() {
    let (mut sim, _, _) = network(common::Role::default());
    assert_eq!(
        sim.schedule(at(1), Fault::LinkDown("nope".into())),
        Err(SimError::UnknownLink("nope".into()))
    );
    assert_eq!(
        sim.apply(Fault::Crash("nope".into())),
        Err(SimError::UnknownHost("nope".into()))
    );
    let partial = Fault::Partition(vec!["l1".into(), "nope".into()]);
    assert_eq!(
        sim.schedule(at(1), partial),
        Err(SimError::UnknownLink("nope".into()))
    );
    sim.run_until(at(10));
    assert!(matches!(
        sim.schedule(at(5), Fault::Heal),
        Err(SimError::InPast { .. })
    ));
    assert!(sim.apply(Fault::LinkDown("l1".into())).is_ok());
}

#[test]
fn summary_json_reports_per_host_and_per_link_counters() {
    let (mut sim, _, _) = network(echo());
    sim.schedule(at(20), Fault::Partition(vec!["l2".into()]))
        .expect("valid");
    sim.schedule(at(50), Fault::Heal).expect("valid");
    assert!(sim.run_until_idle(SimTime::from_secs(10)));
    let json: serde_json::Value =
        serde_json::from_str(&sim.summary().to_json()).expect("valid JSON");
    assert_eq!(json["seed"], 1);
    let l2 = &json["links"]["l2"];
    assert_eq!(
        (l2["a"].as_str(), l2["b"].as_str()),
        (Some("h2"), Some("s1"))
    );
    assert_eq!(l2["b_to_a"]["dropped"]["down"], 31);
    assert_eq!(l2["up"], true);
    let h2 = &json["hosts"]["h2"];
    assert_eq!(h2["mac"], "02:00:00:00:00:02");
    assert_eq!(h2["counters"]["rx_frames"], 69);
    assert_eq!(h2["counters"]["tx_frames"], 69, "echoes");
    assert_eq!(h2["node"]["received"], 69, "the node's own summary");
    assert_eq!(json["switches"]["s1"]["learned"], 2);
}

#[test]
fn faults_before_the_first_boot_decide_the_hosts_fate() {
    let (mut sim, logs, _) = network(echo());
    sim.apply(Fault::Crash("h2".into())).expect("valid");
    sim.apply(Fault::Restart("h3".into())).expect("valid");
    assert!(sim.run_until_idle(SimTime::from_secs(10)));
    assert_eq!(sim.host_is_up("h2"), Some(false));
    assert!(
        logs["h2"].borrow().boots.is_empty(),
        "crashed before booting"
    );
    assert_eq!(
        logs["h3"].borrow().boots,
        vec![1],
        "booted once, by the restart"
    );
    assert_eq!(sim.host_counters("h2").expect("host").rx_while_down, 100);
}
