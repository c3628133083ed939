//! Learning switches: flooding of unknown and broadcast destinations,
//! learning, ageing, bounded tables, and forwarding across a tree.

mod common;

use common::{echo, mac, simulation, stream, Logs};
use seqs::wire::EthernetAddress;
use seqs_sim::{LinkConfig, SimDuration, SimTime, Simulation, SwitchConfig, TopologyBuilder};

const MS: SimDuration = SimDuration::from_millis(1);

/// h1, h2, h3 on switch s1 (ports 0, 1, 2); h1 sends `count` frames to `dst`
/// every `interval`; h2 echoes.
fn star(
    config: SwitchConfig,
    dst: EthernetAddress,
    count: u32,
    interval: SimDuration,
) -> (Simulation, Logs) {
    let mut t = TopologyBuilder::new();
    t.switch("s1", config);
    for i in 1..=3u16 {
        let (host, link) = (format!("h{i}"), format!("l{i}"));
        t.host(&host, mac(i))
            .link(&link, &host, "s1", LinkConfig::default());
    }
    let roles = [("h1", stream(dst, count, interval, 64)), ("h2", echo())];
    let (mut sim, logs) = simulation(&t.build().expect("valid"), 1, &roles);
    assert!(sim.run_until_idle(SimTime::from_secs(10)));
    (sim, logs)
}

#[test]
fn unknown_unicast_floods_once_then_is_learned() {
    let (sim, logs) = star(SwitchConfig::default(), mac(2), 10, MS);
    assert_eq!(logs["h2"].borrow().received.len(), 10);
    assert_eq!(logs["h1"].borrow().received.len(), 10, "echoes come back");
    assert_eq!(
        logs["h3"].borrow().not_mine,
        1,
        "only the first frame is flooded"
    );
    assert_eq!(
        sim.switch_table("s1").expect("switch"),
        vec![(mac(1), 0), (mac(2), 1)]
    );
    let counters = sim.summary().switches["s1"];
    assert_eq!(
        (counters.flooded, counters.forwarded, counters.learned),
        (1, 19, 2)
    );
}

#[test]
fn broadcast_reaches_every_other_port() {
    let (sim, logs) = star(SwitchConfig::default(), EthernetAddress::BROADCAST, 5, MS);
    assert_eq!(logs["h2"].borrow().received.len(), 5);
    assert_eq!(logs["h3"].borrow().received.len(), 5);
    assert_eq!(
        logs["h1"].borrow().received.len(),
        0,
        "never back out of the ingress port"
    );
    assert_eq!(sim.summary().switches["s1"].flooded, 5);
}

#[test]
fn aged_entries_flood_again() {
    let short = SwitchConfig {
        ageing: SimDuration::from_millis(5),
        ..SwitchConfig::default()
    };
    let (mut sim, logs) = star(short, mac(2), 10, SimDuration::from_millis(10));
    assert_eq!(
        logs["h3"].borrow().not_mine,
        10,
        "h2 is forgotten between frames"
    );
    assert_eq!(logs["h2"].borrow().received.len(), 10);
    assert!(sim.summary().switches["s1"].aged_out >= 9);
    assert_eq!(
        sim.switch_table("s1").expect("switch").len(),
        2,
        "fresh at the last frame"
    );
    sim.run_until(SimTime::from_secs(1));
    assert_eq!(sim.switch_table("s1").expect("switch"), vec![]);
}

#[test]
fn full_table_floods_instead_of_learning() {
    let tiny = SwitchConfig {
        table_size: 1,
        ..SwitchConfig::default()
    };
    let (sim, logs) = star(tiny, mac(2), 10, MS);
    assert_eq!(logs["h2"].borrow().received.len(), 10);
    assert_eq!(logs["h3"].borrow().not_mine, 10);
    let counters = sim.summary().switches["s1"];
    assert_eq!(counters.learned, 1);
    assert!(counters.table_full >= 10);
}

#[test]
fn frames_cross_a_tree_of_switches() {
    let mut t = TopologyBuilder::new();
    t.switch("core", SwitchConfig::default());
    for s in 1..=3u16 {
        let switch = format!("edge{s}");
        t.switch(&switch, SwitchConfig::default());
        t.link(&format!("up{s}"), &switch, "core", LinkConfig::default());
        for h in 1..=3u16 {
            let host = format!("h{s}{h}");
            t.host(&host, mac(s * 10 + h)).link(
                &format!("l{s}{h}"),
                &host,
                &switch,
                LinkConfig::default(),
            );
        }
    }
    let roles = [("h11", stream(mac(33), 20, MS, 64)), ("h33", echo())];
    let (mut sim, logs) = simulation(&t.build().expect("valid"), 1, &roles);
    assert!(sim.run_until_idle(SimTime::from_secs(1)));
    assert_eq!(logs["h33"].borrow().received.len(), 20);
    assert_eq!(logs["h11"].borrow().received.len(), 20);
    // After learning, edge2's hosts saw only the first, flooded, frame.
    assert_eq!(logs["h21"].borrow().not_mine, 1);
    assert_eq!(logs["h32"].borrow().not_mine, 1);
}
